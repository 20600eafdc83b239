"""The check as a whole: thresholds, config, ignore, ordering, printing, the DataFrame, and
the built-in archetypes."""

from __future__ import annotations

import dataclasses

import pytest

import kpitree_widget as kt
from kpitree_widget.health import THRESHOLDS, Finding, Findings, findings_frame, rules_frame
from test_health_rules import _few_leaves, _too_deep, rules, sound_spec


def test_thresholds_by_keyword():
    spec = sound_spec()
    _too_deep(spec)
    assert "structure.depth" in rules(spec)
    assert "structure.depth" not in rules(spec, max_depth=5)
    spec = sound_spec()
    assert "structure.few_leaves" in rules(spec, min_leaves=13)
    _few_leaves(spec)
    assert "structure.few_leaves" not in rules(spec, min_leaves=10)


def test_thresholds_from_the_file_config_and_keywords_win():
    spec = sound_spec()
    _too_deep(spec)
    spec["config"] = {"check": {"max_depth": 5}}
    assert "structure.depth" not in rules(spec)
    assert "structure.depth" in rules(spec, max_depth=4)


def test_config_survives_a_save_and_load(tmp_path):
    spec = sound_spec()
    _too_deep(spec)
    spec["config"] = {"check": {"max_depth": 5, "ignore": ["cadence"]}}
    tree = kt.KPITree.from_dict(spec)
    tree.save(tmp_path / "tree.yaml")
    again = kt.load(tmp_path / "tree.yaml")
    assert list(again.check()) == list(tree.check()) == []


def test_unknown_threshold_names_say_what_was_meant():
    tree = kt.KPITree.from_dict(sound_spec())
    with pytest.raises(kt.KPITreeError, match=r"unknown threshold 'max_dept'.*'max_depth'"):
        tree.check(max_dept=5)
    spec = sound_spec()
    spec["config"] = {"check": {"min_leafs": 3}}
    with pytest.raises(kt.KPITreeError, match=r"config\.check: .*'min_leaves'"):
        kt.KPITree.from_dict(spec).check()


@pytest.mark.parametrize("value", [-1, "five", True, float("nan")])
def test_bad_threshold_values(value):
    with pytest.raises(kt.KPITreeError, match=r"max_depth: expected a number >= 0"):
        kt.KPITree.from_dict(sound_spec()).check(max_depth=value)


def test_inconsistent_thresholds():
    with pytest.raises(kt.KPITreeError, match=r"min_depth .* is above max_depth"):
        kt.KPITree.from_dict(sound_spec()).check(min_depth=5)


def test_config_check_must_be_a_mapping():
    spec = sound_spec()
    spec["config"] = {"check": [1, 2]}
    with pytest.raises(kt.KPITreeError, match=r"config.check: expected a mapping"):
        kt.KPITree.from_dict(spec).check()


def test_ignore_rules_and_families():
    spec = sound_spec()
    for metric in spec["metrics"].values():
        metric.pop("cadence")
        metric.pop("owner")
    assert {"cadence.missing", "owner.missing", "owner.missing_output"} <= set(rules(spec))
    found = rules(spec, ignore=["owner", "cadence.missing"])
    assert not {"cadence.missing", "owner.missing", "owner.missing_output"} & set(found)
    assert "okr.no_owner" in found
    assert "cadence.missing" not in rules(spec, ignore="cadence.missing")
    with pytest.raises(kt.KPITreeError, match=r"unknown rule 'owner.joynt'.*'owner.joint'"):
        rules(spec, ignore=["owner.joynt"])
    with pytest.raises(kt.KPITreeError, match=r"expected a rule id or a list"):
        rules(spec, ignore=3)


def _bad_tree() -> kt.KPITree:
    spec = sound_spec()
    spec["metrics"]["leads"]["owner"] = "Marketing and Sales"
    spec["metrics"]["acv"].pop("owner")
    spec["metrics"]["acv"].pop("cadence")
    spec["metrics"]["new_customers"]["formula"] += " + press_mentions * 0"
    spec["metrics"]["press_mentions"] = {"name": "Press mentions", "owner": "PR Lead",
                                         "value": 3, "target": 5, "cadence": "monthly",
                                         "lag_days": 30}
    return kt.KPITree.from_dict(spec)


def test_findings_are_sorted_errors_first_and_print_well():
    found = _bad_tree().check()
    assert isinstance(found, list) and isinstance(found, Findings)
    ranks = ["error", "warning", "info"]
    assert [ranks.index(f.severity) for f in found] == sorted(ranks.index(f.severity)
                                                               for f in found)
    text = str(found)
    assert text.splitlines()[0] == "4 findings (2 errors, 1 warning, 1 info)"
    assert "error    owner.joint" in text
    assert repr(found) == text
    assert "<table>" in found._repr_html_() and "Qualified leads" in found._repr_html_()
    assert [f.rule for f in found.errors] == ["owner.joint", "owner.missing"]
    assert str(found[0]).startswith("error    owner.joint              Qualified leads is owned")


def test_findings_are_frozen_dataclasses_with_the_contract_fields():
    f = _bad_tree().check()[0]
    assert dataclasses.is_dataclass(f)
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.rule = "x"  # type: ignore[misc]
    assert f == Finding(f.rule, f.severity, f.metric, f.message, f.reason, f.name, f.related)


def test_findings_frame_and_check_frame():
    tree = _bad_tree()
    frame = tree.check_frame()
    assert list(frame.columns) == ["rule", "severity", "metric", "name", "message", "reason"]
    assert list(frame["severity"]) == sorted(frame["severity"],
                                             key=["error", "warning", "info"].index)
    assert frame.equals(findings_frame(tree.check()))
    assert frame.equals(tree.check().frame())
    row = frame.set_index("rule").loc["vanity.metric"]
    assert row["metric"] == "press_mentions" and row["name"] == "Press mentions"
    assert "tripled" in row["reason"]
    # any iterable of findings, in any order
    shuffled = list(reversed(tree.check()))
    assert findings_frame(shuffled)["severity"].iloc[0] == "error"
    assert list(findings_frame([]).columns) == list(frame.columns)


def test_rules_frame_documents_every_rule():
    table = rules_frame()
    assert len(table) == len(kt.health.RULES) >= 25
    assert table.loc["structure.depth", "thresholds"] == "min_depth=3, max_depth=4"
    assert (table["fix"].str.len() > 10).all() and (table["reason"].str.len() > 40).all()
    assert set(THRESHOLDS) == {t for r in kt.health.RULES.values() for t in r.thresholds}


def test_contract_twins():
    """The acceptance test's comparison, run here as well."""
    good = sound_spec()
    good["metrics"]["new_customers"]["formula"] += " + referrals * 0"
    good["metrics"]["referrals"] = {"name": "Referrals", "owner": "PR Lead", "value": 3,
                                    "target": 5, "cadence": "monthly", "lag_days": 30}
    good_rules = {f.rule for f in kt.KPITree.from_dict(good).check() if f.metric == "referrals"}
    bad = {f.rule for f in _bad_tree().check() if f.metric == "press_mentions"}
    assert bad - good_rules == {"vanity.metric"}


ARCHETYPES = kt.archetypes()


@pytest.mark.skipif(not ARCHETYPES, reason="no archetypes yet")
@pytest.mark.parametrize("name", ARCHETYPES)
def test_archetypes_pass_the_check_without_errors(name):
    found = kt.archetype(name).check()
    assert not found.errors, str(found)
    # rules about how a tree is built should have nothing to say about the built-in ones
    misfires = [f for f in found if f.rule.split(".")[0] in ("owner", "root", "vanity", "leaf",
                                                             "coverage", "target")]
    assert not misfires, str(found)


def test_all_eight_archetypes_are_there():
    if len(ARCHETYPES) < 8:
        pytest.skip(f"archetypes still being written ({len(ARCHETYPES)} so far)")
    assert len(ARCHETYPES) == 8
