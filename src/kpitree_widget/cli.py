"""The ``kpitree`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def demo() -> int:
    """Show a built-in sample tree: its outline, a what-if and a back-solve."""
    from .catalog import load_archetype, names

    tree = load_archetype(names()[0])
    print(tree)
    print()
    leaf = tree.inputs()[0]
    before = tree.rollup().loc[tree.root, "target"]
    planned = tree.get_target(leaf)
    assert isinstance(planned, float)
    tree.set_target(leaf, planned * 1.1)
    after = tree.rollup().loc[tree.root, "target"]
    print(f"What if {tree.metrics[leaf].name} is planned 10% higher? "
          f"{tree.metrics[tree.root].name} target {before:,.0f} -> {after:,.0f}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kpitree", description="KPI trees from the shell.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="show a built-in sample tree")
    args = parser.parse_args(argv)
    if args.command == "demo":
        return demo()
    return 2  # pragma: no cover


if __name__ == "__main__":
    sys.exit(main())
