"""Goal seek: the lever's target that makes a metric hit a number.

Exact inversion along the path from the metric down to the lever (sum: subtract the siblings;
product: divide; ratio: invert) when the lever is reached by one path and each formula on it uses
the step below once; bracketed root finding otherwise.
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import engine
from ..errors import KPITreeError
from ..numbers import check_number

if TYPE_CHECKING:
    from ..model import KPITree


def solve(tree: KPITree, metric: str, target: float, lever: str, period: Any = None) -> Any:
    """Set ``lever``'s target so that ``metric``'s target is ``target``; return the new target.

    With ``period=None`` on a tree with periods, every period is solved and a ``pandas.Series``
    by period is returned.

    >>> tree.solve("revenue", 800_000, lever="website_visitors")  # doctest: +SKIP
    81666.66…
    """
    goal = check_number(target, f"metrics.{metric}.target")
    tree._require(metric, "solve")
    tree._require_input(lever, "solve")
    if lever == metric:
        raise KPITreeError(f"solve: the lever {lever!r} is the metric itself; set its target")
    if lever not in tree.descendants(metric):
        raise KPITreeError(f"solve: {lever!r} is not under {metric!r}, so moving it cannot "
                           f"change {metric!r}; pick an input from its subtree")
    arrays, _index = tree.arrays()
    rows = list(range(arrays[0].shape[0])) if period is None else [tree.period_index(period)]
    path = _single_path(tree, metric, lever)
    solved = _invert_path(tree, path, goal, rows) if path else None
    if solved is None:
        solved = np.array([_root_find(tree, metric, lever, goal, row) for row in rows])
    bad = ~np.isfinite(solved)
    if bad.any():
        label = tree.periods[rows[int(np.argmax(bad))]] if tree.periods else None
        where = f" in {label}" if label else ""
        raise KPITreeError(f"solve: no value of {lever!r} gives {metric} = {goal:g}{where}: "
                           "a factor or divisor next to it on the path is zero, or the "
                           "number is out of its reach")
    if not tree.periods:
        tree.set_target(lever, float(solved[0]))
        return float(solved[0])
    if period is not None:
        tree.set_target(lever, float(solved[0]), period=period)
        return float(solved[0])
    import pandas as pd

    per_period = dict(zip(tree.periods, (float(x) for x in solved)))
    tree._replace(tree._targets, "target", lever, per_period)
    return pd.Series(per_period, name=lever)


def _single_path(tree: KPITree, top: str, lever: str) -> list[str] | None:
    """The one path top -> ... -> lever when there is exactly one (and each step uses the
    next metric once), else None."""
    paths: dict[str, int] = {}

    def count(metric: str) -> int:
        if metric == lever:
            return 1
        if metric not in paths:
            parsed = tree.metrics[metric].parsed
            paths[metric] = sum(count(c) * parsed.count(c) for c in parsed.children) \
                if parsed else 0
        return paths[metric]

    if count(top) != 1:
        return None
    path = [top]
    while path[-1] != lever:
        path.append(next(c for c in tree.metrics[path[-1]].children if count(c) == 1))
    return path


def _invert_path(tree: KPITree, path: list[str], goal: float, rows: list[int]) -> np.ndarray | None:
    arrays, index = tree.arrays()
    needed: Any = np.full(len(rows), goal)
    for node, child in itertools.pairwise(path):
        formula = tree.metrics[node].parsed
        assert formula is not None
        env = {c: arrays[index[c]][rows, engine.TARGET] for c in formula.children}
        needed = formula.invert(child, needed, env)
        if needed is None:
            return None
    return np.asarray(needed, dtype=float)


def _implied(tree: KPITree, metric: str, lever: str, x: float, row: int) -> float:
    arrays, index = tree.arrays()
    trial = list(arrays)
    lever_array = arrays[index[lever]].copy()
    lever_array[row, engine.TARGET] = x
    trial[index[lever]] = lever_array
    engine.evaluate(tree._plan, trial, tree._plan.steps_above(lever), shape=lever_array.shape)
    return float(trial[index[metric]][row, engine.TARGET])


def _root_find(tree: KPITree, metric: str, lever: str, goal: float, row: int) -> float:
    """Bracket the goal by stepping out from the lever's current target, then bisect."""
    arrays, index = tree.arrays()
    x0 = float(arrays[index[lever]][row, engine.TARGET])
    if not math.isfinite(x0):
        x0 = 0.0

    def f(x: float) -> float:
        return _implied(tree, metric, lever, x, row) - goal

    f0 = f(x0)
    if f0 == 0:
        return x0
    scale = max(abs(x0), 1.0)
    lo = hi = None
    for k in range(-6, 60):
        step = scale * 2.0**k
        for x in (x0 + step, x0 - step):
            fx = f(x)
            if math.isfinite(fx) and math.isfinite(f0) and fx * f0 <= 0:
                lo, hi = (x0, x) if x > x0 else (x, x0)
                break
        if lo is not None:
            break
    if lo is None or hi is None:
        return math.nan
    flo = f(lo)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        fm = f(mid)
        if fm == 0 or (hi - lo) <= 1e-15 * max(1.0, abs(mid)):
            return mid
        if (fm < 0) == (flo < 0):
            lo, flo = mid, fm
        else:
            hi = mid
    return 0.5 * (lo + hi)
