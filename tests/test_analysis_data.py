"""Period data: load_data (wide, long, CSV), reported actuals, timeseries, resample."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import kpitree_widget as kt
from kpitree_widget import data

SPEC = {"metrics": {
    "revenue": {"formula": "customers * arpc", "unit": "currency"},
    "customers": {"formula": "visits * conversion", "unit": "count"},
    "visits": {"unit": "count", "target": 1000},
    "conversion": {"unit": "percent", "target": 0.05},
    "arpc": {"unit": "currency", "aggregation": "mean", "target": 20},
}}
MONTHS = pd.period_range("2026-01", periods=6, freq="M")


def make():
    return kt.KPITree.from_dict(SPEC)


def wide():
    return pd.DataFrame({"visits": [1000, 1100, 1200, 900, 1000, 1300],
                         "conversion": [0.05, 0.04, 0.05, 0.06, 0.05, 0.05],
                         "arpc": [20, 21, 19, 20, 22, 20]}, index=MONTHS)


def state(tree):
    return tree.to_dict(), tree.periods, dict(tree._reported)


def test_wide_frame_with_monthly_periods():
    tree = make()
    events = []
    tree.on_change(events.append)
    tree.load_data(wide())
    assert tree.periods == [str(p) for p in MONTHS]
    assert tree.rollup(period="2026-02").loc["revenue", "value"] == pytest.approx(1100 * 0.04 * 21)
    assert events[-1]["kind"] == "data"
    # the scalar targets still hold for every month
    assert tree.rollup(period="2026-04").loc["revenue", "target"] == pytest.approx(1000)


def test_long_frame_and_auto_detection():
    long = wide().reset_index(names="period").melt(id_vars="period", var_name="metric",
                                                   value_name="value")
    long = long.sample(frac=1, random_state=0)  # row order does not matter in a long table
    a, b = make(), make()
    a.load_data(long)
    b.load_data(wide())
    pd.testing.assert_frame_equal(a.timeseries(), b.timeseries())


def test_csv_wide_and_long(tmp_path):
    path = tmp_path / "actuals.csv"
    wide().to_csv(path, index_label="month")
    tree = make()
    tree.load_data(path)
    assert tree.periods[0] == "2026-01"
    long_path = tmp_path / "long.csv"
    long = wide().reset_index(names="period").melt(id_vars="period", var_name="metric")
    long.to_csv(long_path, index=False)
    other = make()
    other.load_data(str(long_path), format="long")
    pd.testing.assert_frame_equal(tree.timeseries(), other.timeseries())


def test_targets_per_period_and_month_end_dates():
    tree = make()
    plan = wide() * 1.1
    plan.index = plan.index.to_timestamp(how="end").normalize()  # 2026-01-31, ...
    tree.load_data(plan, layer="target")
    assert tree.periods[0] == "2026-01"
    assert tree.rollup(period="2026-01").loc["visits", "target"] == pytest.approx(1100)
    with_freq = make()
    frame = wide()
    frame.index = [f"2026-{m:02d}-15" for m in range(1, 7)]
    with_freq.load_data(frame, freq="M")
    assert with_freq.periods[-1] == "2026-06"


def test_loading_twice_merges_periods():
    tree = make()
    tree.load_data(wide().iloc[:3])
    tree.load_data(wide().iloc[3:])
    assert len(tree.periods) == 6
    assert tree.get_value("visits")["2026-01"] == 1000


def test_empty_cells_are_skipped():
    frame = wide().astype(float)
    frame.iloc[1, 0] = np.nan
    tree = make()
    tree.load_data(frame)
    assert "2026-02" not in tree.get_value("visits")
    assert tree.rollup(period="2026-02").loc["visits", "status"] == "missing"


def test_values_for_computed_metrics_are_kept_as_reported():
    frame = wide().assign(revenue=[1000, 900, 1100, 1000, 1100, 1300])
    tree = make()
    tree.load_data(frame)
    reported = tree.reported("revenue")
    assert reported.loc[pd.Period("2026-02", "M")] == 900
    assert tree.reported().columns.tolist() == ["revenue"]
    # never used in arithmetic: the value is computed from inputs
    assert tree.rollup(period="2026-02").loc["revenue", "value"] == pytest.approx(924)
    gaps = data.reported_vs_computed(tree)
    assert gaps.loc[("revenue", "2026-02"), "difference"] == pytest.approx(24)
    assert tree.reported("customers").empty
    copy = tree.copy()
    tree.load_data(pd.DataFrame({"revenue": [5.0]}, index=MONTHS[:1]))
    assert copy.reported("revenue").iloc[0] == 1000  # a copy keeps its own store


@pytest.mark.parametrize("frame, kwargs, match", [
    (pd.DataFrame({"visitz": [1.0]}, index=MONTHS[:1]), {}, r"'visitz'.*did you mean 'visits'"),
    (pd.DataFrame({"visits": ["lots"]}, index=MONTHS[:1]), {},
     r"visits period 2026-01: 'lots' is not a number"),
    (pd.DataFrame({"visits": [np.inf]}, index=MONTHS[:1]), {}, r"visits period 2026-01.*finite"),
    (pd.DataFrame({"visits": [True]}, index=MONTHS[:1]), {}, r"visits period 2026-01"),
    (pd.DataFrame({"revenue": [1.0]}, index=MONTHS[:1]), {"layer": "target"},
     r"revenue.target \(period 2026-01\).*computed"),
    (pd.DataFrame({"visits": [1.0, 2.0]}, index=[MONTHS[1], MONTHS[0]]), {},
     r"not in time order: 2026-01 comes after 2026-02"),
    (pd.DataFrame({"visits": [1.0, 2.0]}, index=[MONTHS[0], MONTHS[0]]), {},
     r"2026-01 appears twice"),
    (pd.DataFrame({"visits": [1.0]}, index=MONTHS[:1]), {"layer": "forecast"}, "layer"),
    (pd.DataFrame({"visits": [1.0]}, index=MONTHS[:1]), {"format": "tall"}, "format"),
    (pd.DataFrame({"visits": [1.0]}, index=["2026-01"]), {"freq": "fortnight"}, "freq"),
    (pd.DataFrame({"metric": ["visits", "visits"], "period": ["2026-01", "2026-01"],
                   "value": [1, 2]}), {}, r"'visits' has two rows for period 2026-01"),
    (pd.DataFrame({"metric": ["visits"], "period": ["2026-01"]}), {}, "'value' is missing"),
    (pd.DataFrame({"visits": [1.0]}, index=[pd.Period("2026Q1", "Q")]), {},
     "different lengths"),
])
def test_bad_data_is_refused_and_changes_nothing(frame, kwargs, match):
    tree = make()
    tree.load_data(wide())
    before = state(tree)
    with pytest.raises(kt.KPITreeError, match=match):
        tree.load_data(frame, **kwargs)
    assert state(tree) == before


def test_bad_source_is_refused(tmp_path):
    tree = make()
    with pytest.raises(kt.KPITreeError, match="no file"):
        tree.load_data(tmp_path / "missing.csv")
    with pytest.raises(kt.KPITreeError, match="DataFrame or a CSV"):
        tree.load_data(42)


def test_a_bad_cell_late_in_the_frame_changes_nothing():
    tree = make()
    frame = wide().astype(object)
    frame.iloc[5, 2] = "n.a."
    with pytest.raises(kt.KPITreeError, match=r"arpc period 2026-06"):
        tree.load_data(frame)
    assert tree.periods == [] and tree.get_value("visits") is None


def test_timeseries_of_scalar_tree_and_metric_subset(revenue_tree):
    frame = revenue_tree.timeseries()
    assert frame.index.tolist() == ["all"]
    assert frame.loc["all", "revenue"] == pytest.approx(564000)
    assert revenue_tree.timeseries(metrics="arpc").columns.tolist() == ["arpc"]
    with pytest.raises(kt.KPITreeError, match="nope"):
        revenue_tree.timeseries(metrics=["nope"])
    with pytest.raises(kt.KPITreeError, match="no periods"):
        revenue_tree.timeseries(freq="Q")


def test_quarters_aggregate_inputs_then_recompute():
    tree = make()
    tree.load_data(wide())
    q = tree.timeseries(freq="Q")
    assert [str(p) for p in q.index] == ["2026Q1", "2026Q2"]
    assert q.loc[pd.Period("2026Q1", "Q"), "visits"] == 3300  # count: sum
    assert q.loc[pd.Period("2026Q1", "Q"), "arpc"] == pytest.approx(20)  # aggregation: mean
    conversion = np.mean([0.05, 0.04, 0.05])  # percent input: mean
    assert q.loc[pd.Period("2026Q1", "Q"), "conversion"] == pytest.approx(conversion)
    # computed metrics come from the quarter's inputs, not from adding monthly results
    assert q.loc[pd.Period("2026Q1", "Q"), "customers"] == pytest.approx(3300 * conversion)
    assert q.loc[pd.Period("2026Q1", "Q"), "revenue"] == pytest.approx(3300 * conversion * 20)
    year = tree.timeseries(freq="Y")
    assert year.iloc[0]["visits"] == 6500
    targets = tree.timeseries(layer="target", freq="Q")
    assert targets.iloc[0]["visits"] == 3000  # a scalar target holds in each month


def test_ratio_of_a_quarter_is_recomputed_from_its_parts():
    tree = kt.KPITree.from_dict({"metrics": {
        "win_rate": {"formula": "won / opportunities", "unit": "percent"},
        "won": {"unit": "count"}, "opportunities": {"unit": "count"}}})
    tree.load_data(pd.DataFrame({"won": [1, 9, 0], "opportunities": [10, 30, 10]},
                                index=MONTHS[:3]))
    q = tree.timeseries(freq="Q")
    assert q.iloc[0]["win_rate"] == pytest.approx(10 / 50)  # not the mean of 0.1, 0.3, 0


def test_last_rule_and_partial_quarters():
    tree = kt.KPITree.from_dict({"metrics": {
        "arr": {"formula": "customers * acv"},
        "customers": {"aggregation": "last"}, "acv": {"aggregation": "mean"}}})
    tree.load_data(pd.DataFrame({"customers": [10, 11, 12, 13], "acv": [5, 5, 5, 7]},
                                index=MONTHS[:4]))
    q = tree.resample("Q")
    assert q.periods == ["2026Q1", "2026Q2"]
    assert q.rollup(period="2026Q1").loc["arr", "value"] == 12 * 5
    assert q.rollup(period="2026Q2").loc["arr", "value"] == 13 * 7  # quarter to date
    assert q.attribute(start="2026Q1", end="2026Q2")["contribution"].sum() == pytest.approx(31)


def test_resample_keeps_scenarios_and_refuses_splits():
    tree = make()
    tree.load_data(wide())
    tree.scenario("up", {"visits": 2000})
    q = tree.resample("Q")
    assert q.rollup(period="2026Q1", scenario="up").loc["visits", "target"] == 6000
    assert data.aggregation_of(tree.metrics["conversion"]) == "mean"
    assert data.aggregation_of(tree.metrics["visits"]) == "sum"
    with pytest.raises(kt.KPITreeError, match="rolled up, not split"):
        q.resample("M")
    free = kt.KPITree.from_dict({"metrics": {"a": {"value": {"launch": 1, "week 2": 2}}}})
    with pytest.raises(kt.KPITreeError, match="not dates"):
        free.resample("Q")


# ----------------------------------------------------------------- tables that say nothing


def test_a_semicolon_separated_csv_is_refused_with_what_was_read(tmp_path):
    tree = make()
    before = state(tree)
    path = tmp_path / "actuals.csv"
    path.write_text("period;visits\n2026-01;1000\n2026-02;1100\n")
    with pytest.raises(kt.KPITreeError, match=r"^load_data: read no numbers: 2 row\(s\).*"
                                           r"'period;visits'.*separated by ';'"):
        tree.load_data(path)
    assert state(tree) == before


@pytest.mark.parametrize("frame", [pd.DataFrame(), pd.DataFrame({"period": ["2026-01"]}),
                                   pd.DataFrame({"period": ["2026-01"], "colour": [None]})])
def test_a_table_without_a_single_number_is_refused(frame):
    with pytest.raises(kt.KPITreeError, match=r"^load_data: read no numbers"):
        make().load_data(frame)


def test_a_table_of_the_trees_metrics_with_empty_cells_loads_nothing():
    # a timeseries of a tree without actuals reads back: no number to load, nothing changes
    tree = make()
    before = state(tree)
    tree.load_data(pd.DataFrame({"period": ["2026-01"], "visits": [None]}))
    assert state(tree) == before


@pytest.mark.parametrize("frame", [
    pd.DataFrame({"period": ["2026-01", "2026-02"], "visits": [1000 + 5j, 1100 + 0j]}),
    pd.DataFrame({"metric": ["visits"], "period": ["2026-01"], "value": [1000 + 5j]}),
])
def test_a_complex_cell_is_refused_not_cut_to_its_real_part(frame):
    tree = make()
    before = state(tree)
    with pytest.raises(kt.KPITreeError, match=r"^load_data: metrics\.visits period 2026-01: "
                                           r".*is not a number"):
        tree.load_data(frame)
    assert state(tree) == before


@pytest.mark.parametrize("index", [pd.date_range("2026-01-30", periods=5, freq="D"),
                                   pd.period_range("2026-01-30", periods=5, freq="D")])
def test_daily_data_across_a_month_start_keeps_every_label_a_day(index):
    tree = kt.KPITree.from_dict({"metrics": {"visits": {"unit": "count"}}})
    tree.load_data(pd.DataFrame({"visits": [1, 2, 3, 4, 5]}, index=index))
    assert tree.periods == [d.strftime("%Y-%m-%d") for d in index]
