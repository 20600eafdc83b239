"""Numbers as people write and read them: checking, parsing typed text, unit-aware formatting."""

from __future__ import annotations

import math
import numbers
import re

from .errors import KPITreeError, show

_SUFFIX = {"k": 1e3, "m": 1e6, "mm": 1e6, "b": 1e9, "bn": 1e9}
_SUFFIXES = frozenset({*_SUFFIX, "%", "x", "d", "day", "days"})
# Each part starts with its own character (digit, '.', 'e'), so a match never backtracks more
# than linearly; parse_number also bounds the text's length before matching.
_DIGITS = re.compile(r"(?:\d[\d,_]*)?(?:\.\d+)?(?:[eE][-+]?\d+)?")
_NUMBER_CHARS = frozenset("0123456789,_.eE+-")
MAX_TEXT = 100  # characters of a typed number; longer text is refused before it is read


def _split(cleaned: str) -> tuple[str, str, str, str]:
    """``sign, currency, digits, suffix`` of typed text, by a single left-to-right scan."""
    rest = cleaned
    sign = currency = ""
    if rest[:1] in ("-", "+"):
        sign, rest = rest[0], rest[1:].lstrip()
    if rest[:1] in ("$", "€", "£"):
        currency, rest = rest[0], rest[1:].lstrip()
    end = 0
    while end < len(rest) and (rest[end] in _NUMBER_CHARS or rest[end].isdecimal()):
        end += 1
    return sign, currency, rest[:end], rest[end:].strip()


def check_number(x: object, where: str, *, metric: str | None = None,
                 field: str | None = None) -> float:
    """``x`` as a finite float, or a :class:`KPITreeError` naming ``where``.

    >>> check_number(3, "metrics.a.target")
    3.0
    >>> check_number("abc", "metrics.a.target")
    Traceback (most recent call last):
    ...
    kpitree_widget.errors.KPITreeError: metrics.a.target: expected a finite number, got 'abc'

    ``metric`` and ``field`` are set on the error as data (see :class:`KPITreeError`).
    """
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise KPITreeError(f"{where}: expected a finite number, got {show(x)}",
                           metric=metric, field=field)
    try:
        value = float(x)
    except OverflowError:  # an int (or Fraction) too large for a float
        value = -math.inf if x < 0 else math.inf
    if not math.isfinite(value):
        raise KPITreeError(f"{where}: expected a finite number, got {value}",
                           metric=metric, field=field)
    return value


def parse_number(text: str, unit: str | None = None, where: str = "number", *,
                 metric: str | None = None, field: str | None = None) -> float:
    """Read a number typed by a person: ``12%``, ``1.2k``, ``$1,200``, ``3.5M``, ``-4``.

    A percent sign divides by 100 (percent metrics hold fractions: ``12%`` is 0.12, and a bare
    ``0.12`` is the same). A currency sign is refused on a metric whose unit is not currency, and
    ``%`` on one that is not a percentage, so an edit is never read two ways.

    >>> parse_number("12%", "percent")
    0.12
    >>> parse_number("$1,200", "currency")
    1200.0
    >>> parse_number("1.2k", "count")
    1200.0

    ``metric`` and ``field`` are set on a :class:`KPITreeError` as data.
    """
    if not isinstance(text, str):
        return check_number(text, where, metric=metric, field=field)

    def error(message: str) -> KPITreeError:
        return KPITreeError(f"{where}: {message}", metric=metric, field=field)

    cleaned = text.strip().replace("\u2212", "-")
    if len(cleaned) > MAX_TEXT:
        raise error(f"{cleaned[:20]!r}… is {len(cleaned)} characters long; a number has at "
                    f"most {MAX_TEXT}")
    sign, currency, number, suffix = _split(cleaned)
    digits = number.replace(",", "").replace("_", "")
    if (not cleaned or _DIGITS.fullmatch(number) is None or digits in ("", ".")
            or suffix.lower() not in (_SUFFIXES | {""})):
        raise error(f"{text!r} is not a number (try 1200, 1.2k, 12% or $1,200)")
    suffix = suffix.lower()
    if currency and unit not in (None, "currency"):
        raise error(f"{text!r} has a currency sign but the metric is in {unit}")
    if suffix == "%" and unit not in (None, "percent"):
        raise error(f"{text!r} is a percentage but the metric is in {unit}")
    try:
        value = float(digits)
    except ValueError:
        raise error(f"{text!r} is not a number") from None
    if suffix == "%":
        value /= 100
    elif suffix in _SUFFIX:
        value *= _SUFFIX[suffix]
    if sign == "-":
        value = -value
    if not math.isfinite(value):
        raise error(f"{text!r} is too large to be a number")
    return value


def _sig(x: float, digits: int = 3) -> str:
    """``digits`` significant digits, never in exponent notation: 1234 -> '1,230'."""
    text = f"{x:.{digits}g}"
    if "e" in text:
        text = f"{float(text):,f}".rstrip("0").rstrip(".")
    return text


def compact(x: float, digits: int = 3) -> str:
    """A short count: 1234 -> '1.23k', 4_500_000 -> '4.5M', 999_999 -> '1M'."""
    size = abs(x)
    tiers = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))
    for i, (limit, suffix) in enumerate(tiers):
        if size >= limit:
            if i > 0 and abs(float(f"{x / limit:.{digits}g}")) >= 1000:
                limit, suffix = tiers[i - 1]  # rounds up into the next tier
            return f"{_sig(x / limit, digits)}{suffix}"
    if size >= 100 or float(x).is_integer():
        return f"{x:,.0f}"
    return _sig(x, digits)


def format_number(x: float | None, unit: str | None = None) -> str:
    """A number for display, by unit: ``$564k``, ``2.5%``, ``4,700``, ``14 d``, ``3.2x``.

    >>> format_number(564000, "currency"), format_number(0.025, "percent")
    ('$564k', '2.5%')
    >>> format_number(float("nan"), "count")
    '—'
    """
    if x is None or not isinstance(x, numbers.Real) or math.isnan(x):
        return "—"
    if not isinstance(unit, str):  # a table's missing unit can be NaN
        unit = None
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if unit == "currency":
        sign = "-" if x < 0 else ""
        return f"{sign}${compact(abs(x))}"
    if unit == "percent":
        return f"{_sig(x * 100)}%" if abs(x) < 10 else f"{x * 100:,.0f}%"
    if unit == "count":
        return f"{x:,.0f}" if abs(x) < 1e4 else compact(x)
    if unit == "days":
        return f"{_sig(x)} d"
    if unit == "ratio":
        return f"{_sig(x)}x"
    text = compact(x)
    return f"{text} {unit}" if unit else text
