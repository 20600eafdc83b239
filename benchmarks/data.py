"""Data loading benchmark: ``tree.load_data`` of a long CSV (metric, period, value) against
``pandas.read_csv`` + ``pivot`` of the same file, measured in the same run.

Run: ``.venv/bin/python benchmarks/data.py`` (about half a minute). Generated trees of 100,
1,000 and 10,000 metrics (``synthetic_tree``), a number for every metric (inputs as values,
computed metrics as reported actuals) in each of 100 months: 10,000, 100,000 and 1,000,000
rows, shuffled. The floor reads the file and pivots it to a period x metric table, which is
what any loader must at least do; ``load_data`` also checks every cell, metric and period and
stores the numbers in the tree. Best of 3 runs each.

``--compare main`` also times the code of another git revision on the sizes up to
``--compare-rows`` (default 100,000: a loader that is quadratic in the number of metrics takes
minutes on the largest), each in a child process with that revision's ``src/`` on the path.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kpitree_widget import KPITree
from kpitree_widget.synthetic import synthetic_tree

ROOT = Path(__file__).resolve().parent.parent
PERIODS = 100

CHILD = r"""
import sys, time
from kpitree_widget.synthetic import synthetic_tree
metrics, path = int(sys.argv[1]), sys.argv[2]
best = float("inf")
for _ in range(int(sys.argv[3])):
    tree = synthetic_tree(metrics, seed=0)
    start = time.perf_counter()
    tree.load_data(path)
    best = min(best, time.perf_counter() - start)
print(best)
"""


def best_of(fn: Callable[[], Any], repeat: int, setup: Callable[[], Any] | None = None) -> float:
    """Best wall time of ``repeat`` runs of ``fn(setup())`` (setup not timed)."""
    times = []
    for _ in range(repeat):
        arg = setup() if setup else None
        start = time.perf_counter()
        fn(arg) if setup else fn()
        times.append(time.perf_counter() - start)
    return min(times)


def long_csv(tree: KPITree, path: Path, seed: int = 0) -> int:
    """Write a shuffled long table of every metric over ``PERIODS`` months; its row count."""
    rng = np.random.default_rng(seed)
    months = [f"{2020 + m // 12}-{m % 12 + 1:02d}" for m in range(PERIODS)]
    ids = list(tree.metrics)
    frame = pd.DataFrame({"metric": np.repeat(ids, PERIODS), "period": months * len(ids),
                          "value": rng.uniform(0.5, 2.0, len(ids) * PERIODS).round(6)})
    frame.iloc[rng.permutation(len(frame))].to_csv(path, index=False)
    return len(frame)


def export(revision: str, into: Path) -> Path:
    """The ``src/`` of ``revision`` written under ``into``."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "src"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "src"


def other_code(src: Path, metrics: int, path: Path, repeat: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run([sys.executable, "-c", CHILD, str(metrics), str(path), str(repeat)],
                         env=env, check=True, capture_output=True, text=True).stdout
    return float(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1_000, 10_000],
                        help="metrics per tree (x 100 months = rows)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--compare", metavar="REVISION", help="also time this git revision")
    parser.add_argument("--compare-rows", type=int, default=100_000)
    args = parser.parse_args()
    print(f"Python {platform.python_version()}, pandas {pd.__version__}, "
          f"{platform.machine()}, {os.cpu_count()} cores; best of {args.repeat}")
    header = f"{'rows':>10} {'metrics':>8} {'read_csv+pivot':>15} {'load_data':>10} {'ratio':>6}"
    print(header + (f" {args.compare:>10}" if args.compare else ""))
    with tempfile.TemporaryDirectory() as tmp:
        old_src = export(args.compare, Path(tmp)) if args.compare else None
        for metrics in args.sizes:
            tree = synthetic_tree(metrics, seed=0)
            path = Path(tmp) / f"long_{metrics}.csv"
            rows = long_csv(tree, path)

            def floor(path: Path = path) -> None:
                frame = pd.read_csv(path)
                frame.pivot(index="period", columns="metric", values="value")

            base = best_of(floor, args.repeat)
            ours = best_of(lambda fresh, path=path: fresh.load_data(path), args.repeat,
                           setup=tree.copy)
            line = (f"{rows:>10,} {metrics:>8,} {base:>14.3f}s {ours:>9.3f}s "
                    f"{ours / base:>5.2f}x")
            if old_src is not None:
                old = other_code(old_src, metrics, path, args.repeat) \
                    if rows <= args.compare_rows else None
                line += f" {old:>9.3f}s" if old is not None else f" {'skipped':>10}"
            print(line)


if __name__ == "__main__":
    main()
