"""One row model: every picture draws the same rows, and the rows agree with the rollup."""

from __future__ import annotations

import math
from typing import Any

import pytest

import kpitree_widget as kt
from kpitree_widget.numbers import format_change, format_number
from kpitree_widget.rows import tree_rows


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


def test_rows_follow_the_outline_and_carry_the_rollup(revenue_tree: Any) -> None:
    rows = tree_rows(revenue_tree)
    df = revenue_tree.rollup()
    assert rows.ids == list(df.index) == [m for m, *_ in revenue_tree.outline()]
    for row in rows:
        expected = df.loc[row.id]
        assert row.level == expected["level"]
        assert row.parent == (expected["parent"] if isinstance(expected["parent"], str) else None)
        for column in ("value", "target", "implied_target", "variance", "variance_pct"):
            assert same(getattr(row, column), float(expected[column])), (row.id, column)
        assert row.status == expected["status"]
        assert row.value_text == format_number(float(expected["value"]), row.unit)


def test_a_period_and_a_scenario_pick_their_numbers(revenue_spec: dict[str, Any]) -> None:
    revenue_spec["metrics"]["arpc"]["target"] = {"2026-01": 120, "2026-02": 130}
    tree = kt.KPITree.from_dict(revenue_spec)
    tree.scenario("upside", {"signup_rate": 0.04})
    january = tree_rows(tree, period="2026-01")
    assert january.period == "2026-01"
    assert january["arpc"].target == 120
    upside = tree_rows(tree, scenario="upside")
    assert upside["signup_rate"].target == 0.04
    assert upside["revenue"].target == tree.rollup(scenario="upside").loc["revenue", "target"]


def test_a_focus_keeps_the_path_to_the_root_as_context(revenue_tree: Any) -> None:
    rows = tree_rows(revenue_tree, focus=["signup_rate"])
    assert rows.ids == ["revenue", "customers", "new_customers", "signup_rate"]
    assert [r.id for r in rows if r.context] == ["revenue", "customers", "new_customers"]
    assert rows.total == len(revenue_tree)
    with pytest.raises(kt.KPITreeError, match="signup_rat"):
        tree_rows(revenue_tree, focus=["signup_rat"])


def test_an_explicit_target_on_a_computed_metric_is_marked(revenue_tree: Any) -> None:
    revenue_tree.set_target("revenue", 700_000)
    rows = tree_rows(revenue_tree)
    assert rows["revenue"].explicit_target and rows["revenue"].target == 700_000
    assert not rows["customers"].explicit_target
    assert not tree_rows(revenue_tree, scenario=None, period=None)["arpc"].explicit_target


def test_variance_texts_are_signed_and_empty_without_a_number(revenue_tree: Any) -> None:
    row = tree_rows(revenue_tree)["revenue"]
    assert row.variance < 0 and row.variance_text.startswith("−")
    assert row.variance_pct_text == format_change(row.variance_pct) == "−17%"
    assert row.variance_text == format_number(row.variance, "currency", "signed")
    revenue_tree.set_value("arpc", None)
    assert tree_rows(revenue_tree)["revenue"].variance_text == ""
