"""The health check kept up to date edit by edit (``IncrementalCheck``): after any sequence of
edits it says exactly what ``tree.check()`` says, and a number edit re-runs only the rules that
read numbers, for the metrics the edit reaches."""

from __future__ import annotations

import contextlib
import dataclasses
import random
from collections.abc import Collection
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import kpitree_widget as kt
from kpitree_widget.analysis.guards import conflicts, guard_pairs
from kpitree_widget.health import RULES, IncrementalCheck, Rule, rules_frame
from kpitree_widget.health.registry import Hit
from test_health_rules import sound_spec
from treegen import make_spec

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MANY = settings(SETTINGS, max_examples=150)

# numbers that break things: nothing, zeros (divisions by zero), huge (overflow), tiny
AWKWARD = (None, 0, 0.0, -0.0, 1e300, -1e300, 1e-300, 5e-324, 2**53 + 1)
NUMBERS = st.one_of(st.sampled_from(AWKWARD), st.integers(-5, 5),
                    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False))
THRESHOLDS = ({}, {"target_gap": 0}, {"target_gap": 0.5, "ignore": ["owner", "cadence"]},
              {"ignore": "target.missing", "max_depth": 6})


def grouped(findings: Collection[kt.health.Finding]) -> dict[str, list[kt.health.Finding]]:
    out: dict[str, list[kt.health.Finding]] = {}
    for f in findings:
        out.setdefault(f.metric or "", []).append(f)
    return out


def with_guards(spec: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A generated spec where a few metrics guard others (so guard conflicts can appear)."""
    ids = list(spec["metrics"])
    for guard in rng.sample(ids, min(len(ids), rng.randint(0, 3))):
        spec["metrics"][guard].update(kind="guard", guards=rng.choice(ids))
    return spec


def with_bounds(spec: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A few metrics bounded (some numbers then lie outside, some edits are refused)."""
    for metric in rng.sample(list(spec["metrics"]), min(len(spec["metrics"]), 4)):
        lo = rng.choice([None, 0, -50])
        spec["metrics"][metric].update(min=lo, max=rng.choice([None, 1, 1000]))
    return spec


def build(spec: dict[str, Any]) -> kt.KPITree:
    try:
        return kt.KPITree.from_dict(spec)
    except kt.KPITreeError:  # a spec the package refuses (a guard of itself is fine, others)
        assume(False)
        raise


def some_tree(data: st.DataObject) -> kt.KPITree:
    if data.draw(st.booleans(), label="archetype"):
        return kt.archetype(data.draw(st.sampled_from(kt.archetypes()), label="name"))
    n, seed = data.draw(st.integers(2, 40), label="n"), data.draw(st.integers(0, 10**6))
    rng = random.Random(seed)
    return build(with_bounds(with_guards(make_spec(n, seed), rng), rng))


def edit(tree: kt.KPITree, data: st.DataObject) -> None:
    """One random change of numbers, as a person at the widget or a notebook would make it
    (a target outside a metric's bounds is refused and changes nothing)."""
    with contextlib.suppress(kt.KPITreeError):
        _edit(tree, data)


def _edit(tree: kt.KPITree, data: st.DataObject) -> None:
    ids = list(tree.metrics)
    linked = [m for pair in guard_pairs(tree) for m in pair]
    pool = linked if linked and data.draw(st.booleans(), label="on a guard pair") else ids
    metric = data.draw(st.sampled_from(pool), label="metric")
    inputs = tree.inputs()
    x = data.draw(NUMBERS, label="x")
    period = data.draw(st.sampled_from([None, None, *tree.periods, "2031-07"]), label="period")
    kind = data.draw(st.sampled_from(["value", "target", "target", "scenario", "drop scenario",
                                      "scenario target", "numbers", "load"]), label="kind")
    if kind == "value" and tree.metrics[metric].is_input:
        tree.set_value(metric, x, period)
    elif kind == "scenario" or (kind == "scenario target" and not tree.scenarios):
        # some overrides per period, possibly for a period the tree has not seen yet
        number = NUMBERS.filter(lambda v: v is not None)
        per_period = st.dictionaries(st.sampled_from([*tree.periods, "2031-07"]), number,
                                     min_size=1, max_size=2)
        overrides = {m: data.draw(st.one_of(number, per_period))
                     for m in data.draw(st.lists(st.sampled_from(inputs), max_size=3))}
        tree.scenario(data.draw(st.sampled_from(["upside", "downside", "new"])), overrides)
    elif kind == "drop scenario" and tree.scenarios:
        tree.remove_scenario(data.draw(st.sampled_from(sorted(tree.scenarios))))
    elif kind == "scenario target":
        name = data.draw(st.sampled_from(sorted(tree.scenarios)))
        tree.set_scenario_target(name, data.draw(st.sampled_from(inputs)), x, period)
    elif kind == "numbers":
        labels = tree.periods or ["2026-01"]
        numbers = {p: data.draw(NUMBERS.filter(lambda v: v is not None)) for p in labels}
        tree.set_numbers(data.draw(st.sampled_from(["value", "target"])),
                         data.draw(st.sampled_from(inputs)), numbers)
    elif kind == "load":
        chosen = data.draw(st.lists(st.sampled_from(inputs), max_size=4))
        tree.load_numbers("target", {m: data.draw(NUMBERS.filter(lambda v: v is not None))
                                     for m in chosen})
    else:
        tree.set_target(metric, x, period)


@MANY
@given(data=st.data())
def test_after_any_edits_the_findings_are_what_a_full_check_finds(data):
    tree = some_tree(data)
    thresholds = data.draw(st.sampled_from(THRESHOLDS), label="thresholds")
    check = IncrementalCheck(tree, **thresholds)
    answers: list[set[str]] = []
    tree.on_change(lambda event: answers.append(check.update(event)))
    before = tree.check(**thresholds)
    assert check.findings == before
    for _ in range(data.draw(st.integers(1, 12), label="edits")):
        edit(tree, data)
        after = tree.check(**thresholds)
        assert check.findings == after
        assert check.by_metric() == grouped(after)
        old, new = grouped(before), grouped(after)
        truly_changed = {m for m in old.keys() | new.keys() if old.get(m) != new.get(m)}
        assert set().union(*answers) == truly_changed
        answers.clear()
        before = after


def test_archetypes_stay_in_step_through_many_edits():
    rng = random.Random(7)
    for name in kt.archetypes():
        tree = kt.archetype(name)
        check = IncrementalCheck(tree)
        tree.on_change(check.update)
        for _ in range(100):
            metric = rng.choice(list(tree.metrics))
            x = rng.choice([*AWKWARD, rng.uniform(-100, 1e5)])
            if tree.metrics[metric].is_input and rng.random() < 0.5:
                tree.set_value(metric, x)
            else:
                with contextlib.suppress(kt.KPITreeError):  # outside the metric's bounds
                    tree.set_target(metric, x)
            assert check.findings == tree.check(), (name, metric, x)


# --------------------------------------------------------------------------- what re-runs


@pytest.fixture
def calls(monkeypatch) -> list[tuple[str, frozenset[str] | None]]:
    """Every rule run from now on, as (rule id, the metrics it was asked about or None)."""
    seen: list[tuple[str, frozenset[str] | None]] = []
    for rule_id, rule in list(RULES.items()):
        func = rule.func
        if rule.scoped:
            def counted(ctx, only=None, _id=rule_id, _func=func):
                seen.append((_id, None if only is None else frozenset(only)))
                return _func(ctx, only)
        else:
            def counted(ctx, _id=rule_id, _func=func):
                seen.append((_id, None))
                return _func(ctx)
        monkeypatch.setitem(RULES, rule_id, dataclasses.replace(rule, func=counted))
    return seen


NUMBER_RULES = {"target.missing", "target.gap", "conflict.guard", "bounds.outside",
                "aggregation.missing", "aggregation.formula", "data.unsourced"}


def test_the_registry_says_which_rules_read_numbers():
    assert {r.id for r in RULES.values() if "numbers" in r.reads} == NUMBER_RULES
    assert all(RULES[r].scoped for r in NUMBER_RULES)
    assert "guards" in RULES["conflict.guard"].reads
    assert rules_frame().loc["target.gap", "reads"] == "numbers, structure, text"


def test_a_leaf_edit_reruns_only_the_number_rules_for_the_leaf_and_what_is_above_it(
        calls, revenue_tree):
    check = IncrementalCheck(revenue_tree)
    assert {rule for rule, _ in calls} == set(RULES)  # the first check runs everything
    calls.clear()
    revenue_tree.set_target("signup_rate", 0.03)
    check.update({"kind": "target", "metric": "signup_rate"})
    assert {rule for rule, _ in calls} == NUMBER_RULES
    assert {only for _, only in calls} == {
        frozenset({"signup_rate", "new_customers", "customers", "revenue"})}
    assert check.findings == revenue_tree.check()


def test_a_text_rule_is_not_rerun_on_a_number_edit(calls):
    tree = kt.archetype("b2b_saas")
    check = IncrementalCheck(tree)
    tree.on_change(check.update)
    calls.clear()
    for metric in tree.inputs()[:5]:
        tree.set_value(metric, 0)
        tree.set_target(metric, None)
    ran = {rule for rule, _ in calls}
    assert "owner.missing" not in ran and "vanity.metric" not in ran
    assert ran == NUMBER_RULES
    assert check.findings == tree.check()


def test_a_bulk_load_reruns_every_number_rule_over_the_whole_tree(calls):
    tree = kt.archetype("b2b_saas")
    check = IncrementalCheck(tree)
    tree.on_change(check.update)
    calls.clear()
    tree.load_numbers("value", {m: 1.0 for m in tree.inputs()})
    assert sorted(calls) == sorted((rule, None) for rule in NUMBER_RULES)
    assert check.findings == tree.check()


def test_a_scenario_edit_reruns_only_the_scenario_rules_unless_it_brings_new_periods(
        calls, revenue_tree):
    revenue_tree.set_target("customers", 6000)  # a typed target its drivers do not reach
    check = IncrementalCheck(revenue_tree)
    answers = []
    revenue_tree.on_change(lambda event: answers.append(check.update(event)))
    calls.clear()
    revenue_tree.scenario("upside", {"arpc": 140})  # the plan and the actuals stay as they are
    revenue_tree.set_scenario_target("upside", "signup_rate", 0.04)
    # only the rule that reads scenarios (a scenario's target outside its bounds) re-runs
    assert calls == [("bounds.outside", None)] * 2 and answers == [set(), set()]
    assert check.findings == revenue_tree.check()
    (gap,) = check.by_metric()["customers"]
    assert " in 2026-03" not in gap.message
    calls.clear()  # (tree.check above ran every rule)
    revenue_tree.set_scenario_target("upside", "arpc", 150, period="2026-03")  # a first period
    assert sorted(calls) == sorted((rule, None) for rule in NUMBER_RULES)
    # the gap moves, and the tree now has periods: its computed flows need an aggregation
    assert answers[-1] == {"customers", "revenue", "new_customers"}
    assert {f.rule for f in check.by_metric()["revenue"]} == {"aggregation.missing"}
    assert " in 2026-03" in check.by_metric()["customers"][0].message
    assert check.findings == revenue_tree.check()


def test_a_bulk_load_that_changes_hundreds_of_findings_keeps_their_order():
    tree = build(with_guards(make_spec(600, seed=5, periods=False), random.Random(5)))
    check = IncrementalCheck(tree)
    answers: list[set[str]] = []
    tree.on_change(lambda event: answers.append(check.update(event)))
    before = grouped(tree.check())
    tree.load_numbers("target", {m: 0.0 for m in tree.inputs()})  # none is missing now
    after = grouped(tree.check())
    changed = {m for m in before.keys() | after.keys() if before.get(m) != after.get(m)}
    assert len(changed) > 64  # enough to sort everything again rather than one by one
    assert answers == [changed]
    assert check.findings == tree.check()
    assert check.by_metric() == after
    tree.set_numbers("target", tree.inputs()[1], 1e300)  # and one by one after that
    assert check.findings == tree.check()
    assert check.by_metric() == grouped(tree.check())


@pytest.mark.parametrize("event", [{"kind": "structure", "metric": None},
                                   {"kind": "rename", "metric": "revenue"},
                                   {"kind": "target", "metric": "no_such_metric"}])
def test_unknown_events_and_metrics_rerun_everything(calls, revenue_tree, event):
    check = IncrementalCheck(revenue_tree)
    calls.clear()
    check.update(event)
    assert {rule for rule, _ in calls} == set(RULES)
    assert all(only is None for _, only in calls)
    assert check.findings == revenue_tree.check()


def test_a_new_period_reruns_the_number_rules_everywhere(calls, revenue_tree):
    check = IncrementalCheck(revenue_tree)
    revenue_tree.on_change(check.update)
    calls.clear()
    revenue_tree.set_target("arpc", 130, period="2026-01")  # the tree gets its first period
    assert set(calls) == {(rule, None) for rule in NUMBER_RULES}
    assert check.findings == revenue_tree.check()


def test_a_rule_reading_numbers_across_hypotheses_reruns_for_the_outcome(monkeypatch):
    """A rule that declares it reads the numbers of hypothesis drivers is re-run for the
    outcome when a driver moves, though the outcome is not above the driver in any formula."""

    def drivers_off_plan(ctx, only=None):
        arrays, index = ctx.tree.arrays()
        drivers: dict[str, list[str]] = {}
        for h in ctx.tree.hypotheses:
            drivers.setdefault(h.outcome, []).append(h.driver)
        for metric_id in ctx.order if only is None else ctx.scope(only):
            late = [d for d in drivers.get(metric_id, ())
                    if arrays[index[d]][-1, 0] < arrays[index[d]][-1, 1]]
            if late:
                yield Hit(metric_id, f"{ctx.name(metric_id)}: drivers below plan: {late}")

    monkeypatch.setitem(RULES, "leaf.drivers_off_plan", Rule(
        "leaf.drivers_off_plan", "info", "why", "fix", (), drivers_off_plan,
        ("numbers", "hypotheses", "structure"), scoped=True))
    tree = kt.KPITree.from_dict(sound_spec())  # csat (a leaf) drives gross retention
    check = IncrementalCheck(tree)
    assert "gross_retention" not in check.by_metric()
    tree.set_value("csat", 0.5)
    assert check.update({"kind": "value", "metric": "csat"}) == {"gross_retention"}
    assert check.findings == tree.check()
    assert check.by_metric()["gross_retention"][0].rule == "leaf.drivers_off_plan"


# --------------------------------------------------------------------------- what changed


def test_removing_a_leaf_target_changes_that_leaf_only(revenue_tree):
    check = IncrementalCheck(revenue_tree)
    revenue_tree.set_target("arpc", None)
    assert check.update({"kind": "target", "metric": "arpc"}) == {"arpc"}
    assert [f.rule for f in check.by_metric()["arpc"]] == ["target.missing"]
    revenue_tree.set_target("arpc", 125)
    assert check.update({"kind": "target", "metric": "arpc"}) == {"arpc"}
    assert "arpc" not in check.by_metric()
    assert check.update({"kind": "target", "metric": "arpc"}) == set()  # nothing new


def test_a_leaf_edit_opens_a_gap_on_the_typed_target_above_it(revenue_tree):
    revenue_tree.set_target("customers", 5450)  # what its drivers' targets add up to
    check = IncrementalCheck(revenue_tree)
    assert "customers" not in check.by_metric()
    revenue_tree.set_target("returning_customers", 3000)
    assert check.update({"kind": "target", "metric": "returning_customers"}) == {"customers"}
    gap = check.by_metric()["customers"]
    assert [f.rule for f in gap] == ["target.gap"]
    assert "below" not in gap[0].message and "above" in gap[0].message


def test_an_edit_below_a_guarded_metric_flags_the_guard_beside_it():
    tree = kt.KPITree.from_dict(sound_spec())  # cac guards new_customers
    tree.set_value("cac", 11000)  # worse than its 10,000 target (lower is better)
    check = IncrementalCheck(tree)
    assert "cac" not in check.by_metric()
    answers = []
    tree.on_change(lambda event: answers.append(check.update(event)))
    tree.set_value("leads", 500)  # new customers fall below plan: both sides are worse
    assert answers == [{"cac"}]
    assert [f.rule for f in check.by_metric()["cac"]] == ["conflict.guard"]
    assert check.findings == tree.check()


def test_reset_after_a_change_without_event(revenue_tree):
    check = IncrementalCheck(revenue_tree)
    revenue_tree.okrs.append({"key_result": "More visitors", "metric": "nowhere"})
    assert check.findings != revenue_tree.check()  # nothing told it
    assert check.reset() == {""}
    assert check.findings == revenue_tree.check()


def test_a_rule_that_fails_mid_update_leaves_the_check_to_start_afresh(monkeypatch,
                                                                       revenue_tree):
    rule = RULES["target.gap"]
    broken = {"now": False}

    def flaky(ctx, only=None):
        if broken["now"]:
            raise RuntimeError("disk on fire")
        return rule.func(ctx, only)

    monkeypatch.setitem(RULES, "target.gap", dataclasses.replace(rule, func=flaky))
    check = IncrementalCheck(revenue_tree)
    broken["now"] = True
    revenue_tree.set_target("customers", 9999)
    with pytest.raises(RuntimeError, match="disk on fire"):
        check.update({"kind": "target", "metric": "customers"})
    broken["now"] = False
    assert check.findings == revenue_tree.check()
    assert "target.gap" in [f.rule for f in check.by_metric()["customers"]]


def test_thresholds_and_errors_are_those_of_the_check(revenue_tree):
    check = IncrementalCheck(revenue_tree, ignore="owner", target_gap=0)
    assert check.findings == revenue_tree.check(ignore="owner", target_gap=0)
    with pytest.raises(kt.KPITreeError, match="max_dept"):
        IncrementalCheck(revenue_tree, max_dept=3)


# --------------------------------------------------------------------------- guard pairs


@SETTINGS
@given(data=st.data())
def test_guard_conflicts_read_from_the_arrays_match_the_guard_report(data):
    tree = some_tree(data)
    for _ in range(data.draw(st.integers(0, 4))):
        edit(tree, data)
    report = tree.guard_report()
    rows = conflicts(tree, guard_pairs(tree))
    columns = [c for c in report.columns if not c.endswith("_status")]
    expected = [{c: (None if c.endswith("owner") and not isinstance(v, str) else v)
                 for c, v in row.items()} for row in report[columns].to_dict("records")]
    got = [{c: row[c] for c in columns} for row in rows]
    assert repr(got) == repr(expected)  # repr: NaN-free, -0.0 and 0.0 told apart
