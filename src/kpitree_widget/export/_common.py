"""What the exporters share: cleaning untrusted text, status colours, edge symbols."""

from __future__ import annotations

import math
import re
import textwrap
from typing import TYPE_CHECKING, Any

from ..engine import STATUS_LABELS
from ..formula import Bin, Neg, Node, Ref
from ..palette import STATUS_COLOURS

if TYPE_CHECKING:
    from ..metric import Metric

# The package's status palette (Okabe-Ito strong colours as borders, light tints of them as
# fills, dark shades for words); every status also shows as words, so colour is never the only
# signal.
STATUS_STYLE: dict[str, dict[str, str]] = {
    status: {"border": c.strong, "fill": c.fill, "text": c.text, "label": STATUS_LABELS[status]}
    for status, c in STATUS_COLOURS.items()
}
STATUSES = tuple(STATUS_STYLE)

# links that are not arithmetic: hypotheses grey and dashed, guards indigo and dotted (apart
# from the status colours)
HYPOTHESIS_COLOUR = "#7A7A7A"
GUARD_COLOUR = "#5B5EA6"

RELATION_SYMBOL = {"sum": "Σ", "product": "×", "ratio": "÷", "formula": "f"}

_NEWLINES = re.compile(r"\r\n|\r|\n|\u2028|\u2029|\x85")


def clean(text: object) -> str:
    """Untrusted text made printable: control characters become spaces, lone surrogates and
    non-characters (which no XML or UTF-8 file may hold) become U+FFFD. Newlines are kept."""
    text = _UNPRINTABLE.sub("\ufffd", _CONTROLS.sub(" ", str(text)))
    return _NEWLINES.sub("\n", text)


# the Unicode category Cc (C0, DEL, C1) but the newline; lone surrogates and non-characters
_CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")
_UNPRINTABLE = re.compile("[\ud800-\udfff\ufffe\uffff]")


def one_line(text: object) -> str:
    """Cleaned text on one line: newlines and runs of blanks become single spaces."""
    return " ".join(clean(text).split())


def wrap(text: object, width: int = 28) -> list[str]:
    """Cleaned text wrapped at ``width`` characters; explicit newlines start a new line and
    words longer than ``width`` are cut."""
    lines: list[str] = []
    for part in clean(text).split("\n"):
        part = " ".join(part.split())
        if part:
            lines.extend(textwrap.wrap(part, width=width, break_long_words=True,
                                       break_on_hyphens=False))
    return lines or [""]


def is_number(x: Any) -> bool:
    """A real, non-NaN number (pandas gives NaN for gaps)."""
    return isinstance(x, (int, float)) and not isinstance(x, bool) and not math.isnan(x)


def text_or_none(x: Any) -> str | None:
    """A rollup cell as text: ``None`` for gaps (None, NaN, empty)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    text = str(x)
    return text if text.strip() else None


def edge_symbols(metric: Metric) -> dict[str, str]:
    """How each child enters a metric's formula, as a symbol for its edge.

    Sums give ``+`` or ``−`` per term, products ``×``, ratios ``×`` for the numerator and ``÷``
    for the denominator; anything else ``f``.
    """
    parsed = metric.parsed
    if parsed is None:
        return {}
    relation = parsed.relation
    if relation == "product":
        return {c: "×" for c in parsed.children}
    if relation in ("sum", "ratio"):
        found: dict[str, set[str]] = {}
        plus, minus = ("+", "−") if relation == "sum" else ("×", "÷")
        flip = "-" if relation == "sum" else "/"

        def walk(node: Node, positive: bool) -> None:
            if isinstance(node, Ref):
                found.setdefault(node.name, set()).add(plus if positive else minus)
            elif isinstance(node, Bin):
                walk(node.left, positive)
                walk(node.right, positive if node.op != flip else not positive)
            elif isinstance(node, Neg):
                walk(node.operand, not positive)

        walk(parsed.ir, True)
        return {c: (next(iter(s)) if len(s) == 1 else "±") for c, s in found.items()}
    return {c: "f" for c in parsed.children}
