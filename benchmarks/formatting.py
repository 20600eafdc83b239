"""Number formatting benchmark: what the one formatter costs, per number and in a whole picture.

Run: ``.venv/bin/python benchmarks/formatting.py`` (a few seconds). One run:

(a) per number: ``format_number`` over 100,000 numbers of mixed units and magnitudes (compact,
    full and signed styles, and ``format_change``), against the cheapest formatting there is,
    Python's own ``f"{x:,.3g}"`` over the same numbers, measured in the same run;
(b) in a picture: the static SVG view and the Markdown outline of a generated tree of 2,000
    metrics, against the same calls with ``format_number`` / ``format_change`` swapped for
    that f-string, so the ratio is the share of a picture's time the formatter adds.

Ratios are against baselines measured in this same run.
"""

from __future__ import annotations

import platform
import random
import time
from collections.abc import Callable
from typing import Any
from unittest import mock

from kpitree_widget import numbers, static_view
from kpitree_widget.export import text
from kpitree_widget.numbers import format_change, format_number
from kpitree_widget.synthetic import synthetic_tree

UNITS = [None, "currency", "percent", "count", "days", "ratio", "hours"]


def best_of(fn: Callable[[], Any], repeat: int = 5) -> float:
    """Best wall time of ``repeat`` runs, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def plain(x: Any, unit: Any = None, style: Any = None) -> str:
    return f"{x:,.3g}"


def main() -> None:
    print(f"machine: {platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}")
    rng = random.Random(7)
    xs = [rng.choice([-1, 1]) * 10 ** rng.uniform(-4, 13) for _ in range(100_000)]
    units = [rng.choice(UNITS) for _ in xs]
    base = best_of(lambda: [plain(x) for x in xs])
    print(f"(a) baseline f'{{x:,.3g}}': {base / len(xs) * 1e6:.2f} us per number")
    for style in ("compact", "full", "signed"):
        ours = best_of(lambda s=style: [format_number(x, u, s) for x, u in zip(xs, units)])
        print(f"    format_number {style:<8} {ours / len(xs) * 1e6:.2f} us per number, "
              f"{ours / base:.1f}x the baseline")
    ours = best_of(lambda: [format_change(x) for x in xs])
    print(f"    format_change          {ours / len(xs) * 1e6:.2f} us per number, "
          f"{ours / base:.1f}x the baseline")

    tree = synthetic_tree(2000)
    tree.rollup()
    for name, draw, module in (("static SVG view", lambda: static_view.static_html(tree),
                                static_view),
                               ("Markdown outline", lambda: text.to_markdown(tree), text)):
        ours = best_of(draw, 3)
        with mock.patch.object(module, "format_number", plain), \
                mock.patch.object(module, "format_change", plain):
            cheap = best_of(draw, 3)
        print(f"(b) {name}, {len(tree)} metrics: {ours * 1e3:.0f} ms, with f-strings "
              f"{cheap * 1e3:.0f} ms: {ours / cheap:.2f}x")
    assert numbers.format_number is format_number  # nothing left patched


if __name__ == "__main__":
    main()
