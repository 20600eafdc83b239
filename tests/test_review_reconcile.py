"""Reconciliation of reported numbers for computed metrics with their formulas."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import kpitree_widget as kt
from test_health_rules import sound_spec

MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]


def tree() -> kt.KPITree:
    return kt.KPITree.from_dict(sound_spec())


def reported(seed: int = 5) -> pd.DataFrame:
    """Twelve months of inputs and the computed metrics worked out from them exactly."""
    rng = np.random.default_rng(seed)
    n = len(MONTHS)
    d = pd.DataFrame({
        "leads": rng.integers(800, 1200, n).astype(float),
        "lead_to_opp_rate": rng.uniform(0.2, 0.4, n),
        "win_rate": rng.uniform(0.15, 0.25, n),
        "acv": rng.uniform(45000, 55000, n),
        "renewable_arr": rng.uniform(7e6, 9e6, n),
        "gross_retention": rng.uniform(0.85, 0.95, n),
        "expansion_rate": rng.uniform(0.05, 0.15, n),
    }, index=MONTHS)
    d["new_customers"] = d["leads"] * d["lead_to_opp_rate"] * d["win_rate"]
    d["new_revenue"] = d["new_customers"] * d["acv"]
    d["renewal_revenue"] = d["renewable_arr"] * d["gross_retention"]
    d["expansion_revenue"] = d["renewable_arr"] * d["expansion_rate"]
    d["revenue"] = d["new_revenue"] + d["renewal_revenue"] + d["expansion_revenue"]
    return d


def test_consistent_numbers_reconcile():
    result = tree().reconcile(reported())
    assert result.empty
    assert list(result.columns) == ["metric", "name", "period", "reported", "from_children",
                                    "gap", "gap_pct"]
    assert result.attrs["checked"] == 5 * 12 and result.attrs["skipped"] == {}


def test_a_broken_definition_surfaces():
    data = reported()
    data.loc["2026-03", "revenue"] *= 1.05      # revenue booked differently in March
    data.loc["2026-07", "renewal_revenue"] *= 0.999  # within the 1% tolerance
    result = tree().reconcile(data)
    (row,) = result.itertuples()
    assert (row.metric, row.name, row.period) == ("revenue", "Revenue", "2026-03")
    assert row.gap == pytest.approx(row.reported - row.from_children)
    assert row.gap_pct == pytest.approx(5.0)
    strict = tree().reconcile(data, tolerance=0.0001)
    # July: renewal revenue is off by 0.1%, and so revenue (reported from the original renewal
    # number) no longer adds up to its reported children either
    assert list(zip(strict["metric"], strict["period"])) == [
        ("revenue", "2026-03"), ("revenue", "2026-07"), ("renewal_revenue", "2026-07")]
    assert tree().reconcile(data, tolerance=0.1).empty


def test_missing_periods_are_skipped_not_guessed():
    data = reported()
    data.loc["2026-03", "revenue"] *= 1.05
    data.loc["2026-03", "expansion_revenue"] = np.nan  # a child missing that month
    data.loc["2026-05", "new_customers"] = np.nan      # the metric missing that month
    data = data.drop(index="2026-08")
    result = tree().reconcile(data)
    assert result.empty
    # 11 months are left; revenue and expansion lose March, new revenue and new customers May
    assert result.attrs["checked"] == 10 + 10 + 10 + 11 + 10


def test_metrics_whose_children_have_no_data_are_skipped():
    data = reported().drop(columns=["acv", "win_rate"])
    result = tree().reconcile(data)
    assert result.empty
    assert result.attrs["skipped"] == {"new_revenue": "no data for acv",
                                       "new_customers": "no data for win_rate"}
    only_nan = reported()
    only_nan["expansion_revenue"] = np.nan
    skipped = tree().reconcile(only_nan).attrs["skipped"]
    assert skipped["expansion_revenue"] == "no period has the metric and all of its children"


def test_a_zero_from_children_gives_an_infinite_percentage():
    data = reported()
    data.loc["2026-02", "expansion_rate"] = 0.0
    data.loc["2026-02", "expansion_revenue"] = 1000.0
    data.loc["2026-02", "revenue"] = (data.loc["2026-02", "new_revenue"]
                                      + data.loc["2026-02", "renewal_revenue"] + 1000.0)
    (row,) = tree().reconcile(data).itertuples()
    assert row.metric == "expansion_revenue" and row.from_children == 0
    assert math.isinf(row.gap_pct) and row.gap == 1000


def test_unknown_columns_are_named():
    data = reported().rename(columns={"revenue": "revenu", "acv": "avg_contract"})
    with pytest.raises(kt.KPITreeError, match=r"reconcile: unknown metrics 'avg_contract', "
                                              r"'revenu' \(did you mean 'revenue'\?\)"):
        tree().reconcile(data)


def test_bad_input():
    with pytest.raises(kt.KPITreeError, match=r"expected a DataFrame"):
        tree().reconcile("revenue.csv")
    with pytest.raises(kt.KPITreeError, match=r"tolerance: expected a fraction >= 0"):
        tree().reconcile(reported(), tolerance=-0.1)
    with pytest.raises(kt.KPITreeError, match=r"tolerance"):
        tree().reconcile(reported(), tolerance="1%")
    data = reported()
    data.columns = ["leads", *data.columns[1:-1], "leads"]
    with pytest.raises(kt.KPITreeError, match=r"'leads' appears more than once"):
        tree().reconcile(data)


def test_a_mapping_works_and_the_tree_is_unchanged():
    t = tree()
    before = t.rollup()
    data = reported()
    data.loc["2026-03", "new_revenue"] = 1.0
    result = t.reconcile({c: data[c].to_dict() for c in data.columns})
    # new revenue does not match its children; revenue, summed from the original new revenue,
    # does not match the reported new revenue either
    assert list(result["metric"]) == ["revenue", "new_revenue"]
    assert t.rollup().equals(before)


def test_month_end_dates_name_the_same_months_as_loaded_data():
    import pandas as pd

    tree = kt.KPITree.from_dict({"metrics": {"rev": {"formula": "a * b"},
                                             "a": {"value": 1}, "b": {"value": 2}}})
    dates = pd.date_range("2026-01-31", periods=3, freq="ME")
    data = pd.DataFrame({"a": [1, 2, 3], "b": [2, 2, 2], "rev": [2, 5, 6]}, index=dates)
    gaps = tree.reconcile(data)
    assert list(gaps["period"]) == ["2026-02"]
    tree.load_data(data[["a", "b"]])
    assert tree.periods == ["2026-01", "2026-02", "2026-03"]
