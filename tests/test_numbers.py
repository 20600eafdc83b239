"""Numbers as people type and read them: parse_number, check_number, format_number and
format_change (over the vectors the view's tests read too)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpitree_widget import KPITreeError
from kpitree_widget.numbers import (
    STYLES,
    check_number,
    format_change,
    format_number,
    parse_number,
)


@pytest.mark.parametrize(("text", "unit", "number"), [
    ("12%", "percent", 0.12),
    ("12 %", "percent", 0.12),
    ("0.5%", None, 0.005),
    ("100%", "percent", 1.0),
    ("0.12", "percent", 0.12),
    ("1.2k", "count", 1200.0),
    ("1.2K", None, 1200.0),
    ("$1,200", "currency", 1200.0),
    ("$1,200.50", "currency", 1200.5),
    ("€3.5M", "currency", 3.5e6),
    ("3.5M", None, 3.5e6),
    ("2mm", "currency", 2e6),
    ("1.5bn", "currency", 1.5e9),
    ("2B", None, 2e9),
    ("\u2212$1.5T", "currency", -1.5e12),
    ("12.3k d", "days", 12300.0),
    ("1.5k%", "percent", 15.0),
    ("-4", "count", -4.0),
    ("\u22124", "count", -4.0),          # the unicode minus sign
    ("\u2212$5k", "currency", -5000.0),
    ("+7", None, 7.0),
    ("  42  ", None, 42.0),
    ("1_000", None, 1000.0),
    ("1e3", None, 1000.0),
    (".5", None, 0.5),
    ("14d", "days", 14.0),
    ("14 days", "days", 14.0),
    ("3.2x", "ratio", 3.2),
])
def test_numbers_typed_by_people_are_read(text, unit, number):
    assert parse_number(text, unit) == pytest.approx(number, rel=1e-15)


@pytest.mark.parametrize(("text", "unit", "message"), [
    ("abc", None, "'abc' is not a number"),
    ("", None, "'' is not a number"),
    ("   ", None, "is not a number"),
    ("-", None, "'-' is not a number"),
    ("$", "currency", "is not a number"),
    (".", None, "is not a number"),
    ("%", "percent", "is not a number"),
    ("1e", None, "is not a number"),
    ("12%%", "percent", "is not a number"),
    ("1.2.3", None, "is not a number"),
    ("1e999", None, "'1e999' is too large to be a number"),
    ("$5", "percent", "'$5' has a currency sign but the metric is in percent"),
    ("5%", "currency", "'5%' is a percentage but the metric is in currency"),
    ("5%", "count", "is a percentage"),
    ("nan", None, "is not a number"),
    ("inf", None, "is not a number"),
])
def test_text_that_is_not_a_number_is_refused(text, unit, message):
    with pytest.raises(KPITreeError) as err:
        parse_number(text, unit, where="metrics.win_rate.target")
    assert str(err.value).startswith("metrics.win_rate.target: ")
    assert message in str(err.value)


def test_parse_number_takes_numbers_too():
    assert parse_number(5, "count") == 5.0  # type: ignore[arg-type]
    with pytest.raises(KPITreeError):
        parse_number(math.nan)  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=30), unit=st.sampled_from([None, "currency", "percent", "count"]))
def test_any_text_is_a_finite_number_or_a_kpitree_error(text, unit):
    try:
        value = parse_number(text, unit, where="w")
    except KPITreeError as exc:
        assert str(exc).startswith("w: ")
    else:
        assert math.isfinite(value)


@settings(max_examples=200, deadline=None)
@given(x=st.floats(-1e12, 1e12, allow_nan=False))
def test_a_number_written_plainly_reads_back(x):
    assert parse_number(repr(x)) == x
    assert parse_number(f"{x:,.2f}", "currency") == pytest.approx(round(x, 2))


@pytest.mark.parametrize("good", [3, 3.5, -0.0, np.float64(2.5), np.int32(7), 10**300])
def test_check_number_accepts_finite_real_numbers(good):
    assert check_number(good, "w") == float(good)


@pytest.mark.parametrize("bad", ["3", None, True, np.bool_(True), [1], 1j, math.inf, -math.inf,
                                 math.nan, 10**400, -(10**400), b"1"])
def test_check_number_refuses_everything_else_by_name(bad):
    with pytest.raises(KPITreeError, match=r"^metrics\.a\.value: expected a finite number"):
        check_number(bad, "metrics.a.value")


VECTORS = json.loads((Path(__file__).parent / "format_vectors.json").read_text("utf-8"))["cases"]
SPECIAL = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
CARD_MAX_CHARS = 11  # js/test/card.test.js checks that a card's cells hold this many


def shown(case: dict) -> str:
    x = SPECIAL.get(case["x"], case["x"]) if isinstance(case["x"], str) else case["x"]
    if case["style"] == "change":
        return format_change(x)
    return format_number(x, case["unit"], case["style"])


@pytest.mark.parametrize("case", VECTORS,
                         ids=[f"{c['x']}-{c['unit']}-{c['style']}" for c in VECTORS])
def test_numbers_read_as_the_shared_vectors_say(case):
    assert shown(case) == case["text"], case["why"]


def test_the_vectors_cover_every_style_unit_and_edge():
    assert {c["style"] for c in VECTORS} == {*STYLES, "change"}
    assert {"currency", "percent", "count", "days", "ratio", None, "number", "hours"} <= {
        c["unit"] for c in VECTORS}
    assert {"nan", "inf", "-inf", None} <= {
        c["x"] for c in VECTORS if not isinstance(c["x"], (int, float))}


@pytest.mark.parametrize(("x", "unit", "text"), [
    (7, float("nan"), "7"),                      # a table's missing unit
    (np.float64(0.0196), "percent", "1.96%"),
    (np.int64(4700), "count", "4,700"),
    (10**400, None, "∞"),                        # an int too large for a float
    ("abc", None, "—"),
    (True, "count", "—"),
])
def test_numbers_from_tables_and_odd_inputs(x, unit, text):
    assert format_number(x, unit) == text


def test_an_unknown_style_is_refused_by_name():
    with pytest.raises(KPITreeError, match="format_number: style must be one of compact"):
        format_number(1, "count", "short")  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(x=st.floats(-1e12, 1e12, allow_nan=False),  # a percent shows 100 times the number
       unit=st.sampled_from([None, "currency", "percent", "count", "days", "ratio", "kg"]),
       style=st.sampled_from(["compact", "card", "full", "signed"]))
def test_numbers_below_a_thousand_trillion_never_use_exponent_notation(x, unit, style):
    text = format_number(x, unit, style)
    assert "e" not in text.replace(" kg", "") and "nan" not in text, text


@settings(max_examples=300, deadline=None)
@given(x=st.floats(allow_nan=False, allow_infinity=False),
       unit=st.sampled_from([None, "currency", "percent", "count", "days", "ratio", "sessions"]))
def test_a_card_text_is_never_longer_than_a_card_holds(x, unit):
    assert len(format_number(x, unit, "card")) <= CARD_MAX_CHARS


@settings(max_examples=300, deadline=None)
@given(x=st.floats(-1e12, 1e12, allow_nan=False),
       unit=st.sampled_from([None, "currency", "percent", "count", "days", "ratio"]))
def test_a_full_number_typed_back_is_the_number_to_its_last_shown_place(x, unit):
    half_step = 0.005 if unit == "currency" else 0.00005  # cents; 4 decimals, or 2 of a percent
    back = parse_number(format_number(x, unit, "full"), unit)
    assert back == pytest.approx(x, abs=half_step * 1.01, rel=1e-14)


@settings(max_examples=300, deadline=None)
@given(x=st.floats(-1e14, 1e14, allow_nan=False).filter(lambda v: abs(v) >= 1),
       unit=st.sampled_from([None, "currency", "count", "days", "ratio"]))
def test_a_compact_number_is_within_half_its_last_digit(x, unit):
    back = parse_number(format_number(x, unit), unit)
    assert back == pytest.approx(x, rel=0.005)


# --------------------------------------------------------------------------- hostile text

_PIECES = ("-", "+", " ", "\t", "$", "€", "1", "9", ",", "_", ".", "e", "E", "k", "m", "%",
           "d", "days", "!", "x", "\u2212")


def _adversarial(runs: list[tuple[str, int]]) -> str:
    text = "".join(piece * count for piece, count in runs)
    return text[: 1 << 20]  # at most 1 MB


@settings(max_examples=60, deadline=None)
@given(runs=st.lists(st.tuples(st.sampled_from(_PIECES), st.integers(0, 300_000)),
                     min_size=1, max_size=6))
def test_typed_text_of_up_to_a_megabyte_is_read_or_refused_at_once(runs):
    # "-" + a thousand blanks + "!" once held the kernel for half a minute: every edit typed in
    # the view goes through parse_number, so no text may take long to refuse
    import time

    text = _adversarial(runs)
    start = time.perf_counter()
    try:
        parse_number(text, "currency", where="metrics.arr.value")
    except KPITreeError as exc:
        assert str(exc).startswith("metrics.arr.value: ")
        assert len(str(exc)) < 400  # the message does not echo a megabyte back
    assert time.perf_counter() - start < 0.5  # the bound is 1 s; linear work takes ~ms


@pytest.mark.parametrize("text", ["-" + " " * 1000 + "!", "- $" + " " * 5000 + "1 x!",
                                  "1" * 5000 + "k!", "$" + "1," * 3000])
def test_the_known_slow_forms_are_refused_quickly_with_the_field(text):
    import time

    start = time.perf_counter()
    with pytest.raises(KPITreeError, match=r"^metrics\.arr\.value: "):
        parse_number(text, "currency", where="metrics.arr.value")
    assert time.perf_counter() - start < 0.5


def test_a_typed_number_is_at_most_a_hundred_characters_long():
    assert parse_number(" " * 500 + "1,200" + " " * 500) == 1200.0  # blanks around are fine
    with pytest.raises(KPITreeError, match="characters long"):
        parse_number("1" * 101)
