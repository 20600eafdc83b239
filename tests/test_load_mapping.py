"""load_data from a plain mapping: numbers typed in a notebook cell or read from JSON load with
the same checks and messages as a data frame, and the tree is left as it was on any error."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import kpitree_widget as kt


@pytest.fixture
def tree(revenue_spec) -> kt.KPITree:
    return kt.KPITree.from_dict(revenue_spec)


def test_numbers_per_period_load_like_a_wide_frame(tree, revenue_spec):
    numbers = {"website_visitors": {"2026-02": 52_000, "2026-01": 50_000},
               "signup_rate": {pd.Period("2026-01", "M"): 0.02, dt.date(2026, 2, 1): 0.021}}
    tree.load_data(numbers)
    frame = kt.KPITree.from_dict(revenue_spec)
    frame.load_data(pd.DataFrame({"website_visitors": [50_000, 52_000],
                                  "signup_rate": [0.02, 0.021]},
                                 index=pd.period_range("2026-01", periods=2, freq="M")))
    assert tree.periods == ["2026-01", "2026-02"]
    pd.testing.assert_frame_equal(tree.timeseries(), frame.timeseries())


def test_a_plan_and_one_number_for_every_period(tree):
    tree.load_data({"website_visitors": {"2026-01": 50_000, "2026-02": 52_000}})
    tree.load_data({"website_visitors": 60_000, "arpc": {"2026-02": 130}}, layer="plan")
    assert tree.get_target("website_visitors") == 60_000
    assert tree.rollup(period="2026-01").loc["website_visitors", "target"] == 60_000
    assert tree.rollup(period="2026-02").loc["arpc", "target"] == 130


def test_reported_revenue_from_a_mapping_is_kept_apart(tree):
    tree.load_data({"website_visitors": {"2026-01": 50_000}, "revenue": {"2026-01": 560_000}})
    assert tree.reported("revenue").tolist() == [560_000]


@pytest.mark.parametrize(("numbers", "message"), [
    ({"website_visitorz": {"2026-01": 1}},
     "load_data: unknown metric 'website_visitorz', did you mean 'website_visitors'? "
     "(period 2026-01)"),
    ({"website_visitors": {"2026-01": "lots"}},
     "load_data: metrics.website_visitors period 2026-01: 'lots' is not a number"),
    ({"website_visitors": {"2026-01": float("inf")}},
     "load_data: metrics.website_visitors period 2026-01: inf is not a finite number"),
    ({"website_visitors": {"2026-01": 1, " 2026-01": 2}},
     "load_data: metrics.website_visitors: the periods '2026-01' and ' 2026-01' both name "
     "period 2026-01"),
    ({"website_visitors": [1, 2]}, "load_data: metrics.website_visitors: expected a number or "
     "a mapping of period to number, got [1, 2]"),
    ({"website_visitors": float("nan")}, "load_data: metrics.website_visitors: nan is not a "
     "finite number"),
    ({5: {"2026-01": 1}}, "load_data: metric 5 is not a metric id"),
    ({"revenue": 500_000}, "load_data: metrics.revenue.value: 'revenue' is computed"),
    ({}, "load_data: read no numbers: the mapping is empty"),
    ({"website_visitors": {"2026Q1": 1}, "arpc": {"2026-01": 2}},
     "load_data: periods of different lengths"),
])
def test_bad_numbers_in_a_mapping_change_nothing(tree, numbers, message):
    before = tree.to_dict()
    with pytest.raises(kt.KPITreeError) as info:
        tree.load_data(numbers)
    assert str(info.value).startswith(message)
    assert tree.to_dict() == before and tree.periods == []


def test_a_plan_for_a_computed_metric_says_what_to_do(tree):
    with pytest.raises(kt.KPITreeError, match=r"metrics.revenue.target \(period 2026-01\): "
                                              "'revenue' is computed by its formula"):
        tree.load_data({"revenue": {"2026-01": 1}}, layer="target")
