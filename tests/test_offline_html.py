"""An executed notebook still shows the tree without a kernel: ``jupyter nbconvert --execute
--to html`` (default settings) saves the widget's state, which its HTML cannot draw offline;
the static picture that follows the view is in that HTML, outside any script."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat

import kpitree_widget as kt

REPO = Path(__file__).resolve().parents[1]
CELL = ("import kpitree_widget as kt\n"
        "tree = kt.archetype('b2b_saas')\n"
        "w = kt.TreeWidget(tree)\n"
        "w")


def nbconvert_html(folder: Path, source: str = CELL) -> str:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path = folder / "tree.ipynb"
    nbformat.write(nb, path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(REPO / "src"), os.environ.get("PYTHONPATH", "")])}
    jupyter = Path(sys.executable).with_name("jupyter")
    subprocess.run([str(jupyter), "nbconvert", "--execute", "--to", "html", str(path)],
                   check=True, cwd=folder, env=env, capture_output=True, timeout=300)
    return (folder / "tree.html").read_text(encoding="utf-8")


def without_scripts(page: str) -> str:
    return re.sub(r"<script\b.*?</script>", "", page, flags=re.S)


def test_nbconvert_html_of_an_executed_notebook_shows_the_picture(tmp_path: Path) -> None:
    page = nbconvert_html(tmp_path)
    # the case at hand: the widget's state is saved and the widget view is what nbconvert picks
    assert 'type="application/vnd.jupyter.widget-state+json"' in page
    assert 'type="application/vnd.jupyter.widget-view+json"' in page
    shown = without_scripts(page)  # what a browser without the widget manager shows
    [picture] = re.findall(r'<div class="kpitree-fallback">.*?</svg></div></div>', shown,
                           flags=re.S)
    tree = kt.archetype("b2b_saas")
    assert set(re.findall(r'data-metric="([^"]+)"', picture)) == set(tree.metrics)
    for metric in tree.metrics.values():
        assert html.escape(metric.name, quote=True) in picture, metric.id
    assert "<script" not in picture and "http" not in picture.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")


def test_the_picture_follows_the_view_as_its_own_output(tmp_path: Path) -> None:
    from notebooks import execute

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CELL)])
    outputs = execute(nb, tmp_path).cells[0].outputs
    assert [sorted(o.data) for o in outputs] == [
        ["application/vnd.jupyter.widget-view+json", "text/plain"], ["text/html", "text/plain"]]
    assert outputs[0].data["text/plain"] == "TreeWidget('B2B SaaS subscription', 20 metrics)"
    assert outputs[1].data["text/html"].startswith('<div class="kpitree-fallback">')
    assert "B2B SaaS subscription" in outputs[1].data["text/plain"]  # the outline, for terminals
