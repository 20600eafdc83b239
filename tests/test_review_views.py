"""A review as a subtree: graphviz ``focus``, the widget's ``focus`` trait and the review's
``to_graphviz()`` / ``widget()``. The widget is driven through ipywidgets' real message entry
point with the helpers of ``test_widget``."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from typing import Any

import pytest

import kpitree_widget as kt
from kpitree_widget.export._common import STATUS_STYLE, wrap
from kpitree_widget.export.graphviz import CONTEXT_STYLE
from kpitree_widget.review import Review
from kpitree_widget.widget import TreeWidget, WidgetValueError
from test_export_graphviz import hostile_spec, svg_text
from test_review_cadence import period_spec
from test_widget import Recorder, bundle, make, row  # noqa: F401  (bundle: autouse fixture)

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz 'dot' is not installed")
SVG = "{http://www.w3.org/2000/svg}"


def expected_subtree(tree: kt.KPITree, ids: list[str]) -> set[str]:
    """The focus, every outline ancestor of it and the root, walked here independently."""
    parent = {m: p for m, p, _, _ in tree.outline()}
    out = {tree.root}
    for m in ids:
        node: str | None = m
        while node is not None:
            out.add(node)
            node = parent[node]
    return out


def svg_graph(svg: bytes) -> tuple[set[str], set[tuple[str, str]], dict[str, ET.Element]]:
    """The node ids, the edges (tail, head) and each node's group, read from dot's SVG."""
    root = ET.fromstring(svg)
    nodes: dict[str, ET.Element] = {}
    edges: set[tuple[str, str]] = set()
    for group in root.iter(f"{SVG}g"):
        title = group.find(f"{SVG}title")
        if title is None or title.text is None:
            continue
        if group.get("class") == "node":
            nodes[title.text] = group
        elif group.get("class") == "edge":
            tail, head = title.text.split("->")
            edges.add((tail, head))
    return set(nodes), edges, nodes


def shape_fill(group: ET.Element) -> str:
    shape = next(el for el in group.iter() if el.tag in (f"{SVG}path", f"{SVG}polygon"))
    return str(shape.get("fill")).upper()


def text_fills(group: ET.Element) -> set[str]:
    return {str(t.get("fill", "#000000")).upper() for t in group.iter(f"{SVG}text")}


# ---------------------------------------------------------------------- graphviz focus


@needs_dot
@pytest.mark.parametrize("name", kt.archetypes())
def test_weekly_review_draws_exactly_its_subtree(name: str) -> None:
    tree = kt.archetype(name)
    view = tree.review("weekly")
    assert view.metrics, "every archetype has something to look at weekly"
    expected = expected_subtree(tree, view.metrics)
    assert expected == set(view.subtree) and len(expected) < len(tree)

    nodes, edges, _ = svg_graph(tree.to_graphviz(focus=view.metrics).pipe(format="svg"))
    assert nodes == expected
    formula_edges = {(m, c) for m in expected for c in tree.metrics[m].children
                     if c in expected}
    assert formula_edges <= edges  # from each metric to its children
    # hypotheses and guards link their two ends (which way round the DOT edge is written
    # depends on where the outline places the driver or the guard)
    links = {frozenset((h.outcome, h.driver)) for h in tree.hypotheses
             if h.outcome in expected and h.driver in expected}
    links |= {frozenset((m.id, m.guards)) for m in tree.metrics.values()
              if m.guards in expected and m.id in expected}
    assert {frozenset(e) for e in edges - formula_edges} == links
    # the review's own picture is the same drawing
    assert svg_graph(view.to_graphviz().pipe(format="svg"))[:2] == (nodes, edges)


@needs_dot
def test_context_cards_are_muted_and_focus_cards_keep_their_status() -> None:
    tree = kt.archetype("b2b_saas")
    view = tree.review("weekly")
    _, _, groups = svg_graph(view.to_graphviz().pipe(format="svg"))
    status = tree.rollup()["status"]
    context = set(view.subtree) - set(view.metrics)
    assert tree.root in context and context
    for metric_id, group in groups.items():
        if metric_id in context:
            assert shape_fill(group) == CONTEXT_STYLE["fill"].upper()
            assert text_fills(group) == {CONTEXT_STYLE["text"].upper()}
            title = next(a for a in group.iter(f"{SVG}a"))
            assert "context" in next(v for k, v in title.attrib.items() if k.endswith("title"))
        else:
            style = STATUS_STYLE[status[metric_id]]
            assert shape_fill(group) == style["fill"].upper()
            assert CONTEXT_STYLE["text"].upper() not in text_fills(group)
    # the status is still written on a context card: colour is never the only signal
    source = view.to_graphviz().source
    line = next(s for s in source.splitlines() if s.strip().startswith(f"{tree.root} ["))
    assert STATUS_STYLE[status[tree.root]]["label"].upper() in line
    assert "penwidth=1" in line


def test_edges_into_context_are_muted_and_the_legend_says_so() -> None:
    tree = kt.archetype("b2b_saas")
    view = tree.review("weekly")
    source = view.to_graphviz(legend=True).source
    into_context = next(s for s in source.splitlines() if "arr -> new_arr" in s)
    assert CONTEXT_STYLE["edge"] in into_context
    into_focus = next(s for s in source.splitlines() if "new_customers -> win_rate" in s)
    assert CONTEXT_STYLE["edge"] not in into_focus
    assert "grey cards: context" in source
    assert "grey cards" not in tree.to_graphviz(legend=True).source


@needs_dot
def test_hostile_names_stay_text_with_a_focus(revenue_spec: dict[str, Any]) -> None:
    tree = kt.KPITree.from_dict(hostile_spec(revenue_spec))
    focus = ["signup_rate", "end", "node"]
    svg = tree.to_graphviz(focus=focus, fields=("value", "target", "owner", "formula"),
                           legend=True).pipe(format="svg")
    nodes, edges, _ = svg_graph(svg)
    nodes.discard("__legend")
    assert nodes == {"revenue", "customers", "new_customers", "signup_rate", "arpc", "end",
                     "node"}
    assert ("arpc", "end") in edges and ("arpc", "node") in edges
    assert ("new_customers", "website_visitors") not in edges
    tags = {el.tag.split("}")[-1] for el in ET.fromstring(svg).iter()}
    assert not tags & {"b", "script", "i", "end", "node", "img"}  # injected markup stayed text
    text = svg_text(svg)
    for metric_id in nodes:
        for line in wrap(tree.metrics[metric_id].name):
            assert line.strip() in text, line
    assert "<script>alert(1)</script>" in text and "<b>bold</b>" in text
    assert tree.metrics["website_visitors"].name not in text  # left out


def test_focus_options_and_errors(revenue_tree: Any) -> None:
    only_root = revenue_tree.to_graphviz(focus=[]).source
    assert "revenue [" in only_root and "->" not in only_root
    assert "customers [" not in only_root
    one = revenue_tree.to_graphviz(focus="signup_rate").source  # one id as a string
    assert "signup_rate [" in one and "website_visitors [" not in one
    assert "arpc [" not in one and "lost_customers [" not in one
    # max_level still applies inside the focus; "+N more" counts only metrics of the focus
    capped = revenue_tree.to_graphviz(focus=["signup_rate", "arpc"], max_level=1).source
    assert "new_customers [" not in capped and "signup_rate [" not in capped
    line = next(s for s in capped.splitlines() if s.strip().startswith("customers ["))
    assert "+2 more" in line
    with pytest.raises(kt.KPITreeError,
                       match=r"focus: unknown metrics 'signup_rat' \(did you mean "
                             r"'signup_rate'\?\), 'zzz'"):
        revenue_tree.to_graphviz(focus=["arpc", "signup_rat", "zzz"])
    with pytest.raises(kt.KPITreeError, match=r"focus: unknown metric 3"):
        revenue_tree.to_graphviz(focus=[3])
    with pytest.raises(kt.KPITreeError, match="expected a list of metric ids"):
        revenue_tree.to_graphviz(focus=5)


def test_review_picture_uses_the_review_period_and_title() -> None:
    tree = kt.KPITree.from_dict(period_spec())
    view = tree.review("quarterly", period="2026-03")
    source = view.to_graphviz().source
    assert "period 2026-03" in source and "Quarterly strategy review" in source
    assert source == tree.to_graphviz(period="2026-03", focus=view.metrics,
                                      title=f"{tree.name} · {view.title}").source
    assert "Plan" in view.to_graphviz(title="Plan").source
    assert "rankdir=LR" in view.to_graphviz(direction="LR").source


# ---------------------------------------------------------------------- the review object


def test_a_review_keeps_its_tree_and_its_table() -> None:
    tree = kt.archetype("b2b_saas")
    view = tree.review("monthly")
    assert view.tree is tree
    html = view._repr_html_()
    assert "<table" in html and "Monthly operating review" in html
    assert html.count("<tr") > len(view.metrics) and "<svg" not in html  # still the table
    assert all(tree.metrics[m].name in html for m in view.metrics)
    bare = Review("weekly", "Weekly", "x", None, view.table)
    with pytest.raises(kt.KPITreeError, match="no tree"):
        bare.to_graphviz()
    with pytest.raises(kt.KPITreeError, match="no tree"):
        bare.widget()


# ---------------------------------------------------------------------- widget focus


def ids(widget: TreeWidget) -> list[str]:
    return [m["id"] for m in widget.tree_data["metrics"]]


def test_review_widget_shows_the_subtree_with_context_marked() -> None:
    tree = kt.archetype("b2b_saas")
    view = tree.review("weekly")
    rec = Recorder(view.widget())
    w = rec.widget
    assert w.tree is tree and w.focus == view.metrics
    assert ids(w) == view.subtree  # outline order, root first
    assert ids(w)[0] == tree.root
    for m in w.tree_data["metrics"]:
        assert m["context"] is (m["id"] not in view.metrics)
        assert set(m["children"]) <= set(view.subtree)
        assert m["parent"] is None or m["parent"] in view.subtree
    assert row(w, "new_customers")["children"] == ["mqls", "mql_to_sql_rate",
                                                   "sql_to_opp_rate", "win_rate"]
    assert row(w, "acv")["children"] == ["discount_rate"]  # the formula has more; not shown
    assert {(h["from"], h["to"]) for h in w.tree_data["hypotheses"]} == {
        (h.driver, h.outcome) for h in tree.hypotheses
        if h.driver in view.subtree and h.outcome in view.subtree}
    json.dumps(w.tree_data, allow_nan=False)
    # without a focus every metric is sent, none of them context
    whole = TreeWidget(tree)
    assert whole.focus is None and ids(whole) == list(tree.rollup().index)
    assert not any(m["context"] for m in whole.tree_data["metrics"])


def test_focus_from_the_view_resends_the_data_and_unknown_ids_are_refused() -> None:
    tree, rec = make()
    w = rec.widget
    rec.update(focus=["signup_rate"])
    assert w.focus == ["signup_rate"] and w.error == {}
    assert ids(w) == ["revenue", "customers", "new_customers", "signup_rate"]
    assert any("structure" in u for u in rec.updates())
    assert [m["context"] for m in w.tree_data["metrics"]] == [True, True, True, False]
    assert row(w, "customers")["children"] == ["new_customers"]
    rec.sent.clear()
    rec.update(focus=["arpc", "<nope>"])
    assert w.focus == ["signup_rate"]
    assert "unknown metric '<nope>'" in w.error["message"] and w.error["metric"] is None
    assert {"focus": ["signup_rate"]} in rec.updates()  # the view is told to go back
    assert ids(w) == ["revenue", "customers", "new_customers", "signup_rate"]
    rec.update(focus=None)
    assert w.focus is None and ids(w) == list(tree.rollup().index) and w.error == {}


def test_focus_from_python_resends_the_data_and_raises_on_unknown_ids() -> None:
    _, rec = make()
    w = rec.widget
    w.focus = ["arpc", "lost_customers", "arpc"]
    assert w.focus == ["arpc", "lost_customers"]  # each id once
    assert ids(w) == ["revenue", "customers", "lost_customers", "arpc"]
    assert "structure" in rec.updates()[-1]
    with pytest.raises(kt.KPITreeError, match=r"unknown metric 'arcp' \(did you mean 'arpc'"):
        w.focus = ["arcp"]
    with pytest.raises(WidgetValueError):
        w.focus = ["nope"]
    assert w.focus == ["arpc", "lost_customers"]
    with pytest.raises(kt.KPITreeError, match="focus: unknown metric 'nope'"):
        TreeWidget(w.tree, focus=["nope"])
    w.focus = []
    assert ids(w) == ["revenue"] and row(w, "revenue")["children"] == []


def test_edits_on_shown_metrics_recalculate_and_keep_the_focus() -> None:
    tree, rec = make()
    w = rec.widget
    w.focus = ["signup_rate"]
    rec.sent.clear()
    rec.edit("signup_rate", "3%")
    assert w.error == {} and tree.get_target("signup_rate") == pytest.approx(0.03)
    assert ids(w) == ["revenue", "customers", "new_customers", "signup_rate"]
    assert row(w, "revenue")["target"] == pytest.approx(
        float(tree.rollup().loc["revenue", "target"]))
    history = {"can_undo", "can_redo"}  # the toolbar's undo state, not the tree's structure
    assert [u for u in rec.updates() if not set(u) <= history] == []
    assert len(rec.deltas()) == 1  # the numbers only
    assert set(rec.deltas()[0]["metrics"]) <= set(ids(w))  # never a metric not shown
    rec.edit("signup_rate", "abc")
    assert "not a number" in w.error["message"]
    assert ids(w) == ["revenue", "customers", "new_customers", "signup_rate"]
    tree.set_target("arpc", 130)  # a change made in Python still reaches the focused view
    assert row(w, "revenue")["target"] == pytest.approx(
        float(tree.rollup().loc["revenue", "target"]))
    assert "arpc" not in ids(w)


def test_focus_with_periods_and_the_static_picture() -> None:
    tree = kt.KPITree.from_dict(period_spec())
    view = tree.review("quarterly", period="2026-03")
    w = view.widget()
    assert w.period == "2026-03" and w.tree_data["period"] == "2026-03"
    assert ids(w) == view.subtree
    data, _meta = w._repr_mimebundle_()
    shown = set(re.findall(r'data-metric="([^"]+)"', data["text/html"]))
    assert shown == set(view.subtree)
    assert set(ids(Recorder(view.widget(focus=None)).widget)) == set(tree.metrics)
