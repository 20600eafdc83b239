"""Goal seek: the lever's target that makes a metric hit a number.

Exact inversion along the path from the metric down to the lever (sum: subtract the siblings;
product: divide; ratio: invert) when the lever is reached by one path and each formula on it uses
the step below once; bracketed root finding otherwise (the lever used twice, ``min``/``max``,
conditionals, powers of the lever), which also finds a goal the metric only touches without
crossing (``abs(a - 2.2) = 0``, the bottom of a square) by searching each dip of
``|metric - goal|``. Every answer is checked by recomputing the tree with it; a
goal out of reach is a :class:`KPITreeError` naming the period and, where it can tell, the reason
(a sibling that is zero or has no target) or how near the lever gets.
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import engine
from ..errors import KPITreeError
from ..numbers import check_number
from ._common import snapshot, varying_steps

if TYPE_CHECKING:
    from ..tree import Tree

TOLERANCE = 1e-9  # relative: how close the recomputed metric must come to the goal


def solve(tree: Tree, metric: str, target: float, lever: str, period: Any = None) -> Any:
    """Set ``lever``'s target so that ``metric``'s target is ``target``; return the new target.

    With ``period=None`` on a tree with periods, every period is solved and a ``pandas.Series``
    by period is returned. Nothing changes when some period has no solution.

    >>> tree.solve("revenue", 800_000, lever="website_visitors")  # doctest: +SKIP
    81666.66…
    """
    goal = check_number(target, f"metrics.{metric}.target")
    tree.require(metric, "solve")
    tree.require_input(lever, "solve")
    if lever == metric:
        raise KPITreeError(f"solve: the lever {lever!r} is the metric itself; set its target")
    if lever not in tree.descendants(metric):
        raise KPITreeError(f"solve: {lever!r} is not under {metric!r}, so moving it cannot "
                           f"change {metric!r}; pick an input from its subtree")
    arrays, _index = tree.arrays()
    rows = list(range(arrays[0].shape[0])) if period is None else [tree.period_index(period)]
    path = _single_path(tree, metric, lever)
    solved = np.full(len(rows), np.nan)
    if path:
        exact = _invert_path(tree, path, goal, rows)
        if exact is not None:
            solved = exact
    ok = _reaches(tree, metric, lever, solved, rows, goal)
    closest: dict[int, tuple[float, float] | None] = {}
    if not ok.all():
        todo = [rows[i] for i in np.flatnonzero(~ok)]
        found, nearest = _root_find(tree, metric, lever, goal, todo)
        solved[~ok] = found
        closest = dict(zip(todo, nearest))
        ok = _reaches(tree, metric, lever, solved, rows, goal)
    if not ok.all():
        row = rows[int(np.argmin(ok))]
        label = tree.periods[row] if tree.periods else None
        where = f" in {label}" if label else ""
        raise KPITreeError(f"solve: no value of {lever!r} gives {metric} = {goal:g}{where}: "
                           f"{_reason(tree, metric, lever, path, row, closest.get(row))}")
    if not tree.periods:
        tree.set_target(lever, float(solved[0]))
        return float(solved[0])
    if period is not None:
        tree.set_target(lever, float(solved[0]), period=period)
        return float(solved[0])
    import pandas as pd

    per_period = dict(zip(tree.periods, (float(x) for x in solved)))
    tree.set_numbers("target", lever, per_period)
    return pd.Series(per_period, name=lever)


def _single_path(tree: Tree, top: str, lever: str) -> list[str] | None:
    """The one path top -> ... -> lever when there is exactly one (and each step uses the
    next metric once), else None."""
    # the lever and its ancestors: the only metrics a path can pass through
    above = {lever, *tree.ancestors(lever)}
    # paths from each of them down to the lever, children before parents (no recursion, so any
    # depth is fine)
    paths: dict[str, int] = {}
    for metric in tree.compiled_plan.order:
        if metric not in above:
            continue
        parsed = tree.metrics[metric].parsed
        if metric == lever:
            paths[metric] = 1
        else:
            paths[metric] = sum(paths[c] * parsed.count(c) for c in parsed.children
                                if c in above) if parsed else 0

    if top not in above or paths[top] != 1:
        return None
    path = [top]
    while path[-1] != lever:
        path.append(next(c for c in tree.metrics[path[-1]].children
                         if c in above and paths[c] == 1))
    return path


def _invert_path(tree: Tree, path: list[str], goal: float, rows: list[int]) -> np.ndarray | None:
    arrays, index = tree.arrays()
    needed: Any = np.full(len(rows), goal)
    for node, child in itertools.pairwise(path):
        formula = tree.metrics[node].parsed
        assert formula is not None
        env = {c: arrays[index[c]][rows, engine.TARGET] for c in formula.children}
        needed = formula.invert(child, needed, env)
        if needed is None:
            return None
    return np.array(needed, dtype=float)


def _implied(tree: Tree, metric: str, lever: str, xs: np.ndarray, rows: list[int]) -> np.ndarray:
    """The metric's target in ``rows`` with the lever's target set to ``xs`` there (the tree
    itself is not touched)."""
    arrays, index = tree.arrays()
    trial = list(arrays)
    lever_array = arrays[index[lever]].copy()
    lever_array[rows, engine.TARGET] = xs
    trial[index[lever]] = lever_array
    plan = tree.compiled_plan
    engine.evaluate(plan, trial, plan.steps_above(lever), shape=lever_array.shape)
    return np.asarray(trial[index[metric]][rows, engine.TARGET], dtype=float)


def _reaches(tree: Tree, metric: str, lever: str, xs: np.ndarray, rows: list[int],
             goal: float) -> np.ndarray:
    """Per row: the lever at ``xs`` is finite and puts the metric within TOLERANCE of goal."""
    ok = np.isfinite(xs)
    if not ok.any():
        return ok
    got = _implied(tree, metric, lever, np.where(ok, xs, 0.0), rows)
    arrays, index = tree.arrays()
    current = np.abs(arrays[index[metric]][rows, engine.TARGET])
    scale = np.fmax(np.fmax(abs(goal), np.nan_to_num(current, posinf=0.0)), 1.0)
    return ok & np.isfinite(got) & (np.abs(got - goal) <= TOLERANCE * scale)


def _root_find(tree: Tree, metric: str, lever: str, goal: float,
               rows: list[int]) -> tuple[np.ndarray, list[tuple[float, float] | None]]:
    """Per row: evaluate a grid stepping out from the lever's current target in powers of two
    (either side), bisect EVERY bracket where the metric crosses the goal and search every dip
    of ``|metric - goal|`` for a point where the metric touches the goal without crossing it
    (``abs(a - 2.2)`` reaching 0, a square), all at once as one batch, and keep the answer
    nearest the current target that really hits the goal (a sign change through a pole of a
    ratio is not a solution).

    Also returns, per row, the closest approach found as ``(metric value, lever value)`` (None
    when the metric is never finite), so a miss can say how near the lever gets."""
    _, index = tree.arrays()
    plan = tree.compiled_plan
    steps = varying_steps(tree, {lever})
    slot, lever_slot = index[metric], index[lever]
    offsets = np.array([0.0, *(2.0**k for k in range(-20, 64))])
    offsets = np.concatenate([-offsets[:0:-1], offsets])  # symmetric, sorted, one zero
    centre = len(offsets) // 2
    result = np.full(len(rows), np.nan)
    closest: list[tuple[float, float] | None] = []
    for r, row in enumerate(rows):
        base = snapshot(tree, engine.TARGET, row)

        def f(xs: np.ndarray, base: list[Any] = base) -> np.ndarray:
            values = list(base)
            values[lever_slot] = xs
            engine.evaluate(plan, values, steps, shape=xs.shape)
            return np.broadcast_to(np.asarray(values[slot], dtype=float), xs.shape) - goal

        x0 = float(base[lever_slot]) if math.isfinite(base[lever_slot]) else 0.0
        grid = x0 + max(abs(x0), 1.0) * offsets
        fg = f(grid)
        scale = max(abs(goal), 1.0)
        ok = np.isfinite(fg[:-1]) & np.isfinite(fg[1:])
        cross = ok & ((fg[:-1] < 0) != (fg[1:] < 0))
        js = np.flatnonzero(cross)
        exact = np.flatnonzero(fg == 0)
        found: list[tuple[int, float]] = [(abs(int(j) - centre), float(grid[j])) for j in exact]
        if js.size:
            a, b, fa = grid[js], grid[js + 1], fg[js]
            for _ in range(200):
                mid = 0.5 * (a + b)
                if np.all((b - a) <= 1e-15 * np.fmax(1.0, np.abs(mid))):
                    break
                fm = f(mid)
                same = (fm < 0) == (fa < 0)
                a, fa = np.where(same, mid, a), np.where(same, fm, fa)
                b = np.where(same, b, mid)
            x = 0.5 * (a + b)
            hit = np.abs(f(x)) <= TOLERANCE * scale
            distance = np.minimum(np.abs(js - centre), np.abs(js + 1 - centre))
            found += [(int(d), float(v)) for d, v, h in zip(distance, x, hit) if h]
        # only dips nearer the current target than a crossing already found can do better
        within = min(found)[0] if found else len(grid)
        dips, gaps, at = _dips(f, grid, fg, centre, within)
        touch = np.abs(gaps) <= TOLERANCE * scale
        found += [(abs(int(j) - centre), float(v)) for j, v, h in zip(dips, at, touch) if h]
        if found:
            result[r] = min(found)[1]
        nearest = int(np.argmin(_size(gaps))) if gaps.size else -1
        closest.append(None if nearest < 0 else (float(gaps[nearest]) + goal, float(at[nearest])))
    return result, closest


def _dips(f: Any, grid: np.ndarray, fg: np.ndarray, centre: int,
          within: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The grid points closer than ``within`` steps to ``centre`` where ``|f|`` is no larger than
    on either side, with ``f`` at the bottom of each such dip and the lever value there, found
    by golden-section search between the two neighbours (all dips at once, a bounded number of
    evaluations)."""
    size = _size(fg)
    inner = np.arange(1, len(grid) - 1)
    dips = inner[np.isfinite(size[inner]) & (size[inner] <= size[inner - 1])
                 & (size[inner] <= size[inner + 1]) & (np.abs(inner - centre) < within)]
    if not dips.size:
        return dips, fg[dips], grid[dips]
    a, b = grid[dips - 1], grid[dips + 1]
    ratio = (math.sqrt(5) - 1) / 2
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = _size(f(c)), _size(f(d))
    for _ in range(200):
        if np.all((b - a) <= 1e-15 * np.fmax(1.0, np.abs(a))):
            break
        left = fc <= fd  # the bottom lies in [a, d]: d becomes b, c becomes d
        a, b = np.where(left, a, c), np.where(left, d, b)
        probe = np.where(left, b - ratio * (b - a), a + ratio * (b - a))
        fp = _size(f(probe))
        c, d, fc, fd = (np.where(left, probe, d), np.where(left, c, probe),
                        np.where(left, fp, fd), np.where(left, fc, fp))
    # per dip, the best of the grid point and the two last probes
    xs = np.stack([grid[dips], c, d])
    values = np.stack([fg[dips], f(c), f(d)])
    pick = np.argmin(_size(values), axis=0)
    cols = np.arange(dips.size)
    return dips, values[pick, cols], xs[pick, cols]


def _size(values: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(values), np.abs(values), np.inf)


def _reason(tree: Tree, metric: str, lever: str, path: list[str] | None, row: int,
            closest: tuple[float, float] | None = None) -> str:
    """Why no lever value works, as far as can be told from the numbers next to the path, and
    how near the lever gets (``closest``: the metric's value and the lever's there)."""
    arrays, index = tree.arrays()

    def at(m: str) -> float:
        return float(arrays[index[m]][row, engine.TARGET])

    for m in tree.descendants(metric):
        if m != lever and tree.metrics[m].is_input and math.isnan(at(m)):
            return f"{m!r} has no target, so {metric!r} cannot be computed"
    if path:
        for node, child in itertools.pairwise(path):
            formula = tree.metrics[node].parsed
            assert formula is not None
            env = {c: at(c) for c in formula.children}
            slope = float(formula.partials(env)[child])
            if slope != 0 and math.isfinite(slope):
                continue
            for sibling in formula.children:
                if sibling != child and env[sibling] == 0:
                    return (f"{sibling!r} is zero there, so {child!r} cannot move {node!r} "
                            f"(its formula is {formula.display()})")
    if closest is not None:
        value, lever_at = closest
        return (f"the closest {metric!r} comes is {value:.6g} (with {lever!r} = "
                f"{lever_at:.6g}); the number is out of the lever's reach (for example beyond a "
                "min/max cap, or of the wrong sign) or the formula jumps past it")
    return ("the number is out of the lever's reach (for example beyond a min/max cap, or of "
            "the wrong sign) or the formula jumps past it")
