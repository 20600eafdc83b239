"""tree.to_notebook(): a valid notebook whose code rebuilds exactly the tree, hostile text too."""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest

import kpitree_widget as kt
from kpitree_widget.export.notebook import python_literal, tree_source
from test_export_graphviz import hostile_spec

BUNDLE = Path(kt.__file__).parent / "static" / "widget.js"


def canonical(tree: Any) -> Any:
    return json.loads(json.dumps(tree.to_dict(), sort_keys=True, default=str))


def rebuild_in_process(nb: Any) -> Any:
    """Run the notebook's rebuild cell here (no kernel) and return its ``tree``."""
    cell = next(c for c in nb.cells if c.cell_type == "code" and "from_dict" in c.source)
    namespace: dict[str, Any] = {}
    exec(compile(cell.source, "<rebuild cell>", "exec"), namespace)  # our own generated code
    return namespace["tree"]


@pytest.fixture
def hostile_tree(revenue_spec: dict[str, Any]) -> Any:
    tree = kt.KPITree.from_dict(hostile_spec(revenue_spec))
    tree.set_target("signup_rate", 0.031)
    tree.scenario("upside \"q\" '''", {"signup_rate": 0.04})
    return tree


def test_notebook_shape(revenue_tree: Any) -> None:
    nb = revenue_tree.to_notebook()
    nbformat.validate(nb)
    assert nb.nbformat == 4
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# Acme revenue")
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert code[0].startswith("import kpitree_widget as kt\n")
    assert "tree.rollup()" in code
    assert code[-1] == "kt.TreeWidget(tree)"  # the view last
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert revenue_tree.to_notebook(title="Board <pack>").cells[0].source.startswith(
        "# Board &lt;pack&gt;")
    for source in code:
        compile(source, "<cell>", "exec")


def test_rebuild_cell_reproduces_the_tree(revenue_tree: Any, hostile_tree: Any) -> None:
    for tree in (revenue_tree, hostile_tree):
        rebuilt = rebuild_in_process(tree.to_notebook())
        assert canonical(rebuilt) == canonical(tree)
        assert rebuilt.to_dict() == tree.to_dict()


def test_hostile_title_and_description_stay_markdown_text(hostile_tree: Any) -> None:
    intro = hostile_tree.to_notebook().cells[0].source
    assert "<i>" not in intro and "&lt;i&gt;" in intro
    assert "<span>&#36;</span>" in intro and "$" not in intro


def test_python_literal_is_exact_for_awkward_strings() -> None:
    data = {"a": ["'''", '"""', "\\", "\\n", "\n", "\x00", "\u2028", "😀", "\ud800", "x" * 300],
            "b": {"nested": [1, 2.5, -0.0, 1e300, True, None]}, "": {}}
    text = python_literal(data)
    assert ast.literal_eval(text) == data
    assert max(len(line) for line in text.splitlines()) <= 96 or "x" * 300 in text


def test_tree_source_is_readable(revenue_tree: Any) -> None:
    source = tree_source(revenue_tree)
    assert source.startswith("spec = {\n    'schema': 1,\n")
    assert source.endswith("tree = kt.KPITree.from_dict(spec)")
    assert "'formula': 'customers * arpc'" in source


@pytest.mark.slow
def test_notebook_executes_in_a_kernel(hostile_tree: Any) -> None:
    """The whole notebook (the widget cell too, when the widget's bundle is built) runs in a
    fresh kernel and ends with exactly this tree."""
    from nbclient import NotebookClient

    nb = hostile_tree.to_notebook()
    if not BUNDLE.is_file():  # pragma: no cover - a checkout without `npm run build`
        nb.cells = nb.cells[:-1]
    nb.cells.append(nbformat.v4.new_code_cell(
        "import json, sys\nprint('PREFIX' + sys.prefix + 'PREFIX')\n"
        "print('TREE-JSON' + json.dumps(tree.to_dict(), sort_keys=True, default=str))"))
    NotebookClient(nb, kernel_name="python3", timeout=120).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    # the "python3" kernelspec must start this environment's Python (jupyter_client maps the
    # spec's bare "python" to sys.executable; a user-level python3 spec would shadow it)
    assert text.split("PREFIX")[1] == sys.prefix
    assert json.loads(text.split("TREE-JSON", 1)[1]) == canonical(hostile_tree)
