"""TreeWidget without a browser: messages go through ipywidgets' real comm entry point
(``Widget._handle_msg``, what the comm calls for every message from a view) and what the
widget sends back is captured at ``Widget._send``, the one way out to the views."""

from __future__ import annotations

import copy
import json
import math
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import traitlets

import kpitree_widget as kt
from kpitree_widget import widget as widget_module
from kpitree_widget.widget import TreeWidget, WidgetValueError

sys.path.insert(0, str(Path(__file__).parent / "e2e"))
from e2e_trees import HOSTILE_NAMES, hostile_spec, small_spec

PROTOCOL_KEYS = {"id", "name", "parent", "level", "children", "formula", "relation", "is_input",
                 "unit", "direction", "owner", "team", "cadence", "lag_days", "description",
                 "tags", "value", "target", "implied_target", "explicit_target", "variance",
                 "variance_pct", "status", "findings"}


@pytest.fixture(autouse=True)
def bundle(tmp_path_factory, monkeypatch):
    """These tests exercise Python only: without a built bundle, stand in a stub one."""
    if not widget_module.BUNDLE.is_file():
        folder = tmp_path_factory.mktemp("static")
        (folder / "widget.js").write_text("export default { render() {} };\n")
        (folder / "widget.css").write_text("")
        monkeypatch.setattr(widget_module, "BUNDLE", folder / "widget.js")
        monkeypatch.setattr(widget_module, "STYLES", folder / "widget.css")


class Recorder:
    """A widget plus every message it sends to its views."""

    def __init__(self, widget: TreeWidget) -> None:
        self.widget = widget
        self.sent: list[dict[str, Any]] = []
        self.requests = 0
        widget._send = lambda msg, buffers=None: self.sent.append(msg)

    def updates(self) -> list[dict[str, Any]]:
        """Trait updates sent (``{"error": ...}``, ``{"structure": ...}``)."""
        return [m["state"] for m in self.sent if m.get("method") == "update"]

    def deltas(self) -> list[dict[str, Any]]:
        """Numbers deltas sent."""
        return [m["content"] for m in self.sent
                if m.get("method") == "custom" and m["content"].get("kind") == "numbers"]

    def answers(self) -> dict[str, dict[str, Any]]:
        """Answers sent, by request id."""
        return {m["content"]["id"]: m["content"]["response"] for m in self.sent
                if m.get("method") == "custom"
                and m["content"].get("kind") == "anywidget-command-response"}

    def custom(self, content: Any) -> None:
        self.widget._handle_msg({"content": {"data": {"method": "custom", "content": content}},
                                 "buffers": []})

    def request(self, name: str, msg: Any) -> dict[str, Any]:
        """Send a request as the view does (anywidget's command message); its answer."""
        self.requests += 1
        rid = f"r{self.requests}"
        self.custom({"kind": "anywidget-command", "id": rid, "name": name, "msg": msg})
        return self.answers()[rid]

    def update(self, **state: Any) -> None:
        self.widget._handle_msg({"content": {"data": {"method": "update", "state": state}},
                                 "buffers": []})

    def edit(self, metric: str, text: Any, field: str = "target") -> dict[str, Any]:
        return self.request("edit", {"metric": metric, "field": field, "text": text})


def make(spec: dict[str, Any] | None = None) -> tuple[kt.KPITree, Recorder]:
    tree = kt.KPITree.from_dict(spec or small_spec())
    return tree, Recorder(TreeWidget(tree))


def row(widget: TreeWidget, metric: str) -> dict[str, Any]:
    return next(m for m in widget.tree_data["metrics"] if m["id"] == metric)


def without_revision(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "revision"}


def periodic_spec() -> dict[str, Any]:
    spec = small_spec()
    spec["metrics"]["website_visitors"]["value"] = {"2026-01": 48000, "2026-02": 50000}
    spec["metrics"]["website_visitors"]["target"] = {"2026-01": 55000, "2026-02": 60000}
    spec["scenarios"] = {"upside": {"signup_rate": 0.03}}
    return spec


# ---------------------------------------------------------------------- the data sent


def test_tree_data_follows_the_protocol():
    tree, rec = make()
    data = rec.widget.tree_data
    assert data["name"] == "Acme revenue" and data["root"] == "revenue"
    assert data["period"] is None and data["periods"] == [] and data["scenario"] is None
    assert [m["id"] for m in data["metrics"]] == list(tree.rollup().index)
    assert data["total_metrics"] == len(tree.metrics) == 8
    root = data["metrics"][0]
    assert set(root) >= PROTOCOL_KEYS
    assert root["children"] == ["customers", "arpc"] and root["parent"] is None
    assert root["relation"] == "product" and root["formula"] == "customers * arpc"
    assert root["value"] == pytest.approx(564000) and root["target"] == pytest.approx(681250)
    assert root["explicit_target"] is False and root["status"] == "off_track"
    leaf = row(rec.widget, "signup_rate")
    assert leaf["is_input"] is True and leaf["formula"] is None and leaf["implied_target"] is None
    assert leaf["parent"] == "new_customers" and leaf["level"] == 3
    json.dumps(data, allow_nan=False)  # plain JSON, no NaN


def test_nan_and_infinity_become_none():
    spec = {"metrics": {"ratio": {"formula": "a / b"}, "a": {"value": 1, "target": 2},
                        "b": {"value": 0, "target": 0}}}
    _, rec = make(spec)
    top = row(rec.widget, "ratio")
    assert top["value"] is None and top["target"] is None and top["status"] == "undefined"
    json.dumps(rec.widget.tree_data, allow_nan=False)


def test_hypotheses_and_links_are_sent():
    spec = small_spec()
    spec["metrics"]["onboarding"] = {"value": 0.6, "target": 0.7, "unit": "percent"}
    spec["hypotheses"] = [{"from": "onboarding", "to": "returning_customers", "sign": "+",
                           "note": "onboarded customers come back"}]
    _, rec = make(spec)
    assert rec.widget.tree_data["hypotheses"] == [
        {"from": "onboarding", "to": "returning_customers", "sign": "+",
         "note": "onboarded customers come back"}]
    assert row(rec.widget, "onboarding")["parent"] == "returning_customers"


def test_a_guard_metric_names_the_metric_it_keeps_in_check():
    spec = small_spec()
    spec["metrics"]["discount_share"] = {"value": 0.1, "target": 0.08, "unit": "percent",
                                         "guards": "arpc"}
    tree, rec = make(spec)
    guard = row(rec.widget, "discount_share")
    assert guard["guards"] == "arpc"
    assert guard["parent"] == "arpc" and guard["link"] == "guard"
    assert all(m["guards"] is None for m in rec.widget.tree_data["metrics"]
               if m["id"] != "discount_share")
    # a guard moved to another metric reaches the view with the new structure
    tree.update_metric("discount_share", guards="revenue")
    assert row(rec.widget, "discount_share")["guards"] == "revenue"
    tree.update_metric("discount_share", guards=None)
    assert row(rec.widget, "discount_share")["guards"] is None


def test_the_widget_wraps_the_model_and_shows_without_a_kernel():
    tree, rec = make()
    w = rec.widget
    assert w.tree is tree
    data, _meta = w._repr_mimebundle_()
    assert data["application/vnd.jupyter.widget-view+json"]["model_id"] == w.model_id
    assert data["text/plain"] == repr(tree)
    assert "<svg" in data["text/html"] and "Revenue" in data["text/html"]


def test_a_missing_bundle_says_how_to_build_it(monkeypatch, tmp_path):
    monkeypatch.setattr(widget_module, "BUNDLE", tmp_path / "nothing.js")
    with pytest.raises(RuntimeError, match="npm run build"):
        TreeWidget(kt.KPITree.from_dict(small_spec()))


def test_only_a_tree_is_accepted():
    with pytest.raises(kt.KPITreeError, match="expected a KPITree"):
        TreeWidget(small_spec())  # type: ignore[arg-type]


# ---------------------------------------------------------------------- edits


def test_an_edit_recalculates_and_answers_in_one_message():
    tree, rec = make()
    rec.edit("signup_rate", "3%")
    assert tree.get_target("signup_rate") == pytest.approx(0.03)
    expected = float(tree.rollup().loc["revenue", "target"])
    assert row(rec.widget, "revenue")["target"] == pytest.approx(expected)
    assert expected == pytest.approx((60000 * 0.03 + 4200 - 250) * 125)
    assert rec.widget.error == {}
    # no structure, no error: the numbers that moved, and Undo lights up (a first change)
    assert rec.updates() == [{"can_undo": True}]
    assert len(rec.deltas()) == 1 and rec.answers()["r1"]["ok"] is True


@pytest.mark.parametrize(("metric", "text", "expected"), [
    ("signup_rate", "12%", 0.12),
    ("signup_rate", "0.12", 0.12),
    ("website_visitors", "1.2k", 1200.0),
    ("arpc", "$1,200", 1200.0),
    ("website_visitors", " 70000 ", 70000.0),
    ("website_visitors", 65000, 65000.0),
])
def test_edits_read_numbers_as_people_type_them(metric, text, expected):
    tree, rec = make()
    rec.edit(metric, text)
    assert rec.widget.error == {}
    assert tree.get_target(metric) == pytest.approx(expected)
    assert row(rec.widget, metric)["target"] == pytest.approx(expected)


@pytest.mark.parametrize(("metric", "field", "text"), [
    ("signup_rate", "target", "abc"),
    ("signup_rate", "target", ""),
    ("signup_rate", "target", "   "),
    ("website_visitors", "target", "1e999"),
    ("website_visitors", "target", "-"),
    ("signup_rate", "target", "$5"),
    ("website_visitors", "target", "12%"),
    ("website_visitors", "target", None),
    ("website_visitors", "target", True),
    ("website_visitors", "target", [1]),
    ("website_visitors", "value", "NaN"),
    ("customers", "value", "5000"),
    ("website_visitors", "owner", "Bob"),
    ("no_such_metric", "target", "5"),
])
def test_a_bad_edit_shows_why_and_changes_nothing(metric, field, text):
    tree, rec = make()
    before, data_before = tree.to_dict(), copy.deepcopy(rec.widget.tree_data)
    rec.edit(metric, text, field=field)
    error = rec.widget.error
    assert error["metric"] == metric and error["field"] == field
    assert error["message"] and isinstance(error["message"], str)
    assert error["text"] == (text if isinstance(text, str) else None)
    assert tree.to_dict() == before
    assert without_revision(rec.widget.tree_data) == without_revision(data_before)
    assert [set(u) for u in rec.updates()] == [{"error"}] and rec.deltas() == []
    assert rec.answers()["r1"] == {"ok": False, "revision": rec.widget.revision, "error": error}


def test_a_good_edit_after_a_bad_one_clears_the_error_in_the_same_message():
    _, rec = make()
    rec.edit("signup_rate", "abc")
    rec.sent.clear()
    rec.edit("signup_rate", "2.6%")
    assert rec.widget.error == {}
    assert rec.updates() == [{"can_undo": True, "error": {}}] and len(rec.deltas()) == 1


def test_an_edit_that_changes_no_number_is_still_answered():
    _, rec = make()
    revision = rec.widget.revision
    answer = rec.edit("signup_rate", "0.025")  # the target it already has, typed another way
    assert answer == {"ok": True, "revision": revision, "error": None}
    # nothing moved: no numbers are sent (the edit is still a step Undo can take back)
    assert rec.deltas() == [] and rec.updates() == [{"can_undo": True}]


def test_value_edits_change_actuals():
    tree, rec = make()
    rec.edit("website_visitors", "55k", field="value")
    assert tree.get_value("website_visitors") == 55000
    assert row(rec.widget, "revenue")["value"] == pytest.approx(
        (55000 * 0.02 + 4000 - 300) * 120)


def test_deltas_chain_revision_by_revision():
    _, rec = make()
    start = rec.widget.structure["numbers"]["revision"]
    for i in range(5):
        rec.edit("website_visitors", str(61000 + i))
    assert [(d["base"], d["revision"]) for d in rec.deltas()] == [
        (start + i, start + i + 1) for i in range(5)]
    assert rec.widget.revision == start + 5


def test_explicit_target_on_a_computed_metric_and_solve():
    tree, rec = make()
    rec.edit("revenue", "$800k")
    top = row(rec.widget, "revenue")
    assert top["explicit_target"] is True and top["target"] == 800000
    assert top["implied_target"] == pytest.approx(681250)
    rec.custom({"type": "solve", "metric": "revenue", "lever": "website_visitors"})
    assert rec.widget.error == {}
    top = row(rec.widget, "revenue")
    assert top["implied_target"] == pytest.approx(800000)
    assert row(rec.widget, "website_visitors")["target"] == pytest.approx(
        tree.get_target("website_visitors"))
    assert (tree.get_target("website_visitors") * 0.025 + 4200 - 250) * 125 == pytest.approx(800000)


def test_solve_explains_what_is_missing():
    tree, rec = make()
    before = tree.to_dict()
    rec.custom({"type": "solve", "metric": "revenue", "lever": "website_visitors"})
    assert rec.widget.error["metric"] == "revenue"
    assert "target" in rec.widget.error["message"]
    rec.custom({"type": "solve", "metric": "customers", "lever": "arpc", "target": "9000"})
    assert "not under" in rec.widget.error["message"]
    assert tree.to_dict() == before


def test_unknown_messages_are_reported():
    _, rec = make()
    rec.custom({"type": "explode"})
    assert "unknown type" in rec.widget.error["message"]
    rec.widget._handle_msg({"content": {"data": {"method": "custom", "content": "text"}},
                            "buffers": []})
    assert rec.widget.error["message"]


# ---------------------------------------------------------------------- Python -> views


def test_a_change_made_in_python_reaches_the_view():
    tree, rec = make()
    tree.set_target("arpc", 130)
    assert row(rec.widget, "arpc")["target"] == 130
    assert row(rec.widget, "revenue")["target"] == pytest.approx((60000 * 0.025 + 3950) * 130)
    assert [sorted(d["metrics"]) for d in rec.deltas()] == [["arpc", "revenue"]]
    assert rec.updates() == [{"can_undo": True}]
    rec.sent.clear()
    tree.scenario("stretch", {"arpc": 140})
    assert rec.widget.tree_data["scenarios"] == ["stretch"]


def test_two_widgets_of_one_tree_stay_in_step():
    tree, first = make()
    second = Recorder(TreeWidget(tree))
    first.edit("arpc", "131")
    assert row(second.widget, "revenue") == row(first.widget, "revenue")
    assert len(first.deltas()) == 1 and len(second.deltas()) == 1
    assert first.deltas()[0]["metrics"] == second.deltas()[0]["metrics"]


def test_close_stops_following_the_tree():
    tree, rec = make()
    listeners = len(tree._listeners)
    rec.widget.close()
    assert len(tree._listeners) == listeners - 1
    tree.set_target("arpc", 130)  # no error, nothing sent to a closed widget
    assert rec.sent == []


# ---------------------------------------------------------------------- two-way traits


def test_selected_is_validated_and_reverted():
    _, rec = make()
    rec.update(selected="arpc")
    assert rec.widget.selected == "arpc" and rec.widget.error == {}
    rec.sent.clear()
    rec.update(selected="<nope>")
    assert rec.widget.selected == "arpc"
    assert "unknown metric" in rec.widget.error["message"]
    assert rec.widget.error["metric"] is None
    assert {"selected": "arpc"} in rec.updates()  # the view is told to go back
    with pytest.raises(kt.KPITreeError):
        rec.widget.selected = "nope"
    with pytest.raises(traitlets.TraitError):
        rec.widget.selected = "nope"
    assert rec.widget.selected == "arpc"


def test_selected_links_to_other_widgets():
    import ipywidgets

    _, rec = make()
    box = ipywidgets.Text()
    link = traitlets.link((rec.widget, "selected"), (box, "value"))
    rec.update(selected="customers")
    assert box.value == "customers"
    box.value = "arpc"
    assert rec.widget.selected == "arpc"
    link.unlink()


def test_period_picker_recomputes_and_edits_the_period_shown():
    tree, rec = make(periodic_spec())
    w = rec.widget
    assert w.tree_data["periods"] == ["2026-01", "2026-02"]
    assert w.tree_data["period"] == "2026-02"
    assert row(w, "website_visitors")["target"] == 60000
    rec.update(period="2026-01")
    assert w.tree_data["period"] == "2026-01" and w.error == {}
    assert row(w, "website_visitors")["target"] == 55000
    rec.edit("website_visitors", "56k")
    assert tree.get_target("website_visitors") == {"2026-01": 56000, "2026-02": 60000}
    rec.sent.clear()
    rec.update(period="2031-07")
    assert w.period == "2026-01" and "unknown period" in w.error["message"]
    assert {"period": "2026-01"} in rec.updates()
    with pytest.raises(WidgetValueError):
        w.period = "1999-01"


def test_scenario_picker_and_scenario_edits():
    tree, rec = make(periodic_spec())
    w = rec.widget
    rec.update(scenario="upside")
    assert w.tree_data["scenario"] == "upside"
    assert row(w, "signup_rate")["target"] == pytest.approx(0.03)
    plan_before = tree.get_target("signup_rate")
    rec.edit("signup_rate", "3.5%")
    assert w.error == {}
    assert tree.get_target("signup_rate") == plan_before  # the plan is untouched
    # the period shown (the last) gets the new number, the other keeps the scenario's
    assert tree.scenarios["upside"]["signup_rate"] == {"2026-01": 0.03, "2026-02": 0.035}
    rec.edit("revenue", "$1M")
    assert "switch to the plan" in w.error["message"]
    rec.update(scenario="pessimistic")
    assert w.scenario == "upside" and "unknown scenario" in w.error["message"]
    rec.update(scenario="")
    assert w.tree_data["scenario"] is None and w.error == {}
    # a scenario removed from Python: the view falls back to the plan
    rec.update(scenario="upside")
    tree.remove_scenario("upside")
    assert w.scenario == "" and w.tree_data["scenario"] is None
    assert w.tree_data["scenarios"] == []


# ---------------------------------------------------------------------- failures never lost


def test_a_raising_observer_shows_in_error():
    _, rec = make()

    def boom(change):
        raise RuntimeError("the linked chart broke")

    rec.widget.observe(boom, names="selected")
    rec.update(selected="arpc")
    assert rec.widget.error == {"metric": None, "field": None, "period": None, "text": None,
                                "message": "RuntimeError: the linked chart broke"}


def test_a_raising_tree_listener_shows_in_error_and_the_view_still_updates():
    tree, rec = make()

    def boom(event):
        raise ZeroDivisionError("listener of someone else")

    tree.on_change(boom)
    rec.edit("arpc", "130")
    assert rec.widget.error["metric"] is None
    assert "ZeroDivisionError" in rec.widget.error["message"]
    assert row(rec.widget, "arpc")["target"] == 130  # the change was made: show it


def test_a_failure_while_rebuilding_shows_in_error(monkeypatch):
    tree, rec = make()

    def broken(*args, **kwargs):
        raise MemoryError("numbers ran out")

    monkeypatch.setattr(widget_module.NumberTable, "compute", broken)
    tree.set_target("arpc", 130)
    assert rec.widget.error["message"] == "MemoryError: numbers ran out"


# ---------------------------------------------------------------------- hostile text


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attrs: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attrs.update(name for name, _ in attrs)

    def handle_data(self, data):
        self.text.append(data)


def test_hostile_names_are_plain_strings_in_data_and_escaped_in_html():
    _, rec = make(hostile_spec())
    for metric_id, name in HOSTILE_NAMES.items():
        assert row(rec.widget, metric_id)["name"] == name
    assert rec.widget.tree_data["name"] == "<script>alert('tree')</script>"
    html = rec.widget._repr_mimebundle_()[0]["text/html"]
    parser = _Tags()
    parser.feed(html)
    assert parser.tags <= {"div", "svg", "defs", "marker", "g", "title", "circle", "rect",
                           "text", "path"}
    assert not any(a.startswith("on") for a in parser.attrs)
    assert "<script" not in html and "<img" not in html and "<iframe" not in html
    text = "".join(parser.text)
    assert "<img src=x onerror=alert(1)>" in text  # shown as text, not markup
    assert "Pricing</b>" in text


def test_static_picture_truncates_big_trees_and_keeps_numbers():
    from e2e_trees import big_spec

    from kpitree_widget.static_view import static_html

    tree = kt.KPITree.from_dict(big_spec(400))
    html = static_html(tree, max_rows=50)
    assert html.count("<g data-metric=") == 50
    assert "and 350 more metrics" in html
    small = kt.KPITree.from_dict(small_spec())
    html = static_html(small)
    assert "$564k" in html and "$681k" in html and "off track" in html


def test_big_tree_edits_stay_fast():
    import time

    from e2e_trees import big_spec, deepest_input

    spec = big_spec(2000)
    tree, rec = make(spec)
    leaf = deepest_input(spec)
    start = time.perf_counter()
    rec.edit(leaf, "250")
    took = time.perf_counter() - start
    assert rec.widget.error == {}
    assert row(rec.widget, "m0")["target"] == pytest.approx(
        float(tree.rollup().loc["m0", "target"]))
    assert math.isfinite(row(rec.widget, "m0")["target"])
    assert took < 1.0, f"an edit on 2,000 metrics took {took:.2f} s"


@pytest.mark.slow
def test_nbconvert_html_shows_the_static_picture(tmp_path):
    """A notebook run without a browser and converted to HTML shows the tree, not a blank."""
    if not widget_module.BUNDLE.is_file():
        pytest.skip("needs the built bundle in the kernel (cd js && npm run build)")
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nbconvert = pytest.importorskip("nbconvert")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import kpitree_widget as kt\n"
        "tree = kt.KPITree.from_dict({'metrics': {"
        "'revenue': {'name': '<b>Revenue</b>', 'formula': 'customers * arpc'},"
        "'customers': {'value': 4700, 'target': 5000},"
        "'arpc': {'value': 120, 'target': 125, 'unit': 'currency'}}})\n"
        "kt.TreeWidget(tree)")]
    nbclient.NotebookClient(nb, kernel_name="python3", timeout=120, store_widget_state=False,
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    view, picture = nb.cells[0].outputs  # the view, then the picture as an output of its own
    assert {"text/plain", "application/vnd.jupyter.widget-view+json"} <= set(view["data"])
    assert picture["data"]["text/html"].startswith('<div class="kpitree-fallback">')
    html, _ = nbconvert.HTMLExporter().from_notebook_node(nb)
    assert 'class="kpitree-static"' in html
    assert "&lt;b&gt;Revenue&lt;/b&gt;" in html and "<b>Revenue</b>" not in html


def test_every_rule_of_the_views_stylesheets_is_closed():
    """An unclosed rule swallows every rule after it (browsers and esbuild both accept it)."""
    import re

    for css in sorted((Path(__file__).resolve().parent.parent / "js").glob("*.css")):
        text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group().count("\n"), css.read_text(),
                      flags=re.S)
        depth = 0
        for number, line in enumerate(text.splitlines(), 1):
            if line[:1] not in ("", " ", "}", "@") and depth:
                raise AssertionError(f"{css.name}:{number}: a rule starts inside another "
                                     f"(a '}}' is missing above): {line[:60]}")
            depth += line.count("{") - line.count("}")
        assert depth == 0, f"{css.name}: {depth} rule(s) left open"
