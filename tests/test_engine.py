"""The engine: a compiled plan over (periods x layers) arrays, with incremental recompute."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kpitree_widget import KPITree, KPITreeError, engine
from kpitree_widget.formula import parse
from treegen import make_tree

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def rebuilt_copy(tree: KPITree) -> KPITree:
    """A copy whose arrays are computed again from its numbers (a copy keeps the original's)."""
    fresh = tree.copy()
    fresh._arrays = None
    return fresh


def assert_same_arrays(tree: KPITree, fresh: KPITree) -> None:
    """``tree``'s kept-up-to-date arrays equal a full rebuild's, bit for bit."""
    arrays, index = tree.arrays()
    rebuilt, rebuilt_index = fresh.arrays()
    assert set(index) == set(rebuilt_index)
    for metric, slot in index.items():
        np.testing.assert_array_equal(arrays[slot], rebuilt[rebuilt_index[metric]],
                                      err_msg=metric)


# --------------------------------------------------------------------------- the plan


def test_the_plan_orders_children_before_parents(revenue_tree):
    plan = revenue_tree._plan
    order = plan.order
    for metric in order:
        for child in revenue_tree.children(metric):
            assert order.index(child) < order.index(metric)
    assert sorted(plan.index.values()) == list(range(8))
    computed = [m for m in order if not revenue_tree.metrics[m].is_input]
    assert [slot for slot, _ in plan.steps] == [plan.index[m] for m in computed]


def test_an_edit_recomputes_only_the_ancestors(revenue_tree, monkeypatch):
    plan = revenue_tree._plan
    above = {m: sorted(plan.order[slot] for slot, _ in plan.steps_above(m)) for m in plan.order}
    assert above["arpc"] == ["revenue"]
    assert above["signup_rate"] == ["customers", "new_customers", "revenue"]
    assert above["revenue"] == []
    revenue_tree.arrays()
    calls: list[list[str]] = []
    real = engine.evaluate

    def spy(plan: Any, arrays: Any, steps: Any = None, shape: Any = None) -> None:
        calls.append([plan.order[slot] for slot, _ in (plan.steps if steps is None else steps)])
        real(plan, arrays, steps, shape=shape)

    monkeypatch.setattr(engine, "evaluate", spy)
    revenue_tree.set_target("arpc", 130)
    revenue_tree.set_value("signup_rate", 0.03)
    assert calls == [["revenue"], ["new_customers", "customers", "revenue"]]
    assert revenue_tree.rollup().loc["revenue", "target"] == pytest.approx(5450 * 130)


def test_a_cycle_in_the_plan_is_an_error():
    formulas = {"a": parse("b + 1"), "b": parse("c * 2"), "c": parse("a - 1")}
    with pytest.raises(KPITreeError, match="cycle"):
        engine.compile_plan(formulas)


def test_constant_formulas_fill_the_whole_array():
    tree = KPITree.from_dict({"metrics": {"total": {"formula": "a + fixed"},
                                          "fixed": {"formula": "2 * 50"},
                                          "a": {"value": {"2026-01": 1, "2026-02": 2}}}})
    tree.scenario("up", {"a": 5})
    arrays, index = tree.arrays()
    assert arrays[index["fixed"]].shape == (2, 3)
    assert (arrays[index["fixed"]] == 100).all()
    assert list(arrays[index["total"]][:, engine.VALUE]) == [101, 102]


def test_the_layers_are_actual_plan_then_each_scenario():
    tree = KPITree.from_dict({
        "metrics": {"total": {"formula": "a * b"},
                    "a": {"value": {"2026-01": 1, "2026-02": 2}, "target": 3},
                    "b": {"value": 10, "target": {"2026-01": 20, "2026-02": 30}}},
        "scenarios": {"up": {"a": 4}, "down": {"b": {"2026-02": 5}}},
    })
    arrays, index = tree.arrays()
    assert tree.layers == ["value", "target", "up", "down"]
    a, b, total = (arrays[index[m]] for m in ("a", "b", "total"))
    np.testing.assert_array_equal(a, [[1, 3, 4, 3], [2, 3, 4, 3]])
    # a scenario number for some periods overrides those; the plan holds in the others
    np.testing.assert_array_equal(b, [[10, 20, 20, 20], [10, 30, 30, 5]])
    np.testing.assert_array_equal(total, a * b)


# --------------------------------------------------------------------------- properties


def _scalar_rollup(tree: KPITree, p: int, k: int) -> dict[str, float]:
    """One cell, the slow way: every formula evaluated with plain numbers in plan order."""
    arrays, index = tree.arrays()
    env: dict[str, float] = {}
    for metric in tree._plan.order:
        formula = tree.metrics[metric].parsed
        if formula is None:
            env[metric] = float(arrays[index[metric]][p, k])
        else:
            env[metric] = float(formula.evaluate(env))
    return env


@PROPERTY
@given(seed=st.integers(0, 2**32 - 1), size=st.integers(2, 16))
def test_the_array_evaluation_matches_cell_by_cell_evaluation(seed, size):
    tree = make_tree(size, seed, periods=True)
    if not tree.scenarios:
        tree.scenario("extra", {tree.inputs()[0]: 2.5})
    arrays, index = tree.arrays()
    periods, layers = max(1, len(tree.periods)), len(tree.layers)
    event(f"{periods} periods x {layers} layers")
    for metric in tree.metrics:
        assert arrays[index[metric]].shape == (periods, layers)
    for p in range(periods):
        for k in range(layers):
            cell = _scalar_rollup(tree, p, k)
            for metric, x in cell.items():
                got = arrays[index[metric]][p, k]
                assert got == pytest.approx(x, rel=1e-12, nan_ok=True) or (
                    math.isnan(got) and math.isnan(x)), (metric, p, k)


NUMBERS = st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False),
                    st.sampled_from([0.0, -0.0, 1.0, 1e-300]))


def _edit(tree: KPITree, data: st.DataObject) -> str:
    """Apply one random edit through the public API; returns a label for statistics."""
    inputs = tree.inputs()
    labels = [*tree.periods, "2030-01", "extra_label"]
    kind = data.draw(st.sampled_from(["value", "target", "target", "explicit", "scenario",
                                      "drop_scenario", "tolerance"]))
    period = data.draw(st.one_of(st.none(), st.sampled_from(labels)))
    if kind in ("value", "target"):
        metric = data.draw(st.sampled_from(inputs))
        getattr(tree, f"set_{kind}")(metric, data.draw(NUMBERS), period=period)
    elif kind == "explicit":
        computed = [m for m in tree.metrics if m not in inputs]
        if not computed:
            return "none"
        tree.set_target(data.draw(st.sampled_from(computed)), data.draw(NUMBERS), period=period)
    elif kind == "scenario":
        chosen = data.draw(st.lists(st.sampled_from(inputs), min_size=1, max_size=3,
                                    unique=True))
        name = data.draw(st.sampled_from(["upside", "downside", "s3"]))
        tree.scenario(name, {m: data.draw(st.floats(-1e3, 1e3, allow_nan=False))
                             for m in chosen})
    elif kind == "drop_scenario":
        if not tree.scenarios:
            return "none"
        tree.remove_scenario(data.draw(st.sampled_from(sorted(tree.scenarios))))
    else:
        tree.tolerance = data.draw(st.floats(0, 1))
    return kind


@PROPERTY
@given(seed=st.integers(0, 2**32 - 1), size=st.integers(2, 14), data=st.data())
def test_incremental_recompute_after_edits_equals_a_full_rebuild(seed, size, data):
    tree = make_tree(size, seed)
    tree.arrays()  # computed once; from here on edits keep them up to date
    for _ in range(data.draw(st.integers(1, 8))):
        kept = tree._arrays
        kind = _edit(tree, data)
        if tree._arrays is kept and kept is not None:
            event(f"incremental {kind}")
        fresh = rebuilt_copy(tree)
        assert_same_arrays(tree, fresh)
        pd.testing.assert_frame_equal(tree.rollup(), fresh.rollup())
        assert tree.periods == fresh.periods
        rebuilt = KPITree.from_dict(tree.to_dict())
        assert rebuilt.periods == tree.periods
        assert_same_arrays(tree, rebuilt)


def test_a_big_tree_edits_incrementally(make_tree):
    tree = make_tree(400, 3, periods=True, extras=False)
    tree.arrays()
    kept = tree._arrays
    for metric in tree.inputs()[:20]:
        tree.set_target(metric, 1.5)
        assert tree._arrays is kept
    assert_same_arrays(tree, rebuilt_copy(tree))
