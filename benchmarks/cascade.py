"""Cascade benchmark: spread a root target +5% over every lever of a big generated tree.

Run: ``.venv/bin/python benchmarks/cascade.py`` (a few seconds). One run, one generated tree of
1,000 metrics (sums, products and composite formulas) over 36 monthly periods:

(a) ``tree.cascade(root, goal)``: every input under the root moves by one shared effort, all
    36 months at once (the time includes the realism check and setting every lever's targets);
(b) the baseline, measured in the same run: the same effort found per month by scipy's
    ``brentq`` over the engine's full recompute of the tree (what one would write by hand),
    timed on 3 months and scaled to 36;
(c) ``tree.solve`` of the same goal through one lever over the 36 months, for scale.

The answers must agree: the root's implied target meets the goal to 1e-9 in every month, and
the hand-written effort equals cascade's to 1e-9.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
from scipy.optimize import brentq

from kpitree_widget import engine
from kpitree_widget.synthetic import synthetic_tree


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--metrics", type=int, default=1000)
    parser.add_argument("--periods", type=int, default=36)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    base = synthetic_tree(args.metrics, periods=args.periods, seed=0)
    root = base.root
    print(f"machine: {platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}")
    inputs = [m for m in base.inputs() if m in base.descendants(root)]
    print(f"tree: {len(base)} metrics, {len(inputs)} levers under the root, "
          f"{len(base.periods)} periods")
    goals = base.rollup(period=base.periods[0]).loc[root, "implied_target"] * 1.05

    times = []
    table = None
    for _ in range(args.repeat):
        tree = base.copy()
        start = time.perf_counter()
        table = tree.cascade(root, goals)
        times.append(time.perf_counter() - start)
    assert table is not None
    ours = min(times)
    worst = max(abs(tree.rollup(period=p).loc[root, "implied_target"] / goals - 1)
                for p in tree.periods)
    assert worst < 1e-9, worst

    # the baseline: brentq per month over a full recompute
    tree = base.copy()
    arrays, index = tree.arrays()
    plan = tree.compiled_plan
    slots = [index[m] for m in inputs]
    effort_col = table["effort"].abs().groupby(level="period").max()
    sample = tree.periods[:3]
    start = time.perf_counter()
    for label in sample:
        p = tree.periods.index(label)
        column = [a[p:p + 1, engine.TARGET].copy() for a in arrays]
        old = np.array([column[s][0] for s in slots])
        moved = np.sign(table.xs(label, level="period").loc[inputs, "change"].to_numpy())
        sign = np.where(moved == 0, 1.0, moved)  # the way cascade moved each lever

        def gap(e: float, column: list = column, old: np.ndarray = old,
                sign: np.ndarray = sign) -> float:
            values = list(column)
            for s, x in zip(slots, np.maximum(old * (1 + sign * e), 0)):
                values[s] = np.array([x])
            engine.evaluate(plan, values)
            return float(values[index[root]][0]) - goals

        # step out from no effort until the goal is crossed, then bracket it
        step = 1e-6
        while (gap(step) < 0) == (gap(0.0) < 0):
            step *= 2
        e = brentq(gap, 0.0, step, xtol=1e-15, rtol=1e-15)
        assert abs(abs(e) - effort_col[label]) < 1e-9, (e, effort_col[label])
    naive = (time.perf_counter() - start) / len(sample) * len(tree.periods)

    tree = base.copy()
    biggest = inputs[0]
    start = time.perf_counter()
    tree.solve(root, goals, lever=biggest)
    solve_time = time.perf_counter() - start

    width = 44
    print(f"{'what':<{width}}  {'time':>10}  against the baseline")
    rows = [
        (f"cascade, {len(inputs)} levers x {len(tree.periods)} months", ours,
         f"{naive / ours:,.0f}x faster than brentq over full recomputes; target 100 ms"),
        ("baseline: brentq per month, full recompute", naive, "(3 months timed, scaled)"),
        (f"solve through one lever, {len(tree.periods)} months", solve_time, "for scale"),
    ]
    for name, seconds, note in rows:
        print(f"{name:<{width}}  {seconds * 1000:>8.1f}ms  {note}")
    print(f"root meets the goal in every month to {worst:.1e}")


if __name__ == "__main__":
    main()
