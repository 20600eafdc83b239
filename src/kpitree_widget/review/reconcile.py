"""Reconciliation: do the numbers reported for computed metrics agree with their formulas?

When a warehouse reports ``revenue`` and also ``customers`` and ``arpc``, ``revenue`` should be
``customers * arpc`` period by period. Where it is not, a metric definition is broken (different
filters, currencies, time zones, a formula that no longer matches how the number is made).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import KPITreeError
from ..numbers import check_number
from .data import period_frame

if TYPE_CHECKING:
    import pandas as pd

    from ..tree import Tree

COLUMNS = ["metric", "name", "period", "reported", "from_children", "gap", "gap_pct"]


def reconcile(tree: Tree, data: Any, tolerance: float = 0.01) -> pd.DataFrame:
    """Rows where a computed metric's reported number differs from what its formula gives from
    its children's reported numbers by more than ``tolerance`` (relative).

    ``data`` has one row per period and one column per metric id. A metric is checked in each
    period where it and all of its children have a number. Columns: ``metric, name, period,
    reported, from_children, gap`` (reported - from_children) and ``gap_pct`` (in percent of
    from_children). ``result.attrs["checked"]`` counts the (metric, period) pairs compared and
    ``result.attrs["skipped"]`` says why a computed metric in the data could not be checked.
    """
    import pandas as pd

    tol = check_number(tolerance, "reconcile.tolerance")
    if tol < 0:
        raise KPITreeError(f"reconcile.tolerance: expected a fraction >= 0, got {tolerance!r}")
    frame = period_frame(tree, data, "reconcile")
    rows: list[dict[str, Any]] = []
    skipped: dict[str, str] = {}
    checked = 0
    order = [m for m, *_ in tree.outline()]
    for metric_id in order:
        metric = tree.metrics[metric_id]
        if metric.is_input or metric_id not in frame.columns or metric.parsed is None:
            continue
        absent = [c for c in metric.children if c not in frame.columns]
        if absent:
            skipped[metric_id] = f"no data for {', '.join(absent)}"
            continue
        env = {c: frame[c].to_numpy(dtype=float) for c in metric.children}
        computed = np.asarray(metric.parsed.evaluate(env), dtype=float) * np.ones(len(frame))
        reported = frame[metric_id].to_numpy(dtype=float)
        usable = np.isfinite(reported) & np.all([np.isfinite(v) for v in env.values()], axis=0)
        if not usable.any():
            skipped[metric_id] = "no period has the metric and all of its children"
            continue
        for row in np.flatnonzero(usable):
            checked += 1
            want, got = float(computed[row]), float(reported[row])
            gap = got - want
            if math.isfinite(want) and abs(gap) <= tol * abs(want) + 1e-12 * max(1.0, abs(got)):
                continue
            pct = 100 * gap / abs(want) if want and math.isfinite(want) else (
                0.0 if gap == 0 else math.copysign(math.inf, gap))
            rows.append({"metric": metric_id, "name": metric.name,
                         "period": str(frame.index[row]), "reported": got,
                         "from_children": want, "gap": gap, "gap_pct": pct})
    result = pd.DataFrame(rows, columns=COLUMNS)
    result.attrs["checked"] = checked
    result.attrs["skipped"] = skipped
    result.attrs["tolerance"] = tol
    return result
