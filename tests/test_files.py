"""Trees as code: YAML and JSON files, safe loading, errors with paths, stable output."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kpitree_widget as kt
from kpitree_widget import KPITree, KPITreeError
from kpitree_widget.io import dumps
from treegen import make_spec

SUFFIXES = [".yaml", ".yml", ".json"]


def frames(tree: KPITree) -> list[pd.DataFrame]:
    """The rollup of every period and every scenario."""
    out = [tree.rollup(period=p) for p in (tree.periods or [None])]
    out += [tree.rollup(period=p, scenario=s) for s in tree.scenarios
            for p in (tree.periods or [None])]
    return out


def assert_same_tree(a: KPITree, b: KPITree) -> None:
    assert b.to_dict() == a.to_dict()
    assert b.periods == a.periods
    assert b.root == a.root
    for x, y in zip(frames(a), frames(b), strict=True):
        pd.testing.assert_frame_equal(x, y)


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_saved_tree_loads_back_exactly(revenue_tree, tmp_path, suffix):
    revenue_tree.set_target("signup_rate", 0.031)
    revenue_tree.set_target("revenue", 700000)  # an explicit target on a computed metric
    revenue_tree.set_value("website_visitors", 51000, period="2026-02")
    revenue_tree.scenario("upside", {"arpc": 130, "signup_rate": {"2026-02": 0.04}})
    revenue_tree.tolerance = 0.1
    path = tmp_path / f"tree{suffix}"
    revenue_tree.save(path)
    again = kt.load(path)
    assert_same_tree(revenue_tree, again)
    assert again.tolerance == 0.1


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_saving_twice_writes_the_same_bytes(revenue_tree, tmp_path, suffix):
    first, second, third = (tmp_path / f"{n}{suffix}" for n in ("a", "b", "c"))
    revenue_tree.save(first)
    revenue_tree.save(second)
    kt.load(first).save(third)
    assert first.read_bytes() == second.read_bytes() == third.read_bytes()


def test_a_saved_file_lists_metrics_in_outline_order_with_plain_numbers(tmp_path, revenue_spec):
    order = list(revenue_spec["metrics"])
    shuffled = {m: revenue_spec["metrics"][m] for m in reversed(order)}
    tree = KPITree.from_dict({**revenue_spec, "metrics": shuffled})
    path = tmp_path / "tree.yaml"
    tree.save(path)
    data = yaml.safe_load(path.read_text())
    assert list(data["metrics"]) == [m for m, *_ in tree.outline()]
    assert data["schema"] == 1 and data["root"] == "revenue"
    assert data["metrics"]["website_visitors"]["value"] == 50000
    assert "value: 50000\n" in path.read_text()  # whole numbers without '.0'
    assert "direction" not in data["metrics"]["revenue"]  # defaults are left out
    assert data["metrics"]["lost_customers"]["direction"] == "down"


def test_the_yaml_and_json_files_hold_the_same_mapping(revenue_tree):
    assert yaml.safe_load(dumps(revenue_tree, "yaml")) == json.loads(dumps(revenue_tree, "json"))
    assert yaml.safe_load(dumps(revenue_tree)) == revenue_tree.to_dict()


def test_loads_reads_text_in_both_formats(revenue_tree):
    assert_same_tree(revenue_tree, kt.loads(dumps(revenue_tree)))
    assert_same_tree(revenue_tree, kt.loads(dumps(revenue_tree, "json"), fmt="json"))


def test_awkward_text_and_numbers_survive_a_round_trip(tmp_path):
    spec = {
        "name": "yes",
        "description": "two\nlines: with # and 'quotes' and \"doubles\"",
        "metrics": {
            "ratio": {"formula": "b / a", "name": "2026-01-01", "owner": "null",
                      "description": "~"},
            "a": {"value": -0.0, "target": 1e-300, "name": "Ünïcödé ✓ 売上", "tags": ["on"]},
            "b": {"value": 0.1 + 0.2, "target": 12345678901234567.0, "unit": "0x1F"},
        },
    }
    tree = KPITree.from_dict(spec)
    assert tree.rollup().loc["ratio", "value"] == float("-inf")  # 0.3 / -0.0
    for suffix in (".yaml", ".json"):
        path = tmp_path / f"t{suffix}"
        tree.save(path)
        assert_same_tree(tree, kt.load(path))
        assert kt.load(path).rollup().loc["ratio", "value"] == float("-inf")


def test_the_order_of_free_period_labels_survives_a_round_trip(tmp_path):
    spec = {"metrics": {"b": {"value": {"growth": 3, "launch": 4}},
                        "total": {"formula": "a + b"},
                        "a": {"value": {"launch": 1, "growth": 2}}}}
    tree = KPITree.from_dict(spec)
    path = tmp_path / "t.yaml"
    tree.save(path)
    again = kt.load(path)
    assert again.periods == tree.periods
    pd.testing.assert_frame_equal(again.rollup(), tree.rollup())


def test_removing_a_number_for_a_period_keeps_the_round_trip_exact(tmp_path):
    tree = KPITree.from_dict({"metrics": {
        "total": {"formula": "a + b"},
        "a": {"value": {"launch": 1, "growth": 2}},
        "b": {"value": {"growth": 3, "launch": 4}}}})
    tree.set_value("a", None, period="launch")
    path = tmp_path / "t.json"
    tree.save(path)
    assert_same_tree(tree, kt.load(path))


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("round-trip")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), size=st.integers(2, 14), suffix=st.sampled_from(SUFFIXES))
def test_any_valid_tree_survives_save_and_load(folder, seed, size, suffix):
    spec = make_spec(size, seed)
    tree = KPITree.from_dict(spec)
    path = folder / f"tree{suffix}"
    tree.save(path)
    text = path.read_bytes()
    again = kt.load(path)
    assert_same_tree(tree, again)
    again.save(path)
    assert path.read_bytes() == text
    assert_same_tree(tree, KPITree.from_dict(tree.to_dict()))


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(("name", "text", "message"), [
    ("tree.yaml", "metrics:\n  win_rate:\n    formla: won / opps\n",
     "tree.yaml: metrics.win_rate.formla: unknown field, did you mean 'formula'?"),
    ("tree.yaml", "metrics:\n  a: {}\nrooot: a\n",
     "tree.yaml: rooot: unknown field, did you mean 'root'?"),
    ("tree.yaml", "metrics:\n  a: {}\n  b: {}\nhypotheses:\n  - form: b\n    to: a\n",
     "hypotheses.0.form: unknown field, did you mean 'from'?"),
    ("tree.yaml", "metrics:\n  a:\n    value: 1\n  a:\n    value: 2\n",
     "tree.yaml: line 4, column 3: duplicate key 'a' (first at line 2)"),
    ("tree.yaml", "metrics:\n  a:\n    value: 1\n    value: 2\n",
     "line 4, column 5: duplicate key 'value' (first at line 3)"),
    ("tree.json", '{"metrics": {"a": {"value": 1}, "a": {}}}', "tree.json: duplicate key 'a'"),
    ("tree.json", '{"metrics": {"a": {"value": 1, "value": 2}}}', "duplicate key 'value'"),
    ("tree.yaml", "metrics:\n  a: &base\n    value: 1\n  b: *base\n",
     "line 4, column 6: aliases (*name) are not supported"),
    ("tree.yaml", "metrics:\n  a: !!python/object/apply:os.system ['echo hi']\n",
     "line 2, column 6: could not determine a constructor for the tag"),
    ("tree.yaml", "metrics:\n  a:\n    name: !!python/name:os.system\n",
     "could not determine a constructor"),
    ("tree.yaml", "metrics:\n  a:\n    value: [1\n", "tree.yaml: line 4, column 1:"),
    ("tree.yaml", "metrics:\n  a:\n    value: 1\n\tname: x\n", "line 4, column 1:"),
    ("tree.json", '{"metrics": {"a": {"value": 1}\n', "tree.json: line 2, column 1: not valid "
                                                       "JSON"),
    ("tree.json", "{'metrics': {}}", "line 1, column 2: not valid JSON"),
    ("tree.yaml", "metrics:\n  a:\n    target: abc\n",
     "metrics.a.target: expected a finite number, got 'abc'"),
    ("tree.yaml", "metrics:\n  a:\n    target: .inf\n", "metrics.a.target: expected a finite"),
    ("tree.yaml", "metrics:\n  a:\n    value: {2026-01: x}\n", "metrics.a.value.2026-01"),
    ("tree.yaml", "metrics:\n  a:\n    lag_days: -3\n",
     "metrics.a.lag_days: input should be greater than or equal to 0, got -3"),
    ("tree.yaml", "metrics:\n  a:\n    direction: sideways\n",
     "metrics.a.direction: input should be 'up' or 'down', got 'sideways'"),
    ("tree.yaml", "metrics:\n  a:\n    name: 5\n", "metrics.a.name: input should be a valid "
                                                   "string"),
    ("tree.yaml", "metrics:\n  a:\n    tags: quality\n", "metrics.a.tags: input should be a "
                                                         "valid list"),
    ("tree.yaml", "metrics:\n  a: 5\n", "metrics.a: input should be a valid dictionary"),
    ("tree.yaml", "metrics:\n  Win Rate: {}\n", "'Win Rate' is not a valid metric id"),
    ("tree.yaml", "metrics:\n  a:\n    formula: __import__('os').system('echo hi')\n",
     "metrics.a.formula: \"__import__('os').system('echo hi')\" is not allowed"),
    ("tree.yaml", "metrics:\n  a:\n    formula: b +\n  b: {}\n", "metrics.a.formula: cannot read"),
    ("tree.yaml", "- a\n- b\n", "tree.yaml: tree: expected a mapping with 'metrics', got list"),
    ("tree.yaml", "just text\n", "tree: expected a mapping with 'metrics', got str"),
    ("tree.yaml", "", "tree: expected a mapping with 'metrics', got NoneType"),
    ("tree.json", "[]", "tree: expected a mapping with 'metrics', got list"),
    ("tree.yaml", "name: empty\n", "metrics: required field is missing"),
    ("tree.yaml", "metrics: {}\n", "metrics: a tree needs at least one metric"),
    ("tree.yaml", "metrics:\n  a: {}\nscenarios:\n  up: {b: 1}\n",
     "scenarios.up: unknown metric 'b'"),
    ("tree.yaml", "metrics:\n  a: {}\nscenarios:\n  up: 5\n", "scenarios.up: input should be a "
                                                              "valid dictionary"),
    ("tree.yml", "metrics:\n  a: {}\nroot: b\n", "tree.yml: root: unknown metric 'b'"),
])
def test_file_errors_name_the_file_and_the_path(tmp_path, name, text, message):
    with pytest.raises(KPITreeError) as err:
        kt.load(write(tmp_path, name, text))
    assert message in str(err.value)


def test_a_yaml_tag_never_runs_code(tmp_path):
    marker = tmp_path / "pwned"
    text = (f"metrics:\n  a: !!python/object/apply:os.system ['touch {marker}']\n"
            f"  b: !!python/object/new:subprocess.Popen [['touch', '{marker}']]\n")
    with pytest.raises(KPITreeError):
        kt.load(write(tmp_path, "evil.yaml", text))
    assert not marker.exists()


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = write(tmp_path, "latin.yaml", "metrics:\n  a:\n    name: café\n".encode("latin-1"))
    with pytest.raises(KPITreeError, match=r"latin\.yaml: not UTF-8 text"):
        kt.load(path)


def test_a_missing_file_a_folder_and_a_wrong_suffix_are_refused(tmp_path):
    with pytest.raises(KPITreeError, match=r"nothing\.yaml: no such file"):
        kt.load(tmp_path / "nothing.yaml")
    (tmp_path / "folder.yaml").mkdir()
    with pytest.raises(KPITreeError, match="cannot read the file"):
        kt.load(tmp_path / "folder.yaml")
    with pytest.raises(KPITreeError, match=r"unknown file type '\.txt'; use \.yaml, \.yml or "
                                           r"\.json"):
        kt.load(write(tmp_path, "tree.txt", "metrics: {a: {}}"))
    with pytest.raises(KPITreeError, match=r"unknown file type '\(none\)'"):
        kt.load(write(tmp_path, "tree", "metrics: {a: {}}"))


def test_saving_to_a_wrong_suffix_is_refused_and_writes_nothing(revenue_tree, tmp_path):
    with pytest.raises(KPITreeError, match=r"unknown file type '\.csv'"):
        revenue_tree.save(tmp_path / "tree.csv")
    assert list(tmp_path.iterdir()) == []


def test_from_dict_takes_the_shape_of_the_file_and_refuses_other_things(revenue_spec):
    assert KPITree.from_dict(revenue_spec).root == "revenue"
    for bad in ([1, 2], "metrics", None, 5):
        with pytest.raises(KPITreeError, match="tree: expected a mapping"):
            KPITree.from_dict(bad)  # type: ignore[arg-type]


def test_dates_in_yaml_are_period_labels(tmp_path):
    tree = kt.load(write(tmp_path, "t.yaml", "metrics:\n  a:\n    value: {2026-01-01: 3, "
                                             "2026-02-15: 4}\n"))
    assert tree.periods == ["2026-01", "2026-02-15"]  # a first of the month names the month
    assert tree.rollup(period="2026-02-15").loc["a", "value"] == 4


# --------------------------------------------------------------------------- the schema


def test_the_json_schema_describes_the_file():
    schema = kt.json_schema()
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["required"] == ["metrics"]
    assert schema["additionalProperties"] is False
    assert {"schema", "name", "root", "metrics", "hypotheses", "scenarios"} <= set(
        schema["properties"])
    metric = schema["$defs"]["MetricSpec"]
    assert metric["additionalProperties"] is False
    assert {"formula", "unit", "direction", "owner", "value", "target", "lag_days"} <= set(
        metric["properties"])
    json.dumps(schema)  # plain JSON


def test_the_json_schema_accepts_a_good_file_and_rejects_bad_ones(revenue_tree):
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(kt.json_schema())
    good = revenue_tree.to_dict()
    good["metrics"]["arpc"]["target"] = {"2026-01": 125, "2026-02": 130}
    good["hypotheses"] = [{"from": "arpc", "to": "customers", "sign": "-"}]
    assert list(validator.iter_errors(good)) == []
    bad = revenue_tree.to_dict()
    bad["metrics"]["arpc"]["formla"] = "x"
    assert any("formla" in e.message for e in validator.iter_errors(bad))
    for field, value in (("direction", "sideways"), ("lag_days", -3), ("target", "abc"),
                         ("tags", "quality")):
        bad = revenue_tree.to_dict()
        bad["metrics"]["arpc"][field] = value
        assert list(validator.iter_errors(bad)), field
    assert list(validator.iter_errors({"name": "no metrics"}))
