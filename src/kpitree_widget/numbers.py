"""Numbers as people write and read them: checking, parsing typed text, unit-aware formatting.

One formatter for every picture: the widget's view (``js/format.js``) reproduces
:func:`format_number` exactly, and both are tested over the same vectors
(``tests/format_vectors.json``). The rules, as an FP&A reader expects them:

- **Missing** (``None``, NaN, not a number) is ``—``; infinite is ``∞`` or ``−∞``.
- **Negative** numbers carry a true minus sign (U+2212) in front of everything, currency sign
  included: ``−$117k``. A number that rounds to zero carries no sign: ``0``, ``$0``, ``0%``.
- **Rounding** is half up on the number's exact value (the same in Python and JavaScript), so
  ``0.125`` shows as ``0.13`` and ``0.995`` (stored as 0.99499...) as ``0.99``.
- **Compact** (the default; cards, tables, pictures) keeps 3 significant digits but never rounds
  away a whole-number digit below 10,000: ``4,700``, ``1,235``, ``42.5``. From 10,000 the
  number gets a suffix, k, M, B or T, still with 3 significant digits: ``12.3k``, ``$1.23M``;
  a number that rounds up into the next suffix moves there (999,950 is ``1M``, not ``1,000k``).
  Beyond 999T (a unit mistake, surely) it is written ``1.5e15``, so every compact text is short.
- **Currency** (dollars) below $1,000 shows cents unless whole: ``$47.25``, ``$120``; from
  $1,000 to $9,999 whole dollars: ``$4,700``; then compact: ``$56.4k``.
- **Percent** metrics hold fractions (0.25 is ``25%``) and keep their precision: 3 significant
  digits down to a basis point, ``1.96%``, ``0.12%``, ``150%``, ``2,500%``.
- **Counts and plain numbers** keep up to 4 decimals among their 3 significant digits: ``3.5``,
  ``0.0012``; **days** read ``14 d``, **ratios** ``3.2x``; any other unit is written after the
  number (``42 hours``).
- **Card** style is compact without a free-text unit (the card's badge shows it): ``14.2``.
- **Full** style writes every whole-number digit (no suffix): ``$1,234,567.89``, ``1,234,567``,
  ``12.35%``, up to 4 decimals for plain numbers.
- **Signed** style (variances, value minus target in the metric's unit) always shows ``+`` or
  ``−`` (except on zero), and percent metrics move in percentage points: ``−0.5 pp``.
- A **relative change** already in percent units (:func:`format_change`) keeps 2 significant
  digits, to one decimal: ``−4.3%``, ``−17%``, ``+123%``.
"""

from __future__ import annotations

import math
import numbers
import re
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Literal

from .errors import KPITreeError, show

_SUFFIX = {"k": 1e3, "m": 1e6, "mm": 1e6, "b": 1e9, "bn": 1e9, "t": 1e12}
_SUFFIX_ORDER = sorted(_SUFFIX, key=len, reverse=True)  # "mm" before "m", "bn" before "b"
_MARKS = frozenset({"", "%", "x", "d", "day", "days"})
# Each part starts with its own character (digit, '.', 'e'), so a match never backtracks more
# than linearly; parse_number also bounds the text's length before matching.
_DIGITS = re.compile(r"(?:\d[\d,_]*)?(?:\.\d+)?(?:[eE][-+]?\d+)?")
_NUMBER_CHARS = frozenset("0123456789,_.eE+-")
MAX_TEXT = 100  # characters of a typed number; longer text is refused before it is read


def _tail(rest: str) -> tuple[str, str] | None:
    """``(suffix, mark)`` of what follows the digits (``k``, ``%``, ``k d``, ``M%``), or
    ``None`` when it is neither."""
    low = rest.lower()
    for suffix in (*_SUFFIX_ORDER, ""):
        if low.startswith(suffix) and low[len(suffix):].strip() in _MARKS:
            return suffix, low[len(suffix):].strip()
    return None


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
    """Read a number typed by a person: ``12%``, ``1.2k``, ``$1,200``, ``3.5M``, ``-4``; every
    compact text :func:`format_number` writes reads back (``−$1.23M``, ``2T``, ``14 d``).

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

    shown = repr(text) if len(text) <= 40 else repr(text[:40]) + "…"
    cleaned = text.strip().replace("\u2212", "-")
    if len(cleaned) > MAX_TEXT:
        raise error(f"{cleaned[:20]!r}… is {len(cleaned)} characters long; a number has at "
                    f"most {MAX_TEXT}")
    sign, currency, number, rest = _split(cleaned)
    digits = number.replace(",", "").replace("_", "")
    tail = _tail(rest)
    if (not cleaned or _DIGITS.fullmatch(number) is None or digits in ("", ".")
            or tail is None):
        raise error(f"{shown} is not a number (try 1200, 1.2k, 12% or $1,200)")
    suffix, mark = tail
    if currency and unit not in (None, "currency"):
        raise error(f"{shown} has a currency sign but the metric is in {unit}")
    if mark == "%" and unit not in (None, "percent"):
        raise error(f"{shown} is a percentage but the metric is in {unit}")
    try:
        value = float(digits)
    except ValueError:
        raise error(f"{shown} is not a number") from None
    if suffix:
        value *= _SUFFIX[suffix]
    if mark == "%":
        value /= 100
    if sign == "-":
        value = -value
    if not math.isfinite(value):
        raise error(f"{shown} is too large to be a number")
    return value


Style = Literal["compact", "card", "full", "signed"]
STYLES: tuple[str, ...] = ("compact", "card", "full", "signed")
MISSING = "\u2014"  # —
MINUS = "\u2212"  # −
INFINITY = "\u221e"  # ∞
PLAIN_UNITS = frozenset({"", "number", "count"})
_SUFFIX_UNITS = {"percent": "%", "days": " d", "ratio": "x"}
_TIERS = ((1e3, "k"), (1e6, "M"), (1e9, "B"), (1e12, "T"))
_FULL_LIMIT = 1e15  # from here every style writes 1.5e15
_EXACT = Context(prec=400, rounding=ROUND_HALF_UP)  # room for every digit of a float
_SIGNIFICANT = {d: Context(prec=d, rounding=ROUND_HALF_UP) for d in (2, 3)}
_QUANTUM = [Decimal(1).scaleb(-d) for d in range(5)]  # 1, 0.1, ... 0.0001


def _rounded(x: float, decimals: int) -> str:
    """``x`` (>= 0) rounded half up to ``decimals`` places, grouped: ``_rounded(1234.5, 0)`` is
    ``'1,235'``; trailing zeros stay (``'0.50'``)."""
    q = Decimal(x).quantize(_QUANTUM[decimals], context=_EXACT)
    return f"{q:,f}"


def _trim(text: str) -> str:
    """``'1.50'`` -> ``'1.5'``, ``'2.00'`` -> ``'2'``."""
    return text.rstrip("0").rstrip(".") if "." in text else text


def _exponent(x: float, digits: int) -> int:
    """The decimal exponent of ``x`` (> 0) once rounded to ``digits`` significant digits."""
    return _SIGNIFICANT[digits].plus(Decimal(x)).adjusted()


def _scientific(x: float, digits: int) -> str:
    """``1.5e15``: ``digits`` significant digits, for numbers too large for a suffix."""
    d = _SIGNIFICANT[digits].plus(Decimal(x))
    e = d.adjusted()
    return f"{_trim(f'{d.scaleb(-e):f}')}e{e}"


def _value(text: str) -> float:
    return float(text.replace(",", ""))


def _short(x: float, digits: int = 3, most_decimals: int = 4) -> str:
    """``x`` (>= 0) with ``digits`` significant digits (at most ``most_decimals`` decimals), all
    whole-number digits below 10,000, a suffix above: ``_short(1234.5)`` is ``'1,235'``,
    ``_short(56400)`` is ``'56.4k'``, ``_short(0.0196)`` is ``'0.0196'``."""
    if x < 10_000:
        decimals = 0 if x == 0 else min(most_decimals, max(0, digits - 1 - _exponent(x, digits)))
        text = _trim(_rounded(x, decimals))
        if _value(text) < 10_000:
            return text
    tier = max(i for i, (limit, _) in enumerate(_TIERS) if x >= limit or i == 0)
    while tier < len(_TIERS) and x < _FULL_LIMIT:
        limit, suffix = _TIERS[tier]
        scaled = x / limit
        text = _trim(_rounded(scaled, max(0, digits - 1 - _exponent(scaled, digits))))
        if _value(text) < 1000:
            return text + suffix
        tier += 1  # rounds up into the next suffix
    return _scientific(x, digits)


def _full(x: float, decimals: int) -> str:
    """Every whole-number digit of ``x`` (>= 0), up to ``decimals`` decimals."""
    return _trim(_rounded(x, decimals)) if x < _FULL_LIMIT else _scientific(x, 3)


def _dollars(x: float, style: str) -> str:
    """``$47.25``, ``$120``, ``$4,700``, ``$56.4k``; in full style ``$1,234,567.89``."""
    if style == "full" and x >= _FULL_LIMIT:
        return "$" + _scientific(x, 3)
    if style == "full" or x < 1000:
        cents = _rounded(x, 2)
        whole = cents.removesuffix(".00")
        if style == "full" or _value(cents) < 1000:
            return "$" + whole
    if x < 10_000:
        whole = _rounded(x, 0)
        if _value(whole) < 10_000:
            return "$" + whole
    return "$" + _short(x)


def _magnitude(x: float, unit: str | None, style: str) -> tuple[str, str]:
    """The number part and the unit part of ``x`` (>= 0, finite) in ``style``."""
    full = style == "full"
    if unit == "currency":
        return _dollars(x, style), ""
    if unit == "percent":
        pct = x * 100
        mark = " pp" if style == "signed" else "%"
        if math.isinf(pct):
            return INFINITY, mark
        return (_full(pct, 2) if full else _short(pct, 3, 2)), mark
    text = _full(x, 4) if full else _short(x)
    if unit is None or unit in PLAIN_UNITS:
        return text, ""
    if unit in _SUFFIX_UNITS:
        return text, _SUFFIX_UNITS[unit]
    return text, "" if style == "card" else f" {unit}"


def _is_zero(text: str) -> bool:
    return not any(c in "123456789\u221e" for c in text)


def _with_sign(negative: bool, text: str, signed: bool) -> str:
    if _is_zero(text):
        return text
    if negative:
        return MINUS + text
    return "+" + text if signed else text


def finite_number(x: object) -> float | None:
    """``x`` as a finite float, or ``None`` (no number, NaN or an infinity): how every picture
    and the view's protocol read a missing number.

    >>> finite_number("12"), finite_number(float("inf")), finite_number(None)
    (12.0, None, None)
    """
    try:
        f = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None
    return f if math.isfinite(f) else None


def _finite(x: object) -> float | None:
    """``x`` as a float, or ``None`` when it is missing or not a number."""
    if x is None or isinstance(x, bool) or not isinstance(x, numbers.Real):
        return None
    try:
        value = float(x)
    except OverflowError:  # an int too large for a float
        value = -math.inf if x < 0 else math.inf
    return None if math.isnan(value) else value


def format_number(x: float | None, unit: str | None = None, style: Style = "compact") -> str:
    """A number for display, by unit and style (see the module's rules).

    ``style`` is ``"compact"`` (cards, tables, pictures), ``"card"`` (compact, a free-text unit
    left to the card's badge), ``"full"`` (every whole-number digit) or ``"signed"`` (a
    variance: always a sign, percent metrics in percentage points).

    >>> format_number(564000, "currency"), format_number(0.0196, "percent")
    ('$564k', '1.96%')
    >>> format_number(-117250, "currency"), format_number(1234567.891, "currency", "full")
    ('−$117k', '$1,234,567.89')
    >>> format_number(-0.005, "percent", "signed"), format_number(14.2, "sessions", "card")
    ('−0.5 pp', '14.2')
    >>> format_number(float("nan"), "count")
    '—'
    """
    if style not in STYLES:
        raise KPITreeError(f"format_number: style must be one of {', '.join(STYLES)}, "
                           f"got {show(style)}")
    value = _finite(x)
    if value is None:
        return MISSING
    if not isinstance(unit, str):  # a table's missing unit can be NaN
        unit = None
    signed = style == "signed"
    if math.isinf(value):
        return _with_sign(value < 0, INFINITY, signed)
    text, mark = _magnitude(abs(value), unit, style)
    return _with_sign(value < 0, text, signed) + mark


def format_change(pct: float | None) -> str:
    """A relative change already in percent units, short enough for a card: 2 significant
    digits, at most one decimal, always signed.

    >>> format_change(-4.25), format_change(-17.2), format_change(123.4), format_change(0.04)
    ('−4.3%', '−17%', '+123%', '0%')
    """
    value = _finite(pct)
    if value is None:
        return MISSING
    if math.isinf(value):
        return _with_sign(value < 0, INFINITY, True)
    return _with_sign(value < 0, _short(abs(value), 2, 1), True) + "%"
