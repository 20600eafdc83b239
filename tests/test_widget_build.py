"""Building a tree from the view, Python's side: each building request (``update``,
``set_formula``, ``add_driver``, ``remove``, ``hypothesis``, ``undo``, ``redo``, ``save``) goes
through the widget's real comm entry point, is answered on its own, changes the tree exactly as
the same Python call would, and a refusal says where and why and changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import kpitree_widget as kt
from kpitree_widget import protocol
from kpitree_widget.widget import TreeWidget
from test_widget import Recorder, bundle  # noqa: F401  (fixture)


def start(tmp_path: Path | None = None) -> tuple[kt.KPITree, Recorder]:
    """A growth lead's first steps: a North Star with an owner, saved to a file."""
    tree = kt.KPITree.new("revenue", name="Revenue", unit="currency", owner="CEO")
    if tmp_path is not None:
        tree.save(tmp_path / "revenue.yaml")
    return tree, Recorder(TreeWidget(tree))


def structure(rec: Recorder) -> dict[str, dict[str, Any]]:
    return {m["id"]: m for m in rec.widget.structure["metrics"]}


def ok(answer: dict[str, Any]) -> dict[str, Any]:
    assert answer["ok"], answer["error"]
    protocol.Answer.model_validate(answer)
    return answer


def test_a_tree_is_built_from_the_view_one_request_at_a_time():
    tree, rec = start()
    ok(rec.request("add_driver", {"parent": "revenue", "metric": "customers",
                                  "name": "Customers"}))
    ok(rec.request("add_driver", {"parent": "revenue", "metric": "arpc", "op": "*"}))
    ok(rec.request("update", {"metric": "arpc", "field": "owner", "text": "Head of Sales"}))
    ok(rec.request("update", {"metric": "arpc", "field": "unit", "text": "currency"}))
    ok(rec.request("set_formula", {"metric": "customers", "text": "new + retained",
                                   "create_missing": True}))
    ok(rec.request("hypothesis", {"source": "arpc", "target": "retained", "sign": "-",
                                  "note": "price hurts retention"}))
    assert tree.metrics["revenue"].formula == "customers * arpc"
    assert tree.metrics["arpc"].owner == "Head of Sales"
    assert set(tree.children("customers")) == {"new", "retained"}
    shown = structure(rec)
    assert shown["revenue"]["formula"] == "customers * arpc"
    assert shown["customers"]["name"] == "Customers"
    assert shown["arpc"]["owner"] == "Head of Sales"
    assert rec.widget.structure["hypotheses"] == [
        {"from": "arpc", "to": "retained", "sign": "-", "note": "price hurts retention"}]
    protocol.Structure.model_validate(rec.widget.structure)
    assert rec.widget.can_undo and not rec.widget.can_redo


def test_a_driver_that_only_influences_its_parent_is_linked_by_a_hypothesis():
    tree, rec = start()
    ok(rec.request("add_driver", {"parent": "revenue", "metric": "nps", "name": "NPS",
                                  "link": "hypothesis"}))
    assert tree.metrics["revenue"].formula is None  # not in the math
    assert [(h.driver, h.outcome) for h in tree.hypotheses] == [("nps", "revenue")]
    assert structure(rec)["nps"]["link"] == "hypothesis"
    ok(rec.request("undo", {}))  # one step
    assert "nps" not in tree.metrics and list(tree.hypotheses) == []


def test_an_empty_field_clears_it():
    tree, rec = start()
    ok(rec.request("update", {"metric": "revenue", "field": "owner", "text": ""}))
    assert tree.metrics["revenue"].owner is None
    assert structure(rec)["revenue"]["owner"] is None


def test_a_new_metric_without_an_owner_is_flagged_at_once():
    _, rec = start()
    ok(rec.request("add_driver", {"parent": "revenue", "metric": "customers"}))
    numbers = rec.widget.structure["numbers"]["metrics"]
    assert "owner.missing" in [f["rule"] for f in numbers["customers"]["findings"]]
    assert "owner.missing" not in [f["rule"] for f in numbers["revenue"]["findings"]]


def test_a_bad_formula_is_refused_beside_the_formula_and_changes_nothing():
    tree, rec = start()
    ok(rec.request("add_driver", {"parent": "revenue", "metric": "customers"}))
    before, key = tree.to_dict(), rec.widget.structure["key"]
    answer = rec.request("set_formula", {"metric": "revenue", "text": "customers * custmers"})
    assert not answer["ok"]
    error = answer["error"]
    assert (error["metric"], error["field"]) == ("revenue", "formula")
    assert "custmers" in error["message"] and "customers" in error["message"]  # did you mean
    assert rec.widget.error == error
    assert tree.to_dict() == before
    assert rec.widget.structure["key"] == key  # no new structure sent


@pytest.mark.parametrize("name, msg, field", [
    ("update", {"metric": "revenue", "field": "direction", "text": "sideways"}, "direction"),
    ("add_driver", {"parent": "revenue", "metric": "Bad Id!"}, "id"),
    ("add_driver", {"parent": "nowhere", "metric": "customers"}, "id"),
    ("remove", {"metric": "revenue"}, "metric"),
    ("hypothesis", {"source": "revenue", "target": "revenue"}, "hypotheses"),
    ("set_formula", {"metric": "revenue", "text": "revenue + 1"}, "formula"),
])
def test_refusals_say_where_and_change_nothing(name, msg, field):
    tree, rec = start()
    before = tree.to_dict()
    answer = rec.request(name, msg)
    assert not answer["ok"], answer
    protocol.Answer.model_validate(answer)
    assert answer["error"]["field"] == field
    assert answer["error"]["message"]
    assert tree.to_dict() == before


def test_removing_a_driver_takes_it_out_of_its_parents_formula():
    tree, rec = start()
    for metric in ("customers", "arpc"):
        ok(rec.request("add_driver", {"parent": "revenue", "metric": metric, "op": "*"}))
    refused = rec.request("remove", {"metric": "arpc"})
    assert not refused["ok"] and "revenue" in refused["error"]["message"]  # its formula uses it
    rec.update(selected="arpc")
    ok(rec.request("remove", {"metric": "arpc", "parent": "revenue"}))
    assert "arpc" not in tree.metrics
    assert tree.metrics["revenue"].formula == "customers"
    assert "arpc" not in structure(rec)
    assert rec.widget.selected == ""  # the removed metric is no longer selected


def test_a_hypothesis_is_drawn_and_taken_away():
    tree, rec = start()
    ok(rec.request("add_driver", {"parent": "revenue", "metric": "onboarding"}))
    ok(rec.request("add_driver", {"parent": "revenue", "metric": "retention"}))
    ok(rec.request("hypothesis", {"source": "onboarding", "target": "retention"}))
    assert [(h.driver, h.outcome) for h in tree.hypotheses] == [("onboarding", "retention")]
    ok(rec.request("hypothesis", {"source": "onboarding", "target": "retention",
                                  "remove": True}))
    assert list(tree.hypotheses) == []
    assert rec.widget.structure["hypotheses"] == []


def test_undo_and_redo_from_the_view_return_to_each_state():
    tree, rec = start()
    states = [tree.to_dict()]
    steps = [
        ("add_driver", {"parent": "revenue", "metric": "customers"}),
        ("edit", {"metric": "customers", "field": "target", "text": "1.2k"}),
        ("update", {"metric": "customers", "field": "owner", "text": "VP Sales"}),
        ("set_formula", {"metric": "revenue", "text": "customers * arpc",
                         "create_missing": True}),
    ]
    for name, msg in steps:
        ok(rec.request(name, msg))
        states.append(tree.to_dict())
    for state in reversed(states[:-1]):
        ok(rec.request("undo", {}))
        assert tree.to_dict() == state
        assert {m["id"] for m in rec.widget.structure["metrics"]} == set(state["metrics"])
    assert not rec.widget.can_undo and rec.widget.can_redo
    refused = rec.request("undo", {})
    assert not refused["ok"] and refused["error"]["message"]
    for state in states[1:]:
        ok(rec.request("redo", {}))
        assert tree.to_dict() == state
    assert rec.widget.can_undo and not rec.widget.can_redo


def test_save_writes_the_file_and_says_which(tmp_path):
    tree, rec = start(tmp_path)
    assert rec.widget.file == str(tmp_path / "revenue.yaml")
    ok(rec.request("add_driver", {"parent": "revenue", "metric": "customers"}))
    answer = ok(rec.request("save", {}))
    assert answer["saved"] == str(tmp_path / "revenue.yaml")
    again = kt.load(tmp_path / "revenue.yaml")
    assert again.to_dict() == tree.to_dict()


def test_save_without_a_file_is_refused():
    _, rec = start()
    assert rec.widget.file == ""
    answer = rec.request("save", {})
    assert not answer["ok"] and "no file" in answer["error"]["message"]


def test_a_malformed_building_request_is_refused_like_a_bad_edit():
    _, rec = start()
    answer = rec.request("add_driver", {"parent": "revenue", "metric": "x", "op": "%"})
    assert not answer["ok"] and "op" in answer["error"]["message"]
    answer = rec.request("rename_everything", {})
    assert not answer["ok"] and "'set_formula'" in answer["error"]["message"]


# ---------------------------------------------------------------------- w.tree = other


def test_the_widget_can_be_given_another_tree_and_follows_it():
    first, rec = start()
    w = rec.widget
    w.selected = "revenue"
    key = w.structure["key"]
    second = kt.archetype("b2b_saas")
    w.tree = second
    assert w.tree is second
    assert w.structure["key"] != key
    assert w.structure["root"] == second.root
    assert w.structure["total_metrics"] == len(second.metrics)
    assert "revenue" not in second.metrics
    assert w.selected == ""  # the new tree has no such metric
    protocol.Structure.model_validate(w.structure)
    # changes to the old tree no longer reach the view; the new tree's do
    sent = len(rec.sent)
    first.set_target("revenue", 1.0)
    assert len(rec.sent) == sent
    leaf = second.inputs()[0]
    second.set_target(leaf, 12345.0)
    assert rec.deltas()[-1]["metrics"][leaf]["target"] == 12345.0


def test_another_tree_keeps_the_selection_where_it_has_that_metric():
    _, rec = start()
    rec.widget.selected = "revenue"
    other = kt.KPITree.new("revenue", owner="CFO")
    rec.widget.tree = other
    assert rec.widget.selected == "revenue"
    assert structure(rec)["revenue"]["owner"] == "CFO"


def test_the_tree_must_be_a_kpitree():
    _, rec = start()
    with pytest.raises(kt.KPITreeError, match="expected a KPITree"):
        rec.widget.tree = {"metrics": {}}  # type: ignore[assignment]
