"""Trees as code: YAML and JSON files, ``from_dict`` and ``to_dict``.

Loading is safe (no tags, no aliases), refuses duplicate keys and unknown fields with their path,
and validates against the declared schema. Saving is stable: the same tree always writes the
same bytes, metrics in outline order and fields in a fixed order, so git diffs stay small.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from .errors import KPITreeError, did_you_mean, show
from .metric import Hypothesis, Metric
from .periods import Numbers, period_key
from .tree import DEFAULT_TOLERANCE, Tree, TreeT

if TYPE_CHECKING:
    import yaml

SCHEMA_VERSION = 1
MAX_FILE_BYTES = 20_000_000
METRIC_FIELDS = ("name", "formula", "unit", "direction", "owner", "team", "cadence", "lag_days",
                 "kind", "guards", "aggregation", "description", "tags", "value", "target")
SUFFIXES = (".yaml", ".yml", ".json")


# ---------------------------------------------------------------------------- from_dict


@overload
def tree_from_dict(spec: Mapping[str, Any]) -> Tree: ...
@overload
def tree_from_dict(spec: Mapping[str, Any], cls: type[TreeT]) -> TreeT: ...
def tree_from_dict(spec: Mapping[str, Any], cls: type[Tree] = Tree) -> Tree:
    """Validate ``spec`` (the shape of the file) and build the tree, an instance of ``cls``
    (the facade passes :class:`~kpitree_widget.Tree`)."""
    from pydantic import ValidationError

    from .schema import TreeSpec

    if not isinstance(spec, Mapping):
        raise KPITreeError(f"tree: expected a mapping with 'metrics', got {type(spec).__name__}")
    try:
        parsed = TreeSpec.model_validate(_plain(spec))
    except ValidationError as exc:
        raise KPITreeError(_describe(exc)) from None
    metrics: list[Metric] = []
    values: dict[str, Numbers] = {}
    targets: dict[str, Numbers] = {}
    for metric_id, m in parsed.metrics.items():
        fields = m.model_dump(exclude_none=True, exclude={"value", "target"}) if m else {}
        metrics.append(Metric(id=metric_id, **fields))
        if m is not None and m.value is not None:
            values[metric_id] = m.value
        if m is not None and m.target is not None:
            targets[metric_id] = m.target
    hypotheses = [Hypothesis(h.from_, h.to, h.sign, h.note) for h in parsed.hypotheses]
    okrs = [k.model_dump(by_alias=True, exclude_none=True) for k in parsed.okrs]
    return cls(metrics, values=values, targets=targets, root=parsed.root, name=parsed.name,
                   description=parsed.description, hypotheses=hypotheses,
                   scenarios=parsed.scenarios, okrs=okrs, config=parsed.config)


def _plain(data: Any, path: str = "tree") -> Any:
    """Dates (YAML reads ``2026-03-31`` as one) become ISO text in values and period labels in
    keys; two keys that become one (``2026-02-01`` and ``'2026-02'``) are refused at ``path``."""
    if isinstance(data, Mapping):
        out: dict[Any, Any] = {}
        given: dict[Any, Any] = {}
        for k, v in data.items():
            key = _plain_key(k)
            if key in out:
                raise KPITreeError(f"{path}: the keys {given[key]!r} and {k!r} both name "
                                   f"{key!r}; keep one")
            given[key] = k
            out[key] = _plain(v, f"{path}.{key}" if path != "tree" else str(key))
        return out
    if isinstance(data, list):
        return [_plain(v, f"{path}[{i}]") for i, v in enumerate(data)]
    if isinstance(data, (dt.date, dt.datetime)):
        return data.isoformat()
    return data


def _plain_key(key: Any) -> Any:
    if isinstance(key, (dt.date, dt.datetime)):
        return period_key(key)  # a date key is a period label: 2026-03-01 names 2026-03
    if isinstance(key, int) and not isinstance(key, bool):
        return str(key)
    return key


def _describe(exc: Any) -> str:
    """The first validation error as ``path: what is wrong``."""
    from pydantic import BaseModel

    from .schema import HypothesisSpec, KeyResultSpec, MetricSpec, TreeSpec

    lines = []
    for error in exc.errors()[:3]:
        loc = [str(part) for part in error["loc"]]
        path = ".".join(loc) or "tree"
        kind = error["type"]
        if kind == "extra_forbidden":
            field = loc[-1]
            model: dict[str, type[BaseModel]] = {
                "metrics": MetricSpec, "hypotheses": HypothesisSpec, "okrs": KeyResultSpec}
            spec: type[BaseModel] = model.get(loc[0], TreeSpec) if len(loc) > 1 else TreeSpec
            fields = spec.model_fields
            names = [f.alias or n for n, f in fields.items()]
            lines.append(f"{path}: unknown field{did_you_mean(field, names)}")
        elif kind == "missing":
            lines.append(f"{path}: required field is missing")
        else:
            lines.append(f"{path}: {error['msg'][0].lower()}{error['msg'][1:]}, "
                         f"got {show(error.get('input'))}")
    more = len(exc.errors()) - len(lines)
    return "; ".join(lines) + (f" (and {more} more)" if more > 0 else "")


# ---------------------------------------------------------------------------- to_dict


def tree_to_dict(tree: Tree) -> dict[str, Any]:
    """The canonical mapping of a tree: defaults left out, metrics in outline order."""
    out: dict[str, Any] = {"schema": SCHEMA_VERSION}
    if tree.name:
        out["name"] = tree.name
    if tree.description:
        out["description"] = tree.description
    out["root"] = tree.root
    metrics: dict[str, Any] = {}
    for metric_id, *_ in tree.outline():
        metrics[metric_id] = _metric_dict(tree, tree.metrics[metric_id])
    out["metrics"] = metrics
    if tree.hypotheses:
        out["hypotheses"] = [
            {"from": h.driver, "to": h.outcome, "sign": h.sign,
             **({"note": h.note} if h.note else {})}
            for h in tree.hypotheses
        ]
    if tree.scenarios:
        out["scenarios"] = {name: {m: _numbers(v) for m, v in overrides.items()}
                            for name, overrides in tree.scenarios.items()}
    if tree.okrs:
        out["okrs"] = [dict(o) for o in tree.okrs]
    config = dict(tree.config)
    if tree.tolerance != config.get("tolerance", DEFAULT_TOLERANCE):
        config["tolerance"] = tree.tolerance
    if config:
        out["config"] = config
    return out


def _metric_dict(tree: Tree, metric: Metric) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in METRIC_FIELDS:
        if field == "value":
            value = _numbers(tree.get_value(metric.id))
        elif field == "target":
            value = _numbers(tree.get_target(metric.id))
        else:
            value = getattr(metric, field)
        if field == "name" and value == metric.id:
            continue
        if field == "direction" and value == "up":
            continue
        if field == "tags":
            value = list(value) or None
        if field == "lag_days" and isinstance(value, float) and value.is_integer():
            value = int(value)
        if value is not None:
            out[field] = value
    return out


def _numbers(numbers: Numbers) -> Any:
    if isinstance(numbers, dict):
        return {p: _scalar(x) for p, x in numbers.items()}
    return None if numbers is None else _scalar(numbers)


def _scalar(x: float) -> float | int:
    """Whole numbers are written without '.0' (files stay clean); the value is unchanged."""
    if math.isfinite(x) and float(x).is_integer() and abs(x) < 2**53 and (
            x != 0 or math.copysign(1.0, x) > 0):  # -0.0 stays -0.0: 1 / -0.0 is -inf
        return int(x)
    return float(x)


# ---------------------------------------------------------------------------- files


@overload
def load(path: str | Path) -> Tree: ...
@overload
def load(path: str | Path, cls: type[TreeT]) -> TreeT: ...
def load(path: str | Path, cls: type[Tree] = Tree) -> Tree:
    """Load a tree from ``.yaml``, ``.yml`` or ``.json``.

    >>> tree = load("tree.yaml")  # doctest: +SKIP
    """
    path = Path(path)
    fmt = _format(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise KPITreeError(f"{path}: the file is {size:,} bytes; the limit is "
                               f"{MAX_FILE_BYTES:,}")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KPITreeError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise KPITreeError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise KPITreeError(f"{path}: cannot read the file ({exc.strerror})") from None
    try:
        data = loads(text, fmt)
        return tree_from_dict(data, cls=cls)
    except KPITreeError as exc:
        raise KPITreeError(f"{path.name}: {exc}") from None


def loads(text: str, fmt: str = "yaml") -> Any:
    """Parse YAML or JSON text safely, refusing duplicate keys (and YAML tags and aliases)."""
    if fmt == "json":
        try:
            return json.loads(text, object_pairs_hook=_unique_pairs)
        except json.JSONDecodeError as exc:
            raise KPITreeError(f"line {exc.lineno}, column {exc.colno}: not valid JSON "
                               f"({exc.msg})") from None
    import yaml

    try:
        return yaml.load(text, Loader=_loader_class())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise KPITreeError(f"{where}{exc.problem or exc.context or 'not valid YAML'}") from None
    except yaml.YAMLError as exc:
        raise KPITreeError(f"not valid YAML ({exc})") from None


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise KPITreeError(f"duplicate key {key!r}")
        out[key] = value
    return out


_LOADER: type | None = None


def _loader_class() -> type[yaml.SafeLoader]:
    """A SafeLoader that refuses duplicate keys and aliases (built on first use)."""
    global _LOADER
    if _LOADER is not None:
        return _LOADER
    import yaml

    class StrictLoader(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                raise yaml.MarkedYAMLError(problem="aliases (*name) are not supported in tree "
                                           "files", problem_mark=event.start_mark)
            return super().compose_node(parent, index)

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen: dict[Any, Any] = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                if key in seen:
                    raise yaml.MarkedYAMLError(
                        problem=f"duplicate key {key!r} (first at line "
                        f"{seen[key].start_mark.line + 1})", problem_mark=key_node.start_mark)
                seen[key] = key_node
            return super().construct_mapping(node, deep=deep)

    _LOADER = StrictLoader
    return StrictLoader


def dumps(tree: Tree, fmt: str = "yaml") -> str:
    """The tree as YAML or JSON text (what :func:`save` writes)."""
    data = tree_to_dict(tree)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    import yaml

    class Dumper(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:
            return True

    return yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=100)


def save(tree: Tree, path: str | Path) -> None:
    """Write ``tree`` to ``path`` (``.yaml``, ``.yml`` or ``.json``)."""
    path = Path(path)
    path.write_text(dumps(tree, _format(path)), encoding="utf-8")


def _format(path: Path) -> str:
    """``"json"`` or ``"yaml"`` by the file's suffix; any other suffix is a KPITreeError."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise KPITreeError(f"{path}: unknown file type {suffix or '(none)'!r}; "
                           "use .yaml, .yml or .json")
    return "json" if suffix == ".json" else "yaml"
