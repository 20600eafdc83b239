"""Regenerate ``examples/workshop.ipynb``: the B2B SaaS workshop notebook, without outputs.

    python examples/make_workshop.py                      # b2b_saas -> examples/workshop.ipynb
    python examples/make_workshop.py ecommerce out.ipynb  # any archetype, any path

The same file comes from the command line: ``kpitree new b2b_saas -o examples/workshop.ipynb -f``.
``tests/test_examples.py`` checks that the committed notebook is what this script writes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

import kpitree_widget as kt

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    name = argv[0] if argv else "b2b_saas"
    out = Path(argv[1]) if len(argv) > 1 else HERE / "workshop.ipynb"
    nb = kt.template(name)
    nbformat.validate(nb)
    nbformat.write(nb, str(out))
    print(f"wrote the {name} workshop notebook to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
