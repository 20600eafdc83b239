"""Each health rule against a tree that breaks it and a sound tree that does not."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

import kpitree_widget as kt
from kpitree_widget.health import RULES


def _m(name: str, owner: str, cadence: str = "weekly", lag: float = 14, **more: Any) -> dict:
    return {"name": name, "owner": owner, "cadence": cadence, "lag_days": lag, **more}


SOUND: dict[str, Any] = {
    "name": "Sound revenue tree",
    "root": "revenue",
    "metrics": {
        "revenue": _m("Revenue", "CEO", "quarterly", 90, unit="currency",
                      formula="new_revenue + renewal_revenue + expansion_revenue"),
        "new_revenue": _m("New revenue", "CRO", "monthly", 60, unit="currency",
                          formula="new_customers * acv"),
        "new_customers": _m("New customers", "VP Sales", "monthly", 45,
                            formula="leads * lead_to_opp_rate * win_rate"),
        "leads": _m("Qualified leads", "Demand Gen Manager", value=1000, target=1000,
                    min=0),
        "lead_to_opp_rate": _m("Lead-to-opportunity rate", "SDR Manager", unit="percent",
                               value=0.3, target=0.3),
        "win_rate": _m("Win rate", "AE Manager", lag=30, unit="percent", value=0.2,
                       target=0.2, min=0, max=1),
        "acv": _m("Average contract value", "Head of Pricing", "monthly", 60,
                  unit="currency", value=50000, target=50000),
        "renewal_revenue": _m("Renewal revenue", "VP Customer Success", "monthly", 90,
                              unit="currency", formula="renewable_arr * gross_retention"),
        "expansion_revenue": _m("Expansion revenue", "Head of Account Management",
                                "monthly", 60, unit="currency",
                                formula="renewable_arr * expansion_rate"),
        "renewable_arr": _m("ARR up for renewal", "CFO", "quarterly", 90, unit="currency",
                            value=8e6, target=8e6),
        "gross_retention": _m("Gross retention", "VP Customer Success", "monthly", 90,
                              unit="percent", value=0.9, target=0.9),
        "expansion_rate": _m("Expansion rate", "Head of Account Management", "monthly", 60,
                             unit="percent", value=0.1, target=0.1),
        "activation_rate": _m("90-day activation rate", "Onboarding Lead", unit="percent",
                              value=0.7, target=0.7),
        "csat": _m("Support CSAT", "Support Manager", lag=3, unit="percent", tags=["quality"],
                   value=0.85, target=0.85),
        "time_to_value_days": _m("Time to first value", "Implementation Manager",
                                 unit="days", direction="down", value=30, target=30),
        "sales_cycle_days": _m("Sales cycle length", "AE Manager", "monthly", 30, unit="days",
                               direction="down", value=60, target=60),
        "cac": _m("Customer acquisition cost", "Demand Gen Manager", unit="currency",
                  direction="down", kind="guard", guards="new_customers",
                  tags=["unit_economics"], value=9000, target=10000),
    },
    "hypotheses": [
        {"from": "activation_rate", "to": "gross_retention", "sign": "+"},
        {"from": "csat", "to": "gross_retention", "sign": "+"},
        {"from": "time_to_value_days", "to": "gross_retention", "sign": "-"},
        {"from": "sales_cycle_days", "to": "win_rate", "sign": "-"},
        {"from": "cac", "to": "leads", "sign": "+"},
    ],
    "okrs": [{"objective": "Keep customers", "key_result": "Gross retention 88% -> 93%",
              "metric": "gross_retention", "from": 0.88, "to": 0.93, "due": "2026-06-30"}],
}


def sound_spec() -> dict[str, Any]:
    return copy.deepcopy(SOUND)


def rules(spec: dict[str, Any], **thresholds: Any) -> dict[str, list[kt.health.Finding]]:
    out: dict[str, list[Any]] = {}
    spec = dict(spec)
    freq = spec.pop("_resample", None)  # check the tree rolled into quarters or years
    tree = kt.KPITree.from_dict(spec)
    for f in (tree.resample(freq) if freq else tree).check(**thresholds):
        out.setdefault(f.rule, []).append(f)
    return out


def test_the_sound_tree_has_no_findings():
    found = kt.KPITree.from_dict(sound_spec()).check()
    assert list(found) == [], str(found)
    assert str(found).startswith("No findings")


# ------------------------------------------------------------------ breaking each rule

Spec = dict[str, Any]


def _set(metric: str, **fields: Any) -> Callable[[Spec], None]:
    def change(spec: Spec) -> None:
        spec["metrics"][metric].update(fields)
    return change


def _drop(metric: str, field: str) -> Callable[[Spec], None]:
    def change(spec: Spec) -> None:
        del spec["metrics"][metric][field]
    return change


def _detach(spec: Spec) -> None:
    spec["metrics"]["press_kit_downloads_team"] = _m("Stray metric", "Analyst", value=1,
                                                       target=1)


def _too_deep(spec: Spec) -> None:
    spec["metrics"]["leads"] = _m("Qualified leads", "Demand Gen Manager",
                                  formula="visits * visit_to_lead_rate")
    spec["metrics"]["visits"] = _m("Website visits", "SEO Manager", value=1e5, target=1e5)
    spec["metrics"]["visit_to_lead_rate"] = _m("Visit-to-lead rate", "Web Manager",
                                               unit="percent", value=0.01, target=0.01)


def _too_shallow(spec: Spec) -> None:
    spec["metrics"] = {
        "revenue": _m("Revenue", "CEO", formula="customers * arpc"),
        "customers": _m("Customers", "COO", value=10, target=10),
        "arpc": _m("Revenue per customer", "Head of Pricing", value=5, target=5),
    }
    spec["hypotheses"], spec["okrs"] = [], []


def _one_driver(spec: Spec) -> None:
    spec["metrics"]["revenue"]["formula"] = "new_revenue"
    spec["metrics"]["new_revenue"]["formula"] = ("new_customers * acv + renewal_revenue"
                                                 " + expansion_revenue")


def _six_drivers(spec: Spec) -> None:
    spec["metrics"]["revenue"]["formula"] = ("new_revenue + renewal_revenue + expansion_revenue"
                                             " + services + hardware + licences")
    for m in ("services", "hardware", "licences"):
        spec["metrics"][m] = _m(m.title(), "CFO", value=1, target=1)


def _many_leaves(spec: Spec) -> None:
    extra = [f"channel_{i}" for i in range(16)]
    spec["metrics"]["leads"] = _m("Qualified leads", "Demand Gen Manager",
                                  formula=" + ".join(extra))
    for m in extra:
        spec["metrics"][m] = _m(f"Leads from channel {m[8:]}", "Channel Manager", value=70,
                                target=70)


def _few_leaves(spec: Spec) -> None:
    for m in ("activation_rate", "time_to_value_days"):
        del spec["metrics"][m]
    spec["hypotheses"] = [h for h in spec["hypotheses"]
                          if h["from"] not in ("activation_rate", "time_to_value_days")]


def _complex(spec: Spec) -> None:
    for i in range(4):
        spec["metrics"][f"driver_{i}"] = _m(f"Driver {i}", "Ops Manager", value=1, target=1)
        spec["hypotheses"].append({"from": f"driver_{i}", "to": "acv"})


def _efficiency_root(spec: Spec) -> None:
    spec["metrics"]["revenue"]["name"] = "Revenue efficiency"


def _ratio_of_economics_root(spec: Spec) -> None:
    spec["metrics"]["old_root"] = spec["metrics"].pop("revenue")
    spec["metrics"]["revenue"] = _m("North Star", "CEO", "quarterly", 90,
                                    formula="lifetime_value / cac")
    spec["metrics"]["lifetime_value"] = _m("Customer lifetime value", "CFO", value=1, target=1,
                                           tags=["unit_economics"])
    spec["hypotheses"].append({"from": "old_root", "to": "lifetime_value"})


def _vanity(spec: Spec) -> None:
    spec["metrics"]["new_customers"]["formula"] += " + page_views * 0"
    spec["metrics"]["page_views"] = _m("Blog page views", "Content Lead", value=1, target=1)


def _rename(spec: Spec, old: str, new: str, **fields: Any) -> None:
    spec["metrics"][new] = spec["metrics"].pop(old)
    spec["metrics"][new].update(fields)
    for h in spec["hypotheses"]:
        h["from"] = new if h["from"] == old else h["from"]


def _no_unit_economics(spec: Spec) -> None:
    _rename(spec, "cac", "response_time", name="Lead response time", tags=[])
    spec["metrics"]["response_time"].pop("guards")
    spec["metrics"]["response_time"].pop("kind")


def _no_quality(spec: Spec) -> None:
    _rename(spec, "csat", "adoption", name="Feature adoption", tags=[])


def _all_slow(spec: Spec) -> None:
    for metric in spec["metrics"].values():
        if "formula" not in metric:
            metric["lag_days"] = max(metric["lag_days"], 14)


def _activity_high(spec: Spec) -> None:
    spec["metrics"]["revenue"]["formula"] += " + demos_done * 0"
    spec["metrics"]["demos_done"] = _m("Demos done", "SDR Manager", value=10, target=10)


def _gap(spec: Spec) -> None:
    spec["metrics"]["new_revenue"]["target"] = 3_500_000  # the leaves give 3,000,000


def _guard_conflict(spec: Spec) -> None:
    spec["metrics"]["cac"]["value"] = 12000   # worse than 10,000 (direction down)
    spec["metrics"]["win_rate"]["value"] = 0.15  # so new customers fall short too


def _unknown_guard(spec: Spec) -> None:
    spec["metrics"]["cac"]["guards"] = "new_customer"


def _unpaired_guard(spec: Spec) -> None:
    spec["metrics"]["cac"].pop("guards")


def _okr_unlinked(spec: Spec) -> None:
    spec["okrs"].append({"objective": "Be famous", "key_result": "10 press mentions",
                         "metric": "press_mentions", "from": 0, "to": 10})


def _okr_no_owner(spec: Spec) -> None:
    spec["metrics"]["new_customers"].pop("owner")
    spec["okrs"].append({"objective": "Grow", "key_result": "60 new customers a quarter",
                         "metric": "new_customers", "from": 50, "to": 60})


MONTHS = ("2026-01", "2026-02", "2026-03")


def _monthly(spec: Spec) -> None:
    """The leads and the contract value month by month: a tree with periods."""
    spec["metrics"]["leads"]["value"] = dict(zip(MONTHS, (900, 1000, 1200)))
    spec["metrics"]["acv"]["value"] = dict(zip(MONTHS, (40000, 50000, 60000)))


def _quarter_of_flows(spec: Spec) -> None:
    """New revenue adds up its months; the tree read by quarter."""
    _monthly(spec)
    spec["metrics"]["new_revenue"]["aggregation"] = "sum"
    spec["metrics"]["new_customers"]["aggregation"] = "sum"
    spec["_resample"] = "Q"


def _unsourced(spec: Spec) -> None:
    """A tree wired to data in which one input has neither a source nor numbers."""
    spec["sources"] = {"crm": {"tables": {"deals": "deals.parquet"}}}
    spec["metrics"]["acv"]["source"] = {"from": "crm", "table": "deals", "time": "closed_at",
                                        "measure": "avg(amount)"}
    del spec["metrics"]["win_rate"]["value"]


BREAKS: dict[str, tuple[Callable[[Spec], None], str | None]] = {
    # rule: (how to break the sound tree, the metric the finding names or None)
    "structure.detached": (_detach, "press_kit_downloads_team"),
    "structure.depth": (_too_deep, None),
    "structure.drivers": (_one_driver, "revenue"),
    "structure.too_many_leaves": (_many_leaves, None),
    "structure.few_leaves": (_few_leaves, None),
    "structure.too_complex": (_complex, None),
    "owner.missing": (_drop("win_rate", "owner"), "win_rate"),
    "owner.missing_output": (_drop("new_revenue", "owner"), "new_revenue"),
    "owner.joint": (_set("win_rate", owner="AE Manager + Sales Engineer"), "win_rate"),
    "owner.team": (_set("acv", owner="Sales"), "acv"),
    "target.missing": (_drop("acv", "target"), "acv"),
    "target.gap": (_gap, "new_revenue"),
    "root.composite": (_set("revenue", name="Growth x engagement"), "revenue"),
    "root.efficiency_ratio": (_efficiency_root, "revenue"),
    "vanity.metric": (_vanity, "page_views"),
    "coverage.unit_economics": (_no_unit_economics, None),
    "coverage.quality": (_no_quality, None),
    "coverage.short_lag": (_all_slow, None),
    "leaf.slow": (_set("acv", lag_days=120), "acv"),
    "leaf.activity": (_activity_high, "demos_done"),
    "cadence.missing": (_drop("acv", "cadence"), "acv"),
    "lag.missing": (_drop("acv", "lag_days"), "acv"),
    "bounds.outside": (_set("win_rate", target=1.2), "win_rate"),
    "conflict.guard": (_guard_conflict, "cac"),
    "conflict.unknown_guard": (_unknown_guard, "cac"),
    "conflict.unpaired_guard": (_unpaired_guard, "cac"),
    "okr.unlinked": (_okr_unlinked, None),
    "okr.no_owner": (_okr_no_owner, "new_customers"),
    "aggregation.missing": (_monthly, "new_revenue"),
    "aggregation.formula": (_quarter_of_flows, "new_revenue"),
    "data.unsourced": (_unsourced, "win_rate"),
}


def test_every_rule_has_a_breaking_tree():
    assert set(BREAKS) == set(RULES)


@pytest.mark.parametrize("rule_id", sorted(BREAKS))
def test_rule_fires_on_the_broken_tree_only(rule_id):
    breaker, metric = BREAKS[rule_id]
    spec = sound_spec()
    breaker(spec)
    found = rules(spec)
    assert rule_id in found, f"{rule_id} did not fire: {found}"
    hits = found[rule_id]
    assert metric in {f.metric for f in hits}
    rule = RULES[rule_id]
    for f in hits:
        assert f.reason == rule.reason
        assert f.severity in {"error", "warning", "info"}
        assert "\n" not in f.message and len(f.message) < 400
        if f.metric is not None:
            assert f.name == spec["metrics"][f.metric].get("name", f.metric)
    assert rule_id not in rules(sound_spec())


def test_more_variants_of_broken_structure():
    spec = sound_spec()
    _too_shallow(spec)
    shallow = rules(spec)["structure.depth"][0]
    assert "only 2 levels deep" in shallow.message and "dashboard" in shallow.message
    spec = sound_spec()
    _six_drivers(spec)
    assert "6 level-1 drivers" in rules(spec)["structure.drivers"][0].message
    spec = sound_spec()
    spec["metrics"]["revenue"] = {"name": "Revenue", "owner": "CEO", "value": 1, "target": 1,
                                  "cadence": "monthly", "lag_days": 30}
    spec["metrics"]["old"] = _m("Old root", "CEO", formula="new_revenue + renewal_revenue + "
                                "expansion_revenue")
    spec["hypotheses"].append({"from": "old", "to": "revenue"})
    assert "has no formula" in rules(spec)["structure.drivers"][0].message


def test_detached_metric_names_what_hangs_below_it():
    spec = sound_spec()
    spec["metrics"]["stray"] = _m("Stray", "Analyst", formula="a + b")
    spec["metrics"]["a"] = _m("A", "Analyst", value=1, target=1)
    spec["metrics"]["b"] = _m("B", "Analyst", value=1, target=1)
    (f,) = rules(spec)["structure.detached"]
    assert f.metric == "stray" and set(f.related) == {"a", "b"}
    assert "Revenue" in f.message and "2 metrics under it" in f.message


def test_a_declared_guard_of_a_tree_metric_is_not_detached():
    spec = sound_spec()
    spec["hypotheses"] = [h for h in spec["hypotheses"] if h["from"] != "cac"]
    assert "structure.detached" not in rules(spec)
    spec["metrics"]["cac"]["guards"] = "nothing_here"
    found = rules(spec)
    assert {"structure.detached", "conflict.unknown_guard"} <= set(found)


def test_guard_of_itself_is_flagged():
    spec = sound_spec()
    spec["metrics"]["cac"]["guards"] = "cac"
    assert "guard of itself" in rules(spec)["conflict.unknown_guard"][0].message


@pytest.mark.parametrize("owner", ["Marketing and Sales", "Demand Gen + Sales Dev",
                                   "CS Manager / Account Manager", "Sales & Marketing",
                                   "Demand Gen Manager and SDR Manager jointly",
                                   "Shared: growth", "CEO, CFO", "CFO / CEO"])
def test_joint_owners_are_flagged(owner):
    spec = sound_spec()
    spec["metrics"]["leads"]["owner"] = owner
    found = rules(spec)
    assert "owner.joint" in found
    assert "owner.team" not in found  # one finding per problem


@pytest.mark.parametrize("owner", ["VP Sales and Marketing", "Head of R&D", "VP Sales, EMEA",
                                   "Head of AI/ML", "Demand Gen Manager",
                                   "Founder / CEO"])
def test_single_owners_with_conjunctions_are_not_joint(owner):
    spec = sound_spec()
    spec["metrics"]["leads"]["owner"] = owner
    assert "owner.joint" not in rules(spec)


@pytest.mark.parametrize("owner", ["Marketing", "sales", "Customer Success", "Growth team",
                                   "The marketing department"])
def test_team_names_as_owners_are_a_softer_warning(owner):
    spec = sound_spec()
    spec["metrics"]["leads"]["owner"] = owner
    (f,) = rules(spec)["owner.team"]
    assert f.severity == "warning"


def test_owner_equal_to_the_metric_team_is_a_team_owner():
    spec = sound_spec()
    spec["metrics"]["leads"].update(owner="Pipeline Crew", team="Pipeline Crew")
    assert "owner.team" in rules(spec)
    spec["metrics"]["leads"].update(owner="Growth PM", team="Growth")
    assert "owner.team" not in rules(spec)


@pytest.mark.parametrize("name", ["App downloads", "Twitter followers", "Press mentions",
                                  "Blog subscribers", "Page views", "Ad impressions",
                                  "Post likes"])
def test_vanity_names(name):
    spec = sound_spec()
    spec["metrics"]["leads"]["name"] = name
    assert "vanity.metric" in rules(spec)


@pytest.mark.parametrize("name,unit", [("Download-to-signup rate", None),
                                       ("Follower conversion", "percent"),
                                       ("Cost per impression", "currency")])
def test_rates_of_vanity_things_are_not_vanity(name, unit):
    spec = sound_spec()
    spec["metrics"]["leads"].update(name=name, unit=unit)
    assert "vanity.metric" not in rules(spec)


def test_vanity_message_asks_the_tripling_question_about_the_parent():
    spec = sound_spec()
    _vanity(spec)
    (f,) = rules(spec)["vanity.metric"]
    assert "if it tripled" in f.message and "New customers" in f.message


@pytest.mark.parametrize("name", ["LTV/CAC", "LTV to CAC", "Marketing ROI", "Gross margin",
                                  "CAC payback", "ROAS", "Sales efficiency"])
def test_efficiency_ratio_roots(name):
    spec = sound_spec()
    spec["metrics"]["revenue"]["name"] = name
    assert "root.efficiency_ratio" in rules(spec)


def test_ratio_of_unit_economics_metrics_as_root():
    spec = sound_spec()
    _ratio_of_economics_root(spec)
    assert "root.efficiency_ratio" in rules(spec)


@pytest.mark.parametrize("name", ["Growth × retention", "Users * ARPU", "Reach and frequency",
                                  "Engagement x retention x margin"])
def test_composite_roots(name):
    spec = sound_spec()
    spec["metrics"]["revenue"]["name"] = name
    assert "root.composite" in rules(spec)


def test_composite_root_id():
    spec = sound_spec()
    spec["metrics"]["growth_x_engagement"] = spec["metrics"].pop("revenue")
    spec["root"] = "growth_x_engagement"
    spec["metrics"]["growth_x_engagement"]["name"] = "North Star"
    assert "root.composite" in rules(spec)


def test_activity_metric_with_children_is_flagged():
    spec = sound_spec()
    spec["metrics"]["leads"] = _m("Sales calls", "SDR Manager", formula="reps * calls_per_rep")
    spec["metrics"]["reps"] = _m("Reps", "VP Sales", value=10, target=10)
    spec["metrics"]["calls_per_rep"] = _m("Calls per rep", "SDR Manager", value=100,
                                          target=100)
    (f,) = rules(spec, max_depth=5)["leaf.activity"]
    assert f.metric == "leads" and "metrics below it" in f.message


def test_activity_leaf_at_the_bottom_is_fine():
    spec = sound_spec()
    spec["metrics"]["leads"]["name"] = "Demos booked"
    assert "leaf.activity" not in rules(spec)
    spec["metrics"]["leads"]["name"] = "API calls"  # usage, not sales activity
    spec["metrics"]["lead_to_opp_rate"]["name"] = "Demo-to-opportunity rate"
    assert "leaf.activity" not in rules(spec)


def test_short_lag_message_when_no_leaf_has_a_lag():
    spec = sound_spec()
    for metric in spec["metrics"].values():
        metric.pop("lag_days")
    found = rules(spec)
    assert "lag_days" in found["coverage.short_lag"][0].message
    # many missing lags are one tree-wide finding that lists them
    (lag,) = found["lag.missing"]
    assert lag.metric is None and len(lag.related) == 12
    assert lag.message.startswith("None of the 12 leaves")


def test_target_gap_reports_the_gap_and_respects_the_threshold():
    spec = sound_spec()
    _gap(spec)
    (f,) = rules(spec)["target.gap"]
    assert "$3.5M" in f.message and "$3M" in f.message and "+17%" in f.message
    assert "target.gap" not in rules(spec, target_gap=0.2)


def test_target_gap_per_period():
    spec = sound_spec()
    spec["metrics"]["acv"]["target"] = {"2026-01": 50000, "2026-02": 50000, "2026-03": 50000}
    spec["metrics"]["new_revenue"]["target"] = {"2026-01": 3e6, "2026-02": 3.3e6,
                                                "2026-03": 3.6e6}
    (f,) = rules(spec)["target.gap"]
    assert "in 2 periods (largest in 2026-03)" in f.message


def test_okr_findings_name_the_key_result():
    spec = sound_spec()
    _okr_unlinked(spec)
    spec["okrs"].append({"objective": "Retain", "key_result": "Gross retention up",
                         "metric": "gross_retension", "from": 0.9, "to": 0.95})
    spec["okrs"].append({"objective": "Vague", "key_result": "Be loved"})
    messages = [f.message for f in rules(spec)["okr.unlinked"]]
    assert len(messages) == 3
    assert "'10 press mentions'" in messages[0]
    assert "did you mean 'gross_retention'?" in messages[1]
    assert "points at no metric" in messages[2]


# ------------------------------------------------------------------ bounds


def test_a_target_outside_its_bounds_is_an_error_a_value_a_warning():
    spec = sound_spec()
    spec["metrics"]["win_rate"].update(value=1.5, target=1.2)
    found = {f.message.split("'s ")[1].split(" ")[0]: f for f in rules(spec)["bounds.outside"]}
    assert found["target"].severity == "error"
    assert "120% is above its max of 100%" in found["target"].message
    assert found["value"].severity == "warning"
    assert "150% is above its max of 100%" in found["value"].message
    assert "check the data" in found["value"].message


def test_an_implied_target_outside_its_bounds_is_flagged_on_the_computed_metric():
    spec = sound_spec()
    spec["metrics"]["new_customers"]["min"] = 0
    spec["metrics"]["lead_to_opp_rate"]["target"] = -0.3  # a typo in the plan
    hits = rules(spec)["bounds.outside"]
    assert [f.metric for f in hits] == ["new_customers"]
    assert "implied target −60 is below its min of 0" in hits[0].message
    assert "drivers' targets" in hits[0].message


def test_bounds_findings_name_the_period_and_the_scenario():
    spec = sound_spec()
    spec["metrics"]["leads"].update(value={"2026-01": 900, "2026-02": -5, "2026-03": -40},
                                    target={"2026-01": 1000, "2026-02": 1000, "2026-03": 1000})
    spec["scenarios"] = {"upside": {"win_rate": 1.1}}
    hits = rules(spec)["bounds.outside"]
    messages = {f.metric: [] for f in hits}
    for f in hits:
        messages[f.metric].append(f.message)
    assert any("in 2 periods (furthest in 2026-03)" in m for m in messages["leads"])
    assert any("target in scenario 'upside' 110%" in m for m in messages["win_rate"])


def test_a_typed_target_on_a_computed_metric_outside_its_bounds_is_flagged():
    spec = sound_spec()
    spec["metrics"]["new_customers"].update(min=0, target=-10)
    hits = rules(spec)["bounds.outside"]
    assert any("typed target −10 is below its min of 0" in f.message for f in hits)


def test_the_incremental_check_follows_bounds_as_numbers_change():
    tree = kt.KPITree.from_dict(sound_spec())
    check = kt.health.IncrementalCheck(tree)
    assert not [f for f in check.findings if f.rule == "bounds.outside"]
    tree.on_change(check.update)
    tree.set_value("win_rate", 1.4)
    assert [f.metric for f in check.findings if f.rule == "bounds.outside"] == ["win_rate"]
    tree.set_value("win_rate", 0.3)
    assert not [f for f in check.findings if f.rule == "bounds.outside"]
