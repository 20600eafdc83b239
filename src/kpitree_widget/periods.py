"""Period labels: any ordered index; monthly ``pandas.Period`` labels are the common case.

Periods are kept as their text (``"2026-03"``), so files stay readable and a ``pandas.Period``,
a ``datetime.date`` or a string name the same period.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from .errors import KPITreeError

_ISO_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")

# A number given for every period: a float; a number per period: {period label: float}.
Numbers = float | dict[str, float] | None


def period_key(period: Any) -> str:
    """The label of a period, the one place every period label is made.

    A monthly ``pandas.Period``, a ``datetime.date``, a ``datetime.datetime`` or a
    ``pandas.Timestamp`` at midnight on the first of a month, and a YAML date such as
    ``2026-03-01`` all name the month ``'2026-03'``; other days keep the day (a daily
    ``pandas.Period`` always does), a time of day is kept; text is stripped.

    >>> import datetime as dt
    >>> period_key(dt.date(2026, 3, 1)), period_key(" 2026-03"), period_key(dt.date(2026, 3, 5))
    ('2026-03', '2026-03', '2026-03-05')
    """
    if isinstance(period, str):
        return period.strip()
    if isinstance(period, (int,)) and not isinstance(period, bool):
        return str(period)
    if hasattr(period, "strftime") and not hasattr(period, "freqstr"):
        if hasattr(period, "hour") and (period.hour, period.minute, period.second,
                                        getattr(period, "microsecond", 0)) != (0, 0, 0, 0):
            return period.strftime("%Y-%m-%dT%H:%M:%S")  # a time of day is kept
        # a date or timestamp: keep the day only when it is not the first of a month
        return period.strftime("%Y-%m") if period.day == 1 else period.strftime("%Y-%m-%d")
    return str(period)


def period_numbers(numbers: Mapping[Any, Any], where: str) -> dict[str, Any]:
    """``numbers`` keyed by :func:`period_key`; two keys that name the same period (``'2026-01'``
    and ``' 2026-01'``, or ``'2026-02'`` and ``date(2026, 2, 1)``) are refused, never merged.

    >>> period_numbers({"2026-01": 1, " 2026-01": 2}, "metrics.a.value")
    Traceback (most recent call last):
    ...
    kpitree_widget.errors.KPITreeError: metrics.a.value: the period labels '2026-01' and \
' 2026-01' both name period '2026-01'; keep one
    """
    out: dict[str, Any] = {}
    given: dict[str, Any] = {}
    for period, x in numbers.items():
        key = period_key(period)
        if not key:
            raise KPITreeError(f"{where}: a period label is empty")
        if key in out:
            raise KPITreeError(f"{where}: the period labels {given[key]!r} and {period!r} "
                               f"both name period {key!r}; keep one")
        out[key] = x
        given[key] = period
    return out


def iso_week(label: str) -> tuple[int, int] | None:
    """``(year, week)`` of an ISO week label such as ``2026-W01``, else None (also for a week
    the year does not have, such as ``2026-W54``).

    >>> iso_week("2026-W01"), iso_week("2026-01")
    ((2026, 1), None)
    """
    match = _ISO_WEEK.match(label) if isinstance(label, str) else None
    if match is None:
        return None
    year, week = int(match[1]), int(match[2])
    try:
        dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        return None
    return year, week


def week_thursday(label: str) -> dt.date:
    """The Thursday of an ISO week: the day that decides which month, quarter and year the
    week belongs to (the ISO 8601 rule: a week belongs to the year that holds its Thursday).

    >>> week_thursday("2026-W01"), week_thursday("2025-W01")
    (datetime.date(2026, 1, 1), datetime.date(2025, 1, 2))
    """
    week = iso_week(label)
    if week is None:
        raise KPITreeError(f"period: {label!r} is not an ISO week label such as 2026-W01")
    return dt.date.fromisocalendar(week[0], week[1], 4)


def order_periods(labels: Iterable[str]) -> list[str]:
    """Labels in time order when they read as dates, periods or ISO weeks (``2026-W01``), in
    numeric order when they read as numbers, else in the order given (each label once)."""
    unique = list(dict.fromkeys(labels))
    if len(unique) < 2:
        return unique
    weeks = [iso_week(label) for label in unique]
    if all(w is not None for w in weeks):
        return [label for _, label in sorted(zip(weeks, unique))]
    import pandas as pd

    try:
        parsed = [pd.Period(label) for label in unique]
        return [label for _, label in sorted(zip(parsed, unique))]
    except (ValueError, TypeError):
        pass
    try:
        numbers = [float(label) for label in unique]
        return [label for _, label in sorted(zip(numbers, unique))]
    except ValueError:
        return unique


def with_period(old: Numbers, label: str, number: float | None,
                periods: Iterable[str]) -> Numbers:
    """``old`` numbers with ``label``'s number set (``None``: removed). A number that held for
    every period first becomes one number per period of ``periods``; ``None`` when nothing is
    left."""
    per = dict(old) if isinstance(old, dict) else (
        dict.fromkeys(periods, old) if old is not None else {})
    if number is None:
        per.pop(label, None)
    else:
        per[label] = number
    return per or None
