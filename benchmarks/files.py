"""Tree file loading benchmark: ``kpitree_widget.loads`` of 1 MB YAML and JSON texts, against
the parsers' own safe loaders on the same text, measured in the same run.

Run: ``.venv/bin/python benchmarks/files.py`` (about half a minute). Three texts of about
1 MB each: a valid tree (19,000 metrics summed by one root), a flow list of 330,000 numbers in
``config``, and 100,000 config keys. Baselines: ``yaml.load`` with ``CSafeLoader`` (libyaml,
no checks) and with the pure-Python ``SafeLoader`` (what the package used before), and
``json.loads``. ``loads`` also refuses aliases, duplicate keys, deep nesting, ambiguous numbers
and values that are not data, and builds and checks the tree. Best of 3 runs each; the ratio
is ``loads`` / baseline.
"""

from __future__ import annotations

import contextlib
import json
import platform
import time
from collections.abc import Callable
from typing import Any

import yaml

import kpitree_widget as kt
from kpitree_widget import KPITreeError

MB = 1_000_000


def best_of(fn: Callable[[], Any], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        with contextlib.suppress(KPITreeError, yaml.YAMLError):
            fn()
        times.append(time.perf_counter() - start)
    return min(times)


def texts() -> dict[str, str]:
    n = MB // 40
    tree = {"metrics": {"total": {"formula": " + ".join(f"m{i}" for i in range(n))},
                        **{f"m{i}": {"value": i + 0.5, "owner": f"p{i}"} for i in range(n)}}}
    return {
        "valid tree": yaml.safe_dump(tree, sort_keys=False),
        "flow list": "metrics:\n  a: {}\nconfig:\n  x: [" + "1, " * (MB // 3) + "1]\n",
        "many keys": "metrics:\n  a: {}\nconfig:\n" + "".join(
            f"  k{i}: v\n" for i in range(MB // 10)),
    }


def main() -> None:
    print(f"Python {platform.python_version()}, PyYAML {yaml.__version__} "
          f"(libyaml: {yaml.__with_libyaml__})")
    print(f"{'text':12s} {'bytes':>9s} {'loads':>7s} {'libyaml':>8s} {'ratio':>6s} "
          f"{'pure':>7s} {'ratio':>6s}")
    for name, text in texts().items():
        ours = best_of(lambda t=text: kt.loads(t))
        c = best_of(lambda t=text: yaml.load(t, Loader=yaml.CSafeLoader))
        pure = best_of(lambda t=text: yaml.load(t, Loader=yaml.SafeLoader), repeat=1)
        print(f"{name:12s} {len(text):9,d} {ours:6.2f}s {c:7.2f}s {ours / c:6.2f} "
              f"{pure:6.2f}s {ours / pure:6.2f}")
    data = json.dumps(yaml.safe_load(texts()["valid tree"]))
    ours = best_of(lambda: kt.loads(data, fmt="json"))
    base = best_of(lambda: json.loads(data))
    print(f"{'json tree':12s} {len(data):9,d} {ours:6.2f}s {base:7.2f}s {ours / base:6.2f}")


if __name__ == "__main__":
    main()
