"""Pieces of the Python and Markdown source a workshop notebook is written in.

The notebooks show numbers with :func:`kpitree_widget.numbers.format_number`, in prose (when the
notebook is made) and in the code cells (when they run): :func:`shown_in_code` writes the call.

>>> shown_in_code("planned", "percent", "win_rate")
"{format_number(planned, 'percent')}"
>>> literal(16000000.0), literal(0.93)
('16_000_000', '0.93')
"""

from __future__ import annotations

import json
import re
from typing import Any


def shown_in_code(expr: str, unit: str | None, metric_id: str) -> str:
    """A replacement field for a double-quoted f-string that shows ``expr`` in ``unit`` with
    ``format_number`` (imported by the notebook's first cell). A unit that cannot be written
    plainly inside the f-string is read from the tree (``metric_id``'s unit) instead.

    >>> shown_in_code("x", None, "a"), shown_in_code("x", 'in "quotes"', "a")
    ('{format_number(x)}', "{format_number(x, tree.metrics['a'].unit)}")
    """
    if unit is None:
        return f"{{format_number({expr})}}"
    if _PLAIN.fullmatch(unit):
        return f"{{format_number({expr}, '{unit}')}}"
    return f"{{format_number({expr}, tree.metrics['{metric_id}'].unit)}}"


_PLAIN = re.compile(r"[\w %$€£/.,-]*")


def literal(x: float) -> str:
    """A number as Python source people read easily: ``16_000_000``, ``0.93``.

    >>> literal(16000000.0), literal(0.93), literal(4.5)
    ('16_000_000', '0.93', '4.5')
    """
    if float(x).is_integer():
        return f"{int(x):_}"
    return repr(float(x))


def in_fstring(text: str) -> str:
    r"""Text to put inside a double-quoted f-string of generated code.

    >>> print(in_fstring('Rate "A" {x}'))
    Rate \"A\" {{x}}
    """
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("{", "{{")
            .replace("}", "}}").replace("\n", " "))


def cell_text(text: str) -> str:
    """Text safe inside a Markdown table cell.

    >>> cell_text("a | b")
    'a \\\\| b'
    """
    return text.replace("|", "\\|").replace("\n", " ")


def py_dict(value: dict[str, Any]) -> str:
    """A dict as Python source, one key per line (numbers, strings, lists).

    >>> print(py_dict({"name": "CSAT", "target": 0.9}))
    {
        "name": "CSAT",
        "target": 0.9,
    }
    """
    lines = ["{"]
    for key, v in value.items():
        text = literal(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else (
            json.dumps(v))
        lines.append(f'    "{key}": {text},')
    return "\n".join([*lines, "}"])


def in_words(formula: str, names: dict[str, str]) -> str:
    """A displayed formula with metric ids replaced by names.

    >>> in_words("customers * arpc", {"customers": "Customers", "arpc": "ARPC"})
    'Customers × ARPC'
    """
    text = re.sub(r"\b[a-z][a-z0-9_]*\b", lambda m: names.get(m.group(0), m.group(0)), formula)
    return text.replace(" * ", " × ").replace(" / ", " ÷ ")
