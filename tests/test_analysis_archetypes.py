"""Every analysis on every built-in archetype tree."""

from __future__ import annotations

import numpy as np
import pytest

import kpitree_widget as kt

NAMES = kt.archetypes()


@pytest.fixture(params=NAMES)
def tree(request):
    return kt.archetype(request.param)


def test_attribution_of_plan_vs_actual_is_exact(tree):
    table = tree.attribute()
    change = table.attrs["end"] - table.attrs["start"]
    assert table["contribution"].sum() == pytest.approx(change, rel=1e-9, abs=1e-9)
    levels = tree.attribute(by="level")
    level1 = levels[levels["level"] == 1]["contribution"].sum()
    if all(len(tree.parents(m)) <= 1 for m in tree.descendants(tree.root)):
        assert level1 == pytest.approx(change, rel=1e-9, abs=1e-9)


def test_sensitivity_and_elasticities(tree):
    table = tree.sensitivity()
    under = {m for m in tree.descendants(tree.root) if tree.metrics[m].is_input}
    assert set(table.index) == under
    assert np.isfinite(table["impact"]).all()
    assert table.attrs["base"] == pytest.approx(
        tree.rollup().loc[tree.root, "implied_target"])


def test_solve_the_root_with_its_biggest_lever(tree):
    top = tree.sensitivity().index[0]
    goal = tree.rollup().loc[tree.root, "implied_target"] * 1.05
    tree.solve(tree.root, goal, lever=top)
    assert tree.rollup().loc[tree.root, "implied_target"] == pytest.approx(goal, rel=1e-9)


def test_simulate_and_compare(tree):
    levers = list(tree.sensitivity().index[:3])
    sim = tree.simulate({m: ("normal", 1.0, 0.05) for m in levers}, n=2000, relative=True)
    summary = sim.summary
    plan = tree.rollup().loc[tree.root, "implied_target"]
    assert summary.loc[tree.root, "p10"] < plan < summary.loc[tree.root, "p90"]
    tree.scenario("stretch", {levers[0]: tree.rollup().loc[levers[0], "target"] * 1.1})
    table = tree.compare(base="plan")
    assert table.loc[tree.root, "stretch vs plan"] != 0
