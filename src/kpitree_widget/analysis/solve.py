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
from ..numbers import check_number, format_number
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
    solved = _within_bounds(tree, metric, lever, goal, rows, solved)
    history = lever_history(tree, lever)
    if not tree.periods or period is not None:
        x = float(solved[0])
        tree.set_target(lever, x, period=period if tree.periods else None)
        return Solved(x, metric=metric, lever=lever, goal=goal,
                      period=tree.period_label(period) if tree.periods else None,
                      history=history, unit=tree.metrics[lever].unit)
    import pandas as pd

    per_period = dict(zip(tree.periods, (float(x) for x in solved)))
    tree.set_numbers("target", lever, per_period)
    series = pd.Series(per_period, name=lever)
    outside = [p for p, x in per_period.items() if _outside(x, history)]
    series.attrs.update(history=history, outside_history=outside,
                        note=_history_note(lever, tree.metrics[lever].unit, history, outside,
                                           [per_period[p] for p in outside]))
    return series


class Solved(float):
    """What :func:`solve` returns for one period: the lever's new target, a ``float`` in every
    way (arithmetic, formatting and ``repr`` are the number's), that also says where the answer
    lies against the lever's history.

    - ``history``: the lowest and highest value the lever had over the tree's periods, or
      ``None`` (a tree without periods, or a lever without values);
    - ``outside_history``: the answer lies outside that range, a plan the lever has never
      delivered; ``note`` says so in words (``""`` otherwise).

    >>> x = Solved(0.45, metric="arr", lever="win_rate", goal=2e7, history=(0.18, 0.24),
    ...            unit="percent")
    >>> x * 100, x.outside_history
    (45.0, True)
    >>> x.note
    "win_rate's target 45% lies outside everything it has done (its values: 18% to 24%)"
    """

    metric: str
    lever: str
    goal: float
    period: str | None
    history: tuple[float, float] | None
    outside_history: bool
    note: str

    def __new__(cls, x: float, *, metric: str, lever: str, goal: float,
                period: str | None = None, history: tuple[float, float] | None = None,
                unit: str | None = None) -> Solved:
        self = super().__new__(cls, x)
        self.metric, self.lever, self.goal, self.period = metric, lever, goal, period
        self.history = history
        self.outside_history = _outside(x, history)
        self.note = _history_note(lever, unit, history, [period] if self.outside_history else [],
                                  [x])
        return self

    __repr__ = float.__repr__
    __str__ = float.__repr__

    def __reduce__(self) -> Any:  # pickles (and copies) as the plain number it is
        return (float, (float(self),))


def lever_history(tree: Tree, lever: str) -> tuple[float, float] | None:
    """The lowest and highest value ``lever`` had over the tree's periods (its actuals), or
    ``None`` for a tree without periods or a lever without values.

    >>> lever_history(tree, "win_rate")  # doctest: +SKIP
    (0.18, 0.24)
    """
    if not tree.periods:
        return None
    arrays, index = tree.arrays()
    values = arrays[index[lever]][:, engine.VALUE]
    values = values[np.isfinite(values)]
    if not values.size:
        return None
    return float(values.min()), float(values.max())


def _outside(x: float, history: tuple[float, float] | None) -> bool:
    if history is None:
        return False
    lo, hi = history
    slack = TOLERANCE * max(abs(lo), abs(hi), 1.0)
    return bool(x < lo - slack or x > hi + slack)


def _history_note(lever: str, unit: str | None, history: tuple[float, float] | None,
                  outside: list[Any], xs: list[float]) -> str:
    if history is None or not outside:
        return ""
    lo, hi = (format_number(v, unit) for v in history)
    span = f"its values: {lo} to {hi}" if lo != hi else f"its value: {lo}"
    if len(outside) == 1:
        where = f" in {outside[0]}" if outside[0] is not None and len(xs) == 1 else ""
        return (f"{lever}'s target {format_number(xs[0], unit)}{where} lies outside everything "
                f"it has done ({span})")
    far = max(xs, key=lambda x: max(history[0] - x, x - history[1]))
    return (f"{lever}'s target lies outside everything it has done ({span}) in "
            f"{len(outside)} periods (furthest: {format_number(far, unit)})")


def _within_bounds(tree: Tree, metric: str, lever: str, goal: float, rows: list[int],
                   solved: np.ndarray) -> np.ndarray:
    """``solved`` where each answer lies within the lever's bounds; an answer outside them is
    searched for again within them (a formula that is not monotonic can meet the goal twice),
    and when none is found a :class:`KPITreeError` says which bound stops it and what the metric
    can reach with the lever within its bounds."""
    m = tree.metrics[lever]
    lo, hi = m.bounds
    out = (solved < lo) | (solved > hi)
    if not out.any():
        return solved
    todo = [rows[i] for i in np.flatnonzero(out)]
    found, _ = _root_find(tree, metric, lever, goal, todo, bounds=(lo, hi))
    first, solved = solved, solved.copy()
    solved[out] = found
    ok = _reaches(tree, metric, lever, solved, rows, goal) & (solved >= lo) & (solved <= hi)
    if ok.all():
        return solved
    i = int(np.argmin(ok))
    row, needed = rows[i], float(first[i])
    label = tree.periods[row] if tree.periods else None
    where = f" in {label}" if label else ""
    unit, goal_unit = m.unit, tree.metrics[metric].unit
    reach = _reach(tree, metric, lever, row, (lo, hi))
    broken = m.outside_bounds(needed) or f"outside its bounds ({m.bounds_text()})"
    raise KPITreeError(
        f"solve: {metric} = {format_number(goal, goal_unit)}{where} needs {lever} = "
        f"{format_number(needed, unit)}, {broken}; with {lever} within its bounds "
        f"({m.bounds_text()}) {metric} can reach {reach}. Nothing was changed: choose a goal in "
        "that range, another lever, or change the bounds if they are wrong",
        metric=metric, field="target", period=label)


def _reach(tree: Tree, metric: str, lever: str, row: int, bounds: tuple[float, float]) -> str:
    """The range ``metric``'s target spans in ``row`` as the lever moves within ``bounds``, in
    words (sampled densely, finite ends included; growing toward an open end: "or more")."""
    lo, hi = bounds
    _, index = tree.arrays()
    plan = tree.compiled_plan
    steps = varying_steps(tree, {lever})
    base = snapshot(tree, engine.TARGET, row)
    x0 = float(base[index[lever]])
    x0 = min(max(x0 if math.isfinite(x0) else 0.0, lo), hi)
    scale = max(abs(x0), 1.0)
    powers = np.array([2.0**k for k in range(-20, 64)])
    left = np.linspace(lo, x0, 257) if math.isfinite(lo) else x0 - scale * powers[::-1]
    right = np.linspace(x0, hi, 257) if math.isfinite(hi) else x0 + scale * powers
    xs = np.concatenate([left, right])
    values = list(base)
    values[index[lever]] = xs
    engine.evaluate(plan, values, steps, shape=xs.shape)
    ys = np.broadcast_to(np.asarray(values[index[metric]], dtype=float), xs.shape)
    finite = np.isfinite(ys)
    unit = tree.metrics[metric].unit
    if not finite.any():
        return "no finite number"
    low, high = float(ys[finite].min()), float(ys[finite].max())
    i_low = int(np.flatnonzero(finite)[np.argmin(ys[finite])])
    i_high = int(np.flatnonzero(finite)[np.argmax(ys[finite])])
    ends = {0: not math.isfinite(lo), len(xs) - 1: not math.isfinite(hi)}
    low_open, high_open = ends.get(i_low, False), ends.get(i_high, False)
    low_text, high_text = format_number(low, unit), format_number(high, unit)
    if low_open and high_open:
        return "any number"
    if high_open:
        return f"{low_text} or more"
    if low_open:
        return f"{high_text} or less"
    return f"only {low_text}" if low_text == high_text else f"{low_text} to {high_text}"


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


def _root_find(tree: Tree, metric: str, lever: str, goal: float, rows: list[int],
               bounds: tuple[float, float] = (-math.inf, math.inf),
               ) -> tuple[np.ndarray, list[tuple[float, float] | None]]:
    """Per row: evaluate a grid stepping out from the lever's current target in powers of two
    (either side), bisect EVERY bracket where the metric crosses the goal and search every dip
    of ``|metric - goal|`` for a point where the metric touches the goal without crossing it
    (``abs(a - 2.2)`` reaching 0, a square), all at once as one batch, and keep the answer
    nearest the current target that really hits the goal (a sign change through a pole of a
    ratio is not a solution).

    Also returns, per row, the closest approach found as ``(metric value, lever value)`` (None
    when the metric is never finite), so a miss can say how near the lever gets.

    With ``bounds`` the grid is kept within them (their finite ends included), so every answer
    found lies within the bounds."""
    _, index = tree.arrays()
    plan = tree.compiled_plan
    steps = varying_steps(tree, {lever})
    slot, lever_slot = index[metric], index[lever]
    offsets = np.array([0.0, *(2.0**k for k in range(-20, 64))])
    offsets = np.concatenate([-offsets[:0:-1], offsets])  # symmetric, sorted, one zero
    lo, hi = bounds
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
        if math.isfinite(lo) or math.isfinite(hi):
            x0 = min(max(x0, lo), hi)
            ends = [e for e in (lo, hi) if math.isfinite(e)]
            inside = np.linspace(lo, hi, 65) if len(ends) == 2 else np.empty(0)
            grid = np.unique(np.clip(np.concatenate([grid, ends, inside, [x0]]), lo, hi))
        centre = int(np.searchsorted(grid, x0))
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
