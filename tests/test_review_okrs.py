"""OKR key results read against the tree."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import kpitree_widget as kt
from kpitree_widget.review.okrs import expected_progress
from test_health_rules import sound_spec
from test_review_cadence import PERIODS, period_spec


def okr_tree(**value) -> kt.KPITree:
    spec = sound_spec()
    spec["metrics"]["gross_retention"]["value"] = value.get("retention", 0.90)
    spec["okrs"] += [
        {"objective": "Win more", "key_result": "Win rate 15% -> 25%", "metric": "win_rate",
         "from": 0.15, "to": 0.25, "due": "2026-09-30"},
        {"objective": "Be famous", "key_result": "Press", "metric": "press", "from": 0,
         "to": 10},
    ]
    return kt.KPITree.from_dict(spec)


def test_progress_columns_and_numbers():
    table = okr_tree().okr_progress(as_of="2026-05-15")
    assert list(table.columns) == ["objective", "key_result", "metric", "name", "owner", "from",
                                   "to", "current", "progress", "expected", "due", "on_track"]
    first = table.iloc[0]
    assert first["metric"] == "gross_retention" and first["current"] == pytest.approx(0.90)
    assert first["progress"] == pytest.approx((0.90 - 0.88) / (0.93 - 0.88))
    assert first["owner"] == "VP Customer Success" and first["name"] == "Gross retention"
    # 2026-05-15 is 44 days into the quarter ending 2026-06-30 (90 days and a bit)
    assert first["expected"] == pytest.approx(0.49, abs=0.01)
    assert bool(first["on_track"]) is False  # 40% of the way at 49% of the time
    second = table.iloc[1]
    assert second["progress"] == pytest.approx(0.5) and second["expected"] == 0.0
    assert second["on_track"] is True or bool(second["on_track"]) is True


def test_progress_is_not_clipped():
    beaten = okr_tree(retention=0.95).okr_progress(as_of="2026-06-30").iloc[0]
    assert beaten["progress"] == pytest.approx(1.4) and bool(beaten["on_track"])
    worse = okr_tree(retention=0.86).okr_progress(as_of="2026-04-30").iloc[0]
    assert worse["progress"] == pytest.approx(-0.4) and not bool(worse["on_track"])


def test_unlinked_key_result_has_no_current_number():
    row = okr_tree().okr_progress(as_of="2026-05-01").iloc[2]
    assert row["metric"] == "press" and pd.isna(row["name"])
    assert math.isnan(row["current"]) and math.isnan(row["progress"])
    assert row["on_track"] is None
    assert "okr.unlinked" in {f.rule for f in okr_tree().check()}


def test_without_a_due_date_only_a_met_key_result_is_on_track():
    spec = sound_spec()
    spec["okrs"] = [{"key_result": "Leads to 900", "metric": "leads", "from": 800, "to": 900},
                    {"key_result": "Leads to 2000", "metric": "leads", "from": 800,
                     "to": 2000}]
    table = kt.KPITree.from_dict(spec).okr_progress()
    assert list(table["on_track"]) == [True, None]
    assert table["expected"].isna().all()


def test_as_of_defaults_to_the_end_of_the_period_shown():
    spec = period_spec()
    spec["metrics"]["gross_retention"]["value"] = {p: 0.88 + 0.01 * i
                                                   for i, p in enumerate(PERIODS)}
    tree = kt.KPITree.from_dict(spec)
    april = tree.okr_progress(period="2026-04").iloc[0]
    assert april["current"] == pytest.approx(0.91)
    assert april["expected"] == pytest.approx(expected_progress("2026-06-30",
                                                                pd.Period("2026-04").end_time))
    assert april["progress"] == pytest.approx(0.6) and bool(april["on_track"])
    june = tree.okr_progress().iloc[0]
    assert june["current"] == pytest.approx(0.93) and june["expected"] == pytest.approx(1.0)


def test_expected_progress_edges():
    assert expected_progress("2026-06-30", pd.Timestamp("2026-03-01")) == 0.0
    assert expected_progress("2026-06-30", pd.Timestamp("2026-12-01")) == 1.0
    assert expected_progress("2026Q2", pd.Timestamp("2026-05-16")) == pytest.approx(0.5,
                                                                                    abs=0.01)
    assert math.isnan(expected_progress("soon", pd.Timestamp("2026-05-16")))
    assert math.isnan(expected_progress(None, pd.Timestamp("2026-05-16")))


def test_bad_as_of_and_empty_okrs():
    with pytest.raises(kt.KPITreeError, match=r"as_of: 'yesterday' is not a date"):
        okr_tree().okr_progress(as_of="yesterday")
    spec = sound_spec()
    spec["okrs"] = []
    table = kt.KPITree.from_dict(spec).okr_progress()
    assert table.empty and "progress" in table.columns


def test_key_result_with_equal_from_and_to_has_no_progress():
    spec = sound_spec()
    spec["okrs"] = [{"key_result": "Hold leads", "metric": "leads", "from": 1000, "to": 1000}]
    row = kt.KPITree.from_dict(spec).okr_progress().iloc[0]
    assert math.isnan(row["progress"]) and row["on_track"] is None


def test_an_empty_as_of_is_refused_as_not_a_date():
    import kpitree_widget as kt

    tree = kt.archetype("b2b_saas")
    for text in ("", "NaT"):
        with pytest.raises(kt.KPITreeError, match="as_of"):
            tree.okr_progress(as_of=text)
