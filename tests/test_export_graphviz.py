"""Graphviz export: every name is text (never DOT syntax or markup), and `dot` draws it."""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from typing import Any

import pytest

import kpitree_widget as kt
from kpitree_widget.export._common import STATUS_STYLE, one_line, wrap
from kpitree_widget.export.graphviz import GraphvizMissing, render

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz 'dot' is not installed")

HOSTILE = {
    "revenue": 'Revenue "quoted" {braces} <b>bold</b> \\ back',
    "customers": "Line one\nline two\r\nthree\ttab",
    "new_customers": "Very long name " + "word " * 30 + "Supercalifragilisticexpialidocious" * 2,
    "website_visitors": "Umsatz je Kunde – 顧客 😀 € ü",
    "signup_rate": "<script>alert(1)</script> & &amp; &#0; ]]> <![CDATA[ x",
    "returning_customers": '"] ; evil [label="x" \\N \\G \\L \\" end',
    "lost_customers": "*bold* _it_ [link](http://x) | pipe `tick` $5 # hash ~strike~ %%{init}%%",
    "arpc": "#quot; #lt; &lt; ; A-->B end \x07 bell \u2028 sep",
}
HOSTILE_OWNER = 'CEO <ceo@example.com> & "Co" \\ {x}'


def hostile_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """The revenue tree with a hostile name on every metric, plus metrics whose ids are DOT and
    Mermaid keywords (node, edge, graph, end) and a hypothesis with a hostile note."""
    spec = copy.deepcopy(spec)
    spec["name"] = 'Acme "revenue" <i>tree</i> \\ {x} \'\'\' """'
    spec["description"] = "Triple '''quotes''' and \"\"\"more\"\"\", back\\slash\\n, ${x}, 😀"
    for metric_id, name in HOSTILE.items():
        spec["metrics"][metric_id]["name"] = name
        spec["metrics"][metric_id]["description"] = name + " — described"
    spec["metrics"]["revenue"]["owner"] = HOSTILE_OWNER
    arpc = spec["metrics"]["arpc"]
    del arpc["value"], arpc["target"]
    arpc["formula"] = "node * edge / graph"
    spec["metrics"]["node"] = {"name": "Node <node>", "value": 240, "target": 250,
                               "unit": "currency"}
    spec["metrics"]["edge"] = {"name": "Edge", "value": 1, "target": 1}
    spec["metrics"]["graph"] = {"name": "Graph", "value": 2, "target": 2}
    spec["metrics"]["end"] = {"name": "End </end>", "value": 3, "target": 4,
                              "owner": "Someone"}
    spec["hypotheses"] = [{"from": "end", "to": "arpc", "sign": "-",
                           "note": 'note "with" <tags> & \\ back'}]
    return spec


@pytest.fixture
def hostile_tree(revenue_spec: dict[str, Any]) -> Any:
    return kt.KPITree.from_dict(hostile_spec(revenue_spec))


def svg_text(svg: bytes) -> str:
    """All text drawn in an SVG, joined (parsing fails on malformed XML)."""
    root = ET.fromstring(svg)
    return " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))


@needs_dot
def test_hostile_names_render_to_valid_svg_png_pdf(hostile_tree: Any) -> None:
    dot = hostile_tree.to_graphviz(fields=("value", "target", "owner", "formula"),
                                   legend=True)
    result = subprocess.run(["dot", "-Tsvg"], input=dot.source.encode(), capture_output=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert b"syntax" not in result.stderr.lower() and b"error" not in result.stderr.lower()
    svg = result.stdout
    root = ET.fromstring(svg)  # well-formed XML
    tags = {el.tag.split("}")[-1] for el in root.iter()}
    assert not tags & {"b", "script", "i", "end", "node"}  # injected markup stayed text
    text = svg_text(svg)
    for metric in hostile_tree.metrics.values():
        for line in wrap(metric.name):
            assert line.strip() in text, line
    assert "<b>bold</b>" in text and "<script>alert(1)</script>" in text
    assert "\\N \\G \\L" in text  # graphviz escapes stay literal, not the node/graph name
    assert "\\ back" in text
    assert one_line(HOSTILE_OWNER) in text
    assert dot.pipe(format="png").startswith(b"\x89PNG")
    assert dot.pipe(format="pdf").startswith(b"%PDF")


@needs_dot
def test_contract_strings_are_in_the_svg(revenue_spec: dict[str, Any]) -> None:
    revenue_spec["metrics"]["arpc"]["name"] = 'ARPC "quoted" {braces} <b>bold</b> \\ back'
    svg = kt.KPITree.from_dict(revenue_spec).to_graphviz().pipe(format="svg").decode()
    assert "&lt;b&gt;bold&lt;/b&gt;" in svg
    assert "\\ back" in svg and "quoted" in svg


def test_long_names_wrap_and_long_words_break(hostile_tree: Any) -> None:
    source = hostile_tree.to_graphviz().source
    line = next(s for s in source.splitlines() if s.strip().startswith("new_customers ["))
    name_cell = re.search(r"<B><FONT POINT-SIZE=\"12\">(.*?)</FONT></B>", line).group(1)
    pieces = name_cell.split('<BR ALIGN="CENTER"/>')
    assert len(pieces) > 5
    assert all(len(p) <= 28 for p in pieces)


def test_nodes_are_coloured_by_status_and_say_it(revenue_tree: Any) -> None:
    source = revenue_tree.to_graphviz().source
    status = revenue_tree.rollup()["status"]
    for metric_id, st in status.items():
        line = next(s for s in source.splitlines() if s.strip().startswith(f"{metric_id} ["))
        assert f'fillcolor="{STATUS_STYLE[st]["fill"]}"' in line
        assert f'color="{STATUS_STYLE[st]["border"]}"' in line
        assert STATUS_STYLE[st]["label"].upper() in line  # colour is never the only signal


def test_edges_carry_how_the_child_enters_the_formula(revenue_spec: dict[str, Any]) -> None:
    revenue_spec["metrics"]["arpc"] = {"formula": "gross / (buyers * months)", "unit": "currency"}
    revenue_spec["metrics"].update({"gross": {"value": 1200, "target": 1200},
                                    "buyers": {"value": 5, "target": 5},
                                    "months": {"value": 2, "target": 2},
                                    "nps": {"value": 40, "target": 50}})
    revenue_spec["hypotheses"] = [{"from": "nps", "to": "returning_customers", "sign": "+"}]
    source = kt.KPITree.from_dict(revenue_spec).to_graphviz().source
    assert re.search(r'revenue -> customers \[label=" × "', source)
    assert re.search(r'customers -> returning_customers \[label=" \+ "', source)
    assert re.search(r'customers -> lost_customers \[label=" − "', source)
    assert re.search(r'arpc -> gross \[label=" × "', source)
    assert re.search(r'arpc -> buyers \[label=" ÷ "', source)
    hypothesis = next(s for s in source.splitlines() if "returning_customers -> nps" in s)
    assert "dashed" in hypothesis and "hypothesis +" in hypothesis


def test_keyword_ids_are_quoted(hostile_tree: Any) -> None:
    source = hostile_tree.to_graphviz().source
    for keyword in ("node", "edge", "graph"):
        assert f'\t"{keyword}" [label=' in source
    assert 'arpc -> "node"' in source


def test_max_level_collapses_with_a_count(revenue_tree: Any) -> None:
    source = revenue_tree.to_graphviz(max_level=1).source
    assert "website_visitors [" not in source and "new_customers [" not in source
    line = next(s for s in source.splitlines() if s.strip().startswith("customers ["))
    assert "+5 more" in line
    assert "+" not in next(s for s in source.splitlines() if s.strip().startswith("arpc ["))
    assert "customers -> new_customers" not in source
    only_root = revenue_tree.to_graphviz(max_level=0).source
    assert "+7 more" in only_root and "->" not in only_root


def test_options(revenue_tree: Any) -> None:
    assert "rankdir=LR" in revenue_tree.to_graphviz(direction="lr").source
    assert "rankdir=TB" in revenue_tree.to_graphviz().source
    with pytest.raises(kt.KPITreeError, match="direction"):
        revenue_tree.to_graphviz(direction="diagonal")
    with pytest.raises(kt.KPITreeError, match="fields"):
        revenue_tree.to_graphviz(fields=("value", "colour"))
    with pytest.raises(kt.KPITreeError, match="max_level"):
        revenue_tree.to_graphviz(max_level=-1)
    bare = revenue_tree.to_graphviz(fields=()).source
    assert "$564k" not in bare and "CEO" not in bare
    rich = revenue_tree.to_graphviz(fields=("value", "variance", "formula", "status")).source
    assert "$564k<" in rich and "customers * arpc" in rich and "vs target" in rich
    assert "__legend" in revenue_tree.to_graphviz(legend=True).source
    titled = revenue_tree.to_graphviz(title="Plan <2026>").source
    assert "Plan &lt;2026&gt;" in titled


def test_scenario_and_period(revenue_tree: Any) -> None:
    revenue_tree.scenario("upside", {"signup_rate": 0.04})
    source = revenue_tree.to_graphviz(scenario="upside").source
    assert "scenario upside" in source and "2% vs 4%" in source
    with pytest.raises(kt.KPITreeError):
        revenue_tree.to_graphviz(scenario="nope")


def test_findings_are_marked(revenue_spec: dict[str, Any]) -> None:
    del revenue_spec["metrics"]["arpc"]["owner"]
    tree = kt.KPITree.from_dict(revenue_spec)
    source = tree.to_graphviz(findings=True).source
    line = next(s for s in source.splitlines() if s.strip().startswith("arpc ["))
    assert "finding" in line and "penwidth=3.5" in line and "[error]" in line
    assert "finding" not in tree.to_graphviz().source

    class Note:
        rule, severity, metric, message = "x", "warning", "customers", "look <here>"

    source = tree.to_graphviz(findings=[Note()]).source
    line = next(s for s in source.splitlines() if s.strip().startswith("customers ["))
    assert "! 1 finding" in line and "look &lt;here&gt;" in line


@needs_dot
def test_render_files(revenue_tree: Any, tmp_path: Any) -> None:
    assert render(revenue_tree, tmp_path / "t.svg").read_bytes().lstrip().startswith(b"<")
    assert render(revenue_tree, tmp_path / "t.png").read_bytes().startswith(b"\x89PNG")
    assert render(revenue_tree, tmp_path / "t.pdf").read_bytes().startswith(b"%PDF")
    assert render(revenue_tree, tmp_path / "t.dot").read_text().startswith("digraph")
    with pytest.raises(kt.KPITreeError, match="picture type"):
        render(revenue_tree, tmp_path / "t.gif")


def test_missing_dot_says_how_to_install(revenue_tree: Any, tmp_path: Any,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    with pytest.raises(GraphvizMissing, match=r"apt-get install graphviz.*brew install graphviz"):
        render(revenue_tree, tmp_path / "t.svg")
    assert render(revenue_tree, tmp_path / "t.dot").exists()  # DOT source needs no binary


@needs_dot
def test_archetype_renders(tmp_path: Any) -> None:
    tree = kt.archetype(kt.archetypes()[0])
    svg = tree.to_graphviz(findings=True, legend=True).pipe(format="svg")
    text = svg_text(svg)
    for metric in tree.metrics.values():
        assert wrap(metric.name)[0] in text
