"""Attribution: exact, node by node, pushed down to inputs (hand-built trees)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import kpitree_widget as kt
from kpitree_widget.analysis.attribution import is_linear, log_mean, monomial, split_node
from kpitree_widget.formula import parse

REVENUE_CHANGE = (50000 * 0.02 + 4000 - 300) * 120 - (60000 * 0.025 + 4200 - 250) * 125


def tree_of(metrics, **spec):
    return kt.KPITree.from_dict({"metrics": metrics, **spec})


def brute_shapley(f, x0, x1):
    """Shapley values of f over its arguments by the textbook formula (permutations)."""
    names = list(x0)
    k = len(names)
    phi = dict.fromkeys(names, 0.0)
    perms = list(itertools.permutations(names))
    for perm in perms:
        env = dict(x0)
        before = f(env)
        for name in perm:
            env[name] = x1[name]
            after = f(env)
            phi[name] += (after - before) / len(perms)
            before = after
    assert k == len(phi)
    return phi


def test_revenue_attribution_adds_up_and_reads_right(revenue_tree):
    table = revenue_tree.attribute()
    assert list(table.columns) == ["name", "start", "end", "change", "contribution", "share"]
    assert table["contribution"].sum() == pytest.approx(REVENUE_CHANGE, rel=1e-12)
    assert table["share"].sum() == pytest.approx(1.0)
    # sorted by size of contribution
    size = table["contribution"].abs().to_numpy()
    assert list(size) == sorted(size, reverse=True)
    assert table.loc["lost_customers", "contribution"] < 0  # more customers lost than planned
    assert table.attrs["start"] == pytest.approx(681250)
    assert table.attrs["end"] == pytest.approx(564000)


def test_attribution_between_layers_both_ways(revenue_tree):
    forward = revenue_tree.attribute(start="target", end="value")
    back = revenue_tree.attribute(start="actual", end="plan")
    assert back["contribution"].sum() == pytest.approx(-REVENUE_CHANGE)
    # LMDI and differences are symmetric: swapping the ends flips every sign
    for m in forward.index:
        assert back.loc[m, "contribution"] == pytest.approx(-forward.loc[m, "contribution"])


def test_pure_sum_tree_gives_each_input_its_change():
    tree = tree_of({
        "total": {"formula": "a + b - c"},
        "a": {"formula": "a1 + a2"},
        "a1": {"value": 12, "target": 10}, "a2": {"value": 3, "target": 5},
        "b": {"value": 7, "target": 7}, "c": {"value": 4, "target": 1},
    })
    table = tree.attribute()
    assert table["contribution"].to_dict() == pytest.approx(
        {"a1": 2, "a2": -2, "b": 0, "c": -3})


def test_cancelling_child_still_passes_its_parts_down():
    # net = gross - refunds does not move, but both parts moved; revenue = net * price
    tree = tree_of({
        "revenue": {"formula": "net * price"},
        "net": {"formula": "gross - refunds"},
        "gross": {"value": 1100, "target": 1000},
        "refunds": {"value": 200, "target": 100},
        "price": {"value": 11, "target": 10},
    })
    table = tree.attribute()
    assert table["contribution"].sum() == pytest.approx(900 * 11 - 900 * 10, rel=1e-12)
    assert table.loc["gross", "contribution"] > 0
    assert table.loc["refunds", "contribution"] < 0
    assert table.loc["gross", "contribution"] == pytest.approx(
        -table.loc["refunds", "contribution"])
    assert table.loc["price", "contribution"] == pytest.approx(900)


def test_lmdi_on_a_ratio_matches_the_closed_form():
    f = parse("a * b / c")
    x0 = {"a": 2.0, "b": 5.0, "c": 4.0}
    x1 = {"a": 3.0, "b": 4.0, "c": 5.0}
    contrib, mult, method = split_node(f, x0, x1)
    assert method == "lmdi"
    y0, y1 = 2.5, 2.4
    weight = (y1 - y0) / math.log(y1 / y0)
    assert contrib["a"] == pytest.approx(weight * math.log(1.5))
    assert contrib["c"] == pytest.approx(-weight * math.log(5 / 4))
    assert sum(contrib.values()) == pytest.approx(y1 - y0, rel=1e-12)
    for c in contrib:
        assert contrib[c] == pytest.approx(mult[c] * (x1[c] - x0[c]))


def test_zero_factor_falls_back_to_shapley_and_stays_exact():
    f = parse("a * b")
    contrib, _, method = split_node(f, {"a": 0.0, "b": 3.0}, {"a": 2.0, "b": 5.0})
    assert method == "shapley"
    assert contrib == pytest.approx(brute_shapley(
        lambda e: e["a"] * e["b"], {"a": 0.0, "b": 3.0}, {"a": 2.0, "b": 5.0}))
    assert sum(contrib.values()) == pytest.approx(10.0)


def test_sign_change_falls_back_to_shapley():
    f = parse("a * b")
    contrib, _, method = split_node(f, {"a": -1.0, "b": 3.0}, {"a": 2.0, "b": 5.0})
    assert method == "shapley"
    assert sum(contrib.values()) == pytest.approx(13.0)


@pytest.mark.parametrize("text", [
    "min(a, b) + c", "max(a, b * c)", "a if b > c else c", "a * (1 - b) + c",
    "a ** b", "abs(a - b) * c",
])
def test_other_formulas_use_exact_shapley(text):
    f = parse(text)
    rng = np.random.default_rng(len(text))
    x0 = {c: float(v) for c, v in zip(f.children, rng.uniform(0.5, 2.0, len(f.children)))}
    x1 = {c: float(v) for c, v in zip(f.children, rng.uniform(0.5, 2.0, len(f.children)))}
    contrib, _, method = split_node(f, x0, x1)
    assert method == "shapley"
    expected = brute_shapley(lambda e: float(f.evaluate(e)), x0, x1)
    assert contrib == pytest.approx(expected, rel=1e-9, abs=1e-12)
    change = float(f.evaluate(x1)) - float(f.evaluate(x0))
    assert sum(contrib.values()) == pytest.approx(change, rel=1e-9, abs=1e-12)


def test_many_children_use_the_sequential_method_and_stay_exact():
    names = [f"x{i}" for i in range(12)]
    f = parse(" + ".join(f"{n} * {n}" for n in names[:6]) + " + min(" + ", ".join(names[6:]) + ")")
    x0 = {n: 1.0 + i for i, n in enumerate(names)}
    x1 = {n: 2.0 + 0.5 * i for i, n in enumerate(names)}
    contrib, _, method = split_node(f, x0, x1)
    assert method == "sequential"
    assert sum(contrib.values()) == pytest.approx(
        float(f.evaluate(x1)) - float(f.evaluate(x0)), rel=1e-12)


def test_shape_detection():
    assert is_linear(parse("a + 2 * b - c / 4").ir)
    assert not is_linear(parse("a * b").ir)
    assert monomial(parse("2 * a * b / c ** 2").ir) == {"a": 1, "b": 1, "c": -2}
    assert monomial(parse("a * (1 - b)").ir) is None
    assert log_mean(2.0, 2.0) == 2.0
    assert log_mean(-3.0, -1.0) == pytest.approx(-2 / math.log(3))


def test_single_node_formula_equals_brute_force_shapley_over_inputs():
    tree = tree_of({
        "score": {"formula": "max(a, b) * c - a / 2"},
        "a": {"value": 4, "target": 3}, "b": {"value": 2, "target": 5},
        "c": {"value": 1.5, "target": 2},
    })
    table = tree.attribute()
    f = tree.metrics["score"].parsed
    x0 = {"a": 3.0, "b": 5.0, "c": 2.0}
    x1 = {"a": 4.0, "b": 2.0, "c": 1.5}
    assert table["contribution"].to_dict() == pytest.approx(
        brute_shapley(lambda e: float(f.evaluate(e)), x0, x1))


def test_dag_metric_used_twice_is_counted_through_both_paths():
    tree = tree_of({
        "profit": {"formula": "revenue - cost"},
        "revenue": {"formula": "units * price"},
        "cost": {"formula": "units * unit_cost"},
        "units": {"value": 110, "target": 100},
        "price": {"value": 10, "target": 10},
        "unit_cost": {"value": 6, "target": 6},
    })
    table = tree.attribute()
    assert table.loc["units", "contribution"] == pytest.approx(10 * 10 - 10 * 6)
    assert table["contribution"].sum() == pytest.approx(440 - 400)


def test_by_level_reads_top_down(revenue_tree):
    table = revenue_tree.attribute(by="level")
    assert list(table.index) == ["revenue", "customers", "new_customers", "website_visitors",
                                 "signup_rate", "returning_customers", "lost_customers", "arpc"]
    assert table.loc["revenue", "contribution"] == pytest.approx(REVENUE_CHANGE)
    level1 = table[table["level"] == 1]["contribution"].sum()
    assert level1 == pytest.approx(REVENUE_CHANGE)
    # each computed metric's contribution is the sum of its children's
    kids = table[table["parent"] == "customers"]["contribution"].sum()
    assert kids == pytest.approx(table.loc["customers", "contribution"])
    assert table.loc["customers", "method"] == "lmdi"
    assert table.loc["new_customers", "method"] == "difference"
    # 'local' is in the parent's units: customers' children add up to its own change
    assert table[table["parent"] == "customers"]["local"].sum() == pytest.approx(-750)


def test_attribute_any_metric(revenue_tree):
    table = revenue_tree.attribute(metric="customers")
    assert set(table.index) == {"website_visitors", "signup_rate", "returning_customers",
                                "lost_customers"}
    assert table["contribution"].sum() == pytest.approx(4700 - 5450)


def periodic_tree():
    return tree_of({
        "revenue": {"formula": "customers * arpc"},
        "customers": {"value": {"2026-01": 100, "2026-02": 110, "2026-03": 120},
                      "target": {"2026-01": 100, "2026-02": 105, "2026-03": 130}},
        "arpc": {"value": {"2026-01": 10, "2026-02": 10.5, "2026-03": 10.2},
                 "target": 10},
    })


def test_attribution_between_periods_and_pairs():
    tree = periodic_tree()
    table = tree.attribute(start="2026-01", end="2026-03")
    assert table["contribution"].sum() == pytest.approx(120 * 10.2 - 100 * 10)
    assert table.attrs["start_label"] == "2026-01"
    import pandas as pd

    same = tree.attribute(start=pd.Period("2026-01", "M"), end=pd.Period("2026-03", "M"))
    assert same["contribution"].to_dict() == pytest.approx(table["contribution"].to_dict())
    pair = tree.attribute(start=("target", "2026-02"), end=("value", "2026-03"))
    assert pair["contribution"].sum() == pytest.approx(120 * 10.2 - 105 * 10)
    plan_feb = tree.attribute(start="target", end="value", period="2026-02")
    assert plan_feb["contribution"].sum() == pytest.approx(110 * 10.5 - 105 * 10)
    targets = tree.attribute(start="2026-01", end="2026-03", layer="target")
    assert targets["contribution"].sum() == pytest.approx(130 * 10 - 100 * 10)


def test_attribution_against_a_scenario(revenue_tree):
    revenue_tree.scenario("upside", {"signup_rate": 0.04})
    table = revenue_tree.attribute(start="target", end="upside")
    assert table["contribution"].sum() == pytest.approx((60000 * 0.04 + 3950) * 125 - 681250)
    assert table.loc["signup_rate", "contribution"] > 0
    assert table.loc["arpc", "contribution"] == 0


def test_bad_ends_are_refused(revenue_tree):
    with pytest.raises(kt.KPITreeError, match="2026-05"):
        revenue_tree.attribute(start="2026-05")
    with pytest.raises(kt.KPITreeError, match="nope"):
        revenue_tree.attribute(end="nope")
    with pytest.raises(kt.KPITreeError, match="by"):
        revenue_tree.attribute(by="month")
    with pytest.raises(kt.KPITreeError, match="metric"):
        revenue_tree.attribute(metric="no_such")


def test_missing_input_is_named():
    tree = tree_of({"r": {"formula": "a * b"}, "a": {"value": 1, "target": 2},
                    "b": {"target": 3}})
    with pytest.raises(kt.KPITreeError, match=r"'b' has no number at value"):
        tree.attribute()


def test_undefined_metric_is_named():
    tree = tree_of({"r": {"formula": "a / b"}, "a": {"value": 1, "target": 2},
                    "b": {"value": 0, "target": 3}})
    with pytest.raises(kt.KPITreeError, match=r"'r' is undefined at value"):
        tree.attribute()


def test_attribution_leaves_the_tree_alone(revenue_tree):
    before = revenue_tree.to_dict()
    revenue_tree.attribute()
    revenue_tree.attribute(by="level")
    assert revenue_tree.to_dict() == before
