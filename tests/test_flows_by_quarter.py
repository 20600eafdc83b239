"""Quarters and years of computed flows: an FP&A analyst rolls a monthly tree into quarters and
reads revenue as finance reports it, and a growth lead rolls ISO weeks into quarters."""

from __future__ import annotations

import pandas as pd
import pytest

import kpitree_widget as kt
from kpitree_widget.periods import iso_week, order_periods, week_thursday

MONTHS = pd.period_range("2026-01", periods=6, freq="M")
CUSTOMERS = [10_000, 11_000, 12_000, 12_500, 13_000, 14_000]
ARPU = [120.0, 125.0, 130.0, 130.0, 135.0, 140.0]


def revenue_tree(aggregation: str | None = "sum") -> kt.KPITree:
    revenue = {"name": "Revenue", "formula": "customers * arpu", "unit": "currency",
               "owner": "CFO"}
    if aggregation:
        revenue["aggregation"] = aggregation
    tree = kt.KPITree.from_dict({"metrics": {
        "profit": {"name": "Profit", "formula": "revenue - costs", "unit": "currency"},
        "revenue": revenue,
        "customers": {"name": "Customers", "unit": "count", "aggregation": "last"},
        "arpu": {"name": "ARPU", "unit": "currency", "aggregation": "mean"},
        "costs": {"name": "Costs", "unit": "currency"}}})
    tree.load_data(pd.DataFrame({"customers": CUSTOMERS, "arpu": ARPU,
                                 "costs": [1e6] * 6}, index=MONTHS))
    tree.load_data(pd.DataFrame({"customers": [c + 500 for c in CUSTOMERS],
                                 "arpu": [a + 5 for a in ARPU], "costs": [0.9e6] * 6},
                                index=MONTHS), layer="target")
    return tree


def monthly_revenue(customers=CUSTOMERS, arpu=ARPU) -> list[float]:
    return [c * a for c, a in zip(customers, arpu)]


def test_a_quarter_of_revenue_with_aggregation_sum_is_its_three_months_added_up():
    tree = revenue_tree("sum")
    q = tree.timeseries(freq="Q")
    months = monthly_revenue()
    assert q.loc[pd.Period("2026Q1"), "revenue"] == pytest.approx(sum(months[:3]))  # $4.13M
    assert q.loc[pd.Period("2026Q2"), "revenue"] == pytest.approx(sum(months[3:]))
    # the parts roll by their own rules: customers at quarter end, ARPU the average
    assert q.loc[pd.Period("2026Q1"), "customers"] == 12_000
    assert q.loc[pd.Period("2026Q1"), "arpu"] == pytest.approx(125.0)
    # what sits above revenue computes from the summed revenue
    assert q.loc[pd.Period("2026Q1"), "profit"] == pytest.approx(sum(months[:3]) - 3e6)
    assert tree.timeseries(freq="Y").loc[pd.Period("2026"), "revenue"] == pytest.approx(
        sum(months))


def test_without_an_aggregation_a_computed_metric_is_recomputed_from_its_quarterly_parts():
    q = revenue_tree(None).timeseries(freq="Q")
    assert q.loc[pd.Period("2026Q1"), "revenue"] == pytest.approx(12_000 * 125.0)  # $1.5M


def test_last_and_mean_on_a_computed_metric_take_its_own_monthly_numbers():
    months = monthly_revenue()
    last = revenue_tree("last").timeseries(freq="Q")
    assert last.loc[pd.Period("2026Q1"), "revenue"] == pytest.approx(months[2])
    mean = revenue_tree("mean").timeseries(freq="Q")
    assert mean.loc[pd.Period("2026Q2"), "revenue"] == pytest.approx(sum(months[3:]) / 3)


def test_the_plan_and_scenarios_of_a_summed_flow_add_up_their_months_too():
    tree = revenue_tree("sum")
    tree.scenario("upside", {"arpu": 150})
    q = tree.resample("Q")
    plan = monthly_revenue([c + 500 for c in CUSTOMERS], [a + 5 for a in ARPU])
    row = q.rollup(period="2026Q1")
    assert row.loc["revenue", "target"] == pytest.approx(sum(plan[:3]))
    assert row.loc["revenue", "value"] == pytest.approx(sum(monthly_revenue()[:3]))
    upside = q.rollup(period="2026Q1", scenario="upside").loc["revenue", "target"]
    assert upside == pytest.approx(sum((c + 500) * 150 for c in CUSTOMERS[:3]))
    assert q.compare(period="2026Q1").loc["profit", "plan"] == pytest.approx(
        sum(plan[:3]) - 2.7e6)


def test_the_quarterly_tree_says_where_the_formula_no_longer_holds():
    q = revenue_tree("sum").resample("Q")
    notes = [f for f in q.check() if f.rule == "aggregation.formula"]
    assert [f.metric for f in notes] == ["revenue"]
    (note,) = notes
    assert note.severity == "info"
    assert "Revenue (actual, 2026Q1) is the sum of its months, $4.13M" in note.message
    assert "customers * arpu" in note.message and "$1.5M" in note.message
    assert "1 more period" in note.message
    # the monthly tree has no such note: there the formula holds
    assert not [f for f in revenue_tree("sum").check() if f.rule == "aggregation.formula"]


def test_a_computed_flow_without_aggregation_in_a_tree_with_periods_is_a_warning():
    found = {f.metric: f for f in revenue_tree(None).check() if f.rule == "aggregation.missing"}
    assert set(found) == {"revenue"}  # profit is a sum of summed parts: exact either way
    assert found["revenue"].severity == "warning"
    assert "aggregation: sum" in found["revenue"].message
    assert "aggregation: sum" in kt.health.RULES["aggregation.missing"].fix
    assert not [f for f in revenue_tree("sum").check() if f.rule == "aggregation.missing"]
    scalar = kt.KPITree.from_dict({"metrics": {
        "revenue": {"formula": "customers * arpu", "unit": "currency"},
        "customers": {"value": 10, "unit": "count"}, "arpu": {"value": 5, "unit": "currency"}}})
    assert not [f for f in scalar.check() if f.rule == "aggregation.missing"]  # no periods


def test_an_edit_in_the_monthly_tree_shows_in_the_next_resample():
    tree = revenue_tree("sum")
    tree.set_value("customers", 20_000, period="2026-01")
    q = tree.timeseries(freq="Q")
    months = monthly_revenue([20_000, *CUSTOMERS[1:]])
    assert q.loc[pd.Period("2026Q1"), "revenue"] == pytest.approx(sum(months[:3]))


# --------------------------------------------------------------------------- ISO weeks


def weekly_tree(weeks: list[str]) -> kt.KPITree:
    tree = kt.KPITree.from_dict({"metrics": {
        "signups": {"formula": "visits * conversion", "unit": "count", "aggregation": "sum"},
        "visits": {"unit": "count"}, "conversion": {"unit": "percent"}}})
    rows = pd.DataFrame({"period": weeks, "visits": [1000.0 * (i + 1) for i in range(len(weeks))],
                         "conversion": [0.1] * len(weeks)})
    tree.load_data(rows)
    return tree


def test_iso_weeks_belong_to_the_quarter_and_year_of_their_thursday():
    assert week_thursday("2026-W01").isoformat() == "2026-01-01"  # starts Mon 2025-12-29
    assert week_thursday("2020-W53").isoformat() == "2020-12-31"
    assert iso_week("2026-W54") is None and iso_week("2026-01") is None
    weeks = ["2020-W53", "2021-W01", "2021-W13", "2021-W14"]
    # 2021-W13 runs Mon 29 March to Sun 4 April: its Thursday (1 April) puts it in Q2
    tree = weekly_tree(weeks)
    q = tree.timeseries(freq="Q")
    assert [str(p) for p in q.index] == ["2020Q4", "2021Q1", "2021Q2"]
    assert list(q["visits"]) == [1000.0, 2000.0, 7000.0]
    assert list(q["signups"]) == pytest.approx([100.0, 200.0, 700.0])
    y = tree.timeseries(freq="Y")
    assert [str(p) for p in y.index] == ["2020", "2021"]
    assert list(y["visits"]) == [1000.0, 9000.0]


def test_weeks_are_kept_in_time_order_and_do_not_roll_into_months():
    assert order_periods(["2026-W10", "2025-W52", "2026-W02"]) == [
        "2025-W52", "2026-W02", "2026-W10"]
    tree = weekly_tree(["2026-W01", "2026-W02"])
    with pytest.raises(kt.KPITreeError, match="ISO weeks roll into quarters"):
        tree.resample("M")


def test_labels_that_are_not_periods_still_cannot_be_resampled():
    tree = kt.KPITree.from_dict({"metrics": {"a": {"value": {"spring": 1, "autumn": 2}}}})
    with pytest.raises(kt.KPITreeError, match="not dates, periods or ISO weeks"):
        tree.resample("Q")
