"""Workshop notebooks benchmark: what reading the content as data costs.

    .venv/bin/python benchmarks/workshops.py

Measures, for all eight archetypes, median of several rounds, each against a baseline timed in
the same run:
- reading and validating the eight workshop content files (YAML through the strict loader,
  then the pydantic schema), against reading and validating the eight archetype tree files
  the same way and building their trees (``kt.archetype``), which every notebook does anyway;
- building the eight notebooks (``kt.template``, content already read), against the same
  eight ``kt.archetype`` calls.
"""

from __future__ import annotations

import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import kpitree_widget as kt
from kpitree_widget.workshops import loader

ROUNDS = 15


def timed(fn: Callable[[], object], rounds: int = ROUNDS) -> float:
    """Median seconds of ``rounds`` calls of ``fn`` (one warm-up call first)."""
    fn()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def read_content() -> None:
    loader.content.cache_clear()
    for name in kt.archetypes():
        loader.content(name)


def read_trees() -> None:
    for name in kt.archetypes():
        kt.archetype(name)


def build_notebooks() -> None:
    for name in kt.archetypes():
        kt.template(name)


def main() -> int:
    names = kt.archetypes()
    trees = timed(read_trees)
    content = timed(read_content)
    notebooks = timed(build_notebooks)
    print(f"{len(names)} archetypes; CPython {platform.python_version()}, {ROUNDS} rounds, "
          "medians")
    print(f"{'':<48} {'time':>10} {'baseline: kt.archetype x8':>26} {'ratio':>7}")
    print(f"{'read + validate the 8 content files':<48} {content * 1e3:>8.1f} ms "
          f"{trees * 1e3:>23.1f} ms {content / trees:>7.2f}")
    print(f"{'kt.template x8 (content read once)':<48} {notebooks * 1e3:>8.1f} ms "
          f"{trees * 1e3:>23.1f} ms {notebooks / trees:>7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
