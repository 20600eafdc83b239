"""Long tables (metric, period, value) load into the same tree as wide tables of the same
numbers: random trees and frames, missing cells, duplicate rows and bad cells."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

import kpitree_widget as kt

MONTHS = [f"2026-{m:02d}" for m in range(1, 9)]


def state(tree):
    return tree.to_dict(), tree.periods, {m: dict(n) for m, n in tree.reported_numbers.items()}


def random_wide(tree, rng: random.Random) -> pd.DataFrame:
    """Numbers for a random subset of the metrics (inputs and computed ones) over the months,
    with some cells left empty."""
    ids = [m for m in tree.metrics if rng.random() < 0.7] or [tree.root]
    months = MONTHS[:rng.randint(1, len(MONTHS))]
    columns = {m: [np.nan if rng.random() < 0.2 else rng.choice((rng.uniform(-5, 5000),
                                                                   rng.randint(0, 9), -0.0))
                   for _ in months] for m in ids}
    return pd.DataFrame(columns, index=pd.Index(months, name="period"))


def to_long(wide: pd.DataFrame, rng: random.Random, drop_missing: bool) -> pd.DataFrame:
    long = wide.reset_index().melt(id_vars="period", var_name="metric", value_name="value")
    if drop_missing:  # a missing cell is a missing row as well as an empty value
        long = long.dropna(subset=["value"])
    return long.sample(frac=1, random_state=rng.randint(0, 1000)).reset_index(drop=True)


def loaded(make_tree, seed, frame, **kwargs):
    tree = make_tree(25, seed=seed, periods=False, hypotheses=False)
    tree.load_data(frame, **kwargs)
    return tree


@pytest.mark.parametrize("seed", range(12))
def test_long_and_wide_give_the_same_tree(make_tree, tmp_path, seed):
    rng = random.Random(seed)
    wide = random_wide(make_tree(25, seed=seed, periods=False, hypotheses=False), rng)
    expected = state(loaded(make_tree, seed, wide))
    long = to_long(wide, rng, drop_missing=seed % 2 == 0)
    assert state(loaded(make_tree, seed, long)) == expected
    path = tmp_path / "long.csv"
    long.to_csv(path, index=False)
    assert state(loaded(make_tree, seed, path)) == expected


def test_long_targets_for_inputs_match_wide(make_tree):
    tree = make_tree(25, seed=3, periods=False, hypotheses=False)
    inputs = [m for m in tree.metrics if tree.metrics[m].is_input]
    wide = pd.DataFrame({m: [1.0 + i, 2.0 + i, np.nan] for i, m in enumerate(inputs)},
                        index=pd.Index(MONTHS[:3], name="period"))
    long = to_long(wide, random.Random(0), drop_missing=False)
    a, b = tree.copy(), tree.copy()
    a.load_data(wide, layer="target")
    b.load_data(long, layer="target")
    assert state(a) == state(b)


def wide_and_long_error(make_tree, wide: pd.DataFrame, long: pd.DataFrame) -> tuple[str, str]:
    messages = []
    for frame in (wide, long):
        tree = make_tree(25, seed=1, periods=False, hypotheses=False)
        before = state(tree)
        with pytest.raises(kt.KPITreeError) as err:
            tree.load_data(frame)
        assert state(tree) == before  # a refused load changes nothing
        messages.append(str(err.value))
    return messages[0], messages[1]


@pytest.mark.parametrize("bad, message", [
    ("n.a.", "'n.a.' is not a number"),
    (np.inf, "inf is not a finite number"),
    (True, "True is not a number"),
])
def test_a_bad_cell_is_refused_with_the_same_message(make_tree, bad, message):
    tree = make_tree(25, seed=1, periods=False, hypotheses=False)
    wide = random_wide(tree, random.Random(1)).astype(object)
    metric = wide.columns[len(wide.columns) // 2]
    wide.loc[wide.index[-1], metric] = bad
    long = to_long(wide, random.Random(2), drop_missing=False)
    from_wide, from_long = wide_and_long_error(make_tree, wide, long)
    assert from_wide == from_long
    assert f"metrics.{metric} period {wide.index[-1]}: {message}" in from_long


def test_duplicate_rows_are_refused_naming_metric_and_period(make_tree):
    tree = make_tree(25, seed=1, periods=False, hypotheses=False)
    wide = random_wide(tree, random.Random(4))
    long = to_long(wide, random.Random(5), drop_missing=False)
    again = long.iloc[[len(long) // 2]]
    metric, period = again["metric"].iloc[0], again["period"].iloc[0]
    twice = pd.concat([long, again.assign(value=1.0)], ignore_index=True)
    before = state(tree)
    with pytest.raises(kt.KPITreeError,
                       match=f"metric '{metric}' has two rows for period {period}"):
        tree.load_data(twice)
    assert state(tree) == before
    # the wide table of the same mistake: the period twice in the index
    doubled = pd.concat([wide, wide.loc[[period]]])
    with pytest.raises(kt.KPITreeError, match=f"period {period} appears twice"):
        tree.load_data(doubled)


def test_the_first_metric_in_the_table_with_a_problem_is_named(make_tree):
    # rows grouped in one pass still report problems in the order the table gives them
    tree = make_tree(25, seed=1, periods=False, hypotheses=False)
    a, b = [m for m in tree.metrics if tree.metrics[m].is_input][:2]
    long = pd.DataFrame({"metric": [b, a, a, b, b],
                         "period": ["2026-01", "2026-01", "2026-02", "2026-02", "2026-02"],
                         "value": [1.0, 2.0, "x", 3.0, 4.0]})
    with pytest.raises(kt.KPITreeError, match=f"metric '{b}' has two rows for period 2026-02"):
        tree.load_data(long)
    with pytest.raises(kt.KPITreeError, match=f"metrics.{a} period 2026-02: 'x'"):
        tree.load_data(long.iloc[1:4])
    with pytest.raises(kt.KPITreeError, match="metric None is not a metric id"):
        tree.load_data(long.assign(metric=pd.Series([b, None, a, b, np.nan], dtype=object)))


def test_periods_read_as_dates_in_a_long_table(make_tree):
    tree = make_tree(25, seed=2, periods=False, hypotheses=False)
    metric = next(m for m in tree.metrics if tree.metrics[m].is_input)
    long = pd.DataFrame({"metric": [metric] * 3,
                         "period": ["2026-03-31", "2026-01-31", "2026-02-28"],
                         "value": [3.0, 1.0, 2.0]})
    tree.load_data(long)
    assert tree.get_value(metric) == {"2026-01": 1.0, "2026-02": 2.0, "2026-03": 3.0}
    with pytest.raises(kt.KPITreeError, match=f"metric '{metric}' has two rows for period "
                                              "2026-01"):
        tree.load_data(long.assign(period=["2026-01", "2026-01-15", "2026-01-31"]), freq="M")


def test_an_empty_date_is_an_empty_period_label(make_tree):
    tree = make_tree(25, seed=2, periods=False, hypotheses=False)
    metric = next(m for m in tree.metrics if tree.metrics[m].is_input)
    dates = pd.to_datetime(["2026-01-31", None])
    long = pd.DataFrame({"metric": [metric] * 2, "period": dates, "value": [1.0, 2.0]})
    wide = pd.DataFrame({metric: [1.0, 2.0]}, index=dates)
    before = state(tree)
    for frame in (long, wide):
        with pytest.raises(kt.KPITreeError, match="a period label is empty"):
            tree.load_data(frame)
        assert state(tree) == before
