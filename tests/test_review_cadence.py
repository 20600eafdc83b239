"""Review views per cadence, and guard-metric pairs."""

from __future__ import annotations

import numpy as np
import pytest

import kpitree_widget as kt
from test_health_rules import sound_spec

PERIODS = [f"2026-{m:02d}" for m in range(1, 7)]


def period_spec(seed: int = 1) -> dict:
    """The sound tree with six months of generated actuals on every input."""
    rng = np.random.default_rng(seed)
    spec = sound_spec()
    for metric in spec["metrics"].values():
        if "formula" not in metric:
            base = metric["value"]
            metric["value"] = {p: float(base * (1 + rng.normal(0, 0.05))) for p in PERIODS}
    return spec


def test_weekly_review_is_fast_leaves_and_weekly_metrics():
    spec = sound_spec()
    spec["metrics"]["csat"]["cadence"] = "monthly"          # lag 3: still weekly material
    spec["metrics"]["new_customers"]["cadence"] = "weekly"  # computed but reviewed weekly
    tree = kt.KPITree.from_dict(spec)
    view = tree.review("weekly")
    assert "csat" in view.metrics and "new_customers" in view.metrics
    assert "acv" not in view.metrics        # monthly, 60 days
    assert "revenue" not in view.metrics
    weekly = {m for m, x in tree.metrics.items() if x.cadence in ("daily", "weekly")}
    assert weekly <= set(view.metrics)
    assert view.cadence == "weekly" and view.title == "Weekly business review"


def test_monthly_review_is_levels_one_and_two_plus_deviations():
    spec = sound_spec()
    spec["metrics"]["win_rate"]["value"] = 0.1  # level 3, far off plan
    tree = kt.KPITree.from_dict(spec)
    frame = tree.rollup()
    view = tree.review("monthly")
    levels = {m for m in frame.index if 1 <= frame.loc[m, "level"] <= 2}
    assert levels <= set(view.metrics)
    assert "win_rate" in view.metrics and "leads" not in view.metrics
    assert "revenue" not in view.metrics
    assert "new_customers" in view.off_plan and "win_rate" in view.off_plan
    assert view.off_plan == [m for m in view.metrics if m in view.off_plan]


def test_quarterly_review_is_root_and_level_one_plan_vs_actual():
    tree = kt.KPITree.from_dict(sound_spec())
    view = tree.review("quarterly")
    assert view.metrics == ["revenue", "new_revenue", "renewal_revenue", "expansion_revenue"]
    assert {"value", "target", "variance", "status", "owner"} <= set(view.table.columns)
    assert list(view.table.columns) == list(tree.rollup().columns)


def test_annual_view_is_every_metric():
    tree = kt.KPITree.from_dict(sound_spec())
    assert tree.review("annual").metrics == list(tree.rollup().index)


def test_subtree_keeps_the_path_to_the_root():
    tree = kt.KPITree.from_dict(sound_spec())
    view = tree.review("weekly")
    assert "csat" in view.metrics
    # csat hangs under gross retention (hypothesis), under renewal revenue, under revenue
    assert {"csat", "gross_retention", "renewal_revenue", "revenue"} <= set(view.subtree)
    assert set(view.metrics) <= set(view.subtree)


def test_review_of_a_period():
    tree = kt.KPITree.from_dict(period_spec())
    view = tree.review("quarterly", period="2026-03")
    assert view.period == "2026-03"
    assert view.table.loc["revenue", "value"] == tree.rollup(period="2026-03").loc[
        "revenue", "value"]
    assert tree.review("quarterly").period == "2026-06"
    with pytest.raises(kt.KPITreeError, match=r"unknown period '2027-01'"):
        tree.review("quarterly", period="2027-01")


def test_review_prints_its_table():
    tree = kt.KPITree.from_dict(sound_spec())
    view = tree.review("quarterly")
    text = repr(view)
    assert text.startswith("Quarterly strategy review: the North Star")
    assert "Revenue" in text and "$" in text and str(view) == text
    html = view._repr_html_()
    assert "<table" in html and "Quarterly strategy review" in html


def test_empty_review_says_so():
    spec = sound_spec()
    for metric in spec["metrics"].values():
        metric["cadence"] = "monthly"
        metric["lag_days"] = 30
    view = kt.KPITree.from_dict(spec).review("weekly")
    assert view.metrics == [] and "no metric" in repr(view)
    assert "No metric" in view._repr_html_()


def test_unknown_cadence():
    tree = kt.KPITree.from_dict(sound_spec())
    with pytest.raises(kt.KPITreeError, match=r"unknown cadence 'weekley'.*'weekly'"):
        tree.review("weekley")


# ------------------------------------------------------------------ guard pairs


def test_guard_report_lists_pairs_both_worse_than_plan():
    spec = sound_spec()
    tree = kt.KPITree.from_dict(spec)
    assert tree.guard_report().empty
    pairs = tree.guard_report(only_conflicts=False)
    assert list(pairs["guard"]) == ["cac"] and list(pairs["guarded"]) == ["new_customers"]
    assert not pairs["conflict"].any()
    spec["metrics"]["cac"]["value"] = 12000
    assert kt.KPITree.from_dict(spec).guard_report().empty  # guard worse, guarded fine
    spec["metrics"]["win_rate"]["value"] = 0.15
    report = kt.KPITree.from_dict(spec).guard_report()
    (row,) = report.itertuples()
    assert (row.guard, row.guarded, row.conflict) == ("cac", "new_customers", True)
    assert row.guard_owner == "Demand Gen Manager" and row.guarded_owner == "VP Sales"
    assert row.guard_value == 12000 and row.guard_target == 10000


def test_guard_report_per_period():
    spec = period_spec()
    spec["metrics"]["cac"]["value"] = {p: 9000.0 for p in PERIODS} | {"2026-02": 15000.0}
    spec["metrics"]["win_rate"]["value"] = {p: 0.25 for p in PERIODS} | {"2026-02": 0.1}
    tree = kt.KPITree.from_dict(spec)
    assert tree.guard_report().empty
    assert len(tree.guard_report(period="2026-02")) == 1
    assert "conflict.guard" not in {f.rule for f in tree.check()}  # the check reads the last
