"""Refreshing a tree from its sources, all or nothing, and the gaps left in its data.

``refresh(tree)`` compiles every metric's source (one grouped query per source, table, time
column and grain), checks each query, runs them through each source's engine and loads the
numbers with the checks of ``load_data``. By default nothing changes unless every source
succeeded: the :class:`KPITreeError` names the metric and the source. With ``partial=True`` the
numbers that came back are loaded and the failures are reported.

>>> report = tree.refresh()                       # doctest: +SKIP
>>> report.loc["signups", ["source", "rows", "status"]]   # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import KPITreeError, did_you_mean
from ..source_spec import MetricSource, grain_of
from .engines import open_engine
from .spec import ResolvedSource, resolve
from .sql import BASE_DIALECT, Measure, Query, check_measure, compile_group, compile_sql

if TYPE_CHECKING:
    import pandas as pd

    from ...tree import Tree

log = logging.getLogger("kpitree_widget.sources")
REPORT_COLUMNS = ["layer", "source", "rows", "first", "last", "seconds", "status", "message"]
FREQ = {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}
ATTRS = {"value": "source", "target": "target_source"}


@dataclass
class _Line:
    """One line of the report: a metric's source for one layer, and what became of it."""

    metric: str
    layer: str
    spec: MetricSource
    rows: int = 0
    first: str | None = None
    last: str | None = None
    seconds: float = 0.0
    status: str = "pending"
    message: str = ""
    frame: Any = field(default=None, repr=False)

    @property
    def where(self) -> str:
        return f"metrics.{self.metric}.{ATTRS[self.layer]}"

    def fail(self, status: str, message: str) -> None:
        if self.status in ("pending", "ok"):
            self.status, self.message = status, message


def wired(tree: Tree, metrics: Iterable[str] | None = None) -> list[_Line]:
    """One line per (metric, layer) with a source, in outline order; ``metrics`` limits them
    (each must exist and have a source)."""
    lines = []
    chosen = None
    if metrics is not None:
        chosen = []
        for metric_id in metrics:
            metric = tree.require(metric_id, "refresh.metrics")
            if metric.source is None and metric.target_source is None:
                raise KPITreeError(f"refresh.metrics: {metric_id!r} has no source or "
                                   "target_source to refresh from")
            chosen.append(metric_id)
    for metric_id, *_ in tree.outline():
        if chosen is not None and metric_id not in chosen:
            continue
        metric = tree.metrics[metric_id]
        for layer, attr in ATTRS.items():
            spec = getattr(metric, attr)
            if spec is not None:
                lines.append(_Line(metric_id, layer, spec))
    return lines


def _compile(lines: list[_Line], grain: str, tables: set[str] | None,
             dialect: str) -> list[tuple[Query, list[_Line]]]:
    """The queries of one source: one grouped query per (table, time column), one per sql
    source; a refused query marks its metrics ``refused``."""
    groups: dict[tuple[str, str], list[_Line]] = {}
    out: list[tuple[Query, list[_Line]]] = []
    for line in lines:
        spec = line.spec
        if spec.sql is not None:
            try:
                out.append((compile_sql(line.metric, line.layer, spec.sql, tables, dialect),
                            [line]))
            except KPITreeError as exc:
                line.fail("refused", str(exc))
            continue
        assert spec.table is not None and spec.time is not None
        if tables is not None and spec.table not in tables:
            line.fail("refused", f"{line.where}.table: unknown table {spec.table!r}"
                      f"{did_you_mean(spec.table, sorted(tables))} in source {spec.from_!r}")
            continue
        groups.setdefault((spec.table, spec.time), []).append(line)
    for (table, time_column), members in groups.items():
        good = []
        for line in members:  # check each metric's parts alone, so a refusal names its metric
            try:
                check_measure(_measure(line))
                good.append(line)
            except KPITreeError as exc:
                line.fail("refused", str(exc))
        if good:
            out.append((compile_group(table, time_column, grain, [_measure(x) for x in good],
                                      dialect), good))
    return out


def _measure(line: _Line) -> Measure:
    assert line.spec.measure is not None
    return Measure(line.metric, line.layer, line.spec.measure, line.spec.where)


def _labels(periods: Any, grain: str) -> list[str]:
    """Period labels of the tree's grain for a column of dates, timestamps or labels."""
    import pandas as pd

    code = FREQ[grain]
    series = pd.Series(periods)
    if pd.api.types.is_datetime64_any_dtype(series):
        if getattr(series.dt, "tz", None) is not None:
            series = series.dt.tz_localize(None)
        return [str(p) for p in series.dt.to_period(code)]
    out = []
    for x in series:
        try:
            stamp = x.replace(tzinfo=None) if getattr(x, "tzinfo", None) else x
            out.append(str(pd.Period(stamp, freq=code)))
        except (ValueError, TypeError):
            raise KPITreeError(f"{x!r} is not a period") from None
    return out


def _run_source(tree: Tree, source: ResolvedSource, lines: list[_Line], grain: str) -> None:
    """Connect, check and run the queries of one source; fill each line's frame or failure."""
    if not lines:
        return
    try:
        engine = open_engine(source)
    except Exception as exc:  # a driver's own error: hidden secrets, named source
        message = source.scrub(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        for line in lines:
            line.fail("failed", f"{line.where} (source {source.name}): {message}")
        return
    with engine:
        try:
            tables: set[str] | None = engine.tables()
        except Exception:
            tables = None
        for query, members in _compile(lines, grain, tables, engine.dialect):
            start = time.perf_counter()
            try:
                frame = engine.fetch(query).sort_values("period", kind="stable")
                labels = _labels(frame["period"], grain)
            except Exception as exc:
                text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                for line in members:
                    line.fail("failed", f"{line.where} (source {source.name}): "
                              f"{source.scrub(text)}")
                continue
            seconds = time.perf_counter() - start
            frame = frame.assign(period=labels)
            log.info("source %s: %d metrics from %s in %.3fs", source.name, len(members),
                     query.table or "sql", seconds)
            parts = dict(iter(frame.groupby(["metric", "layer"], sort=False)))
            for line in members:
                line.frame = parts.get((line.metric, line.layer), frame.iloc[:0])
                line.seconds = seconds
                line.status = "ok"


def _restrict(line: _Line, periods: set[str] | None) -> None:
    frame = line.frame
    if frame is None:
        return
    if periods is not None:
        frame = frame[frame["period"].isin(periods)]
    if frame["period"].duplicated().any():
        dup = frame.loc[frame["period"].duplicated(), "period"].iloc[0]
        line.fail("failed", f"{line.where}: the query returned period {dup} twice; "
                  "group it by period")
        line.frame = None
        return
    line.frame = frame
    line.rows = len(frame)
    if len(frame):
        line.first, line.last = str(line.frame["period"].iloc[0]), str(
            line.frame["period"].iloc[-1])


def _load(tree: Tree, lines: list[_Line]) -> None:
    """Load the lines' numbers into ``tree`` with the checks of ``load_data``."""
    import pandas as pd

    from ..data import load_data

    for layer in ("value", "target"):
        parts = [line.frame for line in lines if line.layer == layer and line.frame is not None
                 and len(line.frame)]
        if parts:
            frame = pd.concat(parts, ignore_index=True)[["metric", "period", "value"]]
            load_data(tree, frame, layer=layer, format="long")


def _scope(tree: Tree) -> Any:
    """One undo step where the tree has one (``tree.batch()``), else nothing."""
    batch = getattr(tree, "batch", None)
    return batch() if callable(batch) else contextlib.nullcontext()


def refresh(tree: Tree, metrics: Iterable[str] | None = None, periods: Any = None,
            partial: bool = False) -> pd.DataFrame:
    """Load every source of ``tree`` (or of ``metrics``), for every period (or ``periods``);
    return the report. All or nothing unless ``partial``; see the module text."""
    from ..periods import period_key

    if periods is not None:
        if isinstance(periods, (str, bytes)) or not isinstance(periods, Iterable):
            periods = [periods]
        wanted: set[str] | None = {period_key(p) for p in periods}
    else:
        wanted = None
    grain = grain_of(tree.config)
    lines = wired(tree, metrics)
    by_source: dict[str, list[_Line]] = {}
    for line in lines:
        by_source.setdefault(line.spec.from_, []).append(line)
    resolved: dict[str, ResolvedSource] = {}
    for name, members in by_source.items():
        try:
            resolved[name] = resolve(tree.sources[name], tree.source_dir)
        except KPITreeError as exc:
            for line in members:
                line.fail("failed", f"{line.where} (source {name}): {exc}")
    for members in by_source.values():  # every query is checked before any source runs
        _compile(members, grain, None, BASE_DIALECT)
    if not partial and any(line.status != "pending" for line in lines):
        resolved = {}
    for name, source in resolved.items():
        _run_source(tree, source, [x for x in by_source[name] if x.status == "pending"], grain)
    for line in lines:
        if line.status == "ok":
            _restrict(line, wanted)
    good = [line for line in lines if line.status == "ok"]
    bad = [line for line in lines if line.status in ("refused", "failed")]
    if bad and not partial:
        first = bad[0]
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        raise KPITreeError(f"refresh: {first.message}{more}; nothing was changed")
    # every number is checked on a copy first, so a refusal changes nothing
    trial = tree.copy()
    if partial:
        for line in good:
            try:
                _load(trial, [line])
            except KPITreeError as exc:
                line.fail("failed", f"{line.where} (source {line.spec.from_}): {exc}")
        good = [line for line in good if line.status == "ok"]
    else:
        try:
            _load(trial, good)
        except KPITreeError as exc:
            raise KPITreeError(f"refresh: {exc}; nothing was changed") from None
    with _scope(tree):
        _load(tree, good)
    return _report(lines)


def _report(lines: list[_Line]) -> pd.DataFrame:
    import pandas as pd

    rows = [{"metric": x.metric, "layer": x.layer, "source": x.spec.from_, "rows": x.rows,
             "first": x.first, "last": x.last, "seconds": round(x.seconds, 6),
             "status": x.status, "message": x.message} for x in lines]
    return pd.DataFrame(rows, columns=["metric", *REPORT_COLUMNS]).set_index("metric")


__all__ = ["REPORT_COLUMNS", "refresh", "wired"]
