"""The one exception type the package raises for bad input."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class KPITreeError(ValueError):
    """Bad input: a formula, a file, an API argument or an edit in the view.

    The message names the metric and the field at fault. Whatever raised it left the tree
    exactly as it was.

    >>> raise KPITreeError("metrics.win_rate.target: expected a number, got 'abc'")
    Traceback (most recent call last):
    ...
    kpitree_widget.errors.KPITreeError: metrics.win_rate.target: expected a number, got 'abc'

    The code that raises may also say where, as data (the view points at the field without
    reading it back out of the text): ``metric``, ``field`` and ``period``, ``None`` when not
    known.

    >>> err = KPITreeError("metrics.win_rate.target: 'abc' is not a number",
    ...                    metric="win_rate", field="target")
    >>> err.metric, err.field, err.period, str(err)
    ('win_rate', 'target', None, "metrics.win_rate.target: 'abc' is not a number")
    """

    def __init__(self, message: str = "", *, metric: str | None = None,
                 field: str | None = None, period: str | None = None) -> None:
        super().__init__(message)
        self.metric = metric
        self.field = field
        self.period = period


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ``", did you mean 'x'?"`` suffix for the closest choice, or ``""`` when none is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f", did you mean {close[0]!r}?" if close else ""


def hint(word: str, choices: Iterable[str]) -> str:
    """A ``" (did you mean 'x'?)"`` aside for the closest choice, or ``""`` when none is close.

    >>> hint("win_rat", ["win_rate", "acv"])
    " (did you mean 'win_rate'?)"
    """
    close = did_you_mean(word, choices)
    return f" ({close[2:]})" if close else ""


def show(x: object, limit: int = 60) -> str:
    """``repr(x)`` for a message, cut to ``limit`` characters."""
    text = repr(x)
    return text if len(text) <= limit else text[: limit - 1] + "…"
