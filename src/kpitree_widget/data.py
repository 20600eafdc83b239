"""Period data: actuals and targets loaded from data frames or CSV files, time series, and months
rolled up into quarters and years.

- ``load_data(tree, frame_or_csv, layer="value")`` reads a *wide* frame (index = period,
  columns = metric ids) or a *long* one (columns ``metric``, ``period``, ``value``). Inputs get
  their numbers per period. Values given for a computed metric are kept apart as *reported*
  actuals (what the warehouse or the finance system says), never used in arithmetic: the tree
  computes those metrics from their inputs, and :func:`reported_vs_computed` shows where the two
  disagree.
  Everything is checked before anything changes: an unknown metric, a cell that is not a finite
  number, a target for a computed metric, a period that repeats or a period index out of time
  order is a :class:`KPITreeError` naming the metric and period, and the tree is left as it was.
  Empty cells (NaN, None, blank) mean "no number for that period" and are skipped.
- ``timeseries(tree, layer, metrics, freq)`` is a period x metric table (computed metrics
  included), optionally rolled up to quarters (``freq="Q"``) or years (``"Y"``).
- ``resample(tree, freq)`` is a new tree whose periods are quarters or years: each input (and
  each explicit target, scenario override and reported number) is aggregated over the months by
  its metric's aggregation rule, then the computed metrics are recomputed through the formulas,
  so a ratio of a quarter is the ratio of its quarterly parts, never an average of monthly ratios.

Aggregation rule per metric (``Metric.aggregation``): ``sum`` (flows: bookings, new customers,
spend), ``mean`` (rates and levels read as an average), or ``last`` (stocks: customers at the end
of the period, ARR). When it is not set: ``mean`` for units ``percent``, ``ratio`` and ``days``,
``sum`` otherwise (``currency``, ``count`` and free-text units). Set ``aggregation: last`` on
stock metrics such as ARR or active customers. Over a quarter with missing months, ``sum`` adds
the months present (quarter to date), ``mean`` averages them and ``last`` takes the latest.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import KPITreeError, did_you_mean
from .periods import Numbers, iso_week, order_periods, period_key, week_thursday

if TYPE_CHECKING:
    import pandas as pd

    from .metric import Metric
    from .tree import Tree, TreeT

PERIOD_COLUMNS = ("period", "date", "month", "quarter", "week", "year")
FREQS = {"m": "M", "month": "M", "monthly": "M", "q": "Q", "qe": "Q", "quarter": "Q",
         "quarterly": "Q", "y": "Y", "a": "Y", "ye": "Y", "year": "Y", "annual": "Y",
         "yearly": "Y"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def aggregation_of(metric: Metric) -> str:
    """How ``metric`` rolls months into quarters and years: its ``aggregation`` when set, else
    ``mean`` for percent, ratio and days units and ``sum`` for the rest."""
    if metric.aggregation:
        return metric.aggregation
    return "mean" if metric.unit in ("percent", "ratio", "days") else "sum"


# --------------------------------------------------------------------------- loading


def load_data(tree: Tree, data: Any, layer: str = "value", format: str | None = None,
              freq: str | None = None) -> None:
    """Load numbers per period into ``layer`` (``"value"``/``"actual"`` or
    ``"target"``/``"plan"``) from a DataFrame, a CSV path or a plain mapping
    (``{metric: {period: number}}``, or ``{metric: number}`` for one number in every period);
    see the module text.

    ``format`` is ``"wide"``, ``"long"`` or ``None`` (long when the columns include ``metric``
    and ``period``). ``freq`` (``"M"``, ``"Q"``, ``"Y"``) reads every period label as a period
    of that frequency (``2026-01-31`` -> ``2026-01`` with ``"M"``).

    >>> tree.load_data("actuals.csv")                            # doctest: +SKIP
    >>> tree.load_data(plan_frame, layer="target")               # doctest: +SKIP
    >>> tree.load_data({"visits": {"2026-01": 50_000, "2026-02": 52_000}})  # doctest: +SKIP
    """
    where = "load_data"
    if layer in ("value", "actual"):
        layer = "value"
    elif layer in ("target", "plan"):
        layer = "target"
    else:
        raise KPITreeError(f"{where}.layer: expected 'value' or 'target', got {layer!r}")
    scalars: dict[str, float] = {}
    if isinstance(data, Mapping):
        if format is not None:
            raise KPITreeError(f"{where}.format: a mapping is read as it is; leave format unset")
        cells, scalars = _mapping_cells(data, where, freq)
        if not cells and not scalars:
            raise KPITreeError(f"{where}: read no numbers: the mapping is empty; expected "
                               "{metric: {period: number}} or {metric: number}")
    else:
        frame = _read(data, where)
        fmt = _format(frame, format, where)
        cells = _long_cells(frame, layer, where, freq) if fmt == "long" \
            else _wide_cells(frame, where, freq)
    if not scalars and not any(cells.values()) and not any(m in tree.metrics for m in cells):
        # nothing read and no column names a metric: an empty table or a wrong separator (a
        # table of the tree's metrics with empty cells, e.g. a timeseries of a tree without
        # actuals, is read: it holds no numbers to load)
        raise KPITreeError(f"{where}: read no numbers: {_what_was_read(frame)}")
    metrics = tree.metrics
    for metric_id in scalars:
        if metric_id in metrics and not metrics[metric_id].is_input and layer == "value":
            raise KPITreeError(f"{where}: metrics.{metric_id}.value: {metric_id!r} is computed "
                               "by its formula; reported actuals of a computed metric are kept "
                               "per period: give {period: number}")
    for metric_id, numbers in {**cells, **{m: {} for m in scalars}}.items():
        if metric_id not in metrics:
            first = next(iter(numbers), None)
            raise KPITreeError(f"{where}: unknown metric {metric_id!r}"
                               f"{did_you_mean(metric_id, metrics)}"
                               + (f" (period {first})" if first else ""))
        if layer == "target" and not metrics[metric_id].is_input:
            first = next(iter(numbers), None)
            raise KPITreeError(
                f"{where}: metrics.{metric_id}.target"
                + (f" (period {first})" if first else "")
                + f": {metric_id!r} is computed by its formula, so its plan is what its inputs' "
                "targets imply; load targets for the inputs (or type an explicit target with "
                "tree.set_target)")
    labels = [p for numbers in cells.values() for p in numbers]
    _check_frequency(tree.periods, labels, where)
    periods = order_periods([*tree.periods, *labels])
    updates: dict[str, Numbers] = {}
    reported = {m: dict(n) for m, n in tree.reported_numbers.items()}
    for metric_id, numbers in cells.items():
        if not numbers:
            continue
        if not metrics[metric_id].is_input:
            reported[metric_id] = {**reported.get(metric_id, {}), **numbers}
            continue
        old = tree.get_value(metric_id) if layer == "value" else tree.get_target(metric_id)
        merged: dict[str, float] = dict(old) if isinstance(old, dict) else (
            dict.fromkeys(periods, float(old)) if old is not None else {})
        merged.update(numbers)
        updates[metric_id] = merged
    updates.update(scalars)  # one number for every period
    tree.load_numbers(layer, updates, reported)


def _mapping_cells(data: Mapping[Any, Any], where: str, freq: str | None
                   ) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    """The numbers of a plain mapping: ``{metric: {period: number}}`` (numbers per period) or
    ``{metric: number}`` (one number for every period), checked as a frame's cells are."""
    cells: dict[str, dict[str, float]] = {}
    scalars: dict[str, float] = {}
    for key, numbers in data.items():
        if not isinstance(key, str) or not key.strip():
            raise KPITreeError(f"{where}: metric {key!r} is not a metric id")
        metric_id = key.strip()
        if metric_id in cells or metric_id in scalars:
            raise KPITreeError(f"{where}: metric {metric_id!r} appears twice")
        if isinstance(numbers, Mapping):
            labels = period_labels(list(numbers), where, freq)
            seen: dict[str, Any] = {}
            for label, given in zip(labels, numbers):
                if label in seen:
                    raise KPITreeError(f"{where}: metrics.{metric_id}: the periods "
                                       f"{seen[label]!r} and {given!r} both name period {label}")
                seen[label] = given
            column = np.empty(len(labels), dtype=object)
            column[:] = list(numbers.values())
            cells[metric_id] = _numbers(column, labels, metric_id, where)
        elif isinstance(numbers, (str, bool, np.bool_)) or not isinstance(
                numbers, (int, float, np.number)) or isinstance(numbers, np.complexfloating):
            raise KPITreeError(f"{where}: metrics.{metric_id}: expected a number or a mapping "
                               f"of period to number, got {numbers!r}")
        else:
            number = float(numbers)
            if not math.isfinite(number):
                raise KPITreeError(f"{where}: metrics.{metric_id}: {number} is not a finite "
                                   "number")
            scalars[metric_id] = number
    return cells, scalars


def _read(data: Any, where: str) -> pd.DataFrame:
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, pd.Series):
        return data.to_frame()
    if isinstance(data, (str, Path)):
        path = Path(data)
        if not path.is_file():
            raise KPITreeError(f"{where}: no file at {str(path)!r}")
        try:
            return pd.read_csv(path, skipinitialspace=True)
        except (ValueError, OSError, UnicodeDecodeError) as exc:
            raise KPITreeError(f"{where}: cannot read {path.name}: {exc}") from None
    raise KPITreeError(f"{where}: expected a pandas DataFrame or a CSV path (or a "
                       f"mapping of metric to numbers), got {type(data).__name__}")


def _what_was_read(frame: pd.DataFrame) -> str:
    """What a table that gave no numbers held, so its reader sees why (a wrong separator)."""
    columns = [str(c) for c in frame.columns]
    shown = ", ".join(repr(c if len(c) <= 40 else c[:39] + "…") for c in columns[:5])
    more = f" and {len(columns) - 5} more" if len(columns) > 5 else ""
    text = (f"{len(frame)} row(s) and {len(columns)} column(s)"
            + (f" ({shown}{more})" if columns else ""))
    if any(sep in c for c in columns for sep in (";", "\t", "|")):
        text += "; the columns look separated by ';', a tab or '|': save the file with commas"
    return text + "; expected a period column and one column per metric, or a long table " \
        "with columns metric, period and value"


def _format(frame: pd.DataFrame, format: str | None, where: str) -> str:
    lower = {str(c).strip().lower() for c in frame.columns}
    if format is None:
        return "long" if {"metric", "period"} <= lower else "wide"
    if format not in ("wide", "long"):
        raise KPITreeError(f"{where}.format: expected 'wide', 'long' or None, got {format!r}")
    return format


def _wide_cells(frame: pd.DataFrame, where: str, freq: str | None) -> dict[str, dict[str, float]]:
    import pandas as pd

    if isinstance(frame.columns, pd.MultiIndex):
        raise KPITreeError(f"{where}: expected one column per metric, got a column MultiIndex")
    if isinstance(frame.index, pd.RangeIndex) and len(frame.columns):
        named = [c for c in frame.columns if str(c).strip().lower() in PERIOD_COLUMNS]
        first = frame.columns[0]
        if named:
            frame = frame.set_index(named[0])
        elif not pd.api.types.is_numeric_dtype(frame[first]):
            frame = frame.set_index(first)
    labels = period_labels(list(frame.index), where, freq)
    _check_order(labels, where)
    cells: dict[str, dict[str, float]] = {}
    for column in frame.columns:
        metric_id = str(column).strip()
        if not isinstance(column, str):
            raise KPITreeError(f"{where}: column {column!r} is not a metric id")
        numbers = _numbers(frame[column].to_numpy(), labels, metric_id, where)
        cells.setdefault(metric_id, {})
        for p, x in numbers.items():
            if p in cells[metric_id]:
                raise KPITreeError(f"{where}: metric {metric_id!r} appears in two columns")
            cells[metric_id][p] = x
    return cells


def _long_cells(frame: pd.DataFrame, layer: str, where: str,
                freq: str | None) -> dict[str, dict[str, float]]:
    """One pass over a long table: rows grouped by metric (a stable sort), period labels read
    once per distinct period, duplicates found on (metric, period) codes. The checks and their
    order are those of a metric-by-metric reading: the first metric (in order of appearance)
    with a problem is reported, a second row for a period before a bad number."""
    import pandas as pd

    by_name = {str(c).strip().lower(): c for c in frame.columns}
    for needed in ("metric", "period"):
        if needed not in by_name:
            raise KPITreeError(f"{where}: a long table needs columns metric, period and value; "
                               f"'{needed}' is missing")
    value_name = next((n for n in ("value", layer, "actual" if layer == "value" else "plan")
                       if n in by_name), None)
    if value_name is None:
        raise KPITreeError(f"{where}: a long table needs columns metric, period and value; "
                           "'value' is missing")
    period_codes, period_values = pd.factorize(frame[by_name["period"]], use_na_sentinel=False)
    distinct = period_labels(list(period_values), where, freq)
    label_of, names = pd.factorize(pd.Index(distinct, dtype=object))
    label_codes = label_of[period_codes] if len(label_of) else period_codes
    names = np.asarray(names, dtype=object)
    metric_col = frame[by_name["metric"]].to_numpy()
    metric_codes, ids = pd.factorize(metric_col, use_na_sentinel=False)
    values = frame[by_name[value_name]].to_numpy()
    order = np.argsort(metric_codes, kind="stable")
    bounds = np.concatenate(([0], np.cumsum(np.bincount(metric_codes, minlength=len(ids)))))
    twice = pd.Series(metric_codes.astype(np.int64) * max(1, len(names)) + label_codes).duplicated()
    first_twice = np.flatnonzero(twice.to_numpy()[order])
    numeric = values.dtype.kind in "fiu"
    cells: dict[str, dict[str, float]] = {}
    for code in range(len(ids)):
        start, stop = int(bounds[code]), int(bounds[code + 1])
        metric_id = metric_col[order[start]]  # as given in its first row
        if not isinstance(metric_id, str):
            raise KPITreeError(f"{where}: metric {metric_id!r} is not a metric id")
        if first_twice.size and start <= first_twice[0] < stop:
            p = names[label_codes[order[first_twice[0]]]]
            raise KPITreeError(f"{where}: metric {metric_id!r} has two rows for period {p}")
        rows = order[start:stop]
        mine = names[label_codes[rows]]
        if numeric:
            cells[metric_id.strip()] = _finite(values[rows], mine, metric_id.strip(), where)
        else:
            cells[metric_id.strip()] = _numbers(values[rows], list(mine), metric_id.strip(),
                                                where)
    return cells


def _finite(column: np.ndarray, labels: np.ndarray, metric_id: str,
            where: str) -> dict[str, float]:
    """:func:`_numbers` for a column of a numeric dtype, vectorised."""
    column = column.astype(float, copy=False)
    present = ~np.isnan(column)
    bad = np.flatnonzero(present & ~np.isfinite(column))
    if bad.size:
        raise KPITreeError(f"{where}: metrics.{metric_id} period {labels[bad[0]]}: "
                           f"{float(column[bad[0]])} is not a finite number")
    return dict(zip(labels[present].tolist(), column[present].tolist()))


def _numbers(column: np.ndarray, labels: list[str], metric_id: str,
             where: str) -> dict[str, float]:
    """The finite numbers of one metric's cells by period; empty cells skipped."""
    out: dict[str, float] = {}
    for label, x in zip(labels, column):
        if x is None or (isinstance(x, float) and math.isnan(x)):
            continue
        if isinstance(x, str):
            text = x.strip()
            if not text:
                continue
            try:
                number = float(text.replace(",", "").replace("_", ""))
            except ValueError:
                raise KPITreeError(f"{where}: metrics.{metric_id} period {label}: {x!r} is not "
                                   "a number") from None
        elif (isinstance(x, (bool, np.bool_, np.complexfloating))
              or not isinstance(x, (int, float, np.number))):  # a complex is not a number here
            raise KPITreeError(f"{where}: metrics.{metric_id} period {label}: {x!r} is not "
                               "a number")
        else:
            number = float(x)
            if math.isnan(number):
                continue
        if not math.isfinite(number):
            raise KPITreeError(f"{where}: metrics.{metric_id} period {label}: {number} is not "
                               "a finite number")
        out[label] = number
    return out


def period_labels(index: list[Any], where: str, freq: str | None) -> list[str]:
    """Period labels as text: monthly ``Period`` -> ``2026-01``; dates at a month's start or
    end -> the month; with ``freq``, every label read as a period of that frequency."""
    import pandas as pd

    if freq is not None:
        code = _freq(freq, f"{where}.freq")
        out = []
        for x in index:
            try:
                out.append(str(pd.Period(x, freq=code)))
            except (ValueError, TypeError):
                raise KPITreeError(f"{where}: {x!r} is not a period") from None
        return out
    stamps = [x for x in index if isinstance(x, str) and _DATE.match(x.strip())]
    if stamps and len(stamps) == len(index):
        with contextlib.suppress(ValueError, TypeError):
            index = list(pd.to_datetime([x.strip() for x in index]))
    dates = [x for x in index if hasattr(x, "strftime") and not hasattr(x, "freqstr")]
    if dates and len(dates) == len(index) and all(
            getattr(d, "is_month_end", False) for d in dates):
        return [d.strftime("%Y-%m") for d in dates]
    if dates and len(dates) == len(index) and any(d.day != 1 for d in dates) and all(
            getattr(d, "hour", 0) == getattr(d, "minute", 0) == 0 for d in dates):
        return [d.strftime("%Y-%m-%d") for d in dates]  # daily data: every label is a day
    out = []
    for x in index:
        if x is None or x is pd.NaT or (isinstance(x, float) and math.isnan(x)):
            raise KPITreeError(f"{where}: a period label is empty")
        if isinstance(x, float) and x.is_integer():
            x = int(x)
        label = period_key(x)
        if not label:
            raise KPITreeError(f"{where}: a period label is empty")
        out.append(label)
    return out


def _as_periods(labels: list[str]) -> list[Any] | None:
    """The labels as ``pandas.Period`` when every one reads as one and writes back the same
    (``2026-03``, ``2026Q1``, ``2026``; not ``jan``, which pandas reads as January of year 1),
    else None."""
    import pandas as pd

    try:
        parsed = [pd.Period(label) for label in labels]
    except (ValueError, TypeError):
        return None
    return parsed if all(str(p) == label for p, label in zip(parsed, labels)) else None


def _check_order(labels: list[str], where: str) -> None:
    seen: set[str] = set()
    for label in labels:
        if label in seen:
            raise KPITreeError(f"{where}: period {label} appears twice in the index")
        seen.add(label)
    parsed = _as_periods(labels)
    if parsed is None:
        return
    for (a, la), (b, lb) in zip(zip(parsed, labels), zip(parsed[1:], labels[1:])):
        try:
            ordered = a < b
        except (ValueError, TypeError):
            raise KPITreeError(f"{where}: periods {la} and {lb} are of different lengths; "
                               "load one frequency at a time") from None
        if not ordered:
            raise KPITreeError(f"{where}: the period index is not in time order: {lb} comes "
                               f"after {la}; sort the rows by period")


def _check_frequency(existing: list[str], labels: list[str], where: str) -> None:
    """New labels must be periods of the same length as the tree's."""
    if not labels:
        return
    new = _as_periods(list(dict.fromkeys(labels)))
    old = _as_periods(existing) if existing else []
    if new is None or old is None:
        return
    freqs = {p.freqstr for p in [*old, *new]}
    if len(freqs) > 1:
        kinds = ", ".join(sorted(freqs))
        raise KPITreeError(f"{where}: periods of different lengths ({kinds}) in one tree: "
                           f"{labels[0]} vs {(existing or labels)[-1]}; load one frequency "
                           "(roll months into quarters with tree.resample('Q'))")


# --------------------------------------------------------------------------- reading back


def _freq(freq: Any, where: str) -> str:
    code = FREQS.get(str(freq).strip().lower()) if isinstance(freq, str) else None
    if code is None:
        raise KPITreeError(f"{where}: expected 'M', 'Q' or 'Y', got {freq!r}")
    return code


def _period_index(labels: list[str]) -> pd.Index:
    import pandas as pd

    parsed = _as_periods(labels)
    if parsed is not None and len({p.freqstr for p in parsed}) == 1:
        return pd.PeriodIndex(parsed, name="period")
    return pd.Index(labels, name="period")


def timeseries(tree: Tree, layer: str = "value", metrics: Any = None,
               freq: str | None = None) -> pd.DataFrame:
    """A period x metric table of ``layer`` (``value``, ``target`` or a scenario), computed
    metrics included (rolled up through the formulas), metrics in outline order.

    ``freq="Q"`` or ``"Y"`` rolls the months up first (see :func:`resample`). A tree without
    periods gives one row labelled ``all``.
    """
    import pandas as pd

    source = resample(tree, freq) if freq is not None else tree
    k = source.layer_index(layer)
    if metrics is None:
        ids = [m for m, *_ in source.outline()]
    else:
        ids = [metrics] if isinstance(metrics, str) else list(metrics)
        for m in ids:
            source.require(m, "timeseries.metrics")
    arrays, index = source.arrays()
    labels = source.periods
    rows = _period_index(labels) if labels else pd.Index(["all"], name="period")
    frame = pd.DataFrame({m: arrays[index[m]][:, k] for m in ids}, index=rows)
    frame.columns.name = "metric"
    return frame


def resample(tree: TreeT, freq: str) -> TreeT:
    """A new tree whose periods are quarters (``"Q"``) or years (``"Y"``) (``"M"``: months).

    Inputs' values and targets, explicit targets, scenario overrides and reported numbers are
    aggregated by each metric's rule (:func:`aggregation_of`). A computed metric with an
    explicit ``aggregation`` is aggregated from its own monthly numbers, in every layer (a
    revenue with ``aggregation: sum`` is the sum of its months); every other computed metric is
    recomputed through its formula from its aggregated parts (right for ratios). Where the
    first kind no longer equals its formula at the coarser grain, the health check says so
    (rule ``aggregation.formula``). ISO weeks (``2026-W01``) roll into the quarter and year of
    their Thursday. The new tree is of the same class as ``tree``.

    >>> tree.resample("Q").rollup(period="2026Q1")              # doctest: +SKIP
    """
    code = _freq(freq, "resample.freq")
    labels = tree.periods
    if not labels:
        raise KPITreeError("resample: the tree has no periods; load data per period first")
    names, members = _groups(labels, code, freq)

    def roll_column(column: np.ndarray, rule: str) -> dict[str, float]:
        out: dict[str, float] = {}
        for name, rows in zip(names, members):
            part = column[rows]
            present = part[~np.isnan(part)]
            if present.size:
                out[name] = float(present.sum() if rule == "sum" else
                                  present.mean() if rule == "mean" else present[-1])
        return out

    def roll(metric_id: str, numbers: Numbers) -> Numbers:
        if numbers is None:
            return None
        column = np.array([numbers.get(p, np.nan) for p in labels] if isinstance(numbers, dict)
                          else [float(numbers)] * len(labels), dtype=float)
        return roll_column(column, aggregation_of(tree.metrics[metric_id])) or None

    values = {m: roll(m, tree.get_value(m)) for m in tree.metrics}
    targets = {m: roll(m, tree.get_target(m)) for m in tree.metrics}
    scenarios = {s: {m: roll(m, n) for m, n in overrides.items()}
                 for s, overrides in tree.scenarios.items()}
    new = type(tree)(
        tree.metrics.values(),
        values={m: n for m, n in values.items() if n is not None},
        targets={m: n for m, n in targets.items() if n is not None},
        root=tree.root, name=tree.name, description=tree.description,
        hypotheses=tree.hypotheses,
        scenarios={s: {m: n for m, n in o.items() if n is not None} for s, o in scenarios.items()},
        okrs=tree.okrs, config=tree.config)
    new.tolerance = tree.tolerance
    rolled = {m: roll(m, dict(n)) for m, n in tree.reported_numbers.items()}
    new.load_numbers("value", {}, {m: n for m, n in rolled.items() if isinstance(n, dict)})
    flows = [m for m, x in tree.metrics.items() if not x.is_input and x.aggregation]
    if flows:
        arrays, index = tree.arrays()
        given = {m: {layer: roll_column(arrays[index[m]][:, k], tree.metrics[m].aggregation or "")
                     for k, layer in enumerate(tree.layers)} for m in flows}
        new.set_given_numbers(given)
    return new


def _groups(labels: list[str], code: str, freq: str) -> tuple[list[str], list[np.ndarray]]:
    """The coarser periods ``labels`` roll into and the positions of the labels in each."""
    groups: dict[str, list[int]] = {}
    weeks = [iso_week(label) for label in labels]
    if all(w is not None for w in weeks):
        import pandas as pd

        if code == "M":
            raise KPITreeError("resample: ISO weeks roll into quarters ('Q') and years ('Y'), "
                               "not months")
        for i, label in enumerate(labels):  # a week belongs to the period of its Thursday
            groups.setdefault(str(pd.Period(week_thursday(label), freq=code)), []).append(i)
    else:
        parsed = _as_periods(labels)
        if parsed is None:
            raise KPITreeError(f"resample: the periods ({', '.join(labels[:3])}, …) are not "
                               "dates, periods or ISO weeks, so they cannot be rolled into "
                               "quarters or years")
        for i, (label, period) in enumerate(zip(labels, parsed)):
            target = period.asfreq(code)
            if period.start_time < target.start_time or period.end_time > target.end_time:
                raise KPITreeError(f"resample: period {label} is longer than one {freq!r} "
                                   "period; periods can be rolled up, not split")
            groups.setdefault(str(target), []).append(i)
    names = list(groups)
    return names, [np.array(groups[g]) for g in names]


def reported(tree: Tree, metric: str | None = None) -> Any:
    """Reported actuals of computed metrics (loaded with :func:`load_data`): a period x metric
    DataFrame, or a Series by period for one ``metric`` (empty when none was loaded)."""
    import pandas as pd

    store = tree.reported_numbers
    if metric is not None:
        tree.require(metric, "reported")
        numbers = store.get(metric, {})
        labels = order_periods(numbers)
        return pd.Series([numbers[p] for p in labels], index=_period_index(labels),
                         name=metric, dtype=float)
    labels = order_periods([p for numbers in store.values() for p in numbers])
    frame = pd.DataFrame({m: [store[m].get(p, np.nan) for p in labels]
                          for m, *_ in tree.outline() if m in store},
                         index=_period_index(labels), dtype=float)
    frame.columns.name = "metric"
    return frame


def reported_vs_computed(tree: Tree) -> pd.DataFrame:
    """Reported actuals of computed metrics against what the tree computes from its inputs.

    One row per (metric, period) with a reported number: ``reported``, ``computed``,
    ``difference`` (computed - reported) and ``difference_pct`` (in percent of the reported
    number). A large difference means an input is missing or wrong, or the formula is not how
    the business computes the metric.
    """
    import pandas as pd

    store = tree.reported_numbers
    arrays, index = tree.arrays()
    rows: list[tuple[str, str, float, float]] = []
    for m, *_ in tree.outline():
        for p in order_periods(store.get(m, {})):
            computed = float(arrays[index[m]][tree.periods.index(p), 0]) \
                if p in tree.periods else math.nan
            rows.append((m, p, store[m][p], computed))
    frame = pd.DataFrame(rows, columns=["metric", "period", "reported", "computed"])
    with np.errstate(all="ignore"):
        frame["difference"] = frame["computed"] - frame["reported"]
        frame["difference_pct"] = 100 * frame["difference"] / frame["reported"].abs()
    return frame.set_index(["metric", "period"])
