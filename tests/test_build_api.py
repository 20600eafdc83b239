"""Building and reshaping a tree from Python: every call, every refusal (which changes
nothing), the notifications open views follow, and renames that reach everywhere."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

import kpitree_widget as kt
from kpitree_widget.widget import BUNDLE
from treegen import REVENUE_TARGET, REVENUE_VALUE


def events_of(tree: kt.KPITree) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    tree.on_change(seen.append)
    return seen


def unchanged(tree: kt.KPITree, call: Callable[[], Any], match: str) -> kt.KPITreeError:
    """``call`` is refused with a message matching ``match``; the tree, its numbers and its
    undo history are exactly as before, and no listener heard of it."""
    before, rollup, can_undo = tree.to_dict(), tree.rollup(), tree.can_undo
    seen = events_of(tree)
    with pytest.raises(kt.KPITreeError, match=match) as err:
        call()
    assert tree.to_dict() == before
    pd.testing.assert_frame_equal(tree.rollup(), rollup)
    assert tree.can_undo == can_undo
    assert seen == []
    return err.value


# ---------------------------------------------------------------------- a workshop's story


def test_a_growth_lead_builds_a_tree_from_the_north_star() -> None:
    tree = kt.KPITree.new("revenue", name="Revenue", unit="currency", owner="CEO")
    assert tree.root == "revenue" and list(tree.metrics) == ["revenue"]
    assert tree.metrics["revenue"].owner == "CEO"
    tree.add_driver("revenue", "customers", name="Customers", value=4700, target=5000)
    tree.add_driver("revenue", "arpc", "*", unit="currency", value=120, target=125)
    assert tree.metrics["revenue"].formula == "customers * arpc"
    tree.set_formula("customers", "new_customers + returning - churned", create_missing=True)
    assert tree.children("customers") == ["new_customers", "returning", "churned"]
    tree.update_metric("churned", direction="down", owner="Head of Support")
    tree.add_hypothesis("arpc", "churned", "+", "price rises push customers out")
    df = tree.rollup()
    assert list(df.index) == ["revenue", "customers", "new_customers", "returning", "churned",
                              "arpc"]
    again = kt.KPITree.from_dict(tree.to_dict())
    assert again.to_dict() == tree.to_dict()


def test_new_takes_the_fields_of_the_file_and_refuses_bad_ones() -> None:
    tree = kt.KPITree.new("arr", unit="currency", target=1_000_000, tags=["north_star"])
    assert tree.get_target("arr") == 1_000_000
    assert tree.metrics["arr"].tags == ("north_star",)
    assert not tree.can_undo
    with pytest.raises(kt.KPITreeError, match=r"metrics\.arr\.ownr: unknown field, did you "
                                              r"mean 'owner'\?"):
        kt.KPITree.new("arr", ownr="CFO")
    with pytest.raises(kt.KPITreeError, match="not a valid metric id"):
        kt.KPITree.new("Annual Revenue")
    with pytest.raises(kt.KPITreeError, match=r"metrics\.arr\.owner: expected a string"):
        kt.KPITree.new("arr", owner=5)


# ---------------------------------------------------------------------- add


def test_add_metric_with_fields_numbers_and_a_formula(revenue_tree: kt.KPITree) -> None:
    seen = events_of(revenue_tree)
    m = revenue_tree.add_metric("gross_margin", unit="percent", owner="CFO", value=0.6,
                                target=0.65, tags=("unit_economics",), lag_days=30)
    assert m.unit == "percent" and m.tags == ("unit_economics",) and m.lag_days == 30.0
    assert revenue_tree.get_value("gross_margin") == 0.6
    assert seen == [{"kind": "structure", "metric": "gross_margin"}]
    revenue_tree.add_metric("gross_profit", formula="revenue * gross_margin")
    assert revenue_tree.children("gross_profit") == ["revenue", "gross_margin"]
    assert revenue_tree.rollup().loc["gross_profit", "value"] == pytest.approx(
        REVENUE_VALUE * 0.6)


@pytest.mark.parametrize(("call", "match"), [
    (lambda t: t.add_metric("arpc"), r"metrics\.arpc: a metric with this id exists already"),
    (lambda t: t.add_metric("Bad Id"), "not a valid metric id"),
    (lambda t: t.add_metric("x", formula="arpu * 2"),
     r"metrics\.x\.formula: unknown name 'arpu', did you mean 'arpc'\?"),
    (lambda t: t.add_metric("x", formula="import os"), r"metrics\.x\.formula: cannot read"),
    (lambda t: t.add_metric("x", direction="sideways"), r"metrics\.x\.direction: 'sideways'"),
    (lambda t: t.add_metric("x", lag_days=-1), r"metrics\.x\.lag_days"),
    (lambda t: t.add_metric("x", target="lots"), r"metrics\.x\.target"),
    (lambda t: t.add_metric("x", formula="arpc * 2", value=3),
     r"metrics\.x\.value: 'x' is computed by its formula"),
    (lambda t: t.add_metric("x", tags="a"), r"metrics\.x\.tags: expected a tuple"),
    (lambda t: t.add_metric("x", parsed=None), r"metrics\.x\.parsed: unknown field"),
], ids=["exists", "bad-id", "unknown-name", "unsafe", "direction", "lag", "target",
        "value-on-computed", "tags", "private-field"])
def test_add_metric_refusals_change_nothing(revenue_tree: kt.KPITree, call: Any,
                                            match: str) -> None:
    unchanged(revenue_tree, lambda: call(revenue_tree), match)


def test_add_driver_joins_the_formula_with_the_operator(revenue_tree: kt.KPITree) -> None:
    revenue_tree.add_driver("customers", "reactivated", value=50, target=60)
    assert revenue_tree.metrics["customers"].formula == (
        "new_customers + returning_customers - lost_customers + reactivated")
    revenue_tree.add_driver("customers", "duplicates", "-", value=0, target=0)
    revenue_tree.add_driver("revenue", "share", "*", value=1, target=1)
    assert revenue_tree.metrics["revenue"].formula == "customers * arpc * share"
    revenue_tree.add_driver("new_customers", "bots", "/", value=1, target=1)
    assert revenue_tree.metrics["new_customers"].formula == "website_visitors * signup_rate / bots"
    revenue_tree.add_driver("customers", "scale", "*", value=1, target=1)
    assert revenue_tree.metrics["customers"].formula == (
        "(new_customers + returning_customers - lost_customers + reactivated - duplicates)"
        " * scale")
    df = revenue_tree.rollup()
    assert df.loc["revenue", "value"] == pytest.approx(REVENUE_VALUE + 50 * 120)


def test_add_driver_to_an_input_makes_it_computed_and_keeps_its_target_as_explicit() -> None:
    tree = kt.KPITree.new("revenue", target=100)
    tree.add_driver("revenue", "orders", value=10, target=90)
    assert tree.metrics["revenue"].formula == "orders"
    df = tree.rollup()
    assert df.loc["revenue", "target"] == 100 and df.loc["revenue", "implied_target"] == 90
    tree.add_driver("revenue", "fees", value=1, target=2)
    assert tree.metrics["revenue"].formula == "orders + fees"


def test_add_driver_joins_an_existing_metric(revenue_tree: kt.KPITree) -> None:
    revenue_tree.add_metric("bonus", value=5, target=5)
    revenue_tree.add_driver("arpc", "base_price", value=115, target=120)
    revenue_tree.add_driver("arpc", "bonus")
    assert revenue_tree.rollup().loc["revenue", "value"] == pytest.approx(REVENUE_VALUE)


@pytest.mark.parametrize(("call", "match"), [
    (lambda t: t.add_driver("revnue", "x"), r"add_driver: unknown metric 'revnue', did you mean "
                                            r"'revenue'\?"),
    (lambda t: t.add_driver("revenue", "x", "%"), r"metrics\.revenue\.formula: op must be one "),
    (lambda t: t.add_driver("revenue", "arpc"), r"'arpc' is in the formula already"),
    (lambda t: t.add_driver("arpc", "revenue"),
     r"metrics\.\w+\.formula: the formulas form a cycle: .*revenue.*arpc"),
    (lambda t: t.add_driver("revenue", "signup_rate", owner="x"),
     r"metrics\.signup_rate: a metric with this id exists already"),
    (lambda t: t.add_driver("revenue", "x", ownr="x"), r"metrics\.x\.ownr: unknown field"),
], ids=["unknown-parent", "op", "twice", "cycle", "exists-with-fields", "bad-field"])
def test_add_driver_refusals_change_nothing(revenue_tree: kt.KPITree, call: Any,
                                            match: str) -> None:
    unchanged(revenue_tree, lambda: call(revenue_tree), match)


def test_add_driver_to_an_input_a_scenario_overrides_is_refused(
        revenue_tree: kt.KPITree) -> None:
    revenue_tree.scenario("upside", {"arpc": 130})
    unchanged(revenue_tree, lambda: revenue_tree.add_driver("arpc", "base"),
              r"metrics\.arpc\.formula: scenario 'upside' overrides the target of 'arpc'")


# ---------------------------------------------------------------------- set_formula


def test_set_formula_refuses_unknown_names_with_a_did_you_mean(revenue_tree: kt.KPITree) -> None:
    err = unchanged(revenue_tree, lambda: revenue_tree.set_formula("revenue", "customers * arpu"),
                    r"^metrics\.revenue\.formula: unknown name 'arpu', did you mean 'arpc'\?")
    assert (err.metric, err.field) == ("revenue", "formula")
    unchanged(revenue_tree, lambda: revenue_tree.set_formula("revenue", "custmers * arpu"),
              r"unknown names 'custmers' \(did you mean 'customers'\?\), 'arpu' \(did you mean "
              r"'arpc'\?\)")


def test_set_formula_creates_missing_inputs(revenue_tree: kt.KPITree) -> None:
    created = revenue_tree.set_formula("arpc", "list_price * (1 - discount)",
                                       create_missing=True)
    assert created == ["list_price", "discount"]
    assert revenue_tree.inputs()[-2:] == ["list_price", "discount"]
    assert revenue_tree.metrics["arpc"].relation == "formula"
    assert revenue_tree.metrics["list_price"].is_input


def test_set_formula_refuses_a_cycle_naming_it(revenue_tree: kt.KPITree) -> None:
    err = unchanged(revenue_tree,
                    lambda: revenue_tree.set_formula("signup_rate", "revenue / 1000"),
                    r"the formulas form a cycle")
    for name in ("signup_rate", "revenue", "customers", "new_customers"):
        assert name in str(err)
    unchanged(revenue_tree, lambda: revenue_tree.set_formula("arpc", "arpc * 2"),
              r"cycle: arpc -> arpc")


def test_set_formula_none_makes_an_input_and_a_bad_id_is_not_created(
        revenue_tree: kt.KPITree) -> None:
    unchanged(revenue_tree,
              lambda: revenue_tree.set_formula("arpc", "Price * 2", create_missing=True),
              r"'Price' is not a valid metric id")
    unchanged(revenue_tree, lambda: revenue_tree.set_formula("arpc", "__import__('os')"),
              r"metrics\.arpc\.formula: .* is not allowed")
    revenue_tree.set_formula("customers", None)
    assert revenue_tree.metrics["customers"].is_input
    assert revenue_tree.outline()[-1][3] == "detached"


# ---------------------------------------------------------------------- update_metric


def test_update_metric_sets_and_clears_any_field(revenue_tree: kt.KPITree) -> None:
    seen = events_of(revenue_tree)
    m = revenue_tree.update_metric("arpc", owner="Pricing Lead", cadence="monthly",
                                   tags=["unit_economics"], description="What a customer pays")
    assert (m.owner, m.cadence, m.tags) == ("Pricing Lead", "monthly", ("unit_economics",))
    assert seen == [{"kind": "structure", "metric": "arpc"}]
    revenue_tree.update_metric("arpc", owner=None, name=None, cadence=None, tags=None,
                               description="")
    spec = revenue_tree.to_dict()["metrics"]["arpc"]
    assert "owner" not in spec and "name" not in spec and "tags" not in spec
    assert "description" not in spec and revenue_tree.metrics["arpc"].name == "arpc"
    revenue_tree.update_metric("lost_customers", direction=None)
    assert revenue_tree.metrics["lost_customers"].direction == "up"
    revenue_tree.update_metric("arpc", target=130, formula=None)
    assert revenue_tree.get_target("arpc") == 130
    revenue_tree.update_metric("customers", formula="new_customers + returning_customers")
    assert revenue_tree.children("customers") == ["new_customers", "returning_customers"]
    revenue_tree.update_metric("lost_customers", kind="guard", guards="customers")
    assert revenue_tree.metrics["lost_customers"].guards == "customers"
    assert revenue_tree.update_metric("arpc") is revenue_tree.metrics["arpc"]


@pytest.mark.parametrize(("call", "match"), [
    (lambda t: t.update_metric("arpc", ownr="x"),
     r"^metrics\.arpc\.ownr: unknown field, did you mean 'owner'\?"),
    (lambda t: t.update_metric("arpc", id="price"), r"metrics\.arpc\.id: .*rename_metric"),
    (lambda t: t.update_metric("arpc", owner=["a"]), r"metrics\.arpc\.owner: expected a string"),
    (lambda t: t.update_metric("arpc", cadence="hourly"), r"metrics\.arpc\.cadence: 'hourly'"),
    (lambda t: t.update_metric("arpc", formula="arpu"), r"metrics\.arpc\.formula: unknown name"),
    (lambda t: t.update_metric("arpc", guards="arpx"), r"metrics\.arpc\.guards: unknown metric"),
    (lambda t: t.update_metric("arpc", guards="arpc"), r"metrics\.arpc\.guards: a metric cannot"),
    (lambda t: t.update_metric("revenue", value=3), r"metrics\.revenue\.value: 'revenue' is "
                                                    r"computed"),
    (lambda t: t.update_metric("nope", owner="x"), r"update_metric: unknown metric 'nope'"),
], ids=["unknown-field", "id", "type", "choice", "formula", "guards", "self-guard",
        "value-on-computed", "unknown-metric"])
def test_update_metric_refusals_change_nothing(revenue_tree: kt.KPITree, call: Any,
                                               match: str) -> None:
    unchanged(revenue_tree, lambda: call(revenue_tree), match)


def test_a_field_added_to_metric_is_editable_without_changes_here(monkeypatch: Any) -> None:
    """update_metric reads the fields off the Metric dataclass, so a field another part of the
    package adds there (a bound, a data source) works as it is."""
    import dataclasses

    from kpitree_widget import edits

    extra = dataclasses.field(default=None)
    extra.name, extra.type = "source", "str | None"
    fields = {**edits.metric_fields(), "source": extra}
    monkeypatch.setattr(edits, "metric_fields", lambda: fields)
    assert edits.split_fields("arpc", {"source": "crm"}) == ({"source": "crm"}, {})
    with pytest.raises(kt.KPITreeError, match=r"metrics\.arpc\.source: expected a string"):
        edits.split_fields("arpc", {"source": 5})


# ---------------------------------------------------------------------- rename


def test_rename_reaches_everywhere() -> None:
    tree = kt.KPITree.from_dict({
        "metrics": {
            "revenue": {"formula": "customers * arpc + arpc_bonus"},
            "customers": {"value": {"2026-01": 10, "2026-02": 11}, "target": 12},
            "arpc": {"value": {"2026-01": 5, "2026-02": 6}, "target": 7},
            "arpc_bonus": {"value": 0, "target": 0},
            "price_checks": {"kind": "guard", "guards": "arpc", "value": 1, "target": 1},
            "nps": {"value": 40, "target": 50},
        },
        "root": "revenue",
        "hypotheses": [{"from": "nps", "to": "arpc", "sign": "+"}],
        "scenarios": {"upside": {"arpc": 8}},
        "okrs": [{"objective": "Price well", "metric": "arpc", "from": 5, "to": 7}],
    })
    reported = pd.DataFrame({"revenue": [50.0, 66.0]}, index=["2026-01", "2026-02"])
    tree.load_data(reported)
    before = tree.rollup()
    tree.rename_metric("arpc", "price")
    assert "arpc" not in tree.metrics and tree.metrics["price"].name == "price"
    assert tree.metrics["revenue"].formula == "customers * price + arpc_bonus"
    assert tree.metrics["price_checks"].guards == "price"
    assert (tree.hypotheses[0].driver, tree.hypotheses[0].outcome) == ("nps", "price")
    assert tree.scenarios == {"upside": {"price": 8}}
    assert tree.okrs[0]["metric"] == "price"
    assert tree.get_value("price") == {"2026-01": 5, "2026-02": 6}
    assert tree.get_target("price") == 7
    after = tree.rollup()
    assert after.loc["revenue", "value"] == before.loc["revenue", "value"]
    assert after.loc["price", "target"] == before.loc["arpc", "target"]
    assert tree.rollup(scenario="upside").loc["revenue", "target"] == 12 * 8
    tree.rename_metric("revenue", "sales")
    assert tree.root == "sales"
    assert tree.reported("sales").tolist() == [50.0, 66.0]
    assert kt.KPITree.from_dict(tree.to_dict()).to_dict() == tree.to_dict()


def test_rename_keeps_a_given_name_and_refusals_change_nothing(revenue_tree: kt.KPITree) -> None:
    revenue_tree.rename_metric("arpc", "avg_revenue_per_customer")
    assert revenue_tree.metrics["avg_revenue_per_customer"].name == (
        "Average revenue per customer")
    assert revenue_tree.rollup().loc["revenue", "target"] == pytest.approx(REVENUE_TARGET)
    unchanged(revenue_tree, lambda: revenue_tree.rename_metric("customers", "revenue"),
              r"metrics\.customers\.id: 'revenue' is the id of another metric")
    unchanged(revenue_tree, lambda: revenue_tree.rename_metric("customers", "Customers"),
              r"not a valid metric id")
    unchanged(revenue_tree, lambda: revenue_tree.rename_metric("custmers", "c"),
              r"rename_metric: unknown metric 'custmers', did you mean 'customers'\?")
    unchanged(revenue_tree, lambda: revenue_tree.rename_metric("customers", "min"),
              r"formula function")


# ---------------------------------------------------------------------- remove


def test_remove_metric_is_refused_naming_the_formulas(revenue_tree: kt.KPITree) -> None:
    revenue_tree.add_metric("arpc_x2", formula="arpc * 2")
    err = unchanged(revenue_tree, lambda: revenue_tree.remove_metric("arpc"),
                    r"^metrics\.arpc: still used by the formula of revenue \(customers \* arpc\); "
                    r"the formula of arpc_x2 \(arpc \* 2\)")
    assert err.metric == "arpc"
    unchanged(revenue_tree, lambda: revenue_tree.remove_metric("revenue"),
              r"metrics\.revenue: 'revenue' is the North Star")


def test_remove_metric_is_refused_while_a_guard_or_an_okr_points_at_it(
        revenue_tree: kt.KPITree) -> None:
    revenue_tree.add_metric("refunds", kind="guard", guards="arpc")
    revenue_tree.add_metric("nps")
    revenue_tree.okrs.append({"objective": "Love", "metric": "nps", "from": 30, "to": 50})
    unchanged(revenue_tree, lambda: revenue_tree.remove_metric("nps"),
              r"still used by okrs\.0 \(key result on nps\)")
    revenue_tree.add_metric("pricing_power", formula="arpc * 1")
    revenue_tree.update_metric("refunds", guards="pricing_power")
    unchanged(revenue_tree, lambda: revenue_tree.remove_metric("pricing_power"),
              r"still used by refunds\.guards")


def test_remove_a_detached_metric_takes_its_numbers_and_hypotheses(
        revenue_tree: kt.KPITree) -> None:
    revenue_tree.add_metric("nps", value=40, target=50)
    revenue_tree.add_hypothesis("nps", "returning_customers", "+", "fans come back")
    revenue_tree.scenario("fans", {"nps": 60})
    seen = events_of(revenue_tree)
    assert revenue_tree.remove_metric("nps") == ["nps"]
    assert "nps" not in revenue_tree.metrics and revenue_tree.hypotheses == ()
    assert revenue_tree.scenarios == {"fans": {}}
    assert seen == [{"kind": "structure", "metric": None}]
    assert kt.KPITree.from_dict(revenue_tree.to_dict()).to_dict() == revenue_tree.to_dict()


def test_remove_with_subtree_takes_the_inputs_nothing_else_uses(revenue_tree: kt.KPITree) -> None:
    revenue_tree.add_metric("traffic_share", formula="website_visitors / 1000")
    revenue_tree.set_formula("customers", "returning_customers - lost_customers")
    links = {m: link for m, _, _, link in revenue_tree.outline()}
    assert links["new_customers"] == "detached"
    removed = revenue_tree.remove_metric("new_customers", subtree=True)
    assert removed == ["new_customers", "signup_rate"]  # website_visitors is still used
    assert "website_visitors" in revenue_tree.metrics


def test_remove_driver_takes_it_out_of_a_sum_or_a_product(revenue_tree: kt.KPITree) -> None:
    assert revenue_tree.remove_driver("customers", "returning_customers") == [
        "returning_customers"]
    assert revenue_tree.metrics["customers"].formula == "new_customers - lost_customers"
    assert revenue_tree.remove_driver("customers", "new_customers", subtree=True) == [
        "new_customers", "website_visitors", "signup_rate"]
    assert revenue_tree.metrics["customers"].formula == "-lost_customers"
    assert revenue_tree.remove_driver("revenue", "arpc") == ["arpc"]
    assert revenue_tree.metrics["revenue"].formula == "customers"
    revenue_tree.remove_driver("revenue", "customers")
    assert revenue_tree.metrics["revenue"].is_input
    assert "lost_customers" in revenue_tree.metrics  # without subtree it stays, detached


def test_remove_driver_keeps_a_metric_another_formula_still_uses(
        revenue_tree: kt.KPITree) -> None:
    revenue_tree.add_metric("arpc_x2", formula="arpc * 2")
    assert revenue_tree.remove_driver("revenue", "arpc") == []
    assert revenue_tree.metrics["revenue"].formula == "customers"
    assert "arpc" in revenue_tree.metrics


@pytest.mark.parametrize(("call", "match"), [
    (lambda t: t.remove_driver("revenue", "signup_rate"),
     r"metrics\.revenue\.formula: 'customers \* arpc' does not use 'signup_rate'"),
    (lambda t: t.remove_driver("arpc", "revenue"), r"'no formula' does not use 'revenue'"),
    (lambda t: t.remove_driver("revenu", "arpc"), r"remove_driver: unknown metric 'revenu'"),
    (lambda t: (t.set_formula("arpc", "base * (1 - discount)", create_missing=True),
                t.remove_driver("arpc", "discount")),
     r"'discount' is not a plain term of 'base \* \(1 - discount\)'"),
], ids=["not-a-child", "input", "unknown", "not-plain"])
def test_remove_driver_refusals_change_nothing(revenue_tree: kt.KPITree, call: Any,
                                               match: str) -> None:
    with pytest.raises(kt.KPITreeError, match=match):
        call(revenue_tree)
    if "discount" not in revenue_tree.metrics:
        unchanged(revenue_tree, lambda: call(revenue_tree), match)


# ---------------------------------------------------------------------- hypotheses


def test_add_and_remove_a_hypothesis(revenue_tree: kt.KPITree) -> None:
    revenue_tree.add_metric("brand_awareness", value=0.3, target=0.4)
    seen = events_of(revenue_tree)
    revenue_tree.add_hypothesis("brand_awareness", "website_visitors", "+", "ads lift traffic")
    h = revenue_tree.hypotheses[0]
    assert (h.driver, h.outcome, h.sign, h.note) == ("brand_awareness", "website_visitors", "+",
                                                     "ads lift traffic")
    assert revenue_tree.to_dict()["hypotheses"] == [
        {"from": "brand_awareness", "to": "website_visitors", "sign": "+",
         "note": "ads lift traffic"}]
    revenue_tree.add_hypothesis("lost_customers", "returning_customers", "negative")
    assert revenue_tree.hypotheses[1].sign == "-" and revenue_tree.hypotheses[1].note is None
    unchanged(revenue_tree, lambda: revenue_tree.add_hypothesis("brand_awareness",
                                                                "website_visitors"),
              r"hypotheses: brand_awareness -> website_visitors exists already")
    unchanged(revenue_tree, lambda: revenue_tree.add_hypothesis("arpc", "arpc"),
              r"cannot drive itself")
    unchanged(revenue_tree, lambda: revenue_tree.add_hypothesis("brand", "arpc"),
              r"hypotheses\.from: unknown metric 'brand'")
    unchanged(revenue_tree, lambda: revenue_tree.add_hypothesis("arpc", "customers", "maybe"),
              r"sign 'maybe'")
    revenue_tree.remove_hypothesis("brand_awareness", "website_visitors")
    assert [(h.driver, h.outcome) for h in revenue_tree.hypotheses] == [
        ("lost_customers", "returning_customers")]
    unchanged(revenue_tree, lambda: revenue_tree.remove_hypothesis("arpc", "customers"),
              r"hypotheses: no hypothesis arpc -> customers \(hypotheses: lost_customers -> "
              r"returning_customers\)")
    assert [e["kind"] for e in seen] == ["structure"] * 3


# ---------------------------------------------------------------------- copies and files


def test_a_copy_and_edits_keep_attributes_a_loader_attached(revenue_tree: kt.KPITree) -> None:
    revenue_tree._file = "plan.yaml"  # type: ignore[attr-defined]
    revenue_tree.add_driver("revenue", "share", "*")
    revenue_tree.rename_metric("share", "wallet_share")
    revenue_tree.undo()
    assert revenue_tree._file == "plan.yaml"  # type: ignore[attr-defined]
    clone = revenue_tree.copy()
    assert clone._file == "plan.yaml"  # type: ignore[attr-defined]
    assert not clone.can_undo
    clone.remove_driver("revenue", "share")
    assert "share" in revenue_tree.metrics and "share" not in clone.metrics
    assert revenue_tree.metrics["revenue"].formula == "customers * arpc * share"


# ---------------------------------------------------------------------- an open view follows


@pytest.mark.skipif(not BUNDLE.is_file(), reason="the widget bundle is not built")
def test_an_open_view_follows_structural_edits_made_in_python(revenue_tree: kt.KPITree) -> None:
    widget = kt.TreeWidget(revenue_tree, selected="arpc")
    sent: list[dict[str, Any]] = []
    widget.send = lambda msg, buffers=None: sent.append(msg)  # type: ignore[method-assign]
    try:
        key = widget.structure["key"]
        revenue_tree.add_driver("revenue", "share", "*")
        ids = [m["id"] for m in widget.structure["metrics"]]
        assert widget.structure["key"] == key + 1 and ids[-1] == "share"
        share = next(m for m in widget.tree_data["metrics"] if m["id"] == "share")
        assert "owner.missing" in {f["rule"] for f in share["findings"]}
        revenue_tree.update_metric("share", owner="CFO")
        assert widget.structure["metrics"][-1]["owner"] == "CFO"
        revenue_tree.rename_metric("arpc", "price")
        assert widget.selected == ""
        assert "price" in [m["id"] for m in widget.structure["metrics"]]
        assert widget.structure["metrics"][0]["formula"] == "customers * price * share"
        revenue_tree.undo()
        assert "arpc" in [m["id"] for m in widget.structure["metrics"]]
        revenue_tree.set_target("arpc", 140)  # numbers still travel as a delta
        assert sent[-1]["kind"] == "numbers" and "arpc" in sent[-1]["metrics"]
    finally:
        widget.close()


# ---------------------------------------------------------------------- the guide runs


def test_the_building_guide_runs_as_written() -> None:
    """docs/building.md's examples, run in order, do what their comments say."""
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "docs" / "building.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 5
    namespace: dict[str, Any] = {}
    for block in blocks:
        exec(compile(block, "docs/building.md", "exec"), namespace)
    tree = namespace["tree"]
    assert tree.children("revenue") == ["customers", "avg_revenue_per_customer"]
    assert tree.metrics["customers"].formula == "new_customers - lost_customers"
    assert "share_of_wallet" not in tree.metrics and tree.get_target("new_customers") == 1800
    assert "still used by the formula of revenue" in namespace["refusal"]
