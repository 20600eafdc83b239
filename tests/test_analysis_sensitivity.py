"""Sensitivity: the batched tornado table and elasticities from derivatives (hand-built trees)."""

from __future__ import annotations

import numpy as np
import pytest

import kpitree_widget as kt
from kpitree_widget.analysis import sensitivity as sens_module

REVENUE_TARGET = (60000 * 0.025 + 4200 - 250) * 125


def root_with(tree, metric, target):
    trial = tree.copy()
    trial.set_target(metric, target)
    return trial.rollup().loc[tree.root, "implied_target"]


def test_table_shape_and_order(revenue_tree):
    table = revenue_tree.sensitivity(step=0.1)
    assert list(table.columns) == ["name", "input", "low", "high", "impact", "base",
                                   "elasticity"]
    assert set(table.index) == set(revenue_tree.inputs())
    impact = table["impact"].abs().to_numpy()
    assert list(impact) == sorted(impact, reverse=True)
    assert table.attrs["base"] == pytest.approx(REVENUE_TARGET)
    assert (table["base"] == REVENUE_TARGET).all()


def test_low_high_equal_a_full_recompute(revenue_tree):
    table = revenue_tree.sensitivity(step=0.2)
    for m in revenue_tree.inputs():
        x = table.loc[m, "input"]
        assert table.loc[m, "low"] == pytest.approx(root_with(revenue_tree, m, x * 0.8))
        assert table.loc[m, "high"] == pytest.approx(root_with(revenue_tree, m, x * 1.2))


def test_elasticities_from_derivatives(revenue_tree):
    table = revenue_tree.sensitivity()
    assert table.loc["arpc", "elasticity"] == pytest.approx(1.0)
    customers = 60000 * 0.025 + 4200 - 250
    assert table.loc["returning_customers", "elasticity"] == pytest.approx(4200 / customers)
    assert table.loc["lost_customers", "elasticity"] == pytest.approx(-250 / customers)
    assert table.loc["website_visitors", "elasticity"] == pytest.approx(1500 / customers)


def test_elasticity_through_a_dag_sums_both_paths():
    tree = kt.KPITree.from_dict({"metrics": {
        "profit": {"formula": "revenue - cost"},
        "revenue": {"formula": "units * price"},
        "cost": {"formula": "units * unit_cost"},
        "units": {"target": 100}, "price": {"target": 10}, "unit_cost": {"target": 6},
    }})
    table = tree.elasticities()
    # d profit / d units = price - unit_cost = 4; elasticity = 4 * 100 / 400
    assert table.loc["units", "derivative"] == pytest.approx(4)
    assert table.loc["units", "elasticity"] == pytest.approx(1.0)
    assert table.loc["unit_cost", "elasticity"] == pytest.approx(-1.5)
    full = tree.elasticities(computed=True)
    assert full.loc["revenue", "derivative"] == pytest.approx(1)
    assert full.loc["cost", "derivative"] == pytest.approx(-1)


@pytest.mark.parametrize("formula", ["min(a, b) * c", "a if a > b else b * c",
                                     "a ** 2 / (b + c)", "abs(a - b) + c * a"])
def test_elasticity_matches_finite_differences(formula):
    tree = kt.KPITree.from_dict({"metrics": {
        "y": {"formula": formula},
        "a": {"target": 3.0}, "b": {"target": 2.0}, "c": {"target": 1.5}}})
    table = tree.sensitivity()
    y = table.attrs["base"]
    for m in table.index:
        x = table.loc[m, "input"]
        h = 1e-6 * x
        fd = (root_with(tree, m, x + h) - root_with(tree, m, x - h)) / (2 * h)
        assert table.loc[m, "elasticity"] == pytest.approx(fd * x / y, rel=1e-6, abs=1e-9)


def test_sensitivity_of_a_lower_metric_only_lists_its_inputs(revenue_tree):
    table = revenue_tree.sensitivity(metric="customers")
    assert set(table.index) == {"website_visitors", "signup_rate", "returning_customers",
                                "lost_customers"}
    assert table.attrs["base"] == pytest.approx(5450)


def test_sensitivity_per_period_and_layer():
    tree = kt.KPITree.from_dict({"metrics": {
        "r": {"formula": "a * b"},
        "a": {"value": {"2026-01": 2, "2026-02": 4}, "target": {"2026-01": 3, "2026-02": 5}},
        "b": {"value": 10, "target": 10}}})
    jan = tree.sensitivity(period="2026-01")
    assert jan.attrs["base"] == pytest.approx(30)
    assert jan.loc["a", "impact"] == pytest.approx(6)
    last = tree.sensitivity()
    assert last.attrs["base"] == pytest.approx(50)
    actual = tree.sensitivity(layer="value", period="2026-01")
    assert actual.attrs["base"] == pytest.approx(20)
    tree.scenario("up", {"b": 12})
    up = tree.sensitivity(layer="up")
    assert up.attrs["base"] == pytest.approx(60)


def test_chunked_batches_give_the_same_numbers(revenue_tree, monkeypatch):
    whole = revenue_tree.sensitivity()
    monkeypatch.setattr(sens_module, "CHUNK", 2)
    chunked = revenue_tree.sensitivity()
    assert np.allclose(whole[["low", "high"]].to_numpy(), chunked[["low", "high"]].to_numpy())


def test_missing_target_gives_nan_not_an_error():
    tree = kt.KPITree.from_dict({"metrics": {
        "r": {"formula": "a + b + c"}, "a": {"target": 1}, "b": {"target": 5}, "c": {}}})
    table = tree.sensitivity()
    assert table["impact"].isna().all()  # the root has no plan without c's target
    assert set(table.index) == {"a", "b", "c"}


@pytest.mark.parametrize("kwargs, match", [
    ({"step": 0}, "step"), ({"step": -0.1}, "step"), ({"step": 2}, "step"),
    ({"step": "10%"}, "step"), ({"metric": "nope"}, "nope"),
    ({"metric": "arpc"}, "input"), ({"period": "2026-01"}, "period"),
    ({"layer": "stretch"}, "stretch"),
])
def test_bad_arguments_are_refused(revenue_tree, kwargs, match):
    before = revenue_tree.to_dict()
    with pytest.raises(kt.KPITreeError, match=match):
        revenue_tree.sensitivity(**kwargs)
    assert revenue_tree.to_dict() == before
