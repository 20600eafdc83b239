"""Numbers as people type and read them: parse_number, check_number and format_number."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpitree_widget import KPITreeError
from kpitree_widget.numbers import check_number, compact, format_number, parse_number


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


@pytest.mark.parametrize(("x", "unit", "text"), [
    (564000, "currency", "$564k"),
    (681250, "currency", "$681k"),
    (120, "currency", "$120"),
    (-1234567, "currency", "-$1.23M"),
    (999999, "currency", "$1M"),                # rounds into the next tier, not '$1e+03k'
    (999_999_999_999, "currency", "$1T"),
    (1.5e15, "currency", "$1,500T"),
    (0.025, "percent", "2.5%"),
    (0.12, "percent", "12%"),
    (1.5, "percent", "150%"),
    (9.999, "percent", "1,000%"),
    (25, "percent", "2,500%"),
    (4700, "count", "4,700"),
    (56400, "count", "56.4k"),
    (999_999_999, "count", "1B"),
    (14, "days", "14 d"),
    (1234, "days", "1,230 d"),
    (3.2, "ratio", "3.2x"),
    (1234, "ratio", "1,230x"),
    (1234, None, "1.23k"),
    (42.5, None, "42.5"),
    (12.3456, "hours", "12.3 hours"),
    (7, float("nan"), "7"),                      # a table's missing unit
    (float("nan"), "count", "—"),
    (None, "currency", "—"),
    ("abc", None, "—"),
    (float("inf"), None, "∞"),
    (float("-inf"), "currency", "-∞"),
])
def test_numbers_are_formatted_by_unit(x, unit, text):
    assert format_number(x, unit) == text


@settings(max_examples=200, deadline=None)
@given(x=st.floats(allow_nan=False, allow_infinity=False),
       unit=st.sampled_from([None, "currency", "percent", "count", "days", "ratio", "kg"]))
def test_formatted_numbers_never_use_exponent_notation(x, unit):
    text = format_number(x, unit)
    assert "e+" not in text and "e-" not in text, text
    assert "nan" not in text


def test_compact_keeps_three_significant_digits():
    assert compact(1234) == "1.23k"
    assert compact(4_500_000) == "4.5M"
    assert compact(999.4) == "999"
    assert compact(0.5) == "0.5"
    assert compact(-2500) == "-2.5k"


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
