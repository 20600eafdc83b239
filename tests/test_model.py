"""The model: structure, the rollup, edits, statuses, listeners, copies and scenarios."""

from __future__ import annotations

import datetime as dt
import fractions
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

import kpitree_widget as kt
from kpitree_widget import Hypothesis, KPITree, KPITreeError, Metric
from treegen import REVENUE_TARGET, REVENUE_VALUE

OUTLINE = ["revenue", "customers", "new_customers", "website_visitors", "signup_rate",
           "returning_customers", "lost_customers", "arpc"]


def snapshot(tree: KPITree) -> tuple[Any, ...]:
    """Everything a person can observe about a tree, to compare before and after."""
    frames = [tree.rollup(period=p) for p in (tree.periods or [None])]
    frames += [tree.rollup(scenario=s) for s in tree.scenarios]
    return (tree.to_dict(), tree.periods, tree.scenarios, tree.tolerance, frames)


def assert_unchanged(tree: KPITree, before: tuple[Any, ...]) -> None:
    after = snapshot(tree)
    assert after[:4] == before[:4]
    assert len(after[4]) == len(before[4])
    for old, new in zip(before[4], after[4]):
        pd.testing.assert_frame_equal(old, new)


# --------------------------------------------------------------------------- structure


def test_the_north_star_is_the_one_metric_no_formula_uses(revenue_tree):
    assert revenue_tree.root == "revenue"
    assert revenue_tree.children("revenue") == ["customers", "arpc"]
    assert revenue_tree.children("customers") == [
        "new_customers", "returning_customers", "lost_customers"]
    assert revenue_tree.children("arpc") == []
    assert revenue_tree.parents("arpc") == ["revenue"]
    assert revenue_tree.inputs() == ["website_visitors", "signup_rate", "returning_customers",
                                     "lost_customers", "arpc"]
    assert revenue_tree.descendants("customers") == [
        "new_customers", "website_visitors", "signup_rate", "returning_customers",
        "lost_customers"]
    assert len(revenue_tree) == 8 and "arpc" in revenue_tree and "nope" not in revenue_tree


def test_an_explicit_root_is_used_and_other_tops_hang_detached(revenue_spec):
    revenue_spec["root"] = "revenue"
    revenue_spec["metrics"]["nps"] = {"value": 40, "target": 50}
    tree = KPITree.from_dict(revenue_spec)
    assert tree.root == "revenue"
    assert tree.outline()[-1] == ("nps", None, 0, "detached")
    assert "(not linked to the root)" in str(tree)


def test_several_top_metrics_are_an_error_listing_them(revenue_spec):
    revenue_spec["metrics"]["nps"] = {}
    revenue_spec["metrics"]["csat"] = {}
    with pytest.raises(KPITreeError) as err:
        KPITree.from_dict(revenue_spec)
    message = str(err.value)
    assert message.startswith("root: 3 metrics are used by no formula")
    for metric in ("revenue", "nps", "csat"):
        assert metric in message


def test_an_unknown_root_suggests_the_right_metric(revenue_spec):
    revenue_spec["root"] = "revenu"
    with pytest.raises(KPITreeError, match=r"^root: unknown metric 'revenu', did you mean "
                                           r"'revenue'\?"):
        KPITree.from_dict(revenue_spec)


def test_a_typo_in_a_formula_suggests_the_right_metric(revenue_spec):
    revenue_spec["metrics"]["revenue"]["formula"] = "custmers * arpc"
    with pytest.raises(KPITreeError) as err:
        KPITree.from_dict(revenue_spec)
    assert str(err.value) == ("metrics.revenue.formula: unknown metric 'custmers', "
                              "did you mean 'customers'?")


def test_a_cycle_is_refused_naming_the_whole_cycle(revenue_spec):
    revenue_spec["metrics"]["arpc"] = {"formula": "revenue / customers"}
    with pytest.raises(KPITreeError) as err:
        KPITree.from_dict(revenue_spec)
    assert "the formulas form a cycle: revenue -> arpc -> revenue" in str(err.value)


def test_a_longer_cycle_names_every_metric_on_it(revenue_spec):
    revenue_spec["metrics"]["website_visitors"] = {"formula": "customers * 10"}
    with pytest.raises(KPITreeError) as err:
        KPITree.from_dict(revenue_spec)
    message = str(err.value)
    assert "cycle" in message
    path = message.split("cycle: ")[1].split(";")[0].split(" -> ")
    assert path[0] == path[-1]
    assert set(path) == {"customers", "new_customers", "website_visitors"}


def test_a_metric_that_uses_itself_is_a_cycle(revenue_spec):
    revenue_spec["metrics"]["arpc"] = {"formula": "arpc * 1.1"}
    with pytest.raises(KPITreeError, match=r"^metrics\.arpc\.formula: .*cycle: arpc -> arpc"):
        KPITree.from_dict(revenue_spec)


def test_the_same_id_twice_in_a_metric_list_is_refused():
    with pytest.raises(KPITreeError, match=r"^metrics\.a: the id is used twice"):
        KPITree([Metric("t", formula="a + b"), Metric("a"), Metric("b"), Metric("a")])


def test_a_tree_needs_a_metric():
    with pytest.raises(KPITreeError, match="at least one metric"):
        KPITree([])


@pytest.mark.parametrize(("metric_id", "why"), [
    ("Win Rate", "snake_case"), ("1abc", "snake_case"), ("win-rate", "snake_case"),
    ("", "snake_case"), (42, "snake_case"), ("min", "formula function"),
    ("abs", "formula function"), ("class", "keyword"), ("lambda", "keyword"),
])
def test_a_metric_id_must_be_usable_in_a_formula(metric_id, why):
    with pytest.raises(KPITreeError) as err:
        Metric(metric_id)
    assert why in str(err.value)


def test_metric_fields_are_checked_and_named():
    assert Metric("win_rate").name == "win_rate"
    with pytest.raises(KPITreeError, match=r"^metrics\.win_rate\.direction: 'sideways'"):
        Metric("win_rate", direction="sideways")
    with pytest.raises(KPITreeError, match=r"^metrics\.win_rate\.cadence"):
        Metric("win_rate", cadence="hourly")
    for bad in (-3, math.inf, math.nan, "7", True):
        with pytest.raises(KPITreeError, match=r"^metrics\.win_rate\.lag_days"):
            Metric("win_rate", lag_days=bad)
    with pytest.raises(KPITreeError, match=r"^metrics\.win_rate\.formula"):
        Metric("win_rate", formula="won / opps.count")


def test_a_hypothesis_to_an_unknown_metric_is_refused(revenue_spec):
    revenue_spec["hypotheses"] = [{"from": "brand_awarenes", "to": "website_visitors"}]
    revenue_spec["metrics"]["brand_awareness"] = {}
    with pytest.raises(KPITreeError) as err:
        KPITree.from_dict(revenue_spec)
    assert str(err.value).startswith("hypotheses: brand_awarenes -> website_visitors: unknown "
                                     "metric 'brand_awarenes', did you mean 'brand_awareness'?")


def test_a_hypothesis_needs_a_sign():
    with pytest.raises(KPITreeError, match="must be '\\+' or '-'"):
        Hypothesis("a", "b", sign="up")
    assert Hypothesis("a", "b", sign=-1).sign == "-"
    assert Hypothesis("a", "b", sign="positive").sign == "+"


@pytest.fixture
def tree_with_hypothesis(revenue_spec):
    revenue_spec["metrics"]["brand_awareness"] = {"value": 0.3, "target": 0.35,
                                                  "unit": "percent"}
    revenue_spec["hypotheses"] = [{"from": "brand_awareness", "to": "website_visitors",
                                   "sign": "+", "note": "ads lift traffic"}]
    return KPITree.from_dict(revenue_spec)


def test_a_driver_linked_only_by_a_hypothesis_hangs_under_its_outcome(tree_with_hypothesis):
    tree = tree_with_hypothesis
    assert tree.root == "revenue"  # the driver is not a second North Star
    rows = {m: (parent, level, link) for m, parent, level, link in tree.outline()}
    assert rows["brand_awareness"] == ("website_visitors", 4, "hypothesis")
    df = tree.rollup()
    assert list(df.index).index("brand_awareness") == list(df.index).index("website_visitors") + 1
    assert df.loc["brand_awareness", "parent"] == "website_visitors"
    # never used in arithmetic
    assert df.loc["revenue", "value"] == pytest.approx(REVENUE_VALUE)
    assert tree.hypotheses[0].note == "ads lift traffic"


def test_a_metric_used_by_two_formulas_is_shown_once():
    tree = KPITree.from_dict({"metrics": {
        "profit": {"formula": "revenue - marketing_cost"},
        "revenue": {"formula": "visitors * conversion * order_value"},
        "marketing_cost": {"formula": "visitors * cost_per_visit"},
        "visitors": {"value": 1000, "target": 1200},
        "conversion": {"value": 0.05, "target": 0.05},
        "order_value": {"value": 80, "target": 80},
        "cost_per_visit": {"value": 1.5, "target": 1.0},
    }})
    df = tree.rollup()
    assert list(df.index).count("visitors") == 1
    assert len(df) == 7
    assert df.loc["visitors", "parent"] == "revenue"
    assert sorted(tree.parents("visitors")) == ["marketing_cost", "revenue"]
    assert df.loc["profit", "value"] == pytest.approx(1000 * 0.05 * 80 - 1000 * 1.5)
    assert df.loc["profit", "target"] == pytest.approx(1200 * 0.05 * 80 - 1200 * 1.0)


def test_metrics_is_a_read_only_view(revenue_tree):
    assert revenue_tree.metrics["arpc"].unit == "currency"
    with pytest.raises(TypeError):
        revenue_tree.metrics["arpc"] = Metric("arpc")  # type: ignore[index]


def test_a_tree_built_from_metric_objects_matches_one_from_a_mapping(revenue_tree, revenue_spec):
    metrics, values, targets = [], {}, {}
    for metric_id, spec in revenue_spec["metrics"].items():
        fields = {k: v for k, v in spec.items() if k not in ("value", "target")}
        metrics.append(Metric(metric_id, **fields))
        if "value" in spec:
            values[metric_id] = spec["value"]
        if "target" in spec:
            targets[metric_id] = spec["target"]
    tree = KPITree(metrics, values=values, targets=targets, name="Acme revenue")
    assert tree.to_dict() == revenue_tree.to_dict()
    pd.testing.assert_frame_equal(tree.rollup(), revenue_tree.rollup())


# --------------------------------------------------------------------------- the rollup


def test_the_rollup_is_depth_first_from_the_root_with_levels_and_parents(revenue_tree):
    df = revenue_tree.rollup()
    assert list(df.index) == OUTLINE
    assert list(df["level"]) == [0, 1, 2, 3, 3, 2, 2, 1]
    assert [p if isinstance(p, str) else None for p in df["parent"]] == [
        None, "revenue", "customers", "new_customers", "new_customers", "customers",
        "customers", "revenue"]
    for column in ("name", "level", "parent", "formula", "relation", "is_input", "value",
                   "target", "implied_target", "variance", "variance_pct", "status", "owner",
                   "unit", "direction"):
        assert column in df.columns


def test_the_rollup_computes_values_and_targets_through_the_formulas(revenue_tree):
    df = revenue_tree.rollup()
    assert df.loc["new_customers", "value"] == pytest.approx(50000 * 0.02)
    assert df.loc["new_customers", "target"] == pytest.approx(60000 * 0.025)
    assert df.loc["customers", "value"] == pytest.approx(1000 + 4000 - 300)
    assert df.loc["customers", "target"] == pytest.approx(1500 + 4200 - 250)
    assert df.loc["revenue", "value"] == pytest.approx(REVENUE_VALUE)
    assert df.loc["revenue", "target"] == pytest.approx(REVENUE_TARGET)
    assert df.loc["revenue", "implied_target"] == pytest.approx(REVENUE_TARGET)
    assert math.isnan(df.loc["arpc", "implied_target"])
    assert df.loc["revenue", "variance"] == pytest.approx(REVENUE_VALUE - REVENUE_TARGET)
    assert df.loc["revenue", "variance_pct"] == pytest.approx(
        100 * (REVENUE_VALUE - REVENUE_TARGET) / REVENUE_TARGET)
    assert df.loc["revenue", "formula"] == "customers * arpc"
    assert df.loc["revenue", "relation"] == "product"
    assert df.loc["customers", "relation"] == "sum"
    assert df.loc["revenue", "name"] == "Revenue"
    assert df.loc["revenue", "owner"] == "CEO"
    assert bool(df.loc["arpc", "is_input"]) and not bool(df.loc["revenue", "is_input"])


def test_a_constant_formula_rolls_up_without_inputs():
    df = KPITree.from_dict({"metrics": {"capacity": {"formula": "8 * 5 * 4"}}}).rollup()
    assert df.loc["capacity", "value"] == 160
    assert df.loc["capacity", "status"] == "on_track"


@pytest.mark.parametrize(("metric", "value", "status"), [
    ("arpc", 120, "at_risk"),           # 4% short, within the 5% tolerance
    ("arpc", 118.75, "at_risk"),        # exactly 5% short
    ("arpc", 118, "off_track"),         # 5.6% short
    ("arpc", 125, "on_track"),          # on target
    ("arpc", 130, "on_track"),          # above target, higher is better
    ("lost_customers", 240, "on_track"),   # direction down: below target is good
    ("lost_customers", 250, "on_track"),
    ("lost_customers", 260, "at_risk"),    # 4% over
    ("lost_customers", 300, "off_track"),  # 20% over
])
def test_status_follows_direction_and_tolerance(revenue_tree, metric, value, status):
    revenue_tree.set_value(metric, value)
    assert revenue_tree.rollup().loc[metric, "status"] == status


def test_the_tolerance_is_adjustable_in_the_tree_and_in_the_file(revenue_tree, revenue_spec):
    assert revenue_tree.rollup().loc["revenue", "status"] == "off_track"  # 17% short
    revenue_tree.tolerance = 0.2
    assert revenue_tree.rollup().loc["revenue", "status"] == "at_risk"
    revenue_spec["config"] = {"tolerance": 0}
    strict = KPITree.from_dict(revenue_spec)
    assert strict.tolerance == 0
    assert strict.rollup().loc["arpc", "status"] == "off_track"


def test_a_division_by_zero_is_undefined_not_an_exception():
    tree = KPITree.from_dict({"metrics": {
        "arpu": {"formula": "revenue / users"},
        "revenue": {"value": 1000, "target": 0},
        "users": {"value": 0, "target": 0},
    }})
    df = tree.rollup()
    assert df.loc["arpu", "value"] == math.inf
    assert math.isnan(df.loc["arpu", "target"])  # 0 / 0
    assert df.loc["arpu", "status"] == "undefined"
    assert df.loc["users", "status"] == "on_track"


def test_a_missing_number_below_a_metric_makes_it_missing(revenue_tree):
    revenue_tree.set_value("arpc", None)
    df = revenue_tree.rollup()
    assert df.loc["arpc", "status"] == "missing"
    assert df.loc["revenue", "status"] == "missing"
    assert math.isnan(df.loc["revenue", "value"])
    assert df.loc["customers", "status"] == "off_track"
    revenue_tree.set_target("signup_rate", None)
    df = revenue_tree.rollup()
    assert df.loc["new_customers", "status"] == "missing"
    assert df.loc["customers", "status"] == "missing"
    assert df.loc["returning_customers", "status"] == "at_risk"


# --------------------------------------------------------------------------- edits


def test_editing_an_input_recomputes_its_ancestors(revenue_tree):
    revenue_tree.set_target("signup_rate", 0.03)
    revenue_tree.set_value("website_visitors", 40000)
    df = revenue_tree.rollup()
    assert df.loc["revenue", "target"] == pytest.approx((60000 * 0.03 + 3950) * 125)
    assert df.loc["revenue", "value"] == pytest.approx((40000 * 0.02 + 3700) * 120)
    assert revenue_tree.get_target("signup_rate") == 0.03
    assert revenue_tree.get_value("website_visitors") == 40000


def test_numbers_of_other_types_are_stored_as_floats(revenue_tree):
    revenue_tree.set_target("arpc", np.int64(130))
    revenue_tree.set_value("arpc", fractions.Fraction(241, 2))
    assert revenue_tree.get_target("arpc") == 130.0
    assert revenue_tree.get_value("arpc") == 120.5
    assert isinstance(revenue_tree.get_target("arpc"), float)


def test_the_value_of_a_computed_metric_comes_from_its_formula(revenue_tree):
    before = snapshot(revenue_tree)
    with pytest.raises(KPITreeError) as err:
        revenue_tree.set_value("customers", 5000)
    assert str(err.value).startswith("metrics.customers.value: 'customers' is computed by its "
                                     "formula (new_customers + returning_customers - "
                                     "lost_customers)")
    assert_unchanged(revenue_tree, before)


def test_an_explicit_target_on_a_computed_metric_sits_beside_the_implied_one(revenue_tree):
    revenue_tree.set_target("revenue", 700000)
    df = revenue_tree.rollup()
    assert df.loc["revenue", "target"] == 700000
    assert df.loc["revenue", "implied_target"] == pytest.approx(REVENUE_TARGET)
    assert df.loc["revenue", "variance"] == pytest.approx(REVENUE_VALUE - 700000)
    # editing an input moves the implied target, not the explicit one
    revenue_tree.set_target("arpc", 130)
    df = revenue_tree.rollup()
    assert df.loc["revenue", "target"] == 700000
    assert df.loc["revenue", "implied_target"] == pytest.approx(5450 * 130)
    assert revenue_tree.to_dict()["metrics"]["revenue"]["target"] == 700000
    # None removes it
    revenue_tree.set_target("revenue", None)
    df = revenue_tree.rollup()
    assert df.loc["revenue", "target"] == pytest.approx(5450 * 130)
    assert "target" not in revenue_tree.to_dict()["metrics"]["revenue"]
    assert revenue_tree.get_target("revenue") is None


def test_an_explicit_target_in_a_file_is_kept(revenue_spec):
    revenue_spec["metrics"]["customers"]["target"] = 6000
    df = KPITree.from_dict(revenue_spec).rollup()
    assert df.loc["customers", "target"] == 6000
    assert df.loc["customers", "implied_target"] == pytest.approx(5450)
    assert df.loc["revenue", "target"] == pytest.approx(REVENUE_TARGET)  # implied from inputs


@pytest.fixture
def monthly_tree(revenue_spec):
    revenue_spec["metrics"]["website_visitors"]["value"] = {"2026-01": 40000, "2026-02": 50000}
    revenue_spec["metrics"]["arpc"]["target"] = {"2026-02": 126, "2026-01": 124}
    return KPITree.from_dict(revenue_spec)


def test_numbers_per_period_roll_up_per_period(monthly_tree):
    assert monthly_tree.periods == ["2026-01", "2026-02"]
    jan = monthly_tree.rollup(period="2026-01")
    feb = monthly_tree.rollup(period="2026-02")
    assert jan.loc["revenue", "value"] == pytest.approx((40000 * 0.02 + 3700) * 120)
    assert jan.loc["revenue", "target"] == pytest.approx(5450 * 124)
    assert feb.loc["revenue", "value"] == pytest.approx(REVENUE_VALUE)
    pd.testing.assert_frame_equal(monthly_tree.rollup(), feb)  # the last period by default


def test_a_period_can_be_named_by_text_a_pandas_period_or_a_date(monthly_tree):
    by_text = monthly_tree.rollup(period="2026-01")
    pd.testing.assert_frame_equal(monthly_tree.rollup(period=pd.Period("2026-01", "M")), by_text)
    pd.testing.assert_frame_equal(monthly_tree.rollup(period=dt.date(2026, 1, 1)), by_text)


def test_setting_a_number_for_one_period_leaves_the_others(monthly_tree):
    monthly_tree.set_value("website_visitors", 45000, period="2026-01")
    assert monthly_tree.get_value("website_visitors") == {"2026-01": 45000, "2026-02": 50000}
    monthly_tree.set_target("signup_rate", 0.03, period="2026-02")  # was one number for all
    assert monthly_tree.get_target("signup_rate") == {"2026-01": 0.025, "2026-02": 0.03}
    jan = monthly_tree.rollup(period="2026-01")
    feb = monthly_tree.rollup(period="2026-02")
    assert jan.loc["new_customers", "value"] == pytest.approx(45000 * 0.02)
    assert jan.loc["new_customers", "target"] == pytest.approx(60000 * 0.025)
    assert feb.loc["new_customers", "target"] == pytest.approx(60000 * 0.03)


def test_setting_a_number_for_all_periods_replaces_the_per_period_ones(monthly_tree):
    monthly_tree.set_target("arpc", 130)
    assert monthly_tree.get_target("arpc") == 130
    for period in monthly_tree.periods:
        assert monthly_tree.rollup(period=period).loc["arpc", "target"] == 130


def test_a_new_period_label_adds_a_period(monthly_tree):
    monthly_tree.set_value("website_visitors", 52000, period="2026-03")
    assert monthly_tree.periods == ["2026-01", "2026-02", "2026-03"]
    march = monthly_tree.rollup(period="2026-03")
    assert march.loc["website_visitors", "value"] == 52000
    assert march.loc["signup_rate", "value"] == 0.02  # one number holds for every period
    assert march.loc["arpc", "status"] == "missing"    # no target for March
    monthly_tree.set_value("website_visitors", None, period="2026-03")
    assert monthly_tree.periods == ["2026-01", "2026-02"]


def test_an_unknown_period_is_an_error_listing_the_periods(monthly_tree):
    with pytest.raises(KPITreeError) as err:
        monthly_tree.rollup(period="2026-07")
    assert str(err.value) == "period: unknown period '2026-07' (periods: 2026-01, 2026-02)"
    scalar = KPITree.from_dict({"metrics": {"a": {"value": 1, "target": 1}}})
    with pytest.raises(KPITreeError, match="the numbers hold for every period"):
        scalar.rollup(period="2026-01")


def test_free_period_labels_keep_their_order_whatever_order_the_metrics_come_in():
    metrics = {
        "total": {"formula": "a + b"},
        "a": {"value": {"launch": 1, "growth": 2}},
        "b": {"value": {"growth": 3, "launch": 4, "scale": 5}},
    }
    reordered = {m: metrics[m] for m in ("b", "total", "a")}
    one = KPITree.from_dict({"metrics": metrics})
    two = KPITree.from_dict({"metrics": reordered})
    assert one.periods == two.periods == ["launch", "growth", "scale"]
    pd.testing.assert_frame_equal(one.rollup(), two.rollup())


# --------------------------------------------------------------------------- bad input

BAD_NUMBERS = ["abc", "12", "12%", [1, 2], {"x": 1}, (1,), math.inf, -math.inf, math.nan,
               np.float64("nan"), True, False, 1j, 10**400, b"1", object()]


@pytest.mark.parametrize("bad", BAD_NUMBERS, ids=[repr(b)[:20] for b in BAD_NUMBERS])
@pytest.mark.parametrize("field", ["value", "target"])
@pytest.mark.parametrize("period", [None, "2026-02", "2026-05"])
def test_a_bad_number_is_refused_naming_the_field_and_nothing_changes(monthly_tree, bad, field,
                                                                      period):
    events: list[dict[str, Any]] = []
    monthly_tree.on_change(events.append)
    before = snapshot(monthly_tree)
    with pytest.raises(KPITreeError) as err:
        getattr(monthly_tree, f"set_{field}")("signup_rate", bad, period=period)
    assert str(err.value).startswith(f"metrics.signup_rate.{field}: expected a finite number")
    assert_unchanged(monthly_tree, before)
    assert events == []


@pytest.mark.parametrize(("call", "message"), [
    (lambda t: t.set_target("no_such_metric", 1.0), "target: unknown metric 'no_such_metric'"),
    (lambda t: t.set_target("arcp", 1.0), "did you mean 'arpc'?"),
    (lambda t: t.set_value("arpc", 1.0, period=""), "metrics.arpc.value: the period is empty"),
    (lambda t: t.set_value(42, 1.0), "value: unknown metric 42"),
    (lambda t: t.set_target(None, 1.0), "target: unknown metric None"),
    (lambda t: t.set_value("customers", 1.0), "metrics.customers.value"),
    (lambda t: t.set_value("customers", "abc"), "metrics.customers.value"),
    (lambda t: setattr(t, "tolerance", -0.1), "config.tolerance: expected a fraction >= 0"),
    (lambda t: setattr(t, "tolerance", "5%"), "config.tolerance: expected a finite number"),
    (lambda t: setattr(t, "tolerance", None), "config.tolerance"),
    (lambda t: t.rollup(scenario="upsid"), "did you mean 'upside'?"),
    (lambda t: t.rollup(period="2025-13"), "unknown period"),
    (lambda t: t.remove_scenario("nope"), "scenarios: unknown scenario 'nope'"),
    (lambda t: t.scenario("value", {"arpc": 1}), "scenarios.value: 'value' is reserved"),
    (lambda t: t.scenario("plan", {"arpc": 1}), "'plan' is reserved"),
    (lambda t: t.scenario("", {"arpc": 1}), "a scenario needs a name"),
    (lambda t: t.scenario(None, {"arpc": 1}), "a scenario needs a name"),
    (lambda t: t.scenario("up", [1, 2]), "scenarios.up: expected a mapping"),
    (lambda t: t.scenario("up", {"arcp": 1}), "scenarios.up: unknown metric 'arcp', did you "
                                              "mean 'arpc'?"),
    (lambda t: t.scenario("up", {"customers": 1}), "scenarios.up.customers: 'customers' is "
                                                   "computed"),
    (lambda t: t.scenario("up", {"arpc": "abc"}), "scenarios.up.arpc: expected a finite"),
    (lambda t: t.scenario("up", {"arpc": None}), "scenarios.up.arpc: expected a finite"),
    (lambda t: t.scenario("up", {"arpc": {"2026-01": math.nan}}), "scenarios.up.arpc.2026-01"),
    (lambda t: t.scenario("up", {"arpc": {"": 1}}), "a period label is empty"),
    (lambda t: t.scenario("upside", {"arpc": 1, "signup_rate": math.inf}),
     "scenarios.upside.signup_rate"),
])
def test_bad_edits_are_refused_with_a_clear_message_and_nothing_changes(revenue_tree, call,
                                                                         message):
    revenue_tree.scenario("upside", {"signup_rate": 0.03})
    events: list[dict[str, Any]] = []
    revenue_tree.on_change(events.append)
    before = snapshot(revenue_tree)
    with pytest.raises(KPITreeError) as err:
        call(revenue_tree)
    assert message in str(err.value)
    assert_unchanged(revenue_tree, before)
    assert events == []


@pytest.mark.parametrize(("where", "bad", "message"), [
    ("value", "abc", "metrics.arpc.value: expected a finite number, got 'abc'"),
    ("value", [120], "metrics.arpc.value: expected a finite number, got [120]"),
    ("target", math.inf, "metrics.arpc.target: expected a finite number, got inf"),
    ("target", {"2026-01": None}, "metrics.arpc.target.2026-01: expected a finite number"),
    ("target", {"2026-01": True}, "metrics.arpc.target.2026-01"),
    ("target", {"": 1}, "metrics.arpc.target: a period label is empty"),
])
def test_bad_numbers_in_a_spec_name_the_metric_and_field(revenue_spec, where, bad, message):
    revenue_spec["metrics"]["arpc"][where] = bad
    with pytest.raises(KPITreeError) as err:
        KPITree.from_dict(revenue_spec)
    assert message in str(err.value)


# --------------------------------------------------------------------------- listeners


def test_listeners_hear_every_change_until_they_unsubscribe(revenue_tree):
    events: list[dict[str, Any]] = []
    other: list[dict[str, Any]] = []
    stop = revenue_tree.on_change(events.append)
    revenue_tree.on_change(other.append)
    revenue_tree.set_value("arpc", 121)
    revenue_tree.set_target("revenue", 700000)
    revenue_tree.scenario("upside", {"signup_rate": 0.03})
    revenue_tree.remove_scenario("upside")
    assert events == [{"kind": "value", "metric": "arpc"},
                      {"kind": "target", "metric": "revenue"},
                      {"kind": "scenario", "metric": None},
                      {"kind": "scenario", "metric": None}]
    stop()
    stop()  # unsubscribing twice is harmless
    revenue_tree.set_value("arpc", 122)
    assert len(events) == 4
    assert len(other) == 5


def test_a_listener_sees_the_tree_already_recomputed(revenue_tree):
    seen: list[float] = []
    revenue_tree.on_change(lambda event: seen.append(
        float(revenue_tree.rollup().loc["revenue", "target"])))
    revenue_tree.set_target("arpc", 130)
    assert seen == [pytest.approx(5450 * 130)]


# --------------------------------------------------------------------------- copies


def test_a_copy_is_independent_of_the_original(revenue_tree):
    revenue_tree.scenario("upside", {"signup_rate": 0.03})
    events: list[dict[str, Any]] = []
    revenue_tree.on_change(events.append)
    revenue_tree.rollup()  # arrays computed before copying
    clone = revenue_tree.copy()
    original = snapshot(revenue_tree)
    clone.set_target("arpc", 200)
    clone.set_value("signup_rate", 0.5, period="2026-01")
    clone.scenario("upside", {"signup_rate": 0.9})
    clone.scenario("downside", {"arpc": 100})
    clone.tolerance = 0.5
    assert_unchanged(revenue_tree, original)
    assert events == []  # listeners stay with the original
    copied = snapshot(clone)
    revenue_tree.set_value("arpc", 1)
    revenue_tree.scenario("upside", {"signup_rate": 0.01})
    assert_unchanged(clone, copied)
    assert clone.rollup(period="2026-01").loc["signup_rate", "value"] == 0.5


# --------------------------------------------------------------------------- scenarios


def test_a_scenario_overrides_input_targets_and_rolls_up(revenue_tree):
    revenue_tree.scenario("upside", {"signup_rate": 0.03, "arpc": 130})
    assert revenue_tree.layers == ["value", "target", "upside"]
    up = revenue_tree.rollup(scenario="upside")
    plan = revenue_tree.rollup()
    assert up.loc["revenue", "target"] == pytest.approx((60000 * 0.03 + 3950) * 130)
    assert up.loc["website_visitors", "target"] == 60000  # the plan where not overridden
    assert up.loc["revenue", "value"] == plan.loc["revenue", "value"]
    assert plan.loc["revenue", "target"] == pytest.approx(REVENUE_TARGET)  # plan untouched
    assert revenue_tree.scenarios == {"upside": {"signup_rate": 0.03, "arpc": 130.0}}
    revenue_tree.remove_scenario("upside")
    assert revenue_tree.layers == ["value", "target"]


def test_a_scenario_can_vary_by_period_and_removing_it_drops_its_periods(monthly_tree):
    monthly_tree.scenario("spring", {"arpc": {"2026-02": 140, "2026-03": 150}})
    assert monthly_tree.periods == ["2026-01", "2026-02", "2026-03"]
    assert monthly_tree.rollup(period="2026-03", scenario="spring").loc["arpc", "target"] == 150
    monthly_tree.remove_scenario("spring")
    assert monthly_tree.periods == ["2026-01", "2026-02"]


def test_scenarios_in_a_spec_are_validated(revenue_spec):
    revenue_spec["scenarios"] = {"upside": {"customers": 6000}}
    with pytest.raises(KPITreeError, match=r"^scenarios\.upside\.customers: 'customers' is "
                                           "computed"):
        KPITree.from_dict(revenue_spec)
    revenue_spec["scenarios"] = {"target": {"arpc": 1}}
    with pytest.raises(KPITreeError, match="reserved"):
        KPITree.from_dict(revenue_spec)


# --------------------------------------------------------------------------- printing


def test_printing_a_tree_shows_names_math_and_value_against_target(tree_with_hypothesis,
                                                                   monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")  # a wide terminal: nothing shortened
    text = str(tree_with_hypothesis)
    lines = text.splitlines()
    assert lines[0] == "Acme revenue"
    assert lines[1].startswith("Revenue = customers * arpc")
    assert "$564k vs $681k" in lines[1] and "OFF TRACK" in lines[1] and "(CEO)" in lines[1]
    assert lines[2].startswith("├── Customers = new_customers + returning_customers - "
                               "lost_customers")
    assert "4,700 vs 5,450" in lines[2]
    visitors = next(i for i, line in enumerate(lines) if "Website visitors" in line)
    assert "50k vs 60k" in lines[visitors]
    assert "╌╌ brand_awareness  (hypothesis)" in lines[visitors + 1]
    assert "30% vs 35%" in lines[visitors + 1]
    assert "2% vs 2.5%" in text
    arpc = lines[-1]
    assert arpc.startswith("└── Average revenue per customer")
    assert "$120 vs $125" in arpc and "at risk" in arpc
    assert repr(tree_with_hypothesis) == text
    assert " nan" not in text  # a metric without a unit shows no 'nan'


def test_printing_a_tree_without_units_or_owners_stays_clean():
    tree = KPITree.from_dict({"metrics": {"total": {"formula": "a + b"},
                                          "a": {"value": 1234, "target": 1000},
                                          "b": {"value": 2, "target": 2}}})
    text = str(tree)
    assert "nan" not in text.lower()
    assert text.splitlines()[0].startswith("total = a + b")
    assert "1,236 vs 1,002" in text.splitlines()[0]


def test_kpitree_error_is_a_value_error():
    assert issubclass(kt.KPITreeError, ValueError)


# --------------------------------------------------------------------------- ids and periods


@pytest.mark.parametrize("metric_id", ["a\n", "win_rate\n", "a\nb", "\na"])
def test_an_id_is_matched_whole_so_a_trailing_newline_is_refused(metric_id):
    with pytest.raises(KPITreeError, match="not a valid metric id"):
        Metric(metric_id)
    with pytest.raises(KPITreeError, match="not a valid metric id"):
        KPITree.from_dict({"metrics": {metric_id: {"value": 1}}})


def _monthly_tree() -> KPITree:
    return KPITree.from_dict({"metrics": {
        "revenue": {"formula": "new + retained"},
        "new": {"value": {"2026-01": 10, "2026-02": 12}},
        "retained": {"value": {"2026-01": 90, "2026-02": 95}}}})


@pytest.mark.parametrize("period", [
    dt.date(2026, 2, 1), dt.datetime(2026, 2, 1), pd.Timestamp("2026-02-01"),
    pd.Period("2026-02", "M"), " 2026-02 "])
def test_a_date_or_period_object_names_the_period_the_file_wrote(period):
    tree = _monthly_tree()
    tree.set_value("new", 20, period=period)
    assert tree.periods == ["2026-01", "2026-02"]
    assert tree.get_value("new") == {"2026-01": 10.0, "2026-02": 20.0}
    assert tree.rollup(period="2026-02").loc["revenue", "value"] == 115


def test_a_yaml_date_on_the_first_of_a_month_is_the_month(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("metrics:\n  a:\n    value: {2026-01-01: 3, 2026-02-01: 4}\n")
    tree = kt.load(path)
    assert tree.periods == ["2026-01", "2026-02"]
    tree.set_value("a", 5, period=dt.date(2026, 2, 1))
    assert tree.get_value("a") == {"2026-01": 3.0, "2026-02": 5.0}


@pytest.mark.parametrize("numbers", [
    {"2026-01": 1, " 2026-01": 2},
    {"2026-01": 1, "2026-01\t": 2},
    {"2026-02": 1, dt.date(2026, 2, 1): 2},
    {pd.Timestamp("2026-02-01"): 1, pd.Period("2026-02", "M"): 2},
])
def test_two_labels_for_one_period_are_refused_never_merged(numbers):
    with pytest.raises(KPITreeError, match=r"^metrics\.a\.value: .*both name"):
        KPITree.from_dict({"metrics": {"a": {"value": numbers}}})
    with pytest.raises(KPITreeError, match=r"^scenarios\.up\.a: .*both name"):
        KPITree.from_dict({"metrics": {"a": {"value": 1}}, "scenarios": {"up": {"a": numbers}}})
