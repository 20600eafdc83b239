"""Monte Carlo: vectorised, seeded, every distribution form, periods, errors."""

from __future__ import annotations

import numpy as np
import pytest

import kpitree_widget as kt
from kpitree_widget.analysis import simulate as sim_module

PLAN = (60000 * 0.025 + 4200 - 250) * 125


def test_summary_of_the_root(revenue_tree):
    sim = revenue_tree.simulate({"arpc": ("normal", 125, 10)}, n=20_000, seed=1)
    summary = sim.summary
    assert list(summary.columns) == ["name", "mean", "std", "p10", "p50", "p90", "plan",
                                     "p_plan"]
    assert list(summary.index) == ["revenue", "arpc"]
    # revenue is linear in arpc: mean 5450 * 125, sd 5450 * 10
    assert summary.loc["revenue", "mean"] == pytest.approx(PLAN, rel=0.01)
    assert summary.loc["revenue", "std"] == pytest.approx(54500, rel=0.03)
    assert summary.loc["revenue", "p10"] < summary.loc["revenue", "p50"] \
        < summary.loc["revenue", "p90"]
    assert summary.loc["revenue", "plan"] == pytest.approx(PLAN)
    assert summary.loc["revenue", "p_plan"] == pytest.approx(0.5, abs=0.02)


def test_same_seed_same_draws_and_order_of_inputs_does_not_matter(revenue_tree):
    a = revenue_tree.simulate({"arpc": ("uniform", 100, 150),
                               "signup_rate": ("beta", 25, 1000)}, n=500, seed=7)
    b = revenue_tree.simulate({"signup_rate": ("beta", 25, 1000),
                               "arpc": ("uniform", 100, 150)}, n=500, seed=7)
    c = revenue_tree.simulate({"arpc": ("uniform", 100, 150),
                               "signup_rate": ("beta", 25, 1000)}, n=500, seed=8)
    assert np.array_equal(a.values(), b.values())
    assert not np.array_equal(a.values(), c.values())


def test_draws_match_the_engine(revenue_tree):
    sim = revenue_tree.simulate({"website_visitors": ("triangular", 40000, 55000, 70000),
                                 "lost_customers": ("lognormal", np.log(250), 0.2)},
                                n=4, seed=3, metrics=["revenue", "customers"])
    draws = sim.draws
    assert list(draws.columns) == ["revenue", "customers", "website_visitors", "lost_customers"]
    for i in range(4):
        trial = revenue_tree.copy()
        trial.set_target("website_visitors", draws.loc[i, "website_visitors"])
        trial.set_target("lost_customers", draws.loc[i, "lost_customers"])
        rollup = trial.rollup()
        assert draws.loc[i, "revenue"] == pytest.approx(rollup.loc["revenue", "target"])
        assert draws.loc[i, "customers"] == pytest.approx(rollup.loc["customers", "target"])


def test_array_of_draws_and_bootstrap(revenue_tree):
    history = np.array([110.0, 120, 130])
    sim = revenue_tree.simulate({"arpc": history}, n=1000, seed=0)
    assert set(np.unique(sim.values("arpc"))) <= set(history)
    exact = np.linspace(100, 150, 50)
    sim = revenue_tree.simulate({"arpc": exact}, n=50)
    assert np.array_equal(sim.values("arpc"), exact)


def test_scipy_frozen_distribution(revenue_tree):
    stats = pytest.importorskip("scipy.stats")
    sim = revenue_tree.simulate({"arpc": stats.norm(125, 5)}, n=2000, seed=0)
    assert sim.summary.loc["arpc", "mean"] == pytest.approx(125, abs=0.5)


def test_relative_draws_follow_a_monthly_plan():
    tree = kt.KPITree.from_dict({"metrics": {
        "r": {"formula": "a * b"},
        "a": {"target": {"2026-01": 100, "2026-02": 200, "2026-03": 300}},
        "b": {"target": 2}}})
    sim = tree.simulate({"a": ("normal", 1.0, 0.1)}, n=4000, relative=True, seed=2)
    assert sim.periods == ["2026-01", "2026-02", "2026-03"]
    q = sim.quantiles()
    assert list(q.columns) == ["p10", "p25", "p50", "p75", "p90"]
    assert q["p50"].to_numpy() == pytest.approx([200, 400, 600], rel=0.02)
    summary = sim.summary
    assert summary.loc[("r", "2026-02"), "plan"] == 400
    assert sim.draws.shape == (4000, 6)
    feb = sim.at("2026-02")
    assert feb.period == "2026-02" and feb.periods is None
    assert feb.summary.loc["r", "plan"] == 400
    assert np.array_equal(feb.values("r"), sim.values("r")[:, 1])
    with pytest.raises(kt.KPITreeError, match="2027-01"):
        sim.at("2027-01")
    one = tree.simulate({"a": ("normal", 1.0, 0.1)}, n=100, relative=True, period="2026-01")
    assert one.periods is None
    assert one.summary.loc["r", "plan"] == 200


def test_chunks_give_the_same_result(revenue_tree, monkeypatch):
    whole = revenue_tree.simulate({"arpc": ("normal", 125, 10)}, n=1000, seed=4)
    monkeypatch.setattr(sim_module, "CHUNK_NUMBERS", 50)
    chunked = revenue_tree.simulate({"arpc": ("normal", 125, 10)}, n=1000, seed=4)
    assert np.array_equal(whole.values(), chunked.values())


def test_repr_and_html(revenue_tree):
    sim = revenue_tree.simulate({"arpc": ("normal", 125, 10)}, n=100)
    assert "100 draws" in repr(sim)
    assert "<table" in sim._repr_html_()
    assert "p5" in sim.describe(quantiles=(0.05, 0.95)).columns


@pytest.mark.parametrize("dists, kwargs, match", [
    ({"nope": ("normal", 1, 1)}, {}, "nope"),
    ({"customers": ("normal", 1, 1)}, {}, "computed"),
    ({"arpc": ("gauss", 1, 1)}, {}, "unknown distribution"),
    ({"arpc": ("normal", 1)}, {}, "takes 2"),
    ({"arpc": ("normal", 1, -1)}, {}, "sd"),
    ({"arpc": ("uniform", 2, 1)}, {}, "low <= high"),
    ({"arpc": ("triangular", 1, 5, 3)}, {}, "mode"),
    ({"arpc": ("beta", 0, 1)}, {}, "beta"),
    ({"arpc": ("normal", "a", 1)}, {}, "finite"),
    ({"arpc": [1.0, np.inf]}, {"n": 2}, "finite"),
    ({"arpc": "abc"}, {}, "expected a distribution"),
    ({}, {}, "at least one"),
    ({"arpc": ("normal", 1, 1)}, {"n": 0}, "draws"),
    ({"arpc": ("normal", 1, 1)}, {"n": 2.5}, "draws"),
    ({"arpc": ("normal", 1, 1)}, {"metrics": ["nope"]}, "nope"),
    ({"arpc": ("normal", 1, 1)}, {"seed": "x"}, "seed"),
])
def test_bad_input_is_refused(revenue_tree, dists, kwargs, match):
    before = revenue_tree.to_dict()
    with pytest.raises(kt.KPITreeError, match=match):
        revenue_tree.simulate(dists, **kwargs)
    assert revenue_tree.to_dict() == before


def test_unkept_metric_is_a_clear_error(revenue_tree):
    sim = revenue_tree.simulate({"arpc": ("normal", 125, 1)}, n=10)
    with pytest.raises(kt.KPITreeError, match="metrics="):
        sim.values("customers")
