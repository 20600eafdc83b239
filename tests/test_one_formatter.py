"""Every picture of a tree writes a number the same way: the outline, Markdown, Mermaid,
Graphviz, the static SVG view, the CLI's rollup table and the review tables all use
``format_number`` and ``format_change``."""

from __future__ import annotations

import html

import pytest

import kpitree_widget as kt
from kpitree_widget.cli import rollup_table
from kpitree_widget.export.graphviz import to_graphviz
from kpitree_widget.outline import outline_text
from kpitree_widget.static_view import static_html

TREE = {"metrics": {
    "revenue": {"formula": "customers * arpc * (1 - churn)", "unit": "currency",
                "cadence": "weekly"},
    "customers": {"value": 4700, "target": 5000, "unit": "count"},
    "arpc": {"value": 47.25, "target": 57, "unit": "currency"},
    "churn": {"value": 0.0196, "target": 0.025, "unit": "percent", "direction": "down"},
}}


def pictures(tree: kt.KPITree) -> dict[str, str]:
    return {
        "outline": outline_text(tree),
        # the text exports escape "$" so that no renderer reads it as math
        "markdown": tree.to_markdown().replace("<span>&#36;</span>", "$"),
        "mermaid": tree.to_mermaid().replace("#36;", "$"),
        "graphviz": html.unescape(to_graphviz(tree).source),
        "static view": html.unescape(static_html(tree)),
        "rollup table": rollup_table(tree),
    }


@pytest.mark.parametrize("text", ["$218k", "$278k", "4,700", "5,000", "$47.25", "$57",
                                  "1.96%", "2.5%"])
def test_a_number_reads_the_same_in_every_picture(text):
    tree = kt.KPITree.from_dict(TREE)
    missing = [name for name, shown in pictures(tree).items() if text not in shown]
    assert not missing, f"{text} is written differently in {missing}"


def test_a_variance_reads_the_same_in_every_picture_that_shows_one():
    tree = kt.KPITree.from_dict(TREE)
    shown = pictures(tree)
    for name in ("markdown", "mermaid", "graphviz", "static view", "rollup table"):
        assert "−22%" in shown[name], name          # revenue: 217,722 vs 277,875: −21.6%
        assert "−17%" in shown[name], name          # arpc: 47.25 vs 57: −17.1%
    review = tree.review("weekly")
    assert "−22%" in review._display().to_string()
