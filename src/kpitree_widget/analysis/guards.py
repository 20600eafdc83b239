"""Guard metrics: counterweights declared with ``kind: guard`` and ``guards: <metric id>``.

A guard keeps a metric honest: discount rate against new ARR, cost per lead against lead
volume. The pair belongs in the same review. When both are worse than plan, the trade-off the
guard watches is not paying off.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .. import engine

if TYPE_CHECKING:
    import pandas as pd

    from ..tree import Tree

COLUMNS = ["guard", "guard_name", "guard_owner", "guard_value", "guard_target", "guard_status",
           "guarded", "guarded_name", "guarded_owner", "guarded_value", "guarded_target",
           "guarded_status", "conflict"]


def guard_pairs(tree: Tree) -> list[tuple[str, str]]:
    """``(guard, guarded)`` for every metric whose ``guards:`` names another metric of the tree
    (pointers to unknown metrics are a health-check finding, not a pair)."""
    return [(m.id, m.guards) for m in tree.metrics.values()
            if m.guards and m.guards in tree.metrics and m.guards != m.id]


def worse_than_target(value: float, target: float, direction: str) -> bool:
    """Strictly worse than target, given the direction (``down``: lower is better)."""
    if not (math.isfinite(value) and math.isfinite(target)):
        return False
    return value > target if direction == "down" else value < target


def conflicts(tree: Tree, pairs: list[tuple[str, str]],
              period: Any = None) -> list[dict[str, Any]]:
    """The rows of :func:`guard_report` (without the status columns) for the ``pairs`` whose
    two metrics are both worse than target in ``period`` (default: the last), read straight
    from the engine's arrays: no rollup of the whole tree, so the health check can ask about
    a few pairs after every edit.

    >>> conflicts(tree, guard_pairs(tree))  # doctest: +SKIP
    [{'guard': 'cac', 'guard_name': 'CAC', ..., 'conflict': True}]
    """
    if not pairs:
        tree.period_index(period)  # still a KPITreeError for an unknown period
        return []
    arrays, index = tree.arrays()
    p = tree.period_index(period)
    label = tree.period_label(period)
    rows: list[dict[str, Any]] = []
    for guard, guarded in pairs:
        row: dict[str, Any] = {}
        worse = []
        for side, metric_id in (("guard", guard), ("guarded", guarded)):
            metric = tree.metrics[metric_id]
            value = float(arrays[index[metric_id]][p, engine.VALUE])
            target = float(arrays[index[metric_id]][p, engine.TARGET])
            typed = None if metric.is_input else tree.get_target(metric_id)
            if isinstance(typed, dict):  # an explicit target on a computed metric wins
                if label is not None and label in typed:
                    target = float(typed[label])
            elif typed is not None:
                target = float(typed)
            row.update({side: metric_id, f"{side}_name": metric.name,
                        f"{side}_owner": metric.owner, f"{side}_value": value,
                        f"{side}_target": target})
            worse.append(worse_than_target(value, target, metric.direction))
        if all(worse):
            rows.append({**row, "conflict": True})
    return rows


def guard_report(tree: Tree, period: Any = None, only_conflicts: bool = True) -> pd.DataFrame:
    """The guard pairs whose two metrics are both worse than target in ``period`` (default: the
    last), with both sides' owner, value, target and status; ``only_conflicts=False`` lists every
    declared pair, with ``conflict`` telling which are both off.

    >>> tree.guard_report()  # doctest: +SKIP
    """
    import pandas as pd

    pairs = guard_pairs(tree)
    if not pairs:  # most trees: no rollup needed (the health check asks on every edit)
        tree.period_index(period)  # still a KPITreeError for an unknown period
        return pd.DataFrame([], columns=COLUMNS)
    frame = tree.rollup(period=period)
    rows: list[dict[str, Any]] = []
    for guard, guarded in pairs:
        row: dict[str, Any] = {}
        worse = []
        for side, metric_id in (("guard", guard), ("guarded", guarded)):
            r = frame.loc[metric_id]
            row[side] = metric_id
            row[f"{side}_name"] = r["name"]
            row[f"{side}_owner"] = r["owner"]
            row[f"{side}_value"] = float(r["value"])
            row[f"{side}_target"] = float(r["target"])
            row[f"{side}_status"] = r["status"]
            worse.append(worse_than_target(float(r["value"]), float(r["target"]),
                                           str(r["direction"])))
        row["conflict"] = all(worse)
        if row["conflict"] or not only_conflicts:
            rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)
