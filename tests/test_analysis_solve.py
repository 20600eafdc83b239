"""Solve (goal seek): exact inversion, root finding, and every way it can have no answer."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kpitree_widget as kt


def tree_of(metrics, **spec):
    return kt.KPITree.from_dict({"metrics": metrics, **spec})


def implied(tree, metric, period=None):
    return tree.rollup(period=period).loc[metric, "implied_target"]


def test_exact_inversion_through_sum_and_product(revenue_tree):
    x = revenue_tree.solve("revenue", 800_000, lever="website_visitors")
    # 800000 / 125 = 6400 customers; 6400 - 4200 + 250 = 2450 new; / 0.025
    assert x == pytest.approx(98_000)
    assert revenue_tree.get_target("website_visitors") == pytest.approx(98_000)
    assert implied(revenue_tree, "revenue") == pytest.approx(800_000)


def test_inversion_of_a_ratio_and_a_subtraction():
    tree = tree_of({
        "ltv": {"formula": "arpu * margin / churn"},
        "arpu": {"target": 100}, "margin": {"target": 0.8}, "churn": {"target": 0.04},
        "net": {"formula": "gross - lost"}, "gross": {"target": 10}, "lost": {"target": 2},
    }, root="ltv")
    assert tree.solve("ltv", 2500, lever="churn") == pytest.approx(0.032)
    assert tree.solve("net", 5, lever="lost") == pytest.approx(5)


def test_win_rate_needed_for_arr():
    """The FP&A question: what win rate do we need to hit $12M?"""
    tree = kt.KPITree.from_dict({"metrics": {
        "arr": {"formula": "new_arr + retained_arr", "unit": "currency"},
        "new_arr": {"formula": "opportunities * win_rate * acv"},
        "retained_arr": {"target": 9_000_000},
        "opportunities": {"target": 400}, "win_rate": {"target": 0.22},
        "acv": {"target": 30_000},
    }})
    rate = tree.solve("arr", 12_000_000, lever="win_rate")
    assert rate == pytest.approx(0.25)


def test_lever_used_twice_is_solved_numerically():
    tree = tree_of({"y": {"formula": "a * a + a"}, "a": {"target": 1.0}})
    x = tree.solve("y", 12, lever="a")
    assert x * x + x == pytest.approx(12)


def test_lever_on_two_paths_of_a_dag():
    tree = tree_of({
        "profit": {"formula": "revenue - cost"},
        "revenue": {"formula": "units * price"}, "cost": {"formula": "units * unit_cost"},
        "units": {"target": 100}, "price": {"target": 10}, "unit_cost": {"target": 6}})
    assert tree.solve("profit", 600, lever="units") == pytest.approx(150)


@pytest.mark.parametrize("formula, goal", [
    ("min(a, 50) + b", 40.0),
    ("max(a, b) * 2", 30.0),
    ("a * 3 if a > 2 else a", 12.0),
    ("abs(a - 10) + b", 7.0),
    ("a ** 2 + b", 30.0),
])
def test_min_max_conditional_are_solved_numerically(formula, goal):
    tree = tree_of({"y": {"formula": formula}, "a": {"target": 4.0}, "b": {"target": 5.0}},
                   root="y")
    tree.solve("y", goal, lever="a")
    assert implied(tree, "y") == pytest.approx(goal, rel=1e-9)


def test_goal_beyond_a_cap_is_out_of_reach():
    tree = tree_of({"y": {"formula": "min(a, 50) + b"}, "a": {"target": 4.0},
                    "b": {"target": 5.0}})
    before = tree.to_dict()
    with pytest.raises(kt.KPITreeError, match=r"no value of 'a' gives y = 100.*reach"):
        tree.solve("y", 100, lever="a")
    assert tree.to_dict() == before


def test_jump_past_the_goal_is_refused():
    tree = tree_of({"y": {"formula": "10 if a > 1 else 0"}, "a": {"target": 0.5}})
    with pytest.raises(kt.KPITreeError, match="no value"):
        tree.solve("y", 5, lever="a")


def test_zero_sibling_is_named():
    tree = tree_of({"r": {"formula": "c * p"}, "c": {"target": 10}, "p": {"target": 0}})
    before = tree.to_dict()
    with pytest.raises(kt.KPITreeError, match=r"'p' is zero"):
        tree.solve("r", 100, lever="c")
    assert tree.to_dict() == before


def test_missing_sibling_target_is_named():
    tree = tree_of({"r": {"formula": "c * p"}, "c": {"target": 10}, "p": {"value": 3}})
    with pytest.raises(kt.KPITreeError, match=r"'p' has no target"):
        tree.solve("r", 100, lever="c")


def test_lever_not_under_the_metric(revenue_tree):
    with pytest.raises(kt.KPITreeError, match=r"'arpc' is not under 'customers'"):
        revenue_tree.solve("customers", 6000, lever="arpc")


@pytest.mark.parametrize("kwargs, match", [
    ({"metric_id": "nope", "target": 1, "lever": "arpc"}, "nope"),
    ({"metric_id": "revenue", "target": 1, "lever": "customers"}, "computed"),
    ({"metric_id": "revenue", "target": float("nan"), "lever": "arpc"}, "finite"),
    ({"metric_id": "revenue", "target": "lots", "lever": "arpc"}, "finite"),
    ({"metric_id": "arpc", "target": 1, "lever": "arpc"}, "itself"),
    ({"metric_id": "revenue", "target": 1, "lever": "arpc", "period": "2026-01"}, "period"),
])
def test_bad_calls_change_nothing(revenue_tree, kwargs, match):
    before = revenue_tree.to_dict()
    with pytest.raises(kt.KPITreeError, match=match):
        revenue_tree.solve(**kwargs)
    assert revenue_tree.to_dict() == before


def monthly_tree():
    return tree_of({
        "revenue": {"formula": "customers * price"},
        "customers": {"target": {"2026-01": 100, "2026-02": 120, "2026-03": 150}},
        "price": {"target": {"2026-01": 10, "2026-02": 10, "2026-03": 0}},
    })


def test_per_period_solve_returns_one_number():
    tree = monthly_tree()
    assert tree.solve("revenue", 1500, lever="customers", period="2026-02") == pytest.approx(150)
    assert tree.get_target("customers")["2026-01"] == 100  # other periods untouched


def test_all_periods_at_once_fail_together_naming_the_period():
    tree = monthly_tree()
    before = tree.to_dict()
    with pytest.raises(kt.KPITreeError, match=r"in 2026-03.*'price' is zero"):
        tree.solve("revenue", 1500, lever="customers")
    assert tree.to_dict() == before


def test_all_periods_solved_as_a_series():
    tree = monthly_tree()
    tree.set_target("price", 12, period="2026-03")
    result = tree.solve("revenue", 1200, lever="customers")
    assert isinstance(result, pd.Series)
    assert result.to_dict() == pytest.approx({"2026-01": 120, "2026-02": 120, "2026-03": 100})
    for p in tree.periods:
        assert implied(tree, "revenue", p) == pytest.approx(1200)


def test_numeric_solve_per_period():
    tree = tree_of({"y": {"formula": "max(a, 1) * b"},
                    "a": {"target": {"2026-01": 2, "2026-02": 3}},
                    "b": {"target": {"2026-01": 5, "2026-02": 4}}})
    result = tree.solve("y", 20, lever="a")
    assert result.to_dict() == pytest.approx({"2026-01": 4, "2026-02": 5})


def test_solving_notifies_listeners(revenue_tree):
    events = []
    revenue_tree.on_change(events.append)
    revenue_tree.solve("revenue", 700_000, lever="arpc")
    assert events and events[-1]["metric"] == "arpc"


@pytest.mark.parametrize(("formula", "goal", "touch"), [
    ("abs(a - 2.2)", 0.0, 2.2),          # a V that only touches zero
    ("(a - 3.7) * (a - 3.7)", 0.0, 3.7),   # a square written as a product: its bottom
    ("10 - (a - 1.3) * (a - 1.3)", 10.0, 1.3),  # a hill: its top
    ("abs(a - 2.2) + b", 5.0, 2.2),      # touching a goal that is not zero
])
def test_a_goal_the_formula_only_touches_is_solved(formula, goal, touch):
    tree = tree_of({"y": {"formula": formula}, "a": {"target": 40.0}, "b": {"target": 5.0}},
                   root="y")
    x = tree.solve("y", goal, lever="a")
    assert x == pytest.approx(touch, rel=1e-4)
    assert implied(tree, "y") == pytest.approx(goal, abs=1e-8)


def test_a_goal_below_the_bottom_says_how_near_the_lever_gets():
    tree = tree_of({"y": {"formula": "(a - 3) ** 2 + 1"}, "a": {"target": 10.0}}, root="y")
    before = tree.to_dict()
    with pytest.raises(kt.KPITreeError, match=r"closest 'y' comes is 1 \(with 'a' = 3\)"):
        tree.solve("y", 0.5, lever="a")
    assert tree.to_dict() == before


@settings(max_examples=40, deadline=None)
@given(shape=st.sampled_from(["{k} * abs(a - {c}) + {g}", "{k} * (a - {c}) * (a - {c}) + {g}",
                              "{g} - {k} * abs({c} - a)"]),
       c=st.floats(-1e3, 1e3), k=st.floats(0.1, 10), g=st.floats(-1e3, 1e3),
       start=st.floats(-1e4, 1e4))
def test_any_goal_a_v_or_a_parabola_touches_is_found_from_anywhere(shape, c, k, g, start):
    formula = shape.format(k=repr(k), c=repr(c), g=repr(g))
    tree = tree_of({"y": {"formula": formula}, "a": {"target": start}}, root="y")
    tree.solve("y", g, lever="a")
    assert implied(tree, "y") == pytest.approx(g, rel=1e-9, abs=1e-9)
