"""Scenarios side by side: compare()."""

from __future__ import annotations

import pytest

import kpitree_widget as kt

PLAN = (60000 * 0.025 + 4200 - 250) * 125
ACTUAL = (50000 * 0.02 + 4000 - 300) * 120
UPSIDE = (60000 * 0.04 + 3950) * 125
DOWNSIDE = (60000 * 0.015 + 3950) * 110


@pytest.fixture
def tree(revenue_tree):
    revenue_tree.scenario("upside", {"signup_rate": 0.04})
    revenue_tree.scenario("downside", {"signup_rate": 0.015, "arpc": 110})
    return revenue_tree


def test_columns_and_rows(tree):
    table = tree.compare()
    assert list(table.columns) == ["name", "actual", "plan", "upside", "downside"]
    assert list(table.index) == [m for m, *_ in tree.outline()]
    assert table.index[0] == "revenue"
    assert table.loc["revenue", "plan"] == pytest.approx(PLAN)
    assert table.loc["revenue", "actual"] == pytest.approx(ACTUAL)
    assert table.loc["revenue", "upside"] == pytest.approx(UPSIDE)
    assert table.loc["revenue", "downside"] == pytest.approx(DOWNSIDE)
    assert table.loc["arpc", "downside"] == 110
    assert table.loc["arpc", "upside"] == 125  # the plan where a scenario says nothing


def test_differences_from_a_base(tree):
    table = tree.compare(base="plan", pct=True)
    assert "plan vs plan" not in table.columns
    assert table.loc["revenue", "upside vs plan"] == pytest.approx(UPSIDE - PLAN)
    assert table.loc["revenue", "actual vs plan"] == pytest.approx(ACTUAL - PLAN)
    assert table.loc["revenue", "downside vs plan %"] == pytest.approx(
        100 * (DOWNSIDE - PLAN) / PLAN)
    by_scenario = tree.compare(base="upside")
    assert by_scenario.loc["revenue", "plan vs upside"] == pytest.approx(PLAN - UPSIDE)
    assert "upside vs upside" not in by_scenario.columns
    assert "plan vs actual" in tree.compare(base="value").columns  # value means actual


def test_unknown_base_is_refused(tree):
    with pytest.raises(kt.KPITreeError, match="stretch"):
        tree.compare(base="stretch")


def test_compare_per_period():
    tree = kt.KPITree.from_dict({"metrics": {
        "r": {"formula": "a * b"},
        "a": {"value": {"2026-01": 1, "2026-02": 2}, "target": {"2026-01": 3, "2026-02": 4}},
        "b": {"value": 10, "target": 10}},
        "scenarios": {"up": {"b": 20}}})
    jan = tree.compare(period="2026-01")
    assert jan.loc["r", "up"] == 60
    assert tree.compare().loc["r", "up"] == 80  # the last period by default
    with pytest.raises(kt.KPITreeError, match="2027-01"):
        tree.compare(period="2027-01")


def test_compare_changes_nothing(tree):
    before = tree.to_dict()
    tree.compare(base="plan")
    assert tree.to_dict() == before
    assert tree.rollup().loc["revenue", "target"] == pytest.approx(PLAN)
