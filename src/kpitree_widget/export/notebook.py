"""The tree as a notebook that rebuilds it: share a model as one ``.ipynb`` file.

The tree travels as a Python literal of ``tree.to_dict()`` (``repr`` of plain str, int, float,
bool, None, list and dict is always valid Python, whatever quotes, backslashes, triple quotes or
unicode the names hold), checked with ``ast.literal_eval`` before it is written. Should a tree
ever hold something else, the cell falls back to ``json.loads`` of the ``repr`` of its JSON text.
"""

from __future__ import annotations

import ast
import json
import math
from typing import TYPE_CHECKING, Any

from .text import escape_markdown

if TYPE_CHECKING:
    import nbformat

    from ..tree import Tree

WIDTH = 96


def tree_source(tree: Tree, variable: str = "tree") -> str:
    """Python source that rebuilds ``tree`` as ``variable`` (after ``import kpitree_widget as
    kt``)."""
    from ..io import tree_to_dict

    spec = tree_to_dict(tree)
    literal = python_literal(spec, column=len("spec = "))
    try:
        exact = ast.literal_eval(literal) == spec
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):  # pragma: no cover
        exact = False
    if not exact:  # pragma: no cover - to_dict gives plain data today
        text = json.dumps(spec, ensure_ascii=False, default=str)
        return f"import json\n\n{variable} = kt.KPITree.from_dict(json.loads({text!r}))"
    return f"spec = {literal}\n{variable} = kt.KPITree.from_dict(spec)"


def python_literal(data: Any, indent: int = 0, column: int | None = None) -> str:
    """Plain data (dict, list, str, int, float, bool, None) as a readable Python literal:
    four-space indents, containers that fit in the line on one line. Strings are ``repr``-ed,
    which is a valid literal for any text."""
    inline = _inline(data)
    start = indent if column is None else column
    if start + len(inline) <= WIDTH or not isinstance(data, (dict, list)) or not data:
        return inline
    pad = " " * (indent + 4)
    if isinstance(data, dict):
        items = []
        for k, v in data.items():
            key = _inline(k)
            items.append(f"{pad}{key}: {python_literal(v, indent + 4, len(pad) + len(key) + 2)}")
        return "{\n" + ",\n".join(items) + ",\n" + " " * indent + "}"
    items = [pad + python_literal(v, indent + 4) for v in data]
    return "[\n" + ",\n".join(items) + ",\n" + " " * indent + "]"


def _inline(data: Any) -> str:
    if isinstance(data, dict):
        return "{" + ", ".join(f"{_inline(k)}: {_inline(v)}" for k, v in data.items()) + "}"
    if isinstance(data, (list, tuple)):
        return "[" + ", ".join(_inline(v) for v in data) + "]"
    if data is None or isinstance(data, (bool, int, str)):
        return repr(data)
    if isinstance(data, float) and math.isfinite(data):
        return repr(data)
    raise TypeError(f"not plain data: {type(data).__name__}")


def to_notebook(tree: Tree, title: str | None = None) -> nbformat.NotebookNode:
    """An nbformat v4 notebook: an introduction, a cell that rebuilds exactly this tree as
    ``tree``, its outline and rollup, and (last) the interactive view ``kt.TreeWidget(tree)``.
    """
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    heading = title or tree.name or "KPI tree"
    root = tree.metrics[tree.root]
    intro = [f"# {escape_markdown(heading)}", ""]
    if tree.description:
        intro += [escape_markdown(tree.description), ""]
    intro += [
        f"A KPI tree of {len(tree)} metrics with **{escape_markdown(root.name)}** at the root. "
        "The next cell rebuilds the model as `tree`; edit it there (or in the view at the end) "
        "and run the cells again.",
    ]
    cells = [
        new_markdown_cell("\n".join(intro)),
        new_code_cell("import kpitree_widget as kt\n\n" + tree_source(tree)),
        new_markdown_cell("## The tree\n\nEach metric with its formula, value vs target and "
                          "owner:"),
        new_code_cell("print(tree)"),
        new_markdown_cell("## The numbers\n\nOne row per metric, root first: value, target, "
                          "variance and status."),
        new_code_cell("tree.rollup()"),
        new_markdown_cell("## The interactive view\n\nType a new target into a card (`12%`, "
                          "`1.2k`) and watch the tree recompute."),
        new_code_cell("kt.TreeWidget(tree)"),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.validate(nb)
    return nb
