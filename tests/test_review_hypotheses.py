"""Hypothesis links tested on generated period data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import kpitree_widget as kt
from kpitree_widget.review import CAVEAT
from test_health_rules import sound_spec

MONTHS = [str(p) for p in pd.period_range("2024-01", periods=24, freq="M")]


def make_data(n: int = 24, seed: int = 7, lag: int = 2) -> pd.DataFrame:
    """Activation leads gross retention by ``lag`` months; time to value moves it the
    expected way (down); CSAT is noise; the sales cycle moves win rate the wrong way."""
    rng = np.random.default_rng(seed)
    activation = 0.6 + np.cumsum(rng.normal(0, 0.02, n + lag))
    retention = 0.8 + 0.5 * (activation[:-lag] - 0.6) + rng.normal(0, 0.002, n)
    ttv = 30 - 100 * (retention - 0.8) + rng.normal(0, 0.2, n)
    cycle = 60 + np.cumsum(rng.normal(0, 2, n))
    win = 0.2 + 0.002 * (cycle - 60) + rng.normal(0, 0.001, n)
    return pd.DataFrame({
        "activation_rate": activation[lag:], "gross_retention": retention,
        "time_to_value_days": ttv, "csat": rng.normal(0.85, 0.01, n),
        "sales_cycle_days": cycle, "win_rate": win,
        "cac": np.full(n, 9000.0), "leads": rng.normal(1000, 50, n),
    }, index=pd.PeriodIndex(MONTHS[:n], freq="M"))


def tree() -> kt.KPITree:
    return kt.KPITree.from_dict(sound_spec())


def by_link(result: pd.DataFrame) -> dict[tuple[str, str], pd.Series]:
    return {(r.driver, r.outcome): r for _, r in result.iterrows()}


def test_verdicts_on_generated_data():
    result = tree().test_hypotheses(make_data())
    assert list(result.columns) == ["driver", "outcome", "expected_sign", "n", "r", "best_lag",
                                    "best_lag_r", "sign_matches", "verdict", "note", "caveat"]
    rows = by_link(result)
    lead = rows[("activation_rate", "gross_retention")]
    assert lead["verdict"] == "supported" and lead["best_lag"] == 2
    assert lead["best_lag_r"] > 0.9 and lead["n"] == 24
    assert "leading by 2 periods" in lead["note"]
    down = rows[("time_to_value_days", "gross_retention")]
    assert down["verdict"] == "supported" and down["r"] < -0.9 and down["sign_matches"]
    wrong = rows[("sales_cycle_days", "win_rate")]
    assert wrong["verdict"] == "contradicted" and not wrong["sign_matches"]
    assert "opposite" in wrong["note"]
    noise = rows[("csat", "gross_retention")]
    assert noise["verdict"] == "inconclusive" and "weaker than 0.5" in noise["note"]
    flat = rows[("cac", "leads")]
    assert flat["verdict"] == "inconclusive"
    assert flat["note"] == "Customer acquisition cost does not vary in the data"
    assert math.isnan(flat["r"])


def test_the_caveat_is_everywhere():
    result = tree().test_hypotheses(make_data())
    assert result.attrs["caveat"] == CAVEAT
    assert "not causation" in CAVEAT
    assert (result["caveat"] == CAVEAT).all()
    assert repr(result).rstrip().endswith(CAVEAT) and str(result).rstrip().endswith(CAVEAT)
    assert "not causation" in result._repr_html_()
    assert type(result[result["verdict"] == "supported"]) is pd.DataFrame


def test_too_few_periods_is_inconclusive():
    result = tree().test_hypotheses(make_data(n=5))
    assert set(result["verdict"]) == {"inconclusive"}
    assert "only 5 periods with both numbers; need 6" in result["note"].iloc[0]
    relaxed = tree().test_hypotheses(make_data(n=5), min_periods=4, max_lag=1)
    assert "supported" in set(relaxed["verdict"])


def test_missing_periods_and_missing_columns():
    data = make_data()
    data.loc[data.index[::2], "gross_retention"] = np.nan  # every other month missing
    data = data.drop(columns=["win_rate"])
    rows = by_link(tree().test_hypotheses(data, max_lag=0))
    assert rows[("time_to_value_days", "gross_retention")]["n"] == 12
    gone = rows[("sales_cycle_days", "win_rate")]
    assert gone["verdict"] == "inconclusive" and gone["note"] == "no data for Win rate"


def test_rows_are_put_in_time_order():
    data = make_data()
    shuffled = data.sample(frac=1, random_state=3)
    a, b = tree().test_hypotheses(data), tree().test_hypotheses(shuffled)
    assert a["best_lag"].equals(b["best_lag"])
    assert np.allclose(a["best_lag_r"].astype(float), b["best_lag_r"].astype(float),
                       equal_nan=True)


def test_unknown_metrics_in_the_data_are_an_error():
    data = make_data().rename(columns={"csat": "cstat", "leads": "lead_count"})
    with pytest.raises(kt.KPITreeError,
                       match=r"unknown metrics 'cstat' \(did you mean 'csat'\?\), 'lead_count'"):
        tree().test_hypotheses(data)


def test_bad_data():
    t = tree()
    with pytest.raises(kt.KPITreeError, match=r"expected a DataFrame"):
        t.test_hypotheses([1, 2, 3])
    data = make_data()
    data.index = ["2024-01"] * len(data)
    with pytest.raises(kt.KPITreeError, match=r"period '2024-01' appears more than once"):
        t.test_hypotheses(data)
    data = make_data().astype(object)
    data.iloc[3, 0] = "n/a"
    with pytest.raises(kt.KPITreeError, match=r"'activation_rate' holds 'n/a'.*2024-04"):
        t.test_hypotheses(data)
    with pytest.raises(kt.KPITreeError, match=r"max_lag must be a whole number"):
        t.test_hypotheses(make_data(), max_lag=-1)
    with pytest.raises(kt.KPITreeError, match=r"min_r must be between 0 and 1"):
        t.test_hypotheses(make_data(), min_r=2)
    with pytest.raises(kt.KPITreeError, match=r"min_periods"):
        t.test_hypotheses(make_data(), min_periods=2)


def test_a_mapping_of_columns_is_accepted():
    data = make_data()
    as_dict = {c: dict(zip(MONTHS, data[c])) for c in data.columns}
    result = tree().test_hypotheses(as_dict)
    assert result["verdict"].tolist() == tree().test_hypotheses(data)["verdict"].tolist()


def test_the_trees_own_periods_are_used_without_data():
    spec = sound_spec()
    data = make_data()
    for column in ("activation_rate", "gross_retention", "time_to_value_days", "csat",
                   "sales_cycle_days", "win_rate", "cac", "leads"):
        spec["metrics"][column]["value"] = dict(zip(MONTHS, data[column].astype(float)))
    own = kt.KPITree.from_dict(spec).test_hypotheses()
    assert own["verdict"].tolist() == tree().test_hypotheses(data)["verdict"].tolist()
    with pytest.raises(kt.KPITreeError, match=r"the tree has no periods of its own"):
        tree().test_hypotheses()


def test_a_tree_without_hypotheses_gives_an_empty_table():
    spec = sound_spec()
    spec["hypotheses"] = []
    spec["metrics"] = {k: v for k, v in spec["metrics"].items()
                       if k not in ("activation_rate", "csat", "time_to_value_days",
                                    "sales_cycle_days", "cac")}
    result = kt.KPITree.from_dict(spec).test_hypotheses(make_data()[["leads"]])
    assert result.empty and CAVEAT in repr(result)
