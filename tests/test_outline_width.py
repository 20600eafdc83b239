"""``print(tree)`` fits the width it has: names and owners are shortened with an ellipsis, never
wrapped in the middle of a word, in a terminal, a pipe and a notebook."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest

import kpitree_widget as kt
from kpitree_widget.outline import DEFAULT_WIDTH, outline_text, output_width
from notebooks import execute, text_of


def owners_shown(text: str, tree: Any) -> list[tuple[str, str]]:
    """(owner shown, the metric's full owner) for every line that shows one."""
    rows = tree.rollup()
    out = []
    for line, (_, owner) in zip(text.splitlines()[1:], rows["owner"].items()):
        if line.endswith(")") and isinstance(owner, str):
            out.append((line[line.rindex("  (") + 3: -1], owner))
    return out


def test_every_archetype_fits_the_width_with_whole_or_ellipsised_words() -> None:
    for name in kt.archetypes():
        tree = kt.archetype(name)
        for width in (60, 80, 120):
            text = outline_text(tree, width=width)
            assert max(len(line) for line in text.splitlines()) <= width, (name, width)
            for shown, owner in owners_shown(text, tree):
                assert shown == owner or (shown.endswith("…")
                                          and owner.startswith(shown[:-1])), (name, shown)


def test_a_long_owner_is_shortened_not_wrapped_at_a_notebooks_width() -> None:
    tree = kt.archetype("b2b_plg")
    text = outline_text(tree, width=80)
    root_line = text.splitlines()[1]
    assert "Chief Product Officer" in tree.metrics[tree.root].owner  # type: ignore[operator]
    assert root_line.endswith("…)") and "(Chief" in root_line and len(root_line) <= 80
    wide = outline_text(tree, width=200)
    assert "(Chief Product Officer)" in wide.splitlines()[1]  # room enough: nothing is cut


def test_the_width_comes_from_columns_a_terminal_or_defaults_to_80(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    assert output_width() == 100
    monkeypatch.delenv("COLUMNS")
    monkeypatch.setattr(sys, "stdout", io.StringIO())  # a pipe, a file, a notebook's stream
    assert output_width() == DEFAULT_WIDTH == 80

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdout", Terminal())
    monkeypatch.setattr("shutil.get_terminal_size", lambda fallback: __import__(
        "os").terminal_size((120, 40)))
    assert output_width() == 120
    tree = kt.archetype("b2b_plg")
    assert max(len(line) for line in str(tree).splitlines()) <= 120


def test_print_tree_in_a_notebook_stays_within_80_columns(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import kpitree_widget as kt\ntree = kt.archetype('b2b_plg')\nprint(tree)")])
    out = text_of(execute(nb, tmp_path).cells[0])
    lines = out.rstrip("\n").splitlines()
    assert len(lines) == 1 + len(kt.archetype("b2b_plg").metrics)
    assert max(len(line) for line in lines) <= 80
    assert "(Chief" in lines[1]
