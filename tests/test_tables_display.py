"""Tables in a notebook: an analyst reads rollup, compare, sensitivity and attribute with
numbers in their units, and keeps computing with them as DataFrames of floats."""

from __future__ import annotations

import pandas as pd
import pytest

import kpitree_widget as kt


@pytest.fixture
def tree() -> kt.KPITree:
    tree = kt.archetype("b2b_saas")
    tree.scenario("upside", {tree.inputs()[0]: 10_000})
    return tree


def html(frame: pd.DataFrame) -> str:
    text = frame._repr_html_()
    assert text is not None and "<table" in text
    return text


def test_the_rollup_shows_money_percent_and_signed_variances_in_their_units(tree):
    df = tree.rollup()
    text = html(df)
    assert "e+0" not in text
    assert "$14.7M" in text and "−$817k" in text and "−5.3%" in text
    assert "ARR" in text  # names and other columns as pandas shows them
    # the numbers underneath stay floats to compute with
    assert df["value"].dtype == float
    assert float(df.loc["arr", "value"]) == pytest.approx(14_680_000, rel=1e-3)
    assert (df["value"] - df["target"]).equals(df["variance"])
    assert isinstance(df, pd.DataFrame)
    # a slice, a sort or a head still reads well
    assert "$14.7M" in html(df.sort_values("value", ascending=False).head(3))
    assert "$14.7M" in html(df[["name", "value"]])


def test_compare_shows_each_metric_in_its_unit(tree):
    df = tree.compare(base="plan", pct=True)
    text = html(df)
    assert "e+0" not in text and "$15.5M" in text and "%" in text
    assert df["plan"].dtype == float and df.attrs["base"] == "plan"
    assert (df["actual"] - df["plan"]).equals(df["actual vs plan"])


def test_sensitivity_shows_the_root_in_its_unit_and_the_inputs_in_theirs(tree):
    df = tree.sensitivity()
    text = html(df)
    assert "e+0" not in text
    unit_rows = df.attrs["display"]["units"]
    assert unit_rows[df.index[0]] == tree.metrics[df.index[0]].unit
    assert "$" in text
    assert df["impact"].sum() == pytest.approx(float((df["high"] - df["low"]).sum()))


def test_attribution_shows_contributions_in_money_and_shares_in_percent(tree):
    df = tree.attribute()
    text = html(df)
    assert "e+0" not in text and "%" in text and "$" in text
    assert df["contribution"].sum() == pytest.approx(df.attrs["end"] - df.attrs["start"])
    level = tree.attribute(by="level")
    assert "e+0" not in html(level)


def test_a_table_without_a_display_is_shown_as_pandas_shows_it():
    from kpitree_widget.tables import Table

    plain = Table(pd.DataFrame({"x": [1306517.0]}))
    assert plain._repr_html_() == pd.DataFrame({"x": [1306517.0]})._repr_html_()


def test_html_cells_are_escaped(tree):
    tree2 = kt.KPITree.from_dict({"metrics": {
        "r": {"name": "<b>Revenue</b>", "formula": "a * b", "unit": "currency"},
        "a": {"value": 2, "target": 3}, "b": {"value": 5e6, "target": 5e6, "unit": "currency"}}})
    text = html(tree2.rollup())
    assert "<b>Revenue</b>" not in text and "&lt;b&gt;Revenue&lt;/b&gt;" in text
    assert "$10M" in text
