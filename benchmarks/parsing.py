"""Hostile text benchmark: the number parser behind every typed edit and the formula parser,
on adversarial text of 1 kB to 1 MB, against a plain input (``$1,200``, ``a + b``) measured in
the same run. Text over the length limits (100 characters for a number, 1,000 for a formula)
is refused before it is read; at the limits the parsers do their full, linear work.

Run: ``.venv/bin/python benchmarks/parsing.py`` (a few seconds). Each input is read or refused
(a ``KPITreeError``); the time is the median of 7 calls, the ratio is against the plain input.
The promise is that no input of up to 1 MB takes more than 1 s.
"""

from __future__ import annotations

import contextlib
import platform
import statistics
import time
from collections.abc import Callable

from kpitree_widget import KPITreeError
from kpitree_widget.formula import parse
from kpitree_widget.numbers import parse_number

SIZES = (100, 1_000, 100_000, 1_000_000)  # 100 and 1,000: the parsers' own length limits


def _median(call: Callable[[], object], repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        with contextlib.suppress(KPITreeError):
            call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _cases(size: int) -> dict[str, tuple[Callable[[str], object], str]]:
    blanks = " " * (size - 2)
    return {
        "number: '-' + blanks + '!'": (parse_number, "-" + blanks + "!"),
        "number: '- $' + blanks + '1 x!'": (parse_number, "- $" + " " * (size - 7) + "1 x!"),
        "number: digits and commas": (parse_number, ("1," * size)[:size - 1] + "!"),
        "formula: '(' * n": (parse, "(" * size),
        "formula: a + a + ...": (parse, ("a + " * size)[:size - 1] + "a"),
        "formula: fullwidth letters": (parse, "\uff41" * size),
    }


def main() -> None:
    print(f"CPython {platform.python_version()}, {platform.machine()}")
    base = {"number": _median(lambda: parse_number("$1,200", "currency"), 201),
            "formula": _median(lambda: parse("a + b"), 201)}
    print(f"baseline: parse_number('$1,200') {base['number'] * 1e6:.1f} us, "
          f"parse('a + b') {base['formula'] * 1e6:.1f} us")
    print(f"{'input':36} {'size':>9} {'time':>10} {'x baseline':>11}")
    worst = 0.0
    for size in SIZES:
        for name, (fn, text) in _cases(size).items():
            t = _median(lambda fn=fn, text=text: fn(text))
            worst = max(worst, t)
            ratio = t / base[name.split(":")[0]]
            print(f"{name:36} {size:>9,} {t * 1e3:>8.3f} ms {ratio:>10.1f}x")
    print(f"slowest: {worst * 1e3:.2f} ms (the promise: under 1,000 ms)")


if __name__ == "__main__":
    main()
