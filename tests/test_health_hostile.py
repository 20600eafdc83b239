"""A check stays quick however hostile the text: a name, owner or description of up to 1 MB,
built to make backtracking patterns try every split of it, is checked in well under a second."""

from __future__ import annotations

import time
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import kpitree_widget as kt
from test_health_rules import sound_spec

# what makes a backtracking pattern retry each start: long runs of blanks, of separators and of
# the words the rules look for, ended by a character that makes the match fail
PIECES = [" ", "\t", " and", " +", " &", " /", " ,", " with", " ltv", " cac", "a", "-", "_",
          " team", "the ", " x", "ltv ", "\u00a0", " \n"]
ENDINGS = ["", "!", "x", "team", "cac", " ", "Head"]

# fields that hold free text: a metric's (tags are a list of texts), and the tree's own, its
# hypotheses' and its OKRs'
FIELDS = ["name", "owner", "team", "description", "unit", "tags", "tree.name",
          "hypothesis.note", "okr.objective", "okr.key_result"]

ONE_MB = 1_000_000
BOUND = 1.0  # seconds, the promise; today's check takes a few hundredths of it


def _hostile_spec(field: str, text: str, metric: str) -> dict[str, Any]:
    spec = sound_spec()
    where, _, key = field.rpartition(".")
    if where == "tree":
        spec[key] = text
    elif where:
        spec["hypotheses" if where == "hypothesis" else "okrs"][0][key] = text
    else:
        spec["metrics"][metric][key] = [text] if key == "tags" else text
    return spec


@settings(max_examples=25, deadline=None)
@given(field=st.sampled_from(FIELDS), piece=st.sampled_from(PIECES),
       ending=st.sampled_from(ENDINGS), size=st.integers(1, ONE_MB),
       metric=st.sampled_from(["revenue", "leads", "win_rate"]))
def test_a_megabyte_of_hostile_text_in_any_field_is_checked_within_a_second(
        field: str, piece: str, ending: str, size: int, metric: str) -> None:
    text = "Head" + piece * max(1, size // len(piece)) + ending
    try:
        tree = kt.KPITree.from_dict(_hostile_spec(field, text, metric))
    except kt.KPITreeError:
        return  # refused at the door is fine too
    start = time.perf_counter()
    tree.check()
    assert time.perf_counter() - start < BOUND


def test_an_owner_of_twenty_thousand_blanks_is_checked_and_still_read_as_one_owner() -> None:
    # the report's case: 20 kB of blanks inside an owner used to take 10-28 s
    tree = kt.KPITree.from_dict(_hostile_spec("owner", "Head" + " " * 20_000 + "of Sales",
                                              "leads"))
    start = time.perf_counter()
    found = tree.check()
    assert time.perf_counter() - start < BOUND
    assert not [f for f in found if f.rule.startswith("owner.") and f.metric == "leads"]


def test_owners_are_still_read_the_same_with_odd_blanks() -> None:
    # folding blanks must not change what the rules see
    spec = sound_spec()
    spec["metrics"]["leads"]["owner"] = "Marketing \t and   Sales"
    spec["metrics"]["acv"]["owner"] = "  Marketing   team "
    found = kt.KPITree.from_dict(spec).check()
    rules = {(f.rule, f.metric) for f in found}
    assert ("owner.joint", "leads") in rules
    assert ("owner.team", "acv") in rules


def test_a_widget_opens_at_once_on_a_tree_with_a_hostile_owner() -> None:
    # the widget runs the check when it is made: it must not hang on the owner either
    kt.TreeWidget(kt.KPITree.from_dict(sound_spec()))  # first-use costs paid untimed
    tree = kt.KPITree.from_dict(_hostile_spec("owner", "Head" + " " * 20_000 + "!", "leads"))
    start = time.perf_counter()
    kt.TreeWidget(tree)
    assert time.perf_counter() - start < BOUND
