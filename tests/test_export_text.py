"""Markdown and Mermaid exports: hostile names stay literal text and the structure holds."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest

import kpitree_widget as kt
from kpitree_widget.export._common import one_line
from kpitree_widget.export.text import escape_markdown, escape_mermaid
from test_export_graphviz import HOSTILE, hostile_spec


@pytest.fixture
def hostile_tree(revenue_spec: dict[str, Any]) -> Any:
    return kt.KPITree.from_dict(hostile_spec(revenue_spec))


def markdown_html(text: str) -> str:
    mistune = pytest.importorskip("mistune")
    # escape=False: raw HTML passes through as HTML, as in Jupyter and GitHub (minus sanitising)
    return str(mistune.create_markdown(escape=False, plugins=["table"])(text))


def parse_html(fragment: str) -> ET.Element:
    """The rendered Markdown as XML (mistune writes XHTML-compatible tags apart from <br>)."""
    return ET.fromstring("<root>" + fragment.replace("<br>", "<br/>") + "</root>")


def text_of(element: ET.Element) -> str:
    return "".join(element.itertext())


# ---------------------------------------------------------------------------- Markdown


def test_markdown_outline(revenue_tree: Any) -> None:
    md = revenue_tree.to_markdown()
    lines = md.splitlines()
    dollar = "<span>&#36;</span>"  # a dollar that cannot open math
    assert lines[0] == (f"- **Revenue** = `customers * arpc` — {dollar}564k vs {dollar}681k, "
                        "off track (−17%) · CEO")
    assert lines[1].startswith("  - **Customers** = `new_customers + returning_customers")
    assert lines[3].startswith("      - **Website visitors** — 50k vs 60k")
    assert len(lines) == len(revenue_tree)


def test_markdown_hostile_names_are_text(hostile_tree: Any) -> None:
    md = hostile_tree.to_markdown(title=hostile_tree.name)
    page = markdown_html(md)
    root = parse_html(page)
    tags = [el.tag for el in root.iter()]
    assert "script" not in tags and "a" not in tags and "b" not in tags and "i" not in tags
    assert "del" not in tags and "table" not in tags
    assert all(text_of(em).startswith("(hypothesis") for em in root.iter("em"))  # ours only
    items = root.findall(".//li")
    assert len(items) == len(hostile_tree)
    shown = [text_of(li.find("strong")) for li in items]  # type: ignore[arg-type]
    expected = [one_line(hostile_tree.metrics[m].name) for m, *_ in hostile_tree.outline()]
    assert shown == expected
    assert text_of(root.find("h1")) == one_line(hostile_tree.name)  # type: ignore[arg-type]
    assert "$" not in md.replace("\\$", "")  # no bare dollar: Jupyter would read math
    hypothesis = next(li for li in items if "End" in text_of(li))
    assert "hypothesis −" in text_of(hypothesis)


def test_markdown_table(hostile_tree: Any) -> None:
    md = hostile_tree.to_markdown(table=True)
    lines = md.splitlines()
    assert lines[0].startswith("| Metric | Formula |")
    for line in lines:
        cells = re.split(r"(?<!\\)\|", line)
        assert len(cells) == 8, line  # 6 cells between 7 unescaped pipes
    root = parse_html(markdown_html(md))
    rows = root.findall(".//tbody/tr")
    assert len(rows) == len(hostile_tree)
    names = [text_of(r.findall("td")[0]).strip("\u2003 ") for r in rows]
    assert names[0] == one_line(HOSTILE["revenue"])
    assert text_of(rows[0].findall("td")[2]) == "$564k"


def test_escape_markdown_neutralises_every_special() -> None:
    raw = "a*b_c[d](e)<f>&g|h`i$j~k#l\\m!n\nsecond"
    out = escape_markdown(raw)
    bare = out.replace("<span>&#36;</span>", "").replace("<span>&#92;</span>", "")
    assert "\n" not in out and "<" not in bare and ">" not in bare
    assert re.search(r"(?<!\\)[*_\[\]|`$~#]", bare) is None
    assert text_of(parse_html(markdown_html(out))).strip() == one_line(raw)


# ---------------------------------------------------------------------------- Mermaid

NODE = re.compile(r'^    (m_[a-z][a-z0-9_]*)\["([^"]*)"\]$')
EDGE = re.compile(r'^    (m_[a-z][a-z0-9_]*) (-->|-\.->|-\.-)\|"([^"]*)"\| (m_[a-z][a-z0-9_]*)$')
LINKSTYLE = re.compile(r"^    linkStyle \d+(,\d+)* stroke:#[0-9A-F]{6},stroke-width:2px,"
                       r"stroke-dasharray:2 4,color:#[0-9A-F]{6}$")
CLASSDEF = re.compile(r"^    classDef st_[a-z_]+ fill:#[0-9A-F]{6},stroke:#[0-9A-F]{6},"
                      r"color:#[0-9A-F]{6},stroke-width:2px$")
CLASS = re.compile(r"^    class (m_[a-z0-9_]+(,m_[a-z0-9_]+)*) st_[a-z_]+$")
ENTITY = re.compile(r"#(quot|lt|gt|amp|\d+);")


def mermaid_decode(text: str) -> str:
    named = {"quot": '"', "lt": "<", "gt": ">", "amp": "&"}
    return ENTITY.sub(lambda m: named.get(m.group(1)) or chr(int(m.group(1))), text)


def validate_mermaid(text: str) -> dict[str, list[str]]:
    """A structural check of the flowchart: front matter, header, then only node, edge and
    class lines; labels hold no raw quotes or angle brackets (bar our own <br>), no `%%`; every
    edge joins declared nodes. Returns node id -> label lines (decoded)."""
    lines = text.splitlines()
    if lines[0] == "---":
        end = lines.index("---", 1)
        assert all(line.startswith("title: ") for line in lines[1:end])
        lines = lines[end + 1:]
    assert re.fullmatch(r"flowchart (TD|TB|LR|BT|RL)", lines[0])
    nodes: dict[str, list[str]] = {}
    for line in lines[1:]:
        assert "%%" not in line, line
        if (m := NODE.match(line)):
            label = m.group(2)
            assert m.group(1) not in nodes
            bare = ENTITY.sub("", label.replace("<br>", ""))
            assert not re.search(r'["<>`;#&]', bare), line
            nodes[m.group(1)] = [mermaid_decode(part) for part in label.split("<br>")]
        elif (m := EDGE.match(line)):
            assert m.group(1) in nodes and m.group(4) in nodes, line
        else:
            assert CLASSDEF.match(line) or CLASS.match(line) or LINKSTYLE.match(line), line
    return nodes


def test_mermaid_structure(revenue_tree: Any) -> None:
    text = revenue_tree.to_mermaid()
    nodes = validate_mermaid(text)
    assert set(nodes) == {f"m_{m}" for m in revenue_tree.metrics}
    assert nodes["m_revenue"] == ["Revenue", "$564k vs $681k", "off track (−17%)", "CEO"]
    assert '    m_customers -->|"−"| m_lost_customers' in text
    assert "class m_returning_customers,m_arpc st_at_risk" in text
    assert revenue_tree.to_mermaid(direction="LR").splitlines()[3] == "flowchart LR"
    with pytest.raises(kt.KPITreeError):
        revenue_tree.to_mermaid(direction="sideways")


def test_mermaid_hostile_names(hostile_tree: Any) -> None:
    text = hostile_tree.to_mermaid()
    nodes = validate_mermaid(text)
    for metric_id, metric in hostile_tree.metrics.items():
        assert nodes[f"m_{metric_id}"][0] == one_line(metric.name)  # decodes back exactly
    assert nodes["m_revenue"][-1] == one_line(hostile_tree.metrics["revenue"].owner)
    assert '    m_end -.->|"hypothesis −"| m_arpc' in text  # driver -> outcome; keyword prefixed
    assert "m_node" in nodes and "m_graph" in nodes


def test_escape_mermaid_round_trips() -> None:
    for raw in [*HOSTILE.values(), "%%{init: {'theme': 'dark'}}%%", "100% sure"]:
        out = escape_mermaid(raw)
        assert not re.search(r'["<>`;#&\n]', ENTITY.sub("", out)) and "%%" not in out
        assert mermaid_decode(out) == one_line(raw)
