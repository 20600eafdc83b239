"""Untrusted text made safe for plain-text outputs: terminals, JSON and spreadsheets.

Names, owners, notes and titles come from files and from people. Printed to a terminal, an
escape sequence in a name could recolour the screen, set the window title or hide lines; in a
CSV, a name starting with ``=`` would become a live formula when the file is opened in a
spreadsheet. Every text output of the package goes through these helpers:

- :func:`visible` / :func:`visible_line`: control characters shown as escapes (``\\x1b``);
- :func:`json_text` / :func:`escape_json_controls`: JSON whose control characters are all
  ``\\uXXXX`` escapes;
- :func:`spreadsheet_text`: a CSV or TSV cell that stays text.

>>> print(visible_line("Revenue \\x1b[2J"))
Revenue \\x1b[2J
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["FORMULA_START", "escape_json_controls", "json_text", "spreadsheet_text", "visible",
           "visible_line"]

# Characters that steer a terminal or reorder what it shows: C0 and C1 controls and DEL (ESC
# starts escape sequences; C1 CSI/OSC do the same in one byte), the bidirectional overrides and
# isolates, and lone surrogates (which no UTF-8 stream can carry).
_VISIBLE_NAMED = {"\t": "\\t", "\r": "\\r", "\n": "\\n"}
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\t\x85\u2028\u2029]")
_BLANKS = re.compile(" {2,}")


def _escape(ch: str) -> str:
    code = ord(ch)
    return _VISIBLE_NAMED.get(ch) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def _controls() -> list[str]:
    ranges = [(0x00, 0x1F), (0x7F, 0x9F), (0x61C, 0x61C), (0x200E, 0x200F), (0x2028, 0x2029),
              (0x202A, 0x202E), (0x2066, 0x2069), (0xD800, 0xDFFF)]
    return [chr(c) for lo, hi in ranges for c in range(lo, hi + 1)]


# str.translate tables (one pass in C): each control character to its visible escape (newline
# kept), and to its JSON escape (C0 controls other than those JSON escapes itself are absent).
_VISIBLE_TABLE = {ord(ch): _escape(ch) for ch in _controls() if ch != "\n"}
_JSON_TABLE = {ord(ch): f"\\u{ord(ch):04x}" for ch in _controls() if ord(ch) >= 0x7F}


def visible(text: object) -> str:
    """Untrusted text for a terminal or a text file: every control character shown as its
    escape (``\\x1b``, ``\\x9b``, ``\\u202e``, ``\\t``), so no name can move the cursor,
    recolour the screen, set the window title or reorder the line; newlines are kept.

    >>> visible("red\\x1b[31m \\x9b2J\\u202eevil\\nnext")
    'red\\\\x1b[31m \\\\x9b2J\\\\u202eevil\\nnext'
    """
    return str(text).translate(_VISIBLE_TABLE)


def visible_line(text: object) -> str:
    """:func:`visible` on one line: line breaks and tabs become blanks, runs of blanks one.

    >>> visible_line("Revenue\\n  \\x1b]0;title\\x07")
    'Revenue \\\\x1b]0;title\\\\x07'
    """
    line = _LINE_BREAKS.sub(" ", str(text)).translate(_VISIBLE_TABLE)
    return _BLANKS.sub(" ", line).strip(" ")


def escape_json_controls(text: str) -> str:
    """JSON text with the controls JSON leaves raw (DEL, C1, bidirectional overrides, line
    separators, lone surrogates) written as ``\\uXXXX`` escapes: still the same JSON value,
    but nothing in it can steer the terminal it is printed to. (They can only stand inside
    strings, where the escape means the same character.)

    >>> escape_json_controls('{"name": "a\\x9b2Jb"}')
    '{"name": "a\\\\u009b2Jb"}'
    """
    return text.translate(_JSON_TABLE)


def json_text(data: Any, indent: int | None = 2) -> str:
    """``data`` as JSON that keeps non-ASCII letters readable but escapes every control
    character (see :func:`escape_json_controls`)."""
    return escape_json_controls(json.dumps(data, indent=indent, ensure_ascii=False))


# What a spreadsheet reads as the start of a formula (or a DDE command) when it opens a CSV,
# TSV or workbook cell; fullwidth forms too, which some Excel builds read as their ASCII forms.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d",
                 "\uff20")


def spreadsheet_text(text: str) -> str:
    """A text cell for a CSV or TSV file that a spreadsheet keeps as text: text that would
    start a formula gets a leading apostrophe (what Excel itself shows for quoted text).

    >>> spreadsheet_text('=HYPERLINK("http://x")'), spreadsheet_text("Revenue")
    ('\\'=HYPERLINK("http://x")', 'Revenue')
    """
    return "'" + text if text.startswith(FORMULA_START) else text
