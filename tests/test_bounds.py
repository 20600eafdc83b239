"""Bounds on metrics (``min`` / ``max``): in the file, the API and the view; a solve that never
leaves them and says what is possible; a solve beyond the lever's history says so."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import kpitree_widget as kt
from kpitree_widget.analysis.solve import Solved

RATE = {"unit": "percent", "min": 0, "max": 1}


def pricing_tree() -> kt.KPITree:
    """Revenue from customers at a list price less a discount: solving revenue to $5M with the
    discount as lever needs a discount of -181%."""
    return kt.KPITree.from_dict({"metrics": {
        "revenue": {"name": "Revenue", "formula": "customers * list_price * (1 - discount)",
                    "unit": "currency"},
        "customers": {"value": 1000, "target": 1000, "unit": "count", "min": 0},
        "list_price": {"value": 1780, "target": 1780, "unit": "currency", "min": 0},
        "discount": {"name": "Discount", "value": 0.1, "target": 0.1, **RATE},
    }})


def subscriber_tree() -> kt.KPITree:
    """Subscribers at the end of the month: solving them to 34,500 through churn needs -240%."""
    return kt.KPITree.from_dict({"metrics": {
        "subscribers_end": {"formula": "subscribers_start * (1 - churn) + new_subscribers",
                            "unit": "count", "min": 0},
        "subscribers_start": {"value": 10_000, "target": 10_000, "unit": "count", "min": 0},
        "churn": {"value": 0.03, "target": 0.03, **RATE},
        "new_subscribers": {"value": 500, "target": 500, "unit": "count", "min": 0},
    }})


def monthly_tree() -> kt.KPITree:
    """New ARR per month from opportunities and a win rate that moved between 18% and 24%."""
    months = [f"2026-{m:02d}" for m in range(1, 7)]
    wins = [0.24, 0.22, 0.18, 0.19, 0.2, 0.21]
    return kt.KPITree.from_dict({"metrics": {
        "new_arr": {"formula": "opportunities * win_rate * acv", "unit": "currency"},
        "opportunities": {"value": dict(zip(months, [90, 95, 100, 105, 110, 100])),
                          "target": dict.fromkeys(months, 100), "unit": "count", "min": 0},
        "win_rate": {"value": dict(zip(months, wins)), "target": dict.fromkeys(months, 0.22),
                     **RATE},
        "acv": {"value": dict.fromkeys(months, 50_000), "target": dict.fromkeys(months, 50_000),
                "unit": "currency", "min": 0},
    }})


# ------------------------------------------------------------------ the file and the API


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_bounds_survive_save_and_load(tmp_path, suffix):
    tree = pricing_tree()
    assert tree.to_dict()["metrics"]["discount"]["min"] == 0
    assert tree.to_dict()["metrics"]["discount"]["max"] == 1
    path = tmp_path / f"tree{suffix}"
    tree.save(path)
    assert "min: 0" in path.read_text() if suffix == ".yaml" else '"min": 0' in path.read_text()
    again = kt.load(path)
    assert again.to_dict() == tree.to_dict()
    assert again.metrics["discount"].bounds == (0.0, 1.0)
    assert again.metrics["customers"].bounds == (0.0, math.inf)
    assert again.metrics["revenue"].bounds == (-math.inf, math.inf)


def test_the_json_schema_declares_the_bounds():
    fields = kt.json_schema()["$defs"]["MetricSpec"]["properties"]
    assert {"min", "max"} <= set(fields)
    assert "solve" in fields["min"]["description"]


@pytest.mark.parametrize(("fields", "message"), [
    ({"min": 2, "max": 1}, "metrics.discount.min: 2 is above max (1)"),
    ({"min": "zero"}, "metrics.discount.min: input should be a valid number, got 'zero'"),
    ({"max": True}, "metrics.discount.max: input should be a valid number, got True"),
    ({"mni": 0}, "metrics.discount.mni: unknown field, did you mean 'min'?"),
])
def test_bad_bounds_in_a_file_name_the_field(fields, message):
    spec = pricing_tree().to_dict()
    spec["metrics"]["discount"].pop("min")
    spec["metrics"]["discount"].pop("max")
    spec["metrics"]["discount"].update(fields)
    with pytest.raises(kt.KPITreeError) as err:
        kt.KPITree.from_dict(spec)
    assert str(err.value).startswith(message)


def test_bad_bounds_on_a_metric_object():
    from kpitree_widget.metric import Metric

    with pytest.raises(kt.KPITreeError, match=r"metrics.win_rate.max: expected a finite number"):
        Metric("win_rate", max=math.inf)
    with pytest.raises(kt.KPITreeError, match=r"metrics.win_rate.min: 0.5 is above max"):
        Metric("win_rate", min=0.5, max=0.2)


def test_a_150_percent_target_is_refused_and_changes_nothing():
    tree = pricing_tree()
    before = tree.to_dict()
    with pytest.raises(kt.KPITreeError) as err:
        tree.set_target("discount", 1.5)
    assert str(err.value).startswith(
        "metrics.discount.target: 150% is above its max of 100% (its bounds: 0% to 100%)")
    assert (err.value.metric, err.value.field) == ("discount", "target")
    for refused in (lambda: tree.set_numbers("target", "discount", -0.2),
                    lambda: tree.scenario("deep", {"discount": 1.2}),
                    lambda: tree.set_target("customers", -1)):
        with pytest.raises(kt.KPITreeError, match=r"is (below|above) its"):
            refused()
    assert tree.to_dict() == before


def test_a_target_per_period_outside_its_bounds_names_the_period():
    tree = monthly_tree()
    before = tree.to_dict()
    with pytest.raises(kt.KPITreeError, match=r"win_rate.target: 130% in 2026-03 is above"):
        tree.set_target("win_rate", 1.3, period="2026-03")
    with pytest.raises(kt.KPITreeError, match=r"130% in 2026-02 is above"):
        tree.set_numbers("target", "win_rate", {"2026-01": 0.2, "2026-02": 1.3})
    tree.scenario("upside", {"win_rate": 0.25})
    with pytest.raises(kt.KPITreeError, match=r"scenarios.upside.win_rate: 120% in 2026-04"):
        tree.set_scenario_target("upside", "win_rate", 1.2, period="2026-04")
    assert tree.to_dict()["metrics"] == before["metrics"]


def test_a_value_outside_its_bounds_is_kept_and_flagged():
    """A value is an observed fact: it is kept, and the health check asks to look at it."""
    tree = pricing_tree()
    tree.set_value("discount", 1.2)
    assert tree.get_value("discount") == 1.2
    (finding,) = [f for f in tree.check() if f.rule == "bounds.outside"]
    assert (finding.metric, finding.severity) == ("discount", "warning")
    assert "Discount's value 120% is above its max of 100%" in finding.message


def test_a_file_with_a_target_outside_its_bounds_loads_and_is_an_error_finding():
    spec = pricing_tree().to_dict()
    spec["metrics"]["discount"]["target"] = 1.5
    tree = kt.KPITree.from_dict(spec)  # still opens, so it can be fixed
    errors = [f for f in tree.check().errors if f.rule == "bounds.outside"]
    assert [f.metric for f in errors] == ["discount"]
    assert kt.KPITree.from_dict(tree.to_dict()).to_dict() == tree.to_dict()


# ------------------------------------------------------------------ solve within the bounds


def test_the_discount_that_would_be_minus_181_percent_is_refused():
    tree = pricing_tree()
    before = tree.to_dict()
    with pytest.raises(kt.KPITreeError) as err:
        tree.solve("revenue", 5_000_000, lever="discount")
    message = str(err.value)
    assert "revenue = $5M needs discount = −181%, below its min of 0%" in message
    # what is possible: the discount between 0% and 100% gives revenue from $0 to $1.78M
    assert "with discount within its bounds (0% to 100%) revenue can reach $0 to $1.78M" in message
    assert err.value.metric == "revenue"
    assert tree.to_dict() == before


def test_churn_that_would_be_minus_240_percent_is_refused():
    tree = subscriber_tree()
    before = tree.to_dict()
    with pytest.raises(kt.KPITreeError) as err:
        tree.solve("subscribers_end", 34_500, lever="churn")
    assert "needs churn = −240%, below its min of 0%" in str(err.value)
    assert "can reach 500 to 10.5k" in str(err.value)
    assert tree.to_dict() == before
    assert tree.solve("subscribers_end", 10_000, lever="churn") == pytest.approx(0.05)


def test_a_lever_bounded_on_one_side_says_the_goal_can_grow_without_limit():
    tree = pricing_tree()
    with pytest.raises(kt.KPITreeError, match=r"customers = −1,000, below its min of 0; "
                       r"with customers within its bounds \(at least 0\) revenue can reach "
                       r"\$0 or more"):
        tree.solve("revenue", -1_602_000, lever="customers")


def test_a_formula_that_meets_the_goal_twice_keeps_the_answer_within_the_bounds():
    """revenue = price * demand(price): the goal is met at two prices; the one nearer the current
    target lies above the cap, the other within it."""
    tree = kt.KPITree.from_dict({"metrics": {
        "revenue": {"formula": "price * (100 - price)"},
        "price": {"target": 70, "min": 0, "max": 40},
    }})
    x = tree.solve("revenue", 1600, lever="price")
    assert x == pytest.approx(20)
    assert tree.get_target("price") == pytest.approx(20)


def test_every_period_is_solved_within_the_bounds_or_none_is():
    tree = monthly_tree()
    before = tree.to_dict()
    with pytest.raises(kt.KPITreeError, match=r"in 2026-01 needs win_rate = 120%, above its max"):
        tree.solve("new_arr", 6_000_000, lever="win_rate")
    assert tree.to_dict() == before


def test_a_typed_150_percent_conversion_in_the_view_is_refused_beside_the_field():
    widget = kt.TreeWidget(pricing_tree())
    answer = widget._request("edit", {"metric": "discount", "field": "target", "text": "150%"})
    assert answer["ok"] is False
    assert answer["error"]["metric"] == "discount" and answer["error"]["field"] == "target"
    assert answer["error"]["message"].startswith("150% is above its max of 100%")
    assert widget.tree.get_target("discount") == 0.1


def test_a_solve_in_the_view_outside_the_bounds_is_refused_with_what_is_possible():
    tree = pricing_tree()
    tree.set_target("revenue", 5_000_000)
    widget = kt.TreeWidget(tree)
    answer = widget._request("solve", {"metric": "revenue", "lever": "discount"})
    assert answer["ok"] is False
    assert "below its min of 0%" in answer["error"]["message"]
    assert "can reach $0 to $1.78M" in answer["error"]["message"]
    assert widget.error["metric"] == "revenue"
    assert tree.get_target("discount") == 0.1


def test_the_view_is_told_each_metrics_bounds():
    widget = kt.TreeWidget(pricing_tree())
    rows = {m["id"]: m for m in widget.structure["metrics"]}
    assert (rows["discount"]["min"], rows["discount"]["max"]) == (0, 1)
    assert (rows["revenue"]["min"], rows["revenue"]["max"]) == (None, None)


# ------------------------------------------------------------------ history


def test_a_solve_beyond_the_levers_history_says_so_and_stays_a_number():
    tree = monthly_tree()
    x = tree.solve("new_arr", 2_250_000, lever="win_rate", period="2026-06")
    assert isinstance(x, float) and isinstance(x, Solved)
    assert x == pytest.approx(0.45) and x * 2 == pytest.approx(0.9)
    assert f"{x:.0%}" == "45%" and repr(x) == repr(float(x))
    assert x.outside_history is True and x.history == (0.18, 0.24)
    assert x.note == ("win_rate's target 45% in 2026-06 lies outside everything it has done "
                      "(its values: 18% to 24%)")
    assert tree.get_target("win_rate")["2026-06"] == pytest.approx(0.45)


def test_a_solve_within_the_levers_history_has_no_note():
    tree = monthly_tree()
    x = tree.solve("new_arr", 1_000_000, lever="win_rate", period="2026-06")
    assert x == pytest.approx(0.2)
    assert x.outside_history is False and x.note == ""


def test_a_tree_without_periods_has_no_history_to_compare():
    x = pricing_tree().solve("revenue", 1_500_000, lever="discount")
    assert x.history is None and not x.outside_history and x.note == ""


def test_solving_every_period_lists_the_periods_beyond_the_history():
    tree = monthly_tree()
    series = tree.solve("new_arr", 1_100_000, lever="win_rate")  # needs 22% every month
    assert isinstance(series, pd.Series) and series.attrs["outside_history"] == []
    series = tree.solve("new_arr", 1_500_000, lever="win_rate")  # needs 30% every month
    assert series.attrs["outside_history"] == list(tree.periods)
    assert series.attrs["history"] == (0.18, 0.24)
    assert "in 6 periods" in series.attrs["note"]


def test_the_views_solve_answer_carries_the_note():
    tree = monthly_tree()
    tree.set_target("new_arr", 2_250_000, period="2026-06")
    widget = kt.TreeWidget(tree, period="2026-06")
    answer = widget._request("solve", {"metric": "new_arr", "lever": "win_rate"})
    assert answer["ok"] is True and widget.error == {}
    assert "lies outside everything it has done (its values: 18% to 24%)" in answer["note"]
    answer = widget._request("solve", {"metric": "new_arr", "lever": "opportunities",
                                       "target": "$2.25M"})  # 100 at a 45% win rate
    assert answer["ok"] is True and "note" not in answer
    assert tree.get_target("opportunities")["2026-06"] == pytest.approx(100)


# ------------------------------------------------------------------ archetypes


@pytest.mark.parametrize("name", kt.archetypes())
def test_archetypes_bound_every_rate_share_and_count_and_pass_the_check(name):
    tree = kt.archetype(name)
    for metric in tree.metrics.values():
        if metric.unit == "percent":
            assert metric.min == 0, metric.id
            assert metric.max == 1 or "retention" in metric.id or "expansion" in metric.id, \
                metric.id
        elif metric.unit == "count" and metric.id != "net_subscriber_adds":  # a net change
            assert metric.min == 0, metric.id
    assert not tree.check().errors, str(tree.check().errors)


def test_the_b2b_saas_archetype_refuses_a_negative_discount():
    tree = kt.archetype("b2b_saas")
    before = tree.to_dict()
    with pytest.raises(kt.KPITreeError, match=r"needs discount_rate = −\d+%, below its min of 0%"):
        tree.solve("arr", 25_000_000, lever="discount_rate")
    with pytest.raises(kt.KPITreeError, match=r"win_rate = \d+%, above its max of 100%"):
        tree.solve("arr", 60_000_000, lever="win_rate")
    assert tree.to_dict() == before
