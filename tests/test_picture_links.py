"""Links drawn as what they are: hypothesis arrows point from the driver to what it moves; an
input shared by two formulas is linked to both; a guard is linked to the metric it guards, in
its own style, in graphviz, Mermaid, the static picture and the printed outline."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from typing import Any

import pytest

import kpitree_widget as kt
from kpitree_widget.rows import tree_rows
from kpitree_widget.static_view import static_html

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz 'dot' is not installed")
SVG = "{http://www.w3.org/2000/svg}"

LEARNING = {
    "name": "Language app",
    "metrics": {
        "weekly_learners": {"name": "Weekly learners",
                            "formula": "active_learners * streak_adoption"},
        "active_learners": {"name": "Active learners", "value": 40_000, "target": 42_000},
        "streak_adoption": {"name": "Streak adoption", "unit": "percent",
                            "value": 0.31, "target": 0.35},
        "minutes_per_learner": {"name": "Minutes per learner", "unit": "count",
                                "value": 12, "target": 15},
    },
    "hypotheses": [{"from": "minutes_per_learner", "to": "streak_adoption", "sign": "+",
                    "note": "longer sessions build the habit"}],
}

SHOP = {
    "name": "Shop",
    "metrics": {
        "profit": {"name": "Profit", "formula": "revenue - cost", "unit": "currency"},
        "revenue": {"name": "Revenue", "formula": "aov * orders", "unit": "currency"},
        "cost": {"name": "Cost", "formula": "orders * unit_cost", "unit": "currency"},
        "orders": {"name": "Orders", "value": 1000, "target": 1100},
        "aov": {"name": "Order value", "formula": "list_price * (1 - discount_rate)",
                "unit": "currency"},
        "list_price": {"name": "List price", "value": 50, "target": 50, "unit": "currency"},
        "discount_rate": {"name": "Discount rate", "value": 0.1, "target": 0.08,
                          "unit": "percent", "direction": "down", "kind": "guard",
                          "guards": "orders"},
        "unit_cost": {"name": "Unit cost", "value": 20, "target": 19, "unit": "currency"},
        "refund_rate": {"name": "Refund rate", "value": 0.02, "target": 0.02,
                        "unit": "percent", "direction": "down", "kind": "guard",
                        "guards": "revenue"},
    },
}


def svg_of(dot: Any) -> ET.Element:
    return ET.fromstring(dot.pipe(format="svg"))


def node_centres(root: ET.Element) -> dict[str, tuple[float, float]]:
    """Each graphviz node's centre, from the points of its outline."""
    out = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") != "node":
            continue
        title = g.find(f"{SVG}title")
        path = next(g.iter(f"{SVG}path"), None)
        assert title is not None and path is not None
        xy = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", path.get("d", ""))]
        xs, ys = xy[0::2], xy[1::2]
        out[str(title.text)] = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    return out


def edges_labelled(root: ET.Element, label: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == "edge"
            and any(label in (t.text or "") for t in g.iter(f"{SVG}text"))]


def arrow_tip(edge: ET.Element) -> tuple[float, float]:
    polygon = next(edge.iter(f"{SVG}polygon"), None)
    assert polygon is not None, "the link has no arrow head"
    xy = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", polygon.get("points", ""))]
    return sum(xy[0::2]) / len(xy[0::2]), sum(xy[1::2]) / len(xy[1::2])


def nearest(point: tuple[float, float], centres: dict[str, tuple[float, float]],
            among: tuple[str, str]) -> str:
    return min(among, key=lambda n: (centres[n][0] - point[0]) ** 2
               + (centres[n][1] - point[1]) ** 2)


# ---------------------------------------------------------------------------- hypotheses


@needs_dot
@pytest.mark.parametrize("direction", ["TB", "LR"])
def test_a_hypothesis_arrow_points_from_the_driver_to_what_it_moves(direction: str) -> None:
    tree = kt.KPITree.from_dict(LEARNING)
    root = svg_of(tree.to_graphviz(direction=direction))
    [edge] = edges_labelled(root, "hypothesis")
    ends = ("minutes_per_learner", "streak_adoption")
    assert nearest(arrow_tip(edge), node_centres(root), ends) == "streak_adoption"
    title = next(edge.iter(f"{SVG}a"), None)
    assert title is not None and "Minutes per learner is believed to move Streak adoption" in (
        title.get("{http://www.w3.org/1999/xlink}title") or "")


@needs_dot
def test_a_driver_placed_elsewhere_still_points_at_its_outcome() -> None:
    metrics = {k: v for k, v in LEARNING["metrics"].items() if k != "minutes_per_learner"}
    spec = {"metrics": metrics,
            "hypotheses": [{"from": "active_learners", "to": "streak_adoption", "sign": "+"}]}
    root = svg_of(kt.KPITree.from_dict(spec).to_graphviz())
    [edge] = edges_labelled(root, "hypothesis")
    ends = ("active_learners", "streak_adoption")
    assert nearest(arrow_tip(edge), node_centres(root), ends) == "streak_adoption"


def test_mermaid_writes_the_hypothesis_from_the_driver() -> None:
    text = kt.KPITree.from_dict(LEARNING).to_mermaid()
    assert '    m_minutes_per_learner -.->|"hypothesis +"| m_streak_adoption' in text
    assert "m_streak_adoption -.->" not in text


def test_the_static_picture_arrow_sits_at_the_outcome() -> None:
    html = static_html(kt.KPITree.from_dict(LEARNING))
    root = ET.fromstring(html)
    dashed = [p for p in root.iter(f"{SVG}path") if p.get("stroke-dasharray") == "3 3"]
    assert len(dashed) == 1 and dashed[0].get("marker-start") == "url(#kpitree-static-arrow)"
    outcome = root.find(f".//{SVG}g[@data-metric='streak_adoption']/{SVG}circle")
    assert outcome is not None
    start = re.match(r"M(\d+) (\d+)", dashed[0].get("d", ""))
    assert start and int(start.group(1)) == int(outcome.get("cx", "0"))  # starts at the outcome


# ---------------------------------------------------------------------------- shared inputs


def test_the_rows_know_a_shared_input_and_its_second_parent() -> None:
    rows = tree_rows(kt.KPITree.from_dict(SHOP))
    assert rows["orders"].parent == "revenue"
    [shared] = [x for x in rows.links if x.shared]
    assert (shared.source, shared.target) == ("cost", "orders")
    guards = {(x.source, x.target): x.outline for x in rows.links_of("guard")}
    assert guards == {("discount_rate", "orders"): False, ("refund_rate", "revenue"): True}


@needs_dot
def test_graphviz_links_a_shared_input_to_both_formulas() -> None:
    root = svg_of(kt.KPITree.from_dict(SHOP).to_graphviz())
    titles = {t.text for g in root.iter(f"{SVG}g") if g.get("class") == "edge"
              for t in g.findall(f"{SVG}title")}
    assert {"revenue&#45;&gt;orders", "cost&#45;&gt;orders"} <= titles or {
        "revenue->orders", "cost->orders"} <= titles
    tooltips = [a.get("{http://www.w3.org/1999/xlink}title") or ""
                for a in root.iter(f"{SVG}a")]
    assert any("Cost (product) ← Orders (shared: also used by Revenue)" in t for t in tooltips)


def test_mermaid_links_a_shared_input_to_both_formulas() -> None:
    text = kt.KPITree.from_dict(SHOP).to_mermaid()
    assert '    m_revenue -->|"×"| m_orders' in text and "m_aov -->" in text
    assert '    m_cost -->|"×"| m_orders' in text


def test_the_static_picture_draws_the_second_parents_link() -> None:
    root = ET.fromstring(static_html(kt.KPITree.from_dict(SHOP)))
    across = {(p.get("data-link"), p.get("data-from"), p.get("data-to"))
              for p in root.iter(f"{SVG}path") if p.get("data-link")}
    assert ("formula", "cost", "orders") in across
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert "Orders is shared: Cost uses it too" in titles
    assert any("also used by Cost (shared)" in (t or "") for t in titles)


def test_the_outline_says_where_else_a_shared_input_is_used() -> None:
    text = kt.KPITree.from_dict(SHOP).__repr__()
    [orders] = [line for line in text.splitlines() if "── Orders" in line]
    assert "(also in Cost)" in orders


# ---------------------------------------------------------------------------- guards


@needs_dot
def test_graphviz_links_each_guard_to_what_it_guards_in_its_own_style() -> None:
    dot = kt.KPITree.from_dict(SHOP).to_graphviz(legend=True)
    guard_lines = [line for line in dot.source.splitlines() if 'label=" guard "' in line]
    assert len(guard_lines) == 2
    assert all("style=dotted" in line and "dir=none" in line for line in guard_lines)
    assert any(line.strip().startswith("discount_rate -> orders") for line in guard_lines)
    assert any(line.strip().startswith("revenue -> refund_rate") for line in guard_lines)
    root = svg_of(dot)
    assert len(edges_labelled(root, "guard")) == 2
    assert "dotted = guard" in dot.source


def test_mermaid_links_each_guard_without_an_arrow() -> None:
    text = kt.KPITree.from_dict(SHOP).to_mermaid()
    assert '    m_orders -.-|"guard"| m_discount_rate' in text
    assert '    m_revenue -.-|"guard"| m_refund_rate' in text
    lines = text.splitlines()
    edges = [line for line in lines if re.match(r"    m_\w+ (-->|-\.->|-\.-)\|", line)]
    guard_positions = [str(i) for i, line in enumerate(edges) if '"guard"' in line]
    assert f"    linkStyle {','.join(guard_positions)} stroke:#5B5EA6" in text


def test_the_static_picture_draws_guards_dotted() -> None:
    root = ET.fromstring(static_html(kt.KPITree.from_dict(SHOP)))
    guard_paths = [p for p in root.iter(f"{SVG}path") if p.get("stroke") == "#5B5EA6"]
    assert len(guard_paths) == 2  # one placed under what it guards, one across the outline
    assert all(p.get("stroke-dasharray") == "1.5 3" for p in guard_paths)
    assert any(p.get("data-from") == "discount_rate" and p.get("data-to") == "orders"
               for p in guard_paths)


def test_every_archetype_draws_its_guards() -> None:
    for name in kt.archetypes():
        tree = kt.archetype(name)
        guards = {(m.id, m.guards) for m in tree.metrics.values() if m.guards}
        text = tree.to_mermaid()
        for guard, guarded in guards:
            assert f'    m_{guarded} -.-|"guard"| m_{guard}' in text, (name, guard)
        root = ET.fromstring(static_html(tree))
        assert len([p for p in root.iter(f"{SVG}path")
                    if p.get("stroke") == "#5B5EA6"]) == len(guards), name
