"""Health check benchmark: keeping the findings up to date after an edit (``IncrementalCheck``)
against running the full check (``tree.check()``) again, measured in the same run.

Run: ``.venv/bin/python benchmarks/health.py`` (about a minute). On generated trees of 2,000 and
10,000 metrics, two kinds:

- ``widget``: the widget benchmark's tree (``tests/e2e/e2e_trees.py``: sums with a product every
  fifth node, four children per computed metric, an owner on every metric: few findings);
- ``random``: a ``tests/treegen.py`` tree (a DAG with every kind of formula, periods, scenarios,
  typed targets on computed metrics, awkward text) with guard pairs added: thousands of
  findings.

For each: the full check (median of 5), building the ``IncrementalCheck`` (one full check),
and the median ``update`` after one leaf target edit (median of 200 edits of the deepest leaf,
its target cycling through a new number, none and back, so findings come and go), with
``by_metric()`` and a scenario edit's and a bulk load's ``update`` for comparison. Every run
checks the findings against a full check at the end.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import kpitree_widget as kt
from kpitree_widget.health import IncrementalCheck

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "tests" / "e2e"))

from e2e_trees import big_spec  # noqa: E402

from treegen import make_spec  # noqa: E402

TARGET_MS = 10.0  # one leaf target edit's update on 10,000 metrics: well under this


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median_of(fn: Callable[[], Any], repeat: int) -> float:
    return statistics.median(timed(fn) for _ in range(repeat))


def random_tree(n: int, seed: int = 11) -> kt.KPITree:
    """A treegen tree with a guard on about one metric in a hundred."""
    spec = make_spec(n, seed)
    rng = random.Random(seed)
    ids = list(spec["metrics"])
    for guard in rng.sample(ids, n // 100):
        spec["metrics"][guard].update(kind="guard", guards=rng.choice(ids))
    return kt.KPITree.from_dict(spec)


def deepest_leaf(tree: kt.KPITree) -> str:
    plan = tree.compiled_plan
    return max(tree.inputs(), key=lambda m: len(plan.ancestors(m)))


def measure(tree: kt.KPITree, edits: int) -> dict[str, Any]:
    tree.arrays()
    tree.check()  # warm the caches a first check fills (words, compiled patterns)
    full = median_of(tree.check, 5)
    build_time = timed(lambda: IncrementalCheck(tree))
    check = IncrementalCheck(tree)
    leaf = deepest_leaf(tree)
    original = tree.get_target(leaf)
    cycle = [123.5, None, original]
    times, changed = [], 0
    for i in range(edits):
        tree.set_numbers("target", leaf, cycle[i % 3])  # the original may be per period
        start = time.perf_counter()
        changed += bool(check.update({"kind": "target", "metric": leaf}))
        times.append(time.perf_counter() - start)
    by_metric = median_of(check.by_metric, 20)
    inputs = tree.inputs()
    scenario_times = []
    for i in range(5):
        tree.scenario("bench", {inputs[i]: 1.5 + i})
        scenario_times.append(timed(lambda: check.update({"kind": "scenario", "metric": None})))
    tree.load_numbers("value", {m: 2.0 for m in inputs[:50]})
    data = timed(lambda: check.update({"kind": "data", "metric": None}))
    assert check.findings == tree.check(), "the incremental findings differ from a full check"
    return {"metrics": len(tree), "findings": len(check.findings), "full": full,
            "build": build_time, "update": statistics.median(times), "worst": max(times),
            "changed": changed / edits, "ancestors": len(tree.compiled_plan.ancestors(leaf)),
            "by_metric": by_metric, "scenario": statistics.median(scenario_times),
            "data": data}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=200, help="leaf edits per tree")
    args = parser.parse_args()
    print(f"CPython {platform.python_version()}, numpy {np.__version__}, "
          f"{platform.machine()}, kpitree_widget {kt.__version__}")
    rows = []
    for kind, make in (("widget", lambda n: kt.KPITree.from_dict(big_spec(n))),
                       ("random", random_tree)):
        for n in (2_000, 10_000):
            row = measure(make(n), args.edits)
            rows.append((kind, row))
            print(f"{kind} tree, {row['metrics']:,} metrics, {row['findings']:,} findings: "
                  f"full check {row['full'] * 1e3:.1f} ms; leaf target edit's update "
                  f"{row['update'] * 1e3:.3f} ms median (worst {row['worst'] * 1e3:.2f} ms, "
                  f"leaf with {row['ancestors']} ancestors, findings changed on "
                  f"{row['changed']:.0%} of edits): {row['full'] / row['update']:,.0f}x",
                  flush=True)
            print(f"    building the IncrementalCheck {row['build'] * 1e3:.1f} ms; by_metric() "
                  f"{row['by_metric'] * 1e3:.2f} ms; update after a scenario edit "
                  f"{row['scenario'] * 1e3:.3f} ms, after a bulk load {row['data'] * 1e3:.1f} ms")
    print()
    print("| tree | metrics | findings | full `tree.check()` | `update` after a leaf target edit"
          " | full / update | `by_metric()` | `update` after a scenario edit | after a bulk load |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for kind, r in rows:
        print(f"| {kind} | {r['metrics']:,} | {r['findings']:,} | {r['full'] * 1e3:.0f} ms | "
              f"{r['update'] * 1e3:.3f} ms | {r['full'] / r['update']:,.0f}x | "
              f"{r['by_metric'] * 1e3:.2f} ms | {r['scenario'] * 1e3:.3f} ms | "
              f"{r['data'] * 1e3:.0f} ms |")
    worst = max(r["update"] for _, r in rows if r["metrics"] == 10_000)
    verdict = "met" if worst < TARGET_MS / 1e3 else "MISSED"
    print(f"\ntarget: a leaf target edit's update on 10,000 metrics well under {TARGET_MS:g} ms: "
          f"{verdict} ({worst * 1e3:.3f} ms)")


if __name__ == "__main__":
    main()
