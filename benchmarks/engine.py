"""Rollup engine benchmark: our engine against a hand-written numpy floor and a per-cell loop.

Run: ``.venv/bin/python benchmarks/engine.py`` (about a minute). Every number in one run, on
generated trees of 1,000 and 10,000 metrics (sums, products and composite formulas) over
36 periods x 100 scenarios (102 layers: actual, plan and the scenarios):

(a) our full recompute: the compiled plan evaluated over every computed metric;
(b) the floor: the same formulas written directly as numpy operations in topological order;
(c) a naive tool: plain Python evaluating each formula once per cell (timed on a sample of
    cells and scaled to all of them: timing every cell would take minutes);
(d) one input edit through the public API (``tree.set_target``) with incremental recompute,
    on the 1,000-metric tree: median of 300 edits.

Ratios are against numbers measured in this same run, so a noisy machine moves both sides.
"""

from __future__ import annotations

import argparse
import ast
import operator
import platform
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from kpitree_widget import KPITree, engine
from kpitree_widget.synthetic import synthetic_spec


def best_of(fn: Callable[[], Any], repeat: int) -> float:
    """Best wall time of ``repeat`` runs (the least disturbed by the machine)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def compile_formulas(tree: KPITree, ops: dict[type, Callable[[Any, Any], Any]],
                     key: Callable[[str], Any]) -> list[tuple[str, Callable[[Any], Any]]]:
    """Each formula as closures over ``ops`` (numpy or float operators), in topological order;
    a metric's number is ``v[key(metric_id)]``.

    The generated trees use only names, numbers and + - * /, so this tiny builder covers them.
    """

    def build(node: ast.AST) -> Callable[[Any], Any]:
        if isinstance(node, ast.Name):
            slot = key(node.id)
            return lambda v: v[slot]
        if isinstance(node, ast.Constant):
            c = float(node.value)
            return lambda v: c
        assert isinstance(node, ast.BinOp)
        op, left, right = ops[type(node.op)], build(node.left), build(node.right)
        return lambda v: op(left(v), right(v))

    return [(m, build(ast.parse(formula, mode="eval").body))
            for m in tree._plan.order if (formula := tree.metrics[m].formula)]


def hand_written(tree: KPITree) -> Callable[[list[np.ndarray]], None]:
    """The floor: each formula as direct numpy calls (what a person would write by hand)."""
    _, index = tree.arrays()
    ops = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide}
    steps = [(index[m], fn) for m, fn in compile_formulas(tree, ops, index.__getitem__)]

    def run(values: list[np.ndarray]) -> None:
        with np.errstate(all="ignore"):
            for slot, fn in steps:
                values[slot] = fn(values)

    return run


def _divide(a: float, b: float) -> float:
    return a / b if b else float("nan")


def per_cell_loop(tree: KPITree, cells: int) -> float:
    """Seconds per cell for plain Python evaluating every formula with floats, cell by cell."""
    arrays, index = tree.arrays()
    ops = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.Div: _divide}
    formulas = compile_formulas(tree, ops, str)
    inputs = tree.inputs()
    shape = arrays[0].shape
    rng = random.Random(0)
    picks = [(rng.randrange(shape[0]), rng.randrange(shape[1])) for _ in range(cells)]
    start = time.perf_counter()
    for p, k in picks:
        env = {m: float(arrays[index[m]][p, k]) for m in inputs}
        for metric_id, fn in formulas:
            env[metric_id] = fn(env)
    return (time.perf_counter() - start) / cells


def full_recompute(tree: KPITree, repeat: int) -> tuple[float, float]:
    """(seconds for our engine, seconds for the hand-written floor), best of ``repeat``."""
    arrays, _ = tree.arrays()
    ours = list(arrays)
    floor = list(arrays)
    run_floor = hand_written(tree)
    plan = tree._plan
    shape = arrays[0].shape
    # alternate the two so that drift in the machine's speed hits both alike
    t_ours, t_floor = [], []
    for _ in range(repeat):
        t_ours.append(best_of(lambda: engine.evaluate(plan, ours, shape=shape), 1))
        t_floor.append(best_of(lambda: run_floor(floor), 1))
    for slot, _fn in plan.steps:  # same numbers, or the comparison means nothing
        np.testing.assert_allclose(ours[slot], floor[slot], rtol=1e-12, equal_nan=True)
    return min(t_ours), min(t_floor)


def incremental_edit(tree: KPITree, edits: int) -> float:
    """Median seconds of one ``set_target`` on an input, through the public API."""
    tree.arrays()
    rng = random.Random(1)
    inputs = tree.inputs()
    times = []
    for _ in range(edits):
        metric = rng.choice(inputs)
        x = rng.uniform(0.5, 2.0)
        start = time.perf_counter()
        tree.set_target(metric, x)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--periods", type=int, default=36)
    parser.add_argument("--scenarios", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--cells", type=int, default=20, help="cells timed for the naive loop")
    args = parser.parse_args()

    print(f"machine: {platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}, numpy {np.__version__}")
    print(f"layout: {args.periods} periods x {args.scenarios} scenarios "
          f"(+ actual and plan = {args.scenarios + 2} layers)\n")
    print(f"{'metrics':>8} {'ours (ms)':>10} {'floor (ms)':>11} {'ours/floor':>11} "
          f"{'per-cell loop (s)':>18} {'loop/ours':>10}")
    for n in args.sizes:
        tree = KPITree.from_dict(synthetic_spec(n, periods=args.periods,
                                                scenarios=args.scenarios, seed=n))
        ours, floor = full_recompute(tree, args.repeat)
        cells = args.periods * (args.scenarios + 2)
        loop = per_cell_loop(tree, args.cells) * cells
        print(f"{n:>8} {ours * 1e3:>10.1f} {floor * 1e3:>11.1f} {ours / floor:>11.2f} "
              f"{loop:>18.1f} {loop / ours:>10.0f}")
    small = KPITree.from_dict(synthetic_spec(1000, periods=args.periods,
                                             scenarios=args.scenarios, seed=1000))
    edit = incremental_edit(small, 300)
    ours_small, _ = full_recompute(small, 3)
    print(f"\none input edit, 1,000 metrics, incremental (median of 300): {edit * 1e3:.3f} ms "
          f"(full recompute {ours_small * 1e3:.1f} ms, {ours_small / edit:.0f}x more)")


if __name__ == "__main__":
    main()
