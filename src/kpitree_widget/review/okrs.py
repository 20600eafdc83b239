"""OKR key results read against the tree: progress from ``from`` to ``to`` and whether it is on
pace for the due date.

``progress = (current - from) / (to - from)``, not clipped: 1.2 means the key result is beaten
by a fifth, a negative number that the metric moved the wrong way. ``expected`` is the share of
the time to ``due`` that has passed, counted from the start of the quarter the due date falls
in (key results are quarterly) up to ``as_of`` (default: the end of the period shown, or today
when the tree has no dated periods). ``on_track`` is ``progress >= expected``; it is ``None``
when that cannot be told (no ``due``, no current number), unless the key result is already met.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

from ..errors import KPITreeError

if TYPE_CHECKING:
    import pandas as pd

    from ..tree import Tree

COLUMNS = ["objective", "key_result", "metric", "name", "owner", "from", "to", "current",
           "progress", "expected", "due", "on_track"]


def _end_of(label: Any) -> Any:
    """The last moment of a date or period label (``2026-06-30``, ``2026Q2``, ``2026-06``)."""
    import pandas as pd

    if label is None or (isinstance(label, float) and math.isnan(label)):
        return None
    if isinstance(label, (dt.date, pd.Timestamp)):
        return pd.Timestamp(label)
    try:
        period = pd.Period(str(label))
    except (ValueError, TypeError):
        return None
    return None if period is pd.NaT else period.end_time  # "" and "NaT" read as no period


def _as_of(tree: Tree, period: Any, as_of: Any) -> Any:
    import pandas as pd

    if as_of is not None:
        end = _end_of(as_of)
        if end is None:
            raise KPITreeError(f"as_of: {as_of!r} is not a date")
        return end
    end = _end_of(tree.period_label(period))
    if end is not None:
        return end
    return pd.Timestamp(dt.date.today())


def expected_progress(due: Any, when: Any) -> float:
    """Share of the quarter ending at ``due`` that has passed at ``when`` (0 to 1; NaN when
    ``due`` is not a date)."""
    import pandas as pd

    end = _end_of(due)
    if end is None:
        return math.nan
    start = pd.Period(end, "Q").start_time
    span = (end - start).total_seconds()
    done = (when - start).total_seconds()
    return min(1.0, max(0.0, done / span)) if span > 0 else 1.0


def okr_progress(tree: Tree, period: Any = None, as_of: Any = None) -> pd.DataFrame:
    """One row per key result: the metric's current value, progress from ``from`` to ``to``,
    the progress expected by now and whether it is on track (see the module doc).

    >>> tree.okr_progress()  # doctest: +SKIP
    """
    import pandas as pd

    frame = tree.rollup(period=period)
    when = _as_of(tree, period, as_of)
    rows: list[dict[str, Any]] = []
    for okr in tree.okrs:
        metric = okr.get("metric")
        known = isinstance(metric, str) and metric in tree.metrics
        info = tree.metrics[metric] if known and isinstance(metric, str) else None
        start, goal = okr.get("from"), okr.get("to")
        current = float(frame.at[metric, "value"]) if known else math.nan
        progress = math.nan
        if start is not None and goal is not None and goal != start and math.isfinite(current):
            progress = (current - start) / (goal - start)
        expected = expected_progress(okr.get("due"), when)
        on_track: bool | None = None
        if math.isfinite(progress):
            if progress >= 1:
                on_track = True
            elif math.isfinite(expected):
                on_track = bool(progress >= expected - 1e-9)
        rows.append({
            "objective": okr.get("objective"), "key_result": okr.get("key_result"),
            "metric": metric, "name": info.name if info else None,
            "owner": info.owner if info else None,
            "from": start, "to": goal, "current": current, "progress": progress,
            "expected": expected, "due": okr.get("due"), "on_track": on_track,
        })
    return pd.DataFrame(rows, columns=COLUMNS)
