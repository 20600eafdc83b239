"""Building-call and undo benchmark: what the undo history costs a number edit, and what
structural edits and their undo cost, on generated trees of 10,000 metrics.

Run: ``.venv/bin/python benchmarks/edits.py`` (about a minute). In one run, on a generated tree
of 10,000 metrics over 12 periods and 3 scenarios:

(a) one leaf target edit (``tree.set_target``) with the history recording it, against the same
    edit with recording paused (the baseline: the edit as it was before undo existed); median
    of 300 edits each, interleaved so a noisy machine moves both sides, every leaf edited once
    before (its recompute path is worked out on first use);
(b) undo and redo of such an edit;
(c) structural calls (``update_metric``, ``add_driver``, ``rename_metric``) and their undo;
    median of 20;
(d) the memory one structural step keeps in the history (tracemalloc over 50 steps).

Ratios are against numbers measured in this same run.
"""

from __future__ import annotations

import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from kpitree_widget import KPITree
from kpitree_widget.synthetic import synthetic_spec

N_METRICS = 10_000
EDITS = 300
STRUCTURAL = 20


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms"


def main() -> None:
    tree = KPITree.from_dict(synthetic_spec(N_METRICS, periods=12, scenarios=3, seed=3))
    tree.rollup()  # the engine's arrays are built once; edits keep them up to date
    leaves = tree.inputs()[:EDITS]
    period = tree.periods[-1]
    with tree._history.paused():  # each leaf's recompute path is worked out on first use
        for leaf in leaves:
            tree.set_target(leaf, 1.0, period=period)
    with_history: list[float] = []
    without: list[float] = []
    for i, leaf in enumerate(leaves):
        x = 1.0 + i / 1000
        with_history.append(timed(lambda leaf=leaf, x=x: tree.set_target(leaf, x,
                                                                          period=period)))
        with tree._history.paused():
            without.append(timed(lambda leaf=leaf, x=x: tree.set_target(leaf, x + 1,
                                                                         period=period)))
    undo = [timed(tree.undo) for _ in range(100)]
    redo = [timed(tree.redo) for _ in range(100)]
    edit, base = statistics.median(with_history), statistics.median(without)

    rows: list[tuple[str, float, float]] = []
    parents = [m for m in tree.metrics if tree.children(m)][:STRUCTURAL]
    for name, call in (
        ("update_metric (owner)", lambda i: tree.update_metric(parents[i], owner=f"o{i}")),
        ("add_driver", lambda i: tree.add_driver(parents[i], f"new_{i}", "+", value=1,
                                                 target=1)),
        ("rename_metric", lambda i: tree.rename_metric(leaves[i], f"renamed_{i}")),
    ):
        calls = [timed(lambda i=i, call=call: call(i)) for i in range(STRUCTURAL)]
        undos = [timed(tree.undo) for _ in range(STRUCTURAL)]
        rows.append((name, statistics.median(calls), statistics.median(undos)))

    small = KPITree.from_dict(synthetic_spec(1_000, periods=12, scenarios=3, seed=3))
    small.rollup()
    small_parent = next(m for m in small.metrics if small.children(m))
    small_add = statistics.median(
        timed(lambda i=i: small.add_driver(small_parent, f"new_{i}", "+", value=1, target=1))
        for i in range(STRUCTURAL))
    small_undo = statistics.median(timed(small.undo) for _ in range(STRUCTURAL))

    tracemalloc.start()
    start, _ = tracemalloc.get_traced_memory()
    for i in range(50):
        tree.update_metric(parents[i % len(parents)], owner=f"m{i}")
    end, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    per_step = (end - start) / 50

    print(f"# {platform.processor() or platform.machine()}, Python "
          f"{sys.version.split()[0]}, {N_METRICS:,} metrics x 12 periods x 3 scenarios")
    print("| edit | with undo history | history paused (before) | ratio |")
    print("|---|---:|---:|---:|")
    print(f"| leaf target, median of {EDITS} | {ms(edit)} | {ms(base)} | {edit / base:.2f} |")
    print(f"\nundo of a target edit: {ms(statistics.median(undo))}, redo: "
          f"{ms(statistics.median(redo))} (median of 100)\n")
    print(f"| structural call, median of {STRUCTURAL} | call | undo |")
    print("|---|---:|---:|")
    for name, call_s, undo_s in rows:
        print(f"| {name} | {ms(call_s)} | {ms(undo_s)} |")
    print(f"| add_driver on 1,000 metrics | {ms(small_add)} | {ms(small_undo)} |")
    print(f"\nmemory kept per structural step: {per_step / 1024:.0f} KiB "
          f"(a full history of 200 such steps: {per_step * 200 / 2**20:.0f} MiB)")


if __name__ == "__main__":
    main()
