"""Period labels: any ordered index; monthly ``pandas.Period`` labels are the common case.

Periods are kept as their text (``"2026-03"``), so files stay readable and a ``pandas.Period``,
a ``datetime.date`` or a string name the same period.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# A number given for every period: a float; a number per period: {period label: float}.
Numbers = float | dict[str, float] | None


def period_key(period: Any) -> str:
    """The label of a period: ``pandas.Period('2026-03', 'M')``, ``'2026-03'`` -> ``'2026-03'``."""
    if isinstance(period, str):
        return period.strip()
    if isinstance(period, (int,)) and not isinstance(period, bool):
        return str(period)
    if hasattr(period, "strftime") and not hasattr(period, "freqstr"):
        # a date or timestamp: keep the day only when it is not the first of a month
        return period.strftime("%Y-%m") if period.day == 1 else period.strftime("%Y-%m-%d")
    return str(period)


def order_periods(labels: Iterable[str]) -> list[str]:
    """Labels in time order when they read as dates or periods, in numeric order when they
    read as numbers, else in the order given (each label once)."""
    unique = list(dict.fromkeys(labels))
    if len(unique) < 2:
        return unique
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
