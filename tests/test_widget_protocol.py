"""Protocol v2 of the tree view, from Python's side: the structure is sent when it changes, the
numbers as deltas naming only what changed, each request gets its own answer, and every message
matches the declared models (``kpitree_widget.protocol``) and the committed JSON Schema."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

import kpitree_widget as kt
from kpitree_widget import protocol
from kpitree_widget.numbers import format_number
from kpitree_widget.widget import TreeWidget, tree_data
from test_widget import Recorder, bundle, make, periodic_spec  # noqa: F401  (fixture)

sys.path.insert(0, str(Path(__file__).parent / "e2e"))
from e2e_trees import big_spec, deepest_input

REPO = Path(__file__).resolve().parents[1]
NUMBER_KEYS = ("value", "target", "implied_target", "explicit_target", "variance",
               "variance_pct", "change", "status", "findings")


def by_id(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["id"]: m for m in data["metrics"]}


def numbers_of(data: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    """Each metric's numbers (and findings) in a ``tree_data``."""
    return {m["id"]: tuple(m[k] for k in NUMBER_KEYS) for m in data["metrics"]}


def whole(widget: TreeWidget) -> dict[str, Any]:
    """What the whole tree looks like now, computed from scratch with ``tree.rollup()``."""
    return tree_data(widget.tree, period=widget.period or None,
                     scenario=widget.scenario or None, focus=widget.focus)


# ---------------------------------------------------------------------- the numbers delta


def test_a_leaf_edit_sends_only_the_metrics_whose_numbers_changed():
    tree, rec = make()
    before = numbers_of(whole(rec.widget))
    rec.edit("signup_rate", "3%")
    after = numbers_of(whole(rec.widget))
    moved = {m for m in after if after[m] != before[m]}
    assert moved == {"signup_rate", "new_customers", "customers", "revenue"}  # not arpc, ...
    (delta,) = rec.deltas()
    assert set(delta["metrics"]) == moved
    assert delta["metrics"]["revenue"]["target"] == pytest.approx(
        float(tree.rollup().loc["revenue", "target"]))


def test_the_delta_carries_pythons_text_of_each_number():
    _, rec = make()
    rec.edit("arpc", "$130")
    numbers = rec.deltas()[0]["metrics"]
    revenue = by_id(rec.widget.tree_data)["revenue"]
    assert numbers["revenue"]["text"]["target"] == format_number(revenue["target"], "currency")
    assert numbers["arpc"]["text"]["target"] == "$130"


def test_edits_kept_incrementally_match_a_full_recompute():
    """Values, targets, a computed metric's own target, periods and scenarios: after each,
    what the widget holds equals ``tree.rollup()`` computed from scratch."""
    tree, rec = make(periodic_spec())
    w = rec.widget
    steps: list[Any] = [
        lambda: rec.edit("website_visitors", "58k"),
        lambda: rec.edit("website_visitors", "47k", field="value"),
        lambda: rec.edit("revenue", "$700k"),
        lambda: rec.update(period="2026-01"),
        lambda: rec.edit("signup_rate", "2.8%"),
        lambda: rec.update(scenario="upside"),
        lambda: rec.edit("signup_rate", "3.3%"),
        lambda: tree.set_value("arpc", 118),
        lambda: rec.request("solve", {"metric": "revenue", "lever": "arpc"}),
    ]
    for step in steps:
        step()
        assert numbers_of(w.tree_data) == numbers_of(whole(w))


def test_each_card_gets_its_change_since_the_period_before():
    tree, rec = make(periodic_spec())
    numbers = rec.widget.structure["numbers"]["metrics"]
    assert numbers["website_visitors"]["change"] == pytest.approx(50000 / 48000 - 1)
    assert numbers["website_visitors"]["text"]["change"] == "+4.2%"
    revenue = [float(tree.rollup(period=p).loc["revenue", "value"]) for p in tree.periods]
    assert numbers["revenue"]["change"] == pytest.approx(revenue[1] / revenue[0] - 1)
    assert numbers["arpc"]["change"] == 0  # the same actual in both months
    rec.edit("website_visitors", "60k", field="value")
    (delta,) = rec.deltas()
    assert delta["metrics"]["website_visitors"]["change"] == pytest.approx(0.25)
    rec.update(period="2026-01")  # the first month: nothing before it
    first = rec.widget.structure["numbers"]["metrics"]
    assert all(n["change"] is None and n["text"]["change"] == "" for n in first.values())


def test_a_number_edit_never_resends_the_structure_but_a_period_does():
    _, rec = make(periodic_spec())
    key = rec.widget.structure["key"]
    rec.edit("website_visitors", "61k")
    assert "structure" not in {k for u in rec.updates() for k in u}
    rec.update(period="2026-01")
    (sent,) = [u["structure"] for u in rec.updates() if "structure" in u]
    assert sent["key"] > key and sent["period"] == "2026-01"
    # the snapshot inside is the numbers of the new period
    assert sent["numbers"]["metrics"]["website_visitors"]["target"] == 55000


def test_a_2000_metric_leaf_edit_sends_a_few_kilobytes():
    spec = big_spec(2000)
    _, rec = make(spec)
    rec.edit(deepest_input(spec), "250")
    sent = len(json.dumps([m for m in rec.sent]))
    assert rec.widget.error == {}
    structure = len(json.dumps(rec.widget.structure))
    assert sent < structure / 100, f"{sent} bytes for one edit, the structure is {structure}"


# ---------------------------------------------------------------------- late views, answers


def test_a_view_joining_late_gets_every_number():
    tree, rec = make()
    snapshot = rec.widget.structure["numbers"]
    rec.edit("arpc", "130")
    tree.set_value("website_visitors", 52000)
    # a second display: it has the structure trait's snapshot, older than the deltas since
    answer = rec.request("snapshot", {"revision": snapshot["revision"],
                                      "structure": rec.widget.structure["key"]})
    numbers = answer["numbers"]
    assert answer["ok"] and numbers["revision"] == rec.widget.revision
    assert numbers["base"] is None
    assert {m: tuple(n[k] for k in NUMBER_KEYS) for m, n in numbers["metrics"].items()} == (
        numbers_of(whole(rec.widget)))
    # a view that is up to date is told so, without the numbers
    current = rec.request("snapshot", {"revision": rec.widget.revision,
                                       "structure": rec.widget.structure["key"]})
    assert current == {"ok": True, "revision": rec.widget.revision, "error": None,
                       "numbers": None}


def test_each_request_gets_its_own_answer_and_a_failed_one_its_structured_error():
    tree, rec = make(periodic_spec())
    rec.custom({"kind": "anywidget-command", "id": "a", "name": "edit",
                "msg": {"metric": "arpc", "field": "target", "text": "131"}})
    rec.custom({"kind": "anywidget-command", "id": "b", "name": "edit",
                "msg": {"metric": "signup_rate", "field": "target", "text": "12 apples",
                        "period": "2026-01"}})
    answers = rec.answers()
    assert answers["a"] == {"ok": True, "revision": answers["a"]["revision"], "error": None}
    assert answers["b"]["ok"] is False
    error = answers["b"]["error"]
    assert (error["metric"], error["field"], error["period"], error["text"]) == (
        "signup_rate", "target", "2026-01", "12 apples")
    assert "'12 apples' is not a number" in error["message"]
    assert tree.get_target("arpc")["2026-02"] == 131  # the period shown
    assert rec.widget.error == error  # the error trait shows it in every view


@pytest.mark.parametrize("msg", [
    "not an object",
    {"metric": "arpc"},
    {"metric": "arpc", "field": "target", "text": "1", "colour": "red"},
    {"metric": 7, "field": "target", "text": "1"},
])
def test_a_malformed_request_is_an_error_in_the_view_not_a_traceback(msg):
    tree, rec = make()
    before = tree.to_dict()
    answer = rec.request("edit", msg)
    assert answer["ok"] is False and answer["error"]["message"]
    assert rec.widget.error == answer["error"]
    assert tree.to_dict() == before


def test_an_unknown_request_name_is_answered_too():
    _, rec = make()
    answer = rec.request("explode", {})
    assert answer["ok"] is False and "unknown type 'explode'" in answer["error"]["message"]


def test_a_bare_edit_message_still_works():
    tree, rec = make()
    rec.custom({"type": "edit", "metric": "arpc", "field": "target", "text": "132"})
    assert tree.get_target("arpc") == 132 and rec.widget.error == {}


def test_errors_say_where_as_data():
    with pytest.raises(kt.KPITreeError) as caught:
        kt.numbers.parse_number("abc", "percent", where="metrics.x.target", metric="x",
                                field="target")
    assert (caught.value.metric, caught.value.field, caught.value.period) == ("x", "target", None)
    assert str(caught.value).startswith("metrics.x.target: ")
    assert isinstance(caught.value, ValueError)


# ---------------------------------------------------------------------- one declaration


def test_every_message_sent_matches_the_declared_models():
    tree, rec = make(periodic_spec())
    protocol.Structure.model_validate(rec.widget.structure)
    rec.edit("website_visitors", "61k")
    rec.edit("website_visitors", "nope")
    rec.request("snapshot", {})
    tree.set_target("arpc", 127)
    for delta in rec.deltas():
        protocol.Numbers.model_validate(delta)
    for answer in rec.answers().values():
        protocol.Answer.model_validate(answer)
    protocol.ErrorInfo.model_validate(rec.widget.error)


def test_the_committed_schema_is_the_models_schema():
    committed = protocol.SCHEMA_FILE.read_text()
    assert committed == protocol.schema_text(), (
        "protocol.schema.json is stale: run python -m kpitree_widget.protocol")


def test_the_protocol_doc_names_every_field_of_the_schema():
    doc = (REPO / "docs" / "widget-protocol.md").read_text()
    defs = protocol.json_schema()["$defs"]
    missing = []
    for name, model in defs.items():
        if name not in doc:
            missing.append(name)
        for field in model.get("properties", {}):
            if not re.search(rf"`{re.escape(field)}`|\"{re.escape(field)}\"", doc):
                missing.append(f"{name}.{field}")
    assert not missing, f"docs/widget-protocol.md does not document: {missing}"


def test_refresh_sends_what_changed_behind_the_trees_back():
    tree, rec = make()
    rec.widget.refresh()
    assert rec.deltas() == []  # nothing changed: nothing to send
    before = numbers_of(rec.widget.tree_data)
    tree.tolerance = 0.5  # statuses move, and the tree tells no listener
    assert rec.deltas() == []
    rec.widget.refresh()
    after = numbers_of(whole(rec.widget))
    moved = {m for m in after if after[m] != before[m]}
    assert moved  # off track within 50% became at risk
    assert set(rec.deltas()[0]["metrics"]) == moved
    assert numbers_of(rec.widget.tree_data) == after


class NoteEveryEdit:
    """A stand-in health check with the incremental interface: one finding per edited metric."""

    def __init__(self, tree: Any) -> None:
        self.found: dict[str, list[Any]] = {}

    def reset(self) -> None:
        self.found = {}

    def by_metric(self) -> dict[str, list[Any]]:
        return self.found

    def update(self, event: dict[str, Any]) -> set[str]:
        metric = event["metric"]
        self.found[metric] = [{"rule": "test.edited", "severity": "info",
                               "message": f"{metric} was edited"}]
        self.found[""] = [{"rule": "test.any", "severity": "info", "message": "an edit"}]
        return {metric, ""}


def test_findings_that_change_after_an_edit_travel_in_the_delta(monkeypatch):
    from kpitree_widget import widget_health

    monkeypatch.setattr(widget_health, "incremental_check", NoteEveryEdit)
    _, rec = make()
    rec.edit("arpc", "130")
    (delta,) = rec.deltas()
    assert delta["metrics"]["arpc"]["findings"] == [
        {"rule": "test.edited", "severity": "info", "message": "arpc was edited"}]
    assert delta["findings"] == [{"rule": "test.any", "severity": "info", "message": "an edit"}]
    assert all(delta["metrics"][m]["findings"] == [] for m in delta["metrics"] if m != "arpc")
    assert rec.widget.tree_data["findings"] == delta["findings"]


def test_a_slow_health_check_waits_for_the_edits_to_pause(monkeypatch):
    """In a running kernel (an event loop), a slow check runs once the edits pause: the answers
    and the numbers go out at once, the changed findings follow in a delta of their own."""
    import asyncio
    import threading

    from kpitree_widget import widget as widget_module
    from kpitree_widget import widget_health

    monkeypatch.setattr(widget_health, "incremental_check", NoteEveryEdit)
    monkeypatch.setattr(widget_module, "FINDINGS_INLINE_SECONDS", -1.0)  # every check is slow
    monkeypatch.setattr(widget_module, "HEALTH_DELAY", 0.05)
    _, rec = make()

    async def story() -> None:
        rec.edit("arpc", "130")
        rec.edit("arpc", "131")
        assert [a["ok"] for a in rec.answers().values()] == [True, True]
        assert all(not d["metrics"]["arpc"]["findings"] for d in rec.deltas())
        await asyncio.sleep(0.2)

    # a loop of its own, in a thread of its own: another test (the browser's) may be running
    # an event loop in this thread already
    failures: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(story())
        except BaseException as exc:  # re-raised below, in the test's thread
            failures.append(exc)

    runner = threading.Thread(target=run)
    runner.start()
    runner.join(timeout=30)
    assert not runner.is_alive(), "the story did not finish"
    if failures:
        raise failures[0]
    last = rec.deltas()[-1]
    assert set(last["metrics"]) == {"arpc"}  # only the findings that changed
    assert last["metrics"]["arpc"]["findings"][0]["message"] == "arpc was edited"
    assert len(rec.deltas()) == 3  # two edits, then one check for both
