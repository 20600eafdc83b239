"""Top-down planning: spread one target over every lever under it (``tree.cascade``).

The levers move by one shared *effort* ``e``: lever ``i``'s target becomes
``old_i * (1 + s_i * w_i * e)``, where ``s_i`` is the direction that helps (the sign of the
metric's derivative with respect to the lever; its ``direction`` where the derivative is zero)
and ``w_i`` its weight (1 for ``method="equal"``). A lever stops at its bounds (``min`` /
``max``) and never crosses zero; the others carry on. The effort that meets the target is found
by bracketing, then secant steps that keep the bracket, over every period at once (one engine
pass per step), so the target is met to the last few bits of a float.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .. import engine
from ..errors import KPITreeError
from ..numbers import check_number
from ..tree import Tree
from ._common import gradient, subtree, varying_steps

METHODS = ("equal", "weights")
_MAX_STEPS = 200  # refining steps at most (each halves the bracket at least)


@dataclass(frozen=True)
class _Levers:
    ids: list[str]
    slots: list[int]
    old: np.ndarray       # (P, L) current targets
    sign: np.ndarray      # (P, L) +1 where raising the lever raises the metric
    weight: np.ndarray    # (L,)
    low: np.ndarray       # (L,) lower bounds (-inf when none)
    high: np.ndarray      # (L,) upper bounds (+inf when none)
    columns: list[Any]    # every metric's target in the periods cascaded, (P, 1) by slot
    pull: np.ndarray      # (P,) the metric's slope in the effort at no effort

    def only(self, keep: np.ndarray) -> _Levers:
        """The same levers for some of the periods."""
        return _Levers(self.ids, self.slots, self.old[keep], self.sign[keep], self.weight,
                       self.low, self.high, [c[keep] for c in self.columns], self.pull[keep])

    def at(self, effort: np.ndarray) -> np.ndarray:
        """Lever targets for efforts of shape (P, G): shape (P, G, L)."""
        step = 1.0 + self.sign[:, None, :] * self.weight * effort[..., None]
        moved = self.old[:, None, :] * np.maximum(step, 0.0)  # never past zero
        return np.clip(moved, self.low, self.high)


def cascade(tree: Tree, metric: str, target: Any, levers: Iterable[str] | None = None,
            method: str = "equal", weights: Mapping[str, float] | None = None,
            locked: Iterable[str] = (), period: Any = None) -> pd.DataFrame:
    """Set the targets of the levers under ``metric`` so that its target becomes ``target``.

    Returns a table indexed by lever (by lever and period when several periods are cascaded at
    once): ``old_target``, ``new_target``, ``change``, ``change_pct``, ``effort`` and a realism
    check against the lever's own history (``best``, ``best_period``, ``usual_change``,
    ``realistic``, ``reason``). Nothing changes when the target cannot be reached.
    """
    goal = check_number(target, f"metrics.{metric}.target")
    tree.require(metric, "cascade")
    if tree.metrics[metric].is_input:
        raise KPITreeError(f"cascade: {metric!r} is an input; set its target directly "
                           "(cascade spreads the target of a computed metric over its levers)",
                           metric=metric, field="target")
    if method not in METHODS:
        raise KPITreeError(f"cascade: method {method!r} is not one of {', '.join(METHODS)}")
    if weights is not None and method == "equal":
        method = "weights"
    if method == "weights" and not weights:
        raise KPITreeError("cascade: method 'weights' needs weights={lever: weight, ...}")
    ids = _pick_levers(tree, metric, levers, locked, weights)
    rows = (list(range(len(tree.periods) or 1)) if period is None
            else [tree.period_index(period)])
    lv = _levers(tree, metric, ids, rows, weights if method == "weights" else None)
    effort, reached = _solve_effort(tree, metric, goal, lv, rows)
    new = lv.at(effort[:, None])[:, 0, :]
    labels: list[str | None] = [tree.periods[r] for r in rows] if tree.periods else [None]
    if not np.all(reached):
        r = int(np.argmin(reached))
        where = f" in {labels[r]}" if labels[r] else ""
        closest = _closest(tree, metric, goal, lv, rows)[r]
        raise KPITreeError(
            f"metrics.{metric}.target: {goal:,.6g} cannot be reached{where} by moving "
            f"{_names(ids)} within their bounds; the closest reachable target is "
            f"{closest:,.6g}", metric=metric, field="target", period=labels[r])
    table = _table(tree, lv, new, effort, rows, labels)
    _apply(tree, metric, goal, lv, new, rows, period)
    return table


def _names(ids: list[str]) -> str:
    return ", ".join(ids[:4]) + (f" and {len(ids) - 4} more" if len(ids) > 4 else "")


def _pick_levers(tree: Tree, metric: str, levers: Iterable[str] | None, locked: Iterable[str],
                 weights: Mapping[str, float] | None) -> list[str]:
    under, _ = subtree(tree, metric)
    if isinstance(locked, str):
        locked = (locked,)
    lock = set()
    for m in locked:
        tree.require(m, "locked")
        lock.add(m)
    if levers is None:
        chosen = [m for m in under if m not in lock]
        if weights is not None:
            chosen = [m for m in chosen if m in weights]
    else:
        if isinstance(levers, str):
            levers = (levers,)
        chosen = []
        for m in levers:
            tree.require_input(m, "levers")
            if m not in under:
                raise KPITreeError(f"cascade: the lever {m!r} is not under {metric!r}, so moving "
                                   "it cannot change it", metric=m, field="levers")
            if m not in lock and m not in chosen:
                chosen.append(m)
    for m in weights or {}:
        tree.require_input(m, "weights")
        if m not in under:
            raise KPITreeError(f"cascade: weights name {m!r}, which is not under {metric!r}",
                               metric=m, field="weights")
    if not chosen:
        raise KPITreeError(f"cascade: no lever left to move under {metric!r} (all are locked)",
                           metric=metric, field="levers")
    return chosen


def _levers(tree: Tree, metric: str, ids: list[str], rows: list[int],
            weights: Mapping[str, float] | None) -> _Levers:
    arrays, index = tree.arrays()
    metrics = tree.metrics
    plan = np.stack([a[:, engine.TARGET] for a in arrays], axis=1)[rows]   # (P, metrics)
    slots = [index[m] for m in ids]
    old = plan[:, slots]                                                     # (P, L)
    missing = ~np.isfinite(old)
    if missing.any():
        r, j = (int(x[0]) for x in np.nonzero(missing))
        m, label = ids[j], (tree.periods[rows[r]] if tree.periods else None)
        raise KPITreeError(f"metrics.{m}.target: no target to move from"
                           f"{f' in {label}' if label else ''}; set one, or lock it",
                           metric=m, field="target", period=label)
    values = {m: plan[:, index[m]] for m in metrics}
    slopes = gradient(tree, metric, values)
    d = np.zeros((len(rows), len(ids)))
    for j, m in enumerate(ids):
        if m in slopes:
            d[:, j] = slopes[m]  # a number or one per period
    fallback = np.array([-1.0 if metrics[m].direction == "down" else 1.0 for m in ids])
    sign = np.where(np.isfinite(d) & (d != 0), np.sign(d), fallback)
    weight = np.ones(len(ids))
    if weights is not None:
        for j, m in enumerate(ids):
            w = check_number(weights.get(m, 0.0), f"weights.{m}")
            if w < 0:
                raise KPITreeError(f"cascade: weights.{m}: {w:g} is negative; a weight is the "
                                   "share of the effort, 0 or more", metric=m, field="weights")
            weight[j] = w
        if not (weight > 0).any():
            raise KPITreeError("cascade: every weight is 0; give some lever a weight above 0")
    low = np.array([_bound(metrics[m], "min", -math.inf) for m in ids])
    high = np.array([_bound(metrics[m], "max", math.inf) for m in ids])
    columns = list(plan.T[:, :, None])  # each metric's plan in the periods, (P, 1)
    with np.errstate(all="ignore"):  # d metric / d effort = sum of |slope| * |old| * weight
        pull = np.nansum(np.abs(d) * np.abs(old) * weight, axis=1)
    return _Levers(ids, slots, old, sign, weight, low, high, columns, pull)


def _bound(metric: Any, name: str, default: float) -> float:
    value = getattr(metric, name, None)
    return default if value is None else float(value)


def _evaluate(tree: Tree, metric: str, lv: _Levers, rows: list[int],
              effort: np.ndarray) -> np.ndarray:
    """The metric's target for efforts of shape (P, G)."""
    index = tree.compiled_plan.index
    shape = effort.shape
    base = list(lv.columns)
    moved = lv.at(effort)
    for j, slot in enumerate(lv.slots):
        base[slot] = moved[:, :, j]
    plan = tree.compiled_plan
    steps = varying_steps(tree, set(lv.ids))
    engine.evaluate(plan, base, steps, shape=shape)
    return np.broadcast_to(np.asarray(base[index[metric]], dtype=float), shape)


def _lowest_effort(lv: _Levers) -> float:
    """The effort below which nothing moves any more: every lever with a weight is at zero."""
    return -1.0 / float(lv.weight[lv.weight > 0].min())


_LADDER = np.concatenate([[0.0], 2.0 ** np.arange(-20, 21)])  # efforts up to a million-fold


def _solve_effort(tree: Tree, metric: str, goal: float, lv: _Levers,
                  rows: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Per period, the effort that meets the goal, and whether it was found."""
    n = len(rows)
    now = _evaluate(tree, metric, lv, rows, np.zeros((n, 1)))[:, 0]
    if not np.isfinite(now).all():
        _say_why_not_computed(tree, metric, rows[int(np.argmin(np.isfinite(now)))])
    up = goal >= now
    # first a few efforts around the linear estimate (the metric's slope in the effort is
    # known from the gradient), from 0 out; where they do not bracket the goal, a ladder in
    # powers of two from 0 to a million-fold
    with np.errstate(all="ignore"):
        guess = np.abs((goal - now) / lv.pull)
    near = np.isfinite(guess) & (guess > 0)
    effort, reached = np.zeros(n), np.zeros(n, dtype=bool)
    lo, hi = np.zeros(n), np.zeros(n)
    found = np.zeros(n, dtype=bool)
    if near.any():
        steps = np.concatenate([[0.0], 2.0 ** np.arange(-4, 7)])
        pick = np.flatnonzero(near)
        part = lv.only(pick)
        grid = _signed(np.outer(guess[pick], steps), up[pick], part)
        f = _evaluate(tree, metric, part, [rows[i] for i in pick], grid) - goal
        _bracket(grid, f, goal, pick, effort, reached, lo, hi, found, edge=False)
    rest = np.flatnonzero(~found)
    if rest.size:
        part = lv.only(rest)
        grid = _signed(np.broadcast_to(_LADDER, (rest.size, _LADDER.size)), up[rest], part)
        f = _evaluate(tree, metric, part, [rows[i] for i in rest], grid) - goal
        _bracket(grid, f, goal, rest, effort, reached, lo, hi, found, edge=True)
    todo = np.flatnonzero(reached & (lo != hi))
    if todo.size:
        effort[todo] = _refine(tree, metric, goal, lv, rows, todo, lo[todo], hi[todo])
    return effort, reached


def _signed(size: np.ndarray, up: np.ndarray, lv: _Levers) -> np.ndarray:
    """Efforts of the given sizes, negative where the goal is below today's target (and no
    lower than the effort that takes every lever to zero)."""
    return np.where(up[:, None], size, np.maximum(-size, _lowest_effort(lv)))


def _bracket(grid: np.ndarray, f: np.ndarray, goal: float, which: np.ndarray,
             effort: np.ndarray, reached: np.ndarray, lo: np.ndarray, hi: np.ndarray,
             found: np.ndarray, edge: bool) -> None:
    """For each row, the first cell of ``grid`` where ``f`` meets or crosses zero; with
    ``edge``, also a goal met to rounding at the edge of reach (every lever at a bound)."""
    for k, r in enumerate(which):
        fr = f[k]
        hit = np.flatnonzero(fr == 0)
        ok = np.isfinite(fr[:-1]) & np.isfinite(fr[1:]) & ((fr[:-1] < 0) != (fr[1:] < 0))
        js = np.flatnonzero(ok)
        first_hit = int(hit[0]) if hit.size else None
        first_cross = int(js[0]) if js.size else None
        if first_hit is not None and (first_cross is None or first_hit <= first_cross):
            effort[r] = lo[r] = hi[r] = grid[k, first_hit]
            reached[r] = found[r] = True
        elif first_cross is not None:
            lo[r], hi[r] = grid[k, first_cross], grid[k, first_cross + 1]
            reached[r] = found[r] = True
        elif edge:
            gaps = np.where(np.isfinite(fr), np.abs(fr), np.inf)
            nearest = int(gaps.argmin())
            if gaps[nearest] <= 1e-12 * max(1.0, abs(goal)):
                effort[r] = lo[r] = hi[r] = grid[k, nearest]
                reached[r] = True
            found[r] = True


def _refine(tree: Tree, metric: str, goal: float, lv: _Levers, rows: list[int],
            todo: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Narrow each bracket [a, b] around the goal to a float's precision and return the end
    that meets the goal best. Each step is one engine pass over every period that tries four
    efforts at once: the secant point, two points a thousandth of the bracket either side of
    it, and the midpoint; the bracket becomes the first piece where the gap changes sign. A
    good secant point shrinks the bracket five-hundredfold or more, a poor one still halves it.
    """
    sub = [rows[i] for i in todo]
    sub_lv = lv.only(todo)

    def gap(e: np.ndarray) -> np.ndarray:
        return _evaluate(tree, metric, sub_lv, sub, e) - goal

    a, b = np.minimum(a, b), np.maximum(a, b)
    ends = gap(np.stack([a, b], axis=1))
    fa, fb = ends[:, 0], ends[:, 1]
    for _ in range(_MAX_STEPS):
        width = b - a
        scale = np.fmax(1.0, np.fmax(np.abs(a), np.abs(b)))
        done = (width <= 4e-16 * scale) | (fa == 0) | (fb == 0)
        if done.all():
            break
        with np.errstate(all="ignore"):
            x = a - fa * width / (fb - fa)
        x = np.where(np.isfinite(x) & (a < x) & (x < b), x, a + 0.5 * width)
        d = 1e-3 * width
        tries = np.sort(np.stack([np.fmax(x - d, a), x, np.fmin(x + d, b), a + 0.5 * width],
                                 axis=1), axis=1)
        ft = gap(tries)
        xs = np.concatenate([a[:, None], tries, b[:, None]], axis=1)    # (P, 6), in order
        fs = np.concatenate([fa[:, None], ft, fb[:, None]], axis=1)
        crossing = (fs[:, :-1] < 0) != (fs[:, 1:] < 0)
        crossing |= fs[:, 1:] == 0
        k = np.argmax(crossing, axis=1)  # the first piece where the gap changes sign
        rows_ = np.arange(len(a))
        keep = ~done
        a = np.where(keep, xs[rows_, k], a)
        b = np.where(keep, xs[rows_, k + 1], b)
        fa = np.where(keep, fs[rows_, k], fa)
        fb = np.where(keep, fs[rows_, k + 1], fb)
    return np.where(np.abs(fa) <= np.abs(fb), a, b)


def _say_why_not_computed(tree: Tree, metric: str, row: int) -> None:
    arrays, index = tree.arrays()
    label = tree.periods[row] if tree.periods else None
    where = f" in {label}" if label else ""
    for m in subtree(tree, metric)[0]:
        if not np.isfinite(arrays[index[m]][row, engine.TARGET]):
            raise KPITreeError(f"metrics.{m}.target: {m!r} has no target{where}, so the plan of "
                               f"{metric!r} does not compute; set one", metric=m,
                               field="target", period=label)
    raise KPITreeError(f"metrics.{metric}.target: the plan of {metric!r} is not a number{where} "
                       "(a division by zero?); cascade needs a plan to start from",
                       metric=metric, field="target", period=label)


def _closest(tree: Tree, metric: str, goal: float, lv: _Levers, rows: list[int]) -> np.ndarray:
    """Per period, the target nearest the goal that the levers can reach."""
    ladder = np.concatenate([-_LADDER[:0:-1], _LADDER])
    grid = np.maximum(np.broadcast_to(ladder, (len(rows), ladder.size)), _lowest_effort(lv))
    got = _evaluate(tree, metric, lv, rows, grid)
    gap = np.where(np.isfinite(got), np.abs(got - goal), np.inf)
    return got[np.arange(len(rows)), gap.argmin(axis=1)]


def _table(tree: Tree, lv: _Levers, new: np.ndarray, effort: np.ndarray, rows: list[int],
           labels: list[str | None]) -> pd.DataFrame:
    arrays, _ = tree.arrays()
    n_rows, n_levers = new.shape
    history = np.stack([arrays[s][:, engine.VALUE] for s in lv.slots], axis=1)  # (T, L)
    best_up, best_down = _best(history, np.nanargmax), _best(history, np.nanargmin)
    usual = _usual_change(history)
    up = lv.sign > 0                                                            # (P, L)
    pick = np.where(up, best_up[None, :], best_down[None, :])                   # (P, L)
    seen = pick >= 0
    taken = np.where(seen, pick, 0)
    best = np.where(seen, history[taken, np.arange(n_levers)], np.nan)
    beyond = np.where(up, new > best, new < best) & seen
    old = lv.old
    with np.errstate(all="ignore"):
        change_pct = np.where(old != 0, (new - old) / np.abs(old), np.nan)
        over = np.abs(new - best) / np.abs(best)
    periods = tree.periods
    labels_of = np.array([*(periods or []), None], dtype=object)                # -1: none
    best_label = labels_of[pick]                                                # (P, L)
    # the reasons, spelled once per period that can be a best one: code 0 is "no actuals",
    # then "within" and "beyond" for each row of the history
    whats = ([f"its best period ({p})" for p in periods] if periods
             else ["its actual"] * history.shape[0])
    spelled = np.array(["no actuals to compare with", *(f"{how} {what}" for what in whats
                                                        for how in ("within", "beyond"))],
                       dtype=object)
    codes = np.where(seen, 1 + 2 * taken + beyond, 0)
    reasons = spelled[codes]
    realistic = pd.array((~beyond).ravel(order="F"), dtype="boolean")
    realistic[~seen.ravel(order="F")] = pd.NA
    if len(labels) > 1:
        index = pd.MultiIndex(levels=[pd.Index(lv.ids), pd.Index(labels)],
                              codes=[np.repeat(np.arange(n_levers), n_rows),
                                     np.tile(np.arange(n_rows), n_levers)],
                              names=["lever", "period"])
    else:
        index = pd.Index(lv.ids, name="lever")
    return pd.DataFrame({
        "old_target": old.ravel(order="F"),
        "new_target": new.ravel(order="F"),
        "change": (new - old).ravel(order="F"),
        "change_pct": change_pct.ravel(order="F"),
        "effort": (effort[:, None] * lv.weight[None, :]).ravel(order="F"),
        "best": best.ravel(order="F"),
        "best_period": best_label.ravel(order="F"),
        "usual_change": np.repeat(usual, n_rows),
        "realistic": realistic,
        "beyond_best": np.where(beyond, over, 0.0).ravel(order="F"),
        "reason": reasons.ravel(order="F"),
    }, index=index)


def _best(history: np.ndarray, arg: Any) -> np.ndarray:
    """Per lever, the row of its best actual (-1 when it has none)."""
    has = np.isfinite(history).any(axis=0)
    filled = np.where(np.isfinite(history), history, np.nan)
    out = np.full(history.shape[1], -1)
    if has.any():
        out[has] = arg(filled[:, has], axis=0)
    return out


def _usual_change(history: np.ndarray) -> np.ndarray:
    """Per lever, the median size of its period-over-period relative change (NaN with fewer
    than two actuals in a row)."""
    if history.shape[0] < 2:
        return np.full(history.shape[1], np.nan)
    with np.errstate(all="ignore"):
        changes = np.abs(np.diff(history, axis=0) / np.abs(history[:-1]))
    changes[~np.isfinite(changes)] = np.nan
    out = np.full(history.shape[1], np.nan)
    some = np.isfinite(changes).any(axis=0)
    if some.any():
        out[some] = np.nanmedian(changes[:, some], axis=0)
    return out


def _apply(tree: Tree, metric: str, goal: float, lv: _Levers, new: np.ndarray, rows: list[int],
           period: Any) -> None:
    with tree.batch():  # one undo step restores every target
        _write(tree, metric, goal, lv, new, rows, period)


def _write(tree: Tree, metric: str, goal: float, lv: _Levers, new: np.ndarray, rows: list[int],
           period: Any) -> None:
    periods = tree.periods
    arrays, _ = tree.arrays()
    updates: dict[str, Any] = {}
    for j, m in enumerate(lv.ids):
        if not periods:
            updates[m] = float(new[0, j])
            continue
        column = arrays[lv.slots[j]][:, engine.TARGET].copy()  # the lever's plan, by period
        column[rows] = new[:, j]
        if np.isfinite(column).all():
            updates[m] = dict(zip(periods, column.tolist()))
        else:
            updates[m] = {label: x for label, x in zip(periods, column.tolist())
                          if math.isfinite(x)}
    tree.load_numbers("target", updates)  # one rebuild, whatever the number of levers
    # a computed metric's own target, where it has one, is now the goal
    if tree.get_target(metric) is None:
        return
    for r in rows:
        label = periods[r] if periods else None
        if metric in tree.explicit_targets(label):
            tree.set_target(metric, goal, period=label)
