"""A KPI tree from a dbt project's semantic layer: its ``semantic_models:`` and ``metrics:``.

Read from the YAML files under the project's ``models/`` folder, or from the
``target/semantic_manifest.json`` that ``dbt parse`` writes:

- a **simple** metric becomes an input whose declarative source is its measure: the
  aggregation (``sum``, ``count``, ``count_distinct``, ``average``, ``min``, ``max``,
  ``sum_boolean``, ``median``, ``percentile``) over the measure's ``expr``, the agg time
  dimension as the time column, the semantic model's table (``ref('orders')`` -> ``orders``),
  and the metric's ``filter`` (on the model's own dimensions) as ``where``;
- a **ratio** metric is ``numerator / denominator``;
- a **derived** metric is its ``expr``, its inputs' aliases resolved;
- **cumulative** and **conversion** metrics, offset windows and semi-additive measures have no
  equivalent in a KPI tree and are refused, naming the metric.

The root is the one metric no other metric uses (or ``root=``); the tree holds it and what it
uses. Every metric source reads from one source (``dbt`` by default): DuckDB over the files of
``tables=`` (table -> file) or ``duckdb_dir=`` (``<dir>/<table>.parquet``, ``.csv``, ...), or
the warehouse at ``url=``.

>>> spec = tree_spec("tests/data/jaffle_shop", duckdb_dir="data")   # doctest: +SKIP
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import KPITreeError, did_you_mean
from ..source_spec import GRAINS
from .sql import check_expression

AGGREGATIONS = {"sum": "sum({})", "count": "count({})", "count_distinct": "count(DISTINCT {})",
                "average": "avg({})", "avg": "avg({})", "min": "min({})", "max": "max({})",
                "sum_boolean": "sum(CASE WHEN {} THEN 1 ELSE 0 END)", "median": "median({})"}
SUMMED = {"sum", "count", "sum_boolean"}
REFUSED = {"cumulative": "a running total over a window",
           "conversion": "a funnel of one entity's events"}
FILE_SUFFIXES = (".parquet", ".csv", ".json", ".jsonl", ".ndjson", ".tsv")
_REF = re.compile(r"""^\s*(?:\{\{\s*)?ref\(\s*(?:['"][^'"]+['"]\s*,\s*)?['"]([^'"]+)['"]"""
                  r"""\s*(?:,\s*v(?:ersion)?\s*=\s*[^)]*)?\)\s*(?:\}\})?\s*$""")
_JINJA = re.compile(r"""\{\{\s*(Dimension|Entity|TimeDimension)\(\s*['"]([^'"]+)['"]"""
                    r"""\s*(?:,[^)]*)?\)\s*\}\}""")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass
class _Model:
    """One semantic model: its table, default time dimension, dimensions and measures."""

    name: str
    table: str
    time: str | None
    dimensions: dict[str, dict[str, Any]] = field(default_factory=dict)
    entities: dict[str, dict[str, Any]] = field(default_factory=dict)
    measures: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class _Project:
    models: dict[str, _Model]
    measures: dict[str, _Model]  # measure name -> its semantic model
    metrics: dict[str, dict[str, Any]]
    origin: dict[str, str]  # metric name -> the file it is written in


def _entries(value: Any, where: str) -> list[Mapping[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(x, Mapping) for x in value):
        raise KPITreeError(f"{where}: expected a list of mappings")
    return value


def _table_of(model: Mapping[str, Any], where: str) -> str:
    relation = model.get("node_relation")
    if isinstance(relation, Mapping) and relation.get("alias"):
        return str(relation["alias"])
    text = model.get("model")
    m = _REF.match(str(text or ""))
    if not m:
        raise KPITreeError(f"{where}.model: expected ref('a_model'), got {text!r}")
    return m.group(1)


def _read(project: _Project, doc: Mapping[str, Any], origin: str) -> None:
    for i, sm in enumerate(_entries(doc.get("semantic_models"), f"{origin}: semantic_models")):
        where = f"{origin}: semantic_models.{sm.get('name', i)}"
        name = str(sm.get("name") or "")
        if not name:
            raise KPITreeError(f"{where}.name: required field is missing")
        defaults = sm.get("defaults") or {}
        model = _Model(name=name, table=_table_of(sm, where),
                       time=defaults.get("agg_time_dimension"))
        for d in _entries(sm.get("dimensions"), f"{where}.dimensions"):
            model.dimensions[str(d.get("name"))] = dict(d)
        for e in _entries(sm.get("entities"), f"{where}.entities"):
            model.entities[str(e.get("name"))] = dict(e)
        for m in _entries(sm.get("measures"), f"{where}.measures"):
            model.measures[str(m.get("name"))] = dict(m)
            project.measures[str(m.get("name"))] = model
            if m.get("create_metric"):  # a measure that is its own simple metric
                project.metrics.setdefault(str(m["name"]), {
                    "name": m["name"], "type": "simple", "label": m.get("label"),
                    "description": m.get("description"),
                    "type_params": {"measure": m["name"]}})
                project.origin.setdefault(str(m["name"]), origin)
        project.models[name] = model
    for metric in _entries(doc.get("metrics"), f"{origin}: metrics"):
        name = str(metric.get("name") or "")
        if not name:
            raise KPITreeError(f"{origin}: metrics: a metric without a name")
        project.metrics[name] = dict(metric)
        project.origin[name] = origin


def read_project(path: str | Path) -> _Project:
    """The semantic models and metrics of the dbt project at ``path``: a project folder (its
    ``models/`` YAML files; its ``target/semantic_manifest.json`` when they hold none), a
    folder of YAML files, one YAML file, or a ``semantic_manifest.json``."""
    import yaml

    root = Path(path)
    project = _Project(models={}, measures={}, metrics={}, origin={})
    if not root.exists():
        raise KPITreeError(f"from_dbt: no dbt project at {str(root)!r}")
    if (root.is_file() and root.suffix.lower() == ".json") or root.is_file():
        files = [root]
    else:
        base = root / "models" if (root / "models").is_dir() else root
        files = sorted([*base.rglob("*.yml"), *base.rglob("*.yaml")])
    for file in files:
        origin = str(file.relative_to(root)) if file != root else file.name
        try:
            text = file.read_text(encoding="utf-8")
            doc = json.loads(text) if file.suffix.lower() == ".json" else yaml.safe_load(text)
        except (OSError, ValueError, yaml.YAMLError) as exc:
            raise KPITreeError(f"{origin}: not a file dbt reads: "
                               f"{str(exc).splitlines()[0]}") from None
        if isinstance(doc, Mapping):
            _read(project, doc, origin)
    manifest = root / "target" / "semantic_manifest.json"
    if not project.metrics and root.is_dir() and manifest.is_file():
        return read_project(manifest)
    if not project.metrics:
        raise KPITreeError(f"from_dbt: no metrics in {str(root)!r} (looked for 'metrics:' in "
                           "its models/ YAML files and in target/semantic_manifest.json)")
    return project


def _ref(value: Any) -> dict[str, Any]:
    """A metric input (``revenue`` or ``{name: revenue, alias: r, filter: ...}``)."""
    if isinstance(value, str):
        return {"name": value}
    if isinstance(value, Mapping):
        return dict(value)
    return {"name": None}


def _filters(value: Any) -> list[str]:
    """The filter texts of a ``filter:`` (a text, a list of texts, or the manifest's
    ``{where_filters: [{where_sql_template: ...}]}``)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [str(f.get("where_sql_template", "")) for f in value.get("where_filters") or []]
    return [str(v) for v in value]


def _uses(metric: Mapping[str, Any]) -> list[dict[str, Any]]:
    params = metric.get("type_params") or {}
    kind = str(metric.get("type", "")).lower()
    if kind == "ratio":
        return [_ref(params.get("numerator")), _ref(params.get("denominator"))]
    if kind == "derived":
        return [_ref(m) for m in params.get("metrics") or []]
    return []


class _Importer:
    def __init__(self, project: _Project, source: str, grain: str) -> None:
        self.project = project
        self.source = source
        self.grain = grain
        self.tables: set[str] = set()

    def where(self, name: str) -> str:
        return f"{self.project.origin.get(name, 'dbt')}: metrics.{name}"

    def metric(self, name: str) -> dict[str, Any]:
        metric = self.project.metrics[name]
        kind = str(metric.get("type", "")).lower()
        where = self.where(name)
        if kind in REFUSED:
            raise KPITreeError(f"{where}.type: a {kind} metric ({REFUSED[kind]}) has no "
                               "equivalent in a KPI tree; choose a root that does not use it "
                               "(root=...)")
        out: dict[str, Any] = {}
        if metric.get("label"):
            out["name"] = str(metric["label"])
        if metric.get("description"):
            out["description"] = " ".join(str(metric["description"]).split())
        params = metric.get("type_params") or {}
        if kind == "simple":
            out.update(self.simple(name, metric, params))
        elif kind == "ratio":
            num, den = _uses(metric)
            for part, ref in (("numerator", num), ("denominator", den)):
                self.plain(name, f"type_params.{part}", ref)
            out["formula"] = f"{num['name']} / {den['name']}"
        elif kind == "derived":
            out["formula"] = self.derived(name, params)
        else:
            raise KPITreeError(f"{where}.type: {kind or None!r} is not a metric type dbt "
                               "writes (simple, ratio, derived, cumulative, conversion)")
        return out

    def plain(self, name: str, at: str, ref: Mapping[str, Any]) -> None:
        where = f"{self.where(name)}.{at}"
        if ref.get("name") not in self.project.metrics:
            raise KPITreeError(f"{where}: unknown metric {ref.get('name')!r}"
                               f"{did_you_mean(str(ref.get('name')), list(self.project.metrics))}")
        offset = ref.get("offset_window") or ref.get("offset_to_grain")
        if offset:
            raise KPITreeError(f"{where}: an offset window ({offset}) has no equivalent in a "
                               "KPI tree (a metric is one period's number)")
        if _filters(ref.get("filter")):
            raise KPITreeError(f"{where}.filter: a filter on a metric's input has no "
                               "equivalent here; define a simple metric with that filter and "
                               "use it instead")

    def derived(self, name: str, params: Mapping[str, Any]) -> str:
        expr = params.get("expr")
        if not isinstance(expr, str) or not expr.strip():
            raise KPITreeError(f"{self.where(name)}.type_params.expr: required for a derived "
                               "metric")
        aliases = {}
        for i, ref in enumerate(_uses(self.project.metrics[name])):
            self.plain(name, f"type_params.metrics[{i}]", ref)
            aliases[str(ref.get("alias") or ref["name"])] = str(ref["name"])

        def swap(m: re.Match[str]) -> str:
            return aliases.get(m.group(0), m.group(0))

        return _NAME.sub(swap, " ".join(expr.split()))

    def simple(self, name: str, metric: Mapping[str, Any],
               params: Mapping[str, Any]) -> dict[str, Any]:
        where = self.where(name)
        ref = _ref(params.get("measure"))
        measure_name = str(ref.get("name"))
        model = self.project.measures.get(measure_name)
        if model is None:
            raise KPITreeError(f"{where}.type_params.measure: unknown measure "
                               f"{measure_name!r}"
                               f"{did_you_mean(measure_name, list(self.project.measures))}")
        measure = model.measures[measure_name]
        here = f"{where} (measure {measure_name})"
        if measure.get("non_additive_dimension"):
            raise KPITreeError(f"{here}: a semi-additive measure (non_additive_dimension) has "
                               "no equivalent in a KPI tree")
        agg = str(measure.get("agg", "")).lower()
        expr = str(measure.get("expr") if measure.get("expr") is not None else measure_name)
        if agg == "percentile":
            p = (measure.get("agg_params") or {}).get("percentile")
            if not isinstance(p, (int, float)):
                raise KPITreeError(f"{here}.agg_params.percentile: a number is required")
            discrete = (measure.get("agg_params") or {}).get("use_discrete_percentile")
            text = f"quantile_{'disc' if discrete else 'cont'}({expr}, {p})"
        elif agg in AGGREGATIONS:
            text = AGGREGATIONS[agg].format(expr)
        else:
            raise KPITreeError(f"{here}.agg: {agg!r} is not an aggregation dbt writes"
                               f"{did_you_mean(agg, list(AGGREGATIONS))}")
        check_expression(text, f"{here}.expr", aggregate=True)
        time = self.time(name, model, measure)
        filters = [*_filters(metric.get("filter")), *_filters(ref.get("filter"))]
        out: dict[str, Any] = {}
        if agg in SUMMED:
            out["aggregation"] = "sum"
        elif agg in ("average", "avg"):
            out["aggregation"] = "mean"
        source = {"from": self.source, "table": model.table, "time": time, "measure": text}
        if filters:
            parts = [self.filter(name, model, " ".join(f.split())) for f in filters]
            source["where"] = parts[0] if len(parts) == 1 else " AND ".join(
                f"({p})" for p in parts)
            check_expression(source["where"], f"{where}.filter", aggregate=False)
        self.tables.add(model.table)
        out["source"] = source
        return out

    def time(self, name: str, model: _Model, measure: Mapping[str, Any]) -> str:
        where = f"{self.where(name)} (semantic model {model.name})"
        dim_name = measure.get("agg_time_dimension") or model.time
        if not dim_name:
            raise KPITreeError(f"{where}.defaults.agg_time_dimension: required for a measure's "
                               "metric (the time column its rows are grouped by)")
        dim = model.dimensions.get(str(dim_name))
        if dim is None or str(dim.get("type", "")).lower() != "time":
            hint = did_you_mean(str(dim_name), list(model.dimensions))
            raise KPITreeError(f"{where}: agg_time_dimension {dim_name!r} is not one of its "
                               f"time dimensions{hint}")
        column = str(dim.get("expr") or dim_name)
        if not _NAME.fullmatch(column):
            raise KPITreeError(f"{where}.dimensions.{dim_name}.expr: the time dimension must be "
                               f"a column (got {column!r}); add the column to the dbt model")
        granularity = str((dim.get("type_params") or {}).get("time_granularity", "day")).lower()
        if granularity in GRAINS and not _nests(granularity, self.grain):
            raise KPITreeError(f"{where}.dimensions.{dim_name}: its granularity is "
                               f"{granularity}, which does not fit in periods of a "
                               f"{self.grain}; import with grain={granularity!r}")
        return column

    def filter(self, name: str, model: _Model, text: str) -> str:
        def column(m: re.Match[str]) -> str:
            kind, ref = m.group(1), m.group(2)
            dim_name = ref.split("__")[-1]
            found = (model.entities if kind == "Entity" else model.dimensions).get(dim_name)
            if kind == "TimeDimension" or found is None:
                raise KPITreeError(f"{self.where(name)}.filter: {m.group(0)} is not a "
                                   f"dimension of semantic model {model.name!r} (a filter on "
                                   "another model needs a join, which a tree source has not)")
            column = str(found.get("expr") or dim_name)
            return column if _NAME.fullmatch(column) else f"({column})"

        return _JINJA.sub(column, text)


def _nests(granularity: str, grain: str) -> bool:
    """Whether periods of ``granularity`` fit whole in periods of ``grain``."""
    if granularity == "day" or granularity == grain:
        return True
    order = ["month", "quarter", "year"]
    return (granularity in order and grain in order
            and order.index(granularity) <= order.index(grain))


def _closure(project: _Project, root: str) -> list[str]:
    seen: list[str] = []

    def visit(name: str) -> None:
        if name in seen or name not in project.metrics:
            return
        seen.append(name)
        for ref in _uses(project.metrics[name]):
            visit(str(ref.get("name")))

    visit(root)
    return seen


def _root(project: _Project, root: str | None) -> str:
    if root is not None:
        if root not in project.metrics:
            raise KPITreeError(f"from_dbt.root: unknown metric {root!r}"
                               f"{did_you_mean(root, list(project.metrics))}")
        return root
    used = {str(ref.get("name")) for m in project.metrics.values() for ref in _uses(m)}
    tops = [name for name in project.metrics if name not in used]
    if len(tops) != 1:
        raise KPITreeError(f"from_dbt.root: {len(tops)} metrics are used by no other "
                           f"({', '.join(tops)}); name the tree's root with root=...")
    return tops[0]


def _files(tables: set[str], folder: Path) -> dict[str, str]:
    out = {}
    for table in sorted(tables):
        for suffix in FILE_SUFFIXES:
            if (folder / f"{table}{suffix}").is_file():
                out[table] = str(folder / f"{table}{suffix}")
                break
        else:
            raise KPITreeError(f"from_dbt.duckdb_dir: no file for table {table!r} in "
                               f"{str(folder)!r} (looked for {table}.parquet, {table}.csv, ...)")
    return out


def tree_spec(path: str | Path, root: str | None = None, *, source: str = "dbt",
              url: str | None = None, tables: Mapping[str, str] | None = None,
              duckdb_dir: str | Path | None = None, grain: str = "month",
              name: str | None = None) -> dict[str, Any]:
    """The tree (the mapping a tree file holds) of the dbt project at ``path``; see the module
    text for what each kind of metric becomes."""
    if grain not in GRAINS:
        raise KPITreeError(f"from_dbt.grain: {grain!r} is not one of {', '.join(GRAINS)}"
                           f"{did_you_mean(str(grain), GRAINS)}")
    project = read_project(path)
    top = _root(project, root)
    importer = _Importer(project, source, grain)
    metrics = {m: importer.metric(m) for m in _closure(project, top)}
    config: dict[str, Any] = {"url": url or "duckdb://"}
    if tables is not None:
        missing = sorted(importer.tables - set(tables))
        if missing:
            raise KPITreeError(f"from_dbt.tables: no file for table {missing[0]!r} (the "
                               f"semantic models read {', '.join(sorted(importer.tables))})")
        config["tables"] = {t: str(tables[t]) for t in sorted(importer.tables)}
    elif duckdb_dir is not None:
        config["tables"] = _files(importer.tables, Path(duckdb_dir))
    label = name or project.metrics[top].get("label") or top
    return {"name": str(label), "config": {"grain": grain}, "sources": {source: config},
            "metrics": metrics}


__all__ = ["read_project", "tree_spec"]
