"""Undo and redo over every change, numbers and structure alike: one step per public call,
``batch()`` for several, a bounded history, and a property test over random edit sequences."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kpitree_widget as kt
from kpitree_widget.history import HISTORY_LIMIT
from treegen import make_tree


def state(tree: kt.KPITree) -> str:
    """Everything a tree file holds, in order (the metrics' order in memory too)."""
    return json.dumps([tree.to_dict(), list(tree.metrics)])


def same_numbers_as_a_fresh_tree(tree: kt.KPITree) -> None:
    """The engine's kept arrays agree with a tree built anew from the same file."""
    fresh = kt.KPITree.from_dict(tree.to_dict())
    for scenario in (None, *tree.scenarios):
        pd.testing.assert_frame_equal(tree.rollup(scenario=scenario),
                                      fresh.rollup(scenario=scenario))


def test_nothing_to_undo_or_redo_is_said(revenue_tree: kt.KPITree) -> None:
    assert not revenue_tree.can_undo and not revenue_tree.can_redo
    with pytest.raises(kt.KPITreeError, match="undo: nothing to undo"):
        revenue_tree.undo()
    with pytest.raises(kt.KPITreeError, match="redo: nothing to redo"):
        revenue_tree.redo()


@pytest.mark.parametrize("change", [
    lambda t: t.set_target("arpc", 130),
    lambda t: t.set_target("revenue", 700_000),
    lambda t: t.set_value("signup_rate", None),
    lambda t: t.set_numbers("target", "arpc", {"2026-01": 120, "2026-02": 126}),
    lambda t: t.load_data(pd.DataFrame({"arpc": [118.0, 121.0], "revenue": [5e5, 6e5]},
                                       index=["2026-01", "2026-02"])),
    lambda t: t.scenario("upside", {"arpc": 140}),
    lambda t: t.solve("revenue", 700_000, lever="arpc"),
    lambda t: t.add_driver("revenue", "share", "*", value=1, target=1),
    lambda t: t.rename_metric("arpc", "price"),
    lambda t: t.remove_driver("customers", "returning_customers"),
    lambda t: t.update_metric("arpc", owner=None, unit="ratio"),
    lambda t: t.set_formula("arpc", "base * uplift", create_missing=True),
], ids=["target", "explicit-target", "value", "set_numbers", "load_data", "scenario", "solve",
        "add_driver", "rename", "remove_driver", "update_metric", "set_formula"])
def test_each_change_is_one_step_undone_and_redone_exactly(revenue_tree: kt.KPITree,
                                                           change: Any) -> None:
    before = state(revenue_tree)
    change(revenue_tree)
    after = state(revenue_tree)
    assert after != before and revenue_tree.can_undo
    revenue_tree.undo()
    assert state(revenue_tree) == before and not revenue_tree.can_undo
    same_numbers_as_a_fresh_tree(revenue_tree)
    revenue_tree.redo()
    assert state(revenue_tree) == after and not revenue_tree.can_redo
    same_numbers_as_a_fresh_tree(revenue_tree)


def test_a_scenario_removed_comes_back_in_its_place(revenue_tree: kt.KPITree) -> None:
    revenue_tree.scenario("low", {"arpc": 100})
    revenue_tree.scenario("high", {"arpc": 150})
    revenue_tree.remove_scenario("low")
    revenue_tree.undo()
    assert list(revenue_tree.scenarios) == ["low", "high"]
    revenue_tree.set_scenario_target("high", "arpc", 160)
    revenue_tree.undo()
    assert revenue_tree.scenarios["high"] == {"arpc": 150}


def test_undo_tells_the_listeners(revenue_tree: kt.KPITree) -> None:
    seen: list[dict[str, Any]] = []
    revenue_tree.set_target("arpc", 130)
    revenue_tree.add_driver("revenue", "share", "*")
    revenue_tree.on_change(seen.append)
    revenue_tree.undo()
    revenue_tree.undo()
    revenue_tree.redo()
    assert seen == [{"kind": "structure", "metric": None}, {"kind": "target", "metric": "arpc"},
                    {"kind": "target", "metric": "arpc"}]


def test_an_edit_after_undo_forgets_the_redo(revenue_tree: kt.KPITree) -> None:
    revenue_tree.set_target("arpc", 130)
    revenue_tree.undo()
    assert revenue_tree.can_redo
    revenue_tree.set_target("arpc", 131)
    assert not revenue_tree.can_redo


def test_a_refused_call_is_no_step(revenue_tree: kt.KPITree) -> None:
    revenue_tree.set_target("arpc", 130)
    with pytest.raises(kt.KPITreeError):
        revenue_tree.set_formula("revenue", "customers * arpu")
    with pytest.raises(kt.KPITreeError):
        revenue_tree.set_target("arpc", "lots")
    revenue_tree.undo()
    assert not revenue_tree.can_undo
    assert revenue_tree.get_target("arpc") == 125


def test_the_history_is_bounded(revenue_tree: kt.KPITree) -> None:
    for i in range(HISTORY_LIMIT + 20):
        revenue_tree.set_target("arpc", 200 + i)
    for _ in range(HISTORY_LIMIT):
        revenue_tree.undo()
    assert not revenue_tree.can_undo
    assert revenue_tree.get_target("arpc") == 200 + 19


def test_a_batch_is_one_step(revenue_tree: kt.KPITree) -> None:
    before = state(revenue_tree)
    with revenue_tree.batch():
        revenue_tree.add_driver("revenue", "share", "*", value=0.5, target=0.8)
        revenue_tree.set_target("share", 0.9)
        revenue_tree.rename_metric("share", "wallet_share")
        with revenue_tree.batch():  # nested: still the same step
            revenue_tree.set_target("arpc", 130)
            revenue_tree.scenario("upside", {"wallet_share": 1.0})
    after = state(revenue_tree)
    revenue_tree.undo()
    assert state(revenue_tree) == before and not revenue_tree.can_undo
    same_numbers_as_a_fresh_tree(revenue_tree)
    revenue_tree.redo()
    assert state(revenue_tree) == after
    same_numbers_as_a_fresh_tree(revenue_tree)


def test_an_empty_batch_is_no_step(revenue_tree: kt.KPITree) -> None:
    with revenue_tree.batch():
        pass
    assert not revenue_tree.can_undo


def test_a_batch_left_by_an_exception_takes_back_its_changes(revenue_tree: kt.KPITree) -> None:
    revenue_tree.set_target("arpc", 130)
    before = state(revenue_tree)
    with pytest.raises(kt.KPITreeError, match="unknown name"), revenue_tree.batch():
        revenue_tree.add_driver("revenue", "share", "*")
        revenue_tree.set_target("customers", 9000)
        revenue_tree.set_formula("share", "nope * 2")
    assert state(revenue_tree) == before
    same_numbers_as_a_fresh_tree(revenue_tree)
    revenue_tree.undo()  # the step before the batch is still there
    assert revenue_tree.get_target("arpc") == 125


def test_undo_inside_a_batch_is_refused(revenue_tree: kt.KPITree) -> None:
    revenue_tree.set_target("arpc", 130)
    with revenue_tree.batch(), pytest.raises(kt.KPITreeError, match="undo: not inside a batch"):
        revenue_tree.undo()
    assert revenue_tree.get_target("arpc") == 130


# ---------------------------------------------------------------------- random sequences

NEW_IDS = [f"n{i}" for i in range(40)]


def _fresh_id(tree: kt.KPITree, data: st.DataObject) -> str:
    return data.draw(st.sampled_from([i for i in NEW_IDS if i not in tree.metrics]), label="id")


def _one_edit(tree: kt.KPITree, data: st.DataObject) -> None:
    """One random call a person might make; refusals are part of the game."""
    ids = list(tree.metrics)
    some = st.sampled_from(ids)
    number = st.one_of(st.none(), st.integers(-5, 500), st.floats(0.01, 2.0))
    kind = data.draw(st.sampled_from([
        "target", "value", "period_target", "add_driver", "add_metric", "rename", "remove",
        "remove_driver", "update", "set_formula", "hypothesis", "scenario", "batch"]),
        label="call")
    if kind == "target":
        tree.set_target(data.draw(some), data.draw(number))
    elif kind == "value":
        tree.set_value(data.draw(st.sampled_from(tree.inputs())), data.draw(number))
    elif kind == "period_target":
        period = data.draw(st.sampled_from([*tree.periods, "2027-01"]))
        tree.set_target(data.draw(some), data.draw(number), period=period)
    elif kind == "add_driver":
        tree.add_driver(data.draw(some), _fresh_id(tree, data),
                        data.draw(st.sampled_from(["+", "-", "*", "/"])),
                        value=data.draw(number), target=data.draw(number))
    elif kind == "add_metric":
        tree.add_metric(_fresh_id(tree, data), owner=data.draw(st.sampled_from([None, "CFO"])))
    elif kind == "rename":
        tree.rename_metric(data.draw(some), _fresh_id(tree, data))
    elif kind == "remove":
        tree.remove_metric(data.draw(some), subtree=data.draw(st.booleans()))
    elif kind == "remove_driver":
        parent = data.draw(st.sampled_from([m for m in ids if tree.children(m)] or ids))
        tree.remove_driver(parent, data.draw(st.sampled_from(tree.children(parent) or ids)))
    elif kind == "update":
        tree.update_metric(data.draw(some), owner=data.draw(st.sampled_from([None, "COO"])),
                           unit=data.draw(st.sampled_from([None, "count", "currency"])))
    elif kind == "set_formula":
        a, b = data.draw(some), data.draw(st.sampled_from([*ids, "brand_new"]))
        tree.set_formula(data.draw(some), f"{a} + {b} * 2", create_missing=data.draw(
            st.booleans()))
    elif kind == "hypothesis":
        tree.add_hypothesis(data.draw(some), data.draw(some))
    elif kind == "scenario":
        tree.scenario(data.draw(st.sampled_from(["upside", "s_new"])),
                      {data.draw(st.sampled_from(tree.inputs())): 1.5})
    else:
        with tree.batch():
            _one_edit(tree, data)
            _one_edit(tree, data)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 50), data=st.data())
def test_undo_returns_to_every_earlier_state_and_redo_replays(seed: int,
                                                              data: st.DataObject) -> None:
    tree = make_tree(8, seed=seed)
    states = [state(tree)]
    for _ in range(data.draw(st.integers(1, 8), label="edits")):
        before = state(tree)
        try:
            _one_edit(tree, data)
        except kt.KPITreeError:
            assert state(tree) == before  # refused: nothing changed
            continue
        states.append(state(tree))
    steps = len(states) - 1
    for expected in reversed(states[:-1]):
        tree.undo()
        assert state(tree) == expected
    assert not tree.can_undo
    same_numbers_as_a_fresh_tree(tree)
    for expected in states[1:]:
        tree.redo()
        assert state(tree) == expected
    assert not tree.can_redo and tree.can_undo == (steps > 0)
    same_numbers_as_a_fresh_tree(tree)
