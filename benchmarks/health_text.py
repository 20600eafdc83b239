"""Health check on hostile text: ``tree.check()`` of a small sound tree whose owner, name or
description is 20 kB or 1 MB of text built to make backtracking patterns retry every split
(runs of blanks, of separators, of the words the rules look for), against the same tree with
plain text, measured in the same run.

Run: ``.venv/bin/python benchmarks/health_text.py`` (a few seconds). The promise is that no
check of text up to 1 MB takes more than 1 s; the table shows how far under it each case is.
"""

from __future__ import annotations

import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import kpitree_widget as kt
from kpitree_widget.health import words

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from test_health_hostile import _hostile_spec  # noqa: E402

CASES = {"blanks": " ", "' and'": " and", "' +'": " +", "' ltv'": " ltv", "' team'": " team"}
FIELDS = ("owner", "name", "description")
SIZES = (20_000, 1_000_000)


def check_time(spec: dict[str, Any]) -> float:
    """Median of 3 first checks, each of a fresh tree with the text cache emptied."""
    runs = []
    for _ in range(3):
        tree = kt.KPITree.from_dict(spec)
        words._text.cache_clear()
        start = time.perf_counter()
        tree.check()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    print(f"CPython {platform.python_version()}, {platform.machine()}")
    base = check_time(_hostile_spec("owner", "Head of Demand Gen", "leads"))
    print(f"baseline (plain owner): {base * 1e3:.1f} ms")
    print("| field | text | size | check | / baseline |")
    print("|---|---|---:|---:|---:|")
    worst = 0.0
    for field in FIELDS:
        for label, piece in CASES.items():
            for size in SIZES:
                text = "Head" + piece * (size // len(piece)) + "!"
                took = check_time(_hostile_spec(field, text, "leads"))
                worst = max(worst, took)
                print(f"| {field} | {label} | {size:,} | {took * 1e3:.1f} ms | "
                      f"{took / base:.1f}x |")
    print(f"worst: {worst * 1e3:.1f} ms (promise: under 1,000 ms)")


if __name__ == "__main__":
    main()
