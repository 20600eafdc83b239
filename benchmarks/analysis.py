"""Analysis benchmark: sensitivity, attribution, solve and Monte Carlo on a big generated tree.

Run: ``.venv/bin/python benchmarks/analysis.py`` (about half a minute). One run, one generated
tree of 1,000 metrics (sums, products and composite formulas) over 36 monthly periods:

(a) sensitivity of the root: our ``tree.sensitivity()`` (the +/-10% tornado by ONE batched
    evaluation of the plan, plus every input's elasticity by reverse-mode derivatives) against
    a naive tornado that recomputes the whole tree once per input per direction (the engine's
    own full recompute, not the slower public API), and our elasticities against naive central
    finite differences (again a full recompute per input per direction). Same numbers required:
    low/high to 1e-9 relative, elasticities to 1e-6;
(b) attribution of the root, plan vs actual and first month vs last month (exactness checked);
(c) solve: the root +5% through its biggest lever, one month and all 36 months (the time
    includes setting the lever's target and the incremental recompute), and the numeric
    fallback forced on the same question (same answer required);
(d) Monte Carlo: 100,000 draws of 20 uncertain inputs (and of every input), one month, against
    a naive loop that recomputes the tree once per draw (timed on 300 draws and scaled).

Ratios are against baselines measured in this same run.
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from kpitree_widget import engine
from kpitree_widget.analysis import solve as solve_module
from kpitree_widget.synthetic import synthetic_tree


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Best wall time of ``repeat`` runs, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def naive_root(tree: Any, p: int, changes: dict[str, float]) -> float:
    """The root's plan in period row ``p`` with some inputs' targets replaced: a full recompute
    of every computed metric over the whole (periods, layers) arrays, as a naive tool does."""
    arrays, index = tree.arrays()
    trial = list(arrays)
    for metric, x in changes.items():
        column = arrays[index[metric]].copy()
        column[p, engine.TARGET] = x
        trial[index[metric]] = column
    engine.evaluate(tree._plan, trial)
    return float(trial[index[tree.root]][p, engine.TARGET])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--metrics", type=int, default=1000)
    parser.add_argument("--periods", type=int, default=36)
    parser.add_argument("--draws", type=int, default=100_000)
    args = parser.parse_args()

    tree = synthetic_tree(args.metrics, periods=args.periods, seed=0)
    arrays, index = tree.arrays()
    p = len(tree.periods) - 1
    inputs = [m for m in tree.inputs() if m in set(tree.descendants(tree.root))]
    print(f"machine: {platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}, numpy {np.__version__}")
    print(f"tree: {len(tree)} metrics ({len(inputs)} inputs), {len(tree.periods)} periods; "
          f"analyses at {tree.periods[p]} unless said otherwise\n")
    rows: list[tuple[str, float, str]] = []

    # (a) sensitivity ------------------------------------------------------------------------
    ours, table = best_of(lambda: tree.sensitivity(step=0.1), 5)
    x = {m: float(arrays[index[m]][p, engine.TARGET]) for m in inputs}

    def naive_tornado() -> dict[str, tuple[float, float]]:
        return {m: (naive_root(tree, p, {m: x[m] * 0.9}), naive_root(tree, p, {m: x[m] * 1.1}))
                for m in inputs}

    naive, expected = best_of(naive_tornado, 1)
    worst = max(max(abs(table.loc[m, "low"] / lo - 1), abs(table.loc[m, "high"] / hi - 1))
                for m, (lo, hi) in expected.items())
    assert worst <= 1e-9, worst
    rows.append(("tornado +/-10% (low, high, impact) + elasticities", ours,
                 f"naive tornado {naive:.2f} s: {naive / ours:.0f}x faster; max rel. diff "
                 f"{worst:.1e}"))

    grad_time, elastic = best_of(lambda: tree.elasticities(), 5)
    base = float(arrays[index[tree.root]][p, engine.TARGET])

    def naive_elasticities() -> dict[str, float]:
        out = {}
        for m in inputs:
            h = 1e-5 * abs(x[m])
            up = naive_root(tree, p, {m: x[m] + h})
            down = naive_root(tree, p, {m: x[m] - h})
            out[m] = (up - down) / (2 * h) * x[m] / base
        return out

    fd_time, fd = best_of(naive_elasticities, 1)
    worst_e = max(abs(elastic.loc[m, "elasticity"] - e) / max(abs(e), 1e-3)
                  for m, e in fd.items())
    assert worst_e <= 1e-6, worst_e
    rows.append(("elasticities only (reverse-mode derivatives)", grad_time,
                 f"finite differences {fd_time:.2f} s: {fd_time / grad_time:.0f}x faster; "
                 f"max rel. diff {worst_e:.1e}"))

    # (b) attribution ------------------------------------------------------------------------
    att, result = best_of(lambda: tree.attribute(), 5)
    change = result.attrs["end"] - result.attrs["start"]
    err = abs(result["contribution"].sum() - change) / abs(change)
    rows.append((f"attribution plan vs actual ({len(result)} inputs)", att,
                 f"sum of contributions vs change: rel. error {err:.1e}"))
    first, last = tree.periods[0], tree.periods[-1]
    att2, result2 = best_of(lambda: tree.attribute(start=first, end=last), 5)
    change2 = result2.attrs["end"] - result2.attrs["start"]
    err2 = abs(result2["contribution"].sum() - change2) / abs(change2)
    rows.append((f"attribution {first} -> {last}", att2, f"rel. error {err2:.1e}"))
    lvl, _ = best_of(lambda: tree.attribute(by="level"), 3)
    rows.append(("attribution by level (node-by-node view)", lvl, ""))

    # (c) solve ------------------------------------------------------------------------------
    goal = base * 1.05
    trial = tree.copy()  # solve sets the lever's target: work on a copy (made untimed)
    trial.arrays()
    ranked = [str(m) for m in table.index]
    exact_lever = next(m for m in ranked if solve_module._single_path(tree, tree.root, m))
    numeric_lever = next(m for m in ranked if not solve_module._single_path(tree, tree.root, m))
    for lever, how in ((exact_lever, "exact inversion along the path"),
                       (numeric_lever, "bracketing + bisection (lever used twice on its path)")):
        one, _ = best_of(lambda lever=lever: trial.solve(tree.root, goal, lever=lever,
                                                         period=tree.periods[p]), 5)
        every, _ = best_of(lambda lever=lever: trial.solve(tree.root, goal, lever=lever), 3)
        rows.append((f"solve root +5% via {lever}, one period", one, how))
        rows.append((f"solve root +5% via {lever}, all {len(tree.periods)} periods", every, ""))
    exact = float(trial.solve(tree.root, goal, lever=exact_lever, period=tree.periods[p]))
    forced, (numeric, _nearest) = best_of(
        lambda: solve_module._root_find(trial, tree.root, exact_lever, goal, [p]), 3)
    agree = abs(numeric[0] / exact - 1)
    assert agree <= 1e-9, (numeric, exact)
    rows.append((f"solve via {exact_lever} by bisection (forced), one period", forced,
                 f"same answer as the exact inversion to {agree:.0e}"))

    # (d) Monte Carlo ------------------------------------------------------------------------
    top20 = list(table.index[:20])
    dists = {m: ("normal", 1.0, 0.05) for m in top20}
    sim_time, sim = best_of(lambda: tree.simulate(dists, n=args.draws, seed=0, relative=True,
                                                  period=tree.periods[p]), 3)
    draws = sim.draws
    sample = 300
    start = time.perf_counter()
    naive_values = [naive_root(tree, p, {m: float(draws.loc[i, m]) for m in top20})
                    for i in range(sample)]
    naive_sim = (time.perf_counter() - start) / sample * args.draws
    assert np.allclose(naive_values, draws[tree.root].to_numpy()[:sample], rtol=1e-12)
    rows.append((f"Monte Carlo {args.draws:,} draws, 20 uncertain inputs", sim_time,
                 f"naive per-draw recompute ~{naive_sim:.0f} s: {naive_sim / sim_time:.0f}x "
                 "faster"))
    every_input = {m: ("normal", 1.0, 0.05) for m in inputs}
    all_time, _ = best_of(lambda: tree.simulate(every_input, n=args.draws, seed=0,
                                                relative=True, period=tree.periods[p]), 1)
    rows.append((f"Monte Carlo {args.draws:,} draws, all {len(inputs)} inputs uncertain",
                 all_time, ""))
    over, _ = best_of(lambda: tree.simulate(dists, n=10_000, seed=0, relative=True), 1)
    rows.append((f"Monte Carlo 10,000 draws x {len(tree.periods)} periods, 20 inputs", over,
                 "fan chart input"))

    width = max(len(r[0]) for r in rows)
    print(f"{'analysis':<{width}}  {'time':>10}  against the baseline")
    for name, seconds, note in rows:
        shown = f"{seconds * 1e3:.1f} ms" if seconds < 10 else f"{seconds:.1f} s"
        print(f"{name:<{width}}  {shown:>10}  {note}")


if __name__ == "__main__":
    main()
