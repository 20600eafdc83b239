"""Saving a tree back to its file keeps what people wrote: comments, order, quoting, flow
mappings and number spelling of everything that did not change."""

from __future__ import annotations

import copy
import difflib
import json
import os
from pathlib import Path

import pytest

import kpitree_widget as kt
from kpitree_widget import io
from kpitree_widget.roundtrip import merge_lines, patch_text

HAND_WRITTEN = """\
# Acme plan: edit the targets here, the monthly review reads this file.
name: Acme revenue
metrics:
  customers: {value: 4700, target: 5000}   # from the CRM
  arpc:
    value: 120
    target: 125
    unit: currency
  revenue:
    formula: customers * arpc
    owner: CEO
"""

# every kind of thing people write in a tree file by hand
HARD = """\
# yaml-language-server: $schema=./tree.schema.json
# Acme plan, owned by finance.
schema: 1
name: "Acme revenue"   # quoted on purpose

metrics:
  # --- the North Star
  revenue:
    formula: customers * arpc   # the math
    owner: 'CEO'
    tags: [north_star, "money"]

  # --- customers
  customers: {value: 4700, target: 5000}   # from the CRM
  arpc:
    name: Average revenue per customer
    value: {2026-01: 120, 2026-02-01: 1.2e2, 2026-03: 121.50}
    target: 0.40e3
    unit:   currency
    direction: up        # written out although it is the default

    # the ratio below is a fraction
  churn_rate:
    value: 0.040
    target: 0.030
    direction: down

hypotheses:
  - {from: churn_rate, to: customers, sign: "-"}   # retention drives the base
# end of file
"""
HARD_FIXED = HARD.replace("formula: customers * arpc   # the math",
                          "formula: customers * arpc * (1 - churn_rate)   # the math")


def changed_lines(before: str, after: str) -> list[str]:
    """The -/+ lines of a unified diff, as a reviewer sees them."""
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(),
                                                  lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("---", "+++"))]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    return write(tmp_path / "plan.yaml", HAND_WRITTEN)


@pytest.fixture
def hard(tmp_path: Path) -> Path:
    return write(tmp_path / "hard.yaml", HARD_FIXED)


def spec_of(text: str, fmt: str = "yaml") -> dict:
    return io.tree_to_dict(io.tree_from_dict(io.loads(text, fmt)))


# ---------------------------------------------------------------------------- tree.path


def test_a_loaded_tree_knows_its_file_and_a_built_one_has_none(plan: Path) -> None:
    tree = kt.load(plan)
    assert tree.path == plan.absolute() and isinstance(tree.path, Path)
    assert tree.copy().path == tree.path  # a copy is the same tree, from the same file
    assert kt.KPITree.from_dict(tree.to_dict()).path is None
    assert kt.loads(HAND_WRITTEN).path is None
    assert kt.archetype("b2b_saas").path is None  # never the package's own file


def test_save_without_a_path_on_a_tree_without_a_file_is_refused() -> None:
    tree = kt.loads(HAND_WRITTEN)
    with pytest.raises(kt.KPITreeError, match="no file yet") as err:
        tree.save()
    assert "tree.save('tree.yaml')" in str(err.value)


def test_save_as_makes_the_new_file_the_trees_file(plan: Path, tmp_path: Path) -> None:
    tree = kt.loads(HAND_WRITTEN)
    other = tmp_path / "sub" / "copy.yaml"
    other.parent.mkdir()
    assert tree.save(other) == other.absolute()
    assert tree.path == other.absolute()
    tree.set_target("arpc", 131)
    tree.save()  # now writes where it was last saved
    assert kt.load(other).get_target("arpc") == 131


def test_the_path_survives_a_change_of_working_folder(plan: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(plan.parent)
    tree = kt.load("plan.yaml")
    monkeypatch.chdir(tmp_path.parent)
    tree.set_target("arpc", 126)
    tree.save()
    assert kt.load(plan).get_target("arpc") == 126


# ---------------------------------------------------------------------------- small diffs


def test_one_target_edit_is_a_one_line_diff(plan: Path) -> None:
    tree = kt.load(plan)
    tree.set_target("arpc", 130)
    tree.save()
    assert changed_lines(HAND_WRITTEN, plan.read_text()) == ["-    target: 125",
                                                             "+    target: 130"]


def test_an_edit_inside_a_flow_mapping_keeps_its_style_and_comment(plan: Path) -> None:
    tree = kt.load(plan)
    tree.set_value("customers", 4810)
    tree.save()
    diff = changed_lines(HAND_WRITTEN, plan.read_text())
    assert len(diff) == 2
    assert diff[1].startswith("+  customers: {value: 4810, target: 5000}")
    assert diff[1].endswith("# from the CRM")


def test_saving_an_unchanged_tree_writes_the_file_as_it_was(hard: Path) -> None:
    tree = kt.load(hard)
    tree.save()
    assert hard.read_text() == HARD_FIXED


def test_comments_quotes_and_number_spelling_survive_an_edit(hard: Path) -> None:
    tree = kt.load(hard)
    tree.set_target("churn_rate", 0.025)
    tree.save()
    text = hard.read_text()
    assert changed_lines(HARD_FIXED, text) == ["-    target: 0.030", "+    target: 0.025"]
    for kept in ("# yaml-language-server", "# the math", "owner: 'CEO'",
                 'name: "Acme revenue"   # quoted on purpose', "target: 0.40e3",
                 "2026-02-01: 1.2e2", "121.50", "unit:   currency", "# end of file",
                 "    # the ratio below is a fraction", "direction: up        # written out"):
        assert kept in text, kept
    assert kt.load(hard).get_target("churn_rate") == 0.025


def test_a_number_for_one_period_changes_only_that_entry(hard: Path) -> None:
    tree = kt.load(hard)
    tree.set_value("arpc", 125, period="2026-02")
    tree.save()
    assert changed_lines(HARD_FIXED, hard.read_text()) == [
        "-    value: {2026-01: 120, 2026-02-01: 1.2e2, 2026-03: 121.50}",
        "+    value: {2026-01: 120, 2026-02-01: 125, 2026-03: 121.50}"]


def test_a_new_metric_adds_only_its_lines_and_the_formula_that_uses_it() -> None:
    spec = spec_of(HARD_FIXED)
    spec["metrics"]["revenue"]["formula"] = "customers * arpc * (1 - churn_rate) * share"
    spec["metrics"]["share"] = {"name": "Share of wallet", "owner": "yes", "value": 0.5}
    out = patch_text(HARD_FIXED, "yaml", spec)
    diff = changed_lines(HARD_FIXED, out)
    assert diff[:2] == ["-    formula: customers * arpc * (1 - churn_rate)   # the math",
                        "+    formula: customers * arpc * (1 - churn_rate) * share   # the math"]
    added = [line for line in diff[2:] if line.strip("+ ")]
    assert all(line.startswith("+") for line in diff[2:])
    assert added == ["+  share:", "+    name: Share of wallet", '+    owner: "yes"',
                     "+    value: 0.5"]  # 'yes' quoted: the loader would read it as true
    assert kt.loads(out).to_dict() == kt.KPITree.from_dict(spec).to_dict()


def test_a_removed_metric_removes_its_lines_and_keeps_the_comment_above_the_next() -> None:
    spec = spec_of(HARD_FIXED)
    spec["metrics"]["revenue"]["formula"] = "customers * (1 - churn_rate)"
    del spec["metrics"]["arpc"]
    out = patch_text(HARD_FIXED, "yaml", spec)
    removed = [line for line in changed_lines(HARD_FIXED, out) if line.startswith("-")]
    assert "-  arpc:" in removed and "-    target: 0.40e3" in removed
    assert "# the ratio below is a fraction" in out  # it was written above churn_rate
    assert out.index("# the ratio below") < out.index("churn_rate:")
    assert "# --- customers" in out and "# end of file" in out
    assert kt.loads(out).to_dict() == kt.KPITree.from_dict(spec).to_dict()


def test_fields_set_and_cleared_change_only_their_lines() -> None:
    spec = spec_of(HARD_FIXED)
    spec["metrics"]["arpc"]["owner"] = "Pricing Lead"
    del spec["metrics"]["revenue"]["owner"]
    spec["metrics"]["churn_rate"]["direction"] = "up"  # back to the default: the line goes
    out = patch_text(HARD_FIXED, "yaml", spec)
    assert sorted(changed_lines(HARD_FIXED, out)) == sorted([
        "-    owner: 'CEO'", "+    owner: Pricing Lead", "-    direction: down"])
    assert out.index("arpc:") < out.index("owner: Pricing Lead") < out.index("churn_rate:")


def test_a_new_hypothesis_and_scenario_go_before_the_closing_comment() -> None:
    spec = spec_of(HARD_FIXED)
    spec["hypotheses"].append({"from": "arpc", "to": "customers", "sign": "-"})
    spec["scenarios"] = {"upside": {"arpc": 130}}
    out = patch_text(HARD_FIXED, "yaml", spec)
    assert all(line.startswith("+") for line in changed_lines(HARD_FIXED, out))
    assert out.rstrip().endswith("# end of file")
    assert "  - from: arpc\n    to: customers\n" in out  # the file's own list indentation
    assert kt.loads(out).scenarios == {"upside": {"arpc": 130}}


def test_renaming_a_key_text_that_needs_quotes_is_quoted() -> None:
    spec = spec_of(HAND_WRITTEN)
    spec["metrics"]["arpc"]["unit"] = "2026-01-01"  # a date if written plain
    spec["metrics"]["revenue"]["owner"] = "~"       # null if written plain
    out = patch_text(HAND_WRITTEN, "yaml", spec)
    tree = kt.loads(out)
    assert tree.metrics["arpc"].unit == "2026-01-01" and tree.metrics["revenue"].owner == "~"


def test_scientific_notation_and_four_space_files_keep_their_layout() -> None:
    text = ("metrics:\n"
            "    total:\n"
            "        formula: a + b\n"
            "    a:\n"
            "        value: 1.5e6\n"
            "        tags:\n"
            "            - x\n"
            "    b:\n"
            "        value: 2.0E-3\n")
    spec = spec_of(text)
    spec["metrics"]["b"]["target"] = 0.004
    out = patch_text(text, "yaml", spec)
    assert changed_lines(text, out) == ["+        target: 0.004"]


def test_windows_line_endings_are_kept() -> None:
    text = HAND_WRITTEN.replace("\n", "\r\n")
    spec = spec_of(text)
    spec["metrics"]["arpc"]["target"] = 130
    out = patch_text(text, "yaml", spec)
    assert out == text.replace("target: 125", "target: 130")


def test_anchors_are_still_refused_on_load(tmp_path: Path) -> None:
    path = write(tmp_path / "a.yaml", "metrics:\n  a: &x {value: 1}\n  t: {formula: a}\n"
                                      "  b: *x\n")
    with pytest.raises(kt.KPITreeError, match="aliases"):
        kt.load(path)


def test_duplicate_keys_and_ambiguous_numbers_are_still_refused(tmp_path: Path) -> None:
    with pytest.raises(kt.KPITreeError, match="duplicate key"):
        kt.load(write(tmp_path / "d.yaml", "metrics:\n  a: {}\n  a: {}\n"))
    with pytest.raises(kt.KPITreeError, match=r"YAML 1\.1 and YAML 1\.2"):
        kt.load(write(tmp_path / "n.yaml", "metrics:\n  a: {value: 017}\n"))


# ---------------------------------------------------------------------------- JSON


JSON_TEXT = """{
    "name": "Acme",
    "metrics": {
        "customers": {"value": 4700, "target": 5000},
        "arpc": {
            "target": 0.40,
            "value": 120
        },
        "revenue": {"formula": "customers * arpc", "owner": "CEO"}
    }
}
"""


def test_json_keeps_its_key_order_indentation_and_numbers(tmp_path: Path) -> None:
    path = write(tmp_path / "plan.json", JSON_TEXT)
    tree = kt.load(path)
    tree.set_value("arpc", 121)
    tree.save()
    text = path.read_text()
    assert changed_lines(JSON_TEXT, text) == ['-            "value": 120',
                                              '+            "value": 121']
    assert list(json.loads(text)["metrics"]) == ["customers", "arpc", "revenue"]


def test_json_gets_a_new_metric_where_the_outline_puts_it() -> None:
    spec = spec_of(JSON_TEXT, "json")
    spec["metrics"]["revenue"]["formula"] = "customers * arpc * share"
    spec["metrics"]["share"] = {"value": 0.5}
    out = patch_text(JSON_TEXT, "json", spec)
    assert list(json.loads(out)["metrics"]) == ["customers", "arpc", "share", "revenue"]
    assert '"target": 0.40' in out


# ---------------------------------------------------------------------------- safety


def test_a_file_changed_on_disk_since_loading_is_not_overwritten(plan: Path) -> None:
    tree = kt.load(plan)
    tree.set_target("arpc", 130)
    someone_else = HAND_WRITTEN.replace("owner: CEO", "owner: CFO")
    plan.write_text(someone_else)
    with pytest.raises(kt.KPITreeError, match="changed on disk") as err:
        tree.save()
    assert "nothing was written" in str(err.value) and "force=True" in str(err.value)
    assert plan.read_text() == someone_else
    tree.save(force=True)  # this tree wins; the file's own edit of a comment-free line goes
    assert kt.load(plan).get_target("arpc") == 130
    assert kt.load(plan).metrics["revenue"].owner == "CEO"
    assert "# Acme plan" in plan.read_text()


def test_a_deleted_file_is_written_anew(plan: Path) -> None:
    tree = kt.load(plan)
    plan.unlink()
    tree.save()
    assert plan.read_text() == HAND_WRITTEN


def test_saving_to_the_same_file_twice_needs_no_reload(plan: Path) -> None:
    tree = kt.load(plan)
    tree.set_target("arpc", 130)
    tree.save()
    tree.set_target("arpc", 135)
    tree.save()  # the text it wrote is what it compares with
    assert changed_lines(HAND_WRITTEN, plan.read_text()) == ["-    target: 125",
                                                             "+    target: 135"]


def test_a_failed_write_leaves_the_file_and_the_trees_file_as_they_were(
        plan: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tree = kt.load(plan)
    tree.set_target("arpc", 130)

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(kt.KPITreeError, match="previous file is unchanged"):
        tree.save()
    monkeypatch.undo()
    assert plan.read_text() == HAND_WRITTEN
    assert sorted(p.name for p in plan.parent.iterdir()) == ["plan.yaml"]  # no temporary
    tree.save()  # the tree still compares with the text it was loaded from
    assert kt.load(plan).get_target("arpc") == 130


def test_what_the_loader_would_refuse_is_not_written(plan: Path) -> None:
    tree = kt.load(plan)
    tree.description = "broken \ud800 text"
    with pytest.raises(kt.KPITreeError, match="nothing was written"):
        tree.save()
    assert plan.read_text() == HAND_WRITTEN


def test_the_merge_keeps_the_originals_spelling_of_untouched_lines() -> None:
    original = "a:   1   # spaced\nb: 2\nc: 3\n"
    rendered = "a: 1 # spaced\nb: 2\nc: 3\n"
    assert merge_lines(original, rendered, rendered.replace("c: 3", "c: 4")) == \
        "a:   1   # spaced\nb: 2\nc: 4\n"
    assert merge_lines(original, rendered, rendered) == original


@pytest.mark.parametrize("seed", range(12))
def test_random_edits_of_a_hand_written_file_read_back_exactly(seed: int) -> None:
    import random

    rng = random.Random(seed)
    spec = spec_of(HARD_FIXED)
    for _ in range(rng.randint(1, 5)):
        metric = rng.choice(["arpc", "customers", "churn_rate"])
        field = rng.choice(["value", "target", "owner", "unit", "tags"])
        numbers = {"value": rng.choice([3, 0.25, {"2026-01": 7, "2026-04": 8.5}]),
                   "target": rng.choice([9, 1e-7, 12345.5])}
        new = {"owner": rng.choice(["Ops", "no", None]), "unit": rng.choice(["count", None]),
               "tags": rng.choice([["a", "b"], None]), **numbers}[field]
        edited = copy.deepcopy(spec)
        if new is None:
            edited["metrics"][metric].pop(field, None)
        else:
            edited["metrics"][metric][field] = new
        spec = io.tree_to_dict(io.tree_from_dict(edited))
    out = patch_text(HARD_FIXED, "yaml", spec)
    assert io.tree_to_dict(io.tree_from_dict(io.loads(out))) == spec
    assert "# the math" in out and "# end of file" in out  # never the canonical fallback


def test_number_edits_are_respelled_in_place_without_the_round_trip_reader(tmp_path,
                                                                          monkeypatch):
    """The common save (numbers typed in the view) rewrites those numbers where they stand."""
    from kpitree_widget import roundtrip

    text = ("metrics:\n  revenue: {formula: customers * arpc}  # the North Star\n"
            "  customers: {value: 4700, target: 5000}\n"
            "  arpc:\n    value: 120.0   # list price\n    target: 1.25e2\n")
    path = tmp_path / "t.yaml"
    path.write_text(text)
    tree = kt.load(path)
    monkeypatch.setattr(roundtrip, "_candidates", lambda *a: iter(()))  # no slow path
    tree.set_target("arpc", 130)
    tree.set_value("arpc", 121.5)
    tree.set_target("customers", 5100)
    tree.save()
    assert path.read_text() == text.replace("5000", "5100").replace("120.0", "121.5").replace(
        "1.25e2", "130")
    assert kt.load(path).to_dict() == tree.to_dict()
