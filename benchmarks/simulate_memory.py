"""Monte Carlo memory benchmark: peak memory of ``tree.simulate`` with every input uncertain.

Run: ``.venv/bin/python benchmarks/simulate_memory.py`` (under a minute). A generated tree of
1,000 metrics (668 inputs), one period, every input ``("normal", 1, 0.05)`` relative to its
plan, 200,000 draws. Each measurement runs in a fresh child process: its resident memory just
before ``simulate`` against its peak resident memory (``getrusage``) after ``simulate`` and
again after ``summary`` (which reads every input's draws).

``--compare main`` also measures the code of another git revision (its ``src/`` exported into
a temporary directory), so before and after come from the same run on the same machine. The
floor is the memory of the draws themselves: inputs x draws x 8 bytes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, resource, sys, time
from kpitree_widget.synthetic import synthetic_tree

def rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024

def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

metrics, draws = int(sys.argv[1]), int(sys.argv[2])
tree = synthetic_tree(metrics, seed=0)
inputs = [m for m, *_ in tree.outline() if tree.metrics[m].is_input]
every_input = {m: ("normal", 1.0, 0.05) for m in inputs}
tree.simulate(every_input, n=1_000, seed=0, relative=True)  # warm up: plan, caches, imports
before = max(rss_mb(), peak_mb())
start = time.perf_counter()
sim = tree.simulate(every_input, n=draws, seed=0, relative=True)
seconds = time.perf_counter() - start
after_simulate = peak_mb()
start = time.perf_counter()
summary = sim.summary
summary_seconds = time.perf_counter() - start
print(json.dumps({"inputs": len(inputs), "before": before, "simulate": after_simulate - before,
                  "summary": peak_mb() - before, "seconds": seconds,
                  "summary_seconds": summary_seconds,
                  "p50": float(summary.loc[tree.root, "p50"]),
                  "p90": float(summary.loc[tree.root, "p90"])}))
"""


def measure(src: Path, metrics: int, draws: int) -> dict[str, float]:
    """One child process with ``src`` first on its path; its numbers."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run([sys.executable, "-c", CHILD, str(metrics), str(draws)], env=env,
                         check=True, capture_output=True, text=True).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def export(revision: str, into: Path) -> Path:
    """The ``src/`` of ``revision`` written under ``into``."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "src"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "src"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--metrics", type=int, default=1_000)
    parser.add_argument("--draws", type=int, default=200_000)
    parser.add_argument("--compare", metavar="REVISION",
                        help="also measure this git revision, e.g. main")
    args = parser.parse_args()
    print(f"Python {platform.python_version()}, {platform.machine()}, "
          f"{os.cpu_count()} cores; {args.metrics:,} metrics, {args.draws:,} draws")
    runs = [("this tree", ROOT / "src")]
    with tempfile.TemporaryDirectory() as tmp:
        if args.compare:
            runs.insert(0, (args.compare, export(args.compare, Path(tmp))))
        results = [(name, measure(src, args.metrics, args.draws)) for name, src in runs]
    inputs = int(results[0][1]["inputs"])
    floor = inputs * args.draws * 8 / 2**20
    print(f"every one of {inputs} inputs uncertain; the draws alone: {floor:,.0f} MB")
    print(f"{'code':<12} {'simulate':>14} {'+ summary':>14} {'time':>8} {'summary':>8}  "
          "root p50, p90")
    for name, r in results:
        print(f"{name:<12} {r['simulate']:>11,.0f} MB {r['summary']:>11,.0f} MB "
              f"{r['seconds']:>7.1f}s {r['summary_seconds']:>7.1f}s  "
              f"{r['p50']:.6g}, {r['p90']:.6g}")
    if len(results) == 2:
        old, new = results[0][1], results[1][1]
        same = old["p50"] == new["p50"] and old["p90"] == new["p90"]
        print(f"peak during simulate: {old['simulate'] / new['simulate']:.1f}x lower; "
              f"same percentiles: {same}")


if __name__ == "__main__":
    main()
