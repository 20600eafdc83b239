"""The tree as an indented text outline: ``print(tree)`` in a terminal or a plain notebook.

Names, owners and the title come from files and people: each is put on one line with its
control characters shown as escapes (``\\x1b``), so printing a tree cannot steer the terminal.

The outline fits the width it has (:func:`output_width`: the terminal's width, ``$COLUMNS``,
or 80 columns in a notebook and wherever the output is not a terminal): owners, then names,
are shortened with an ellipsis rather than wrapped in the middle of a word.
"""

from __future__ import annotations

import os
import shutil
import sys
from typing import TYPE_CHECKING

from .engine import STATUS_LABELS
from .plaintext import visible_line
from .rows import tree_rows

if TYPE_CHECKING:
    from .rows import TreeRows
    from .tree import Tree

STATUS_MARK = {**STATUS_LABELS, "off_track": "OFF TRACK"}  # a miss stands out in plain text
DEFAULT_WIDTH = 80   # notebooks and pipes: what a notebook's output shows without wrapping
MIN_WIDTH = 40
MAX_LEFT = 70        # the tree and the names never take more than this
MIN_LEFT = 20
MIN_OWNER = 10


def output_width() -> int:
    """How many columns a printed outline may use: ``$COLUMNS`` when set, the terminal's width
    when the output is a terminal, else 80 (a notebook's output, a pipe, a file).

    >>> output_width() >= MIN_WIDTH
    True
    """
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return max(MIN_WIDTH, int(columns))
    stream = sys.stdout
    try:
        terminal = stream is not None and stream.isatty()
    except (AttributeError, ValueError):  # a closed or odd stream
        terminal = False
    if not terminal:  # a notebook kernel's stream, a pipe or a file
        return DEFAULT_WIDTH
    return max(MIN_WIDTH, shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns)


def _fit(text: str, room: int) -> str:
    """``text`` in at most ``room`` characters, an ellipsis marking a cut."""
    if len(text) <= room:
        return text
    return text[: max(0, room - 1)].rstrip() + "…"


def outline_text(tree: Tree, max_rows: int = 200, width: int | None = None) -> str:
    """An outline: one line per metric, the math beside computed metrics, value vs target,
    the status and the owner, every line at most ``width`` characters (default:
    :func:`output_width`).

    >>> print(outline_text(tree))  # doctest: +SKIP
    Acme revenue
    Revenue = customers * arpc                 $564k vs $681k  OFF TRACK  (CEO)
    ├── Customers = new_customers + …          4,700 vs 5,450  OFF TRACK  (COO)
    """
    width = output_width() if width is None else max(MIN_WIDTH, int(width))
    rows = tree_rows(tree)
    last_child = rows.last_children
    notes = _notes(tree, rows)
    prefixes: dict[str, str] = {}
    lines_left: list[str] = []
    for row in rows:
        metric_id, parent, link = row.id, row.parent, row.link
        if parent is None:
            branch, prefixes[metric_id] = "", ""
        else:
            is_last = last_child.get(parent) == metric_id
            base = prefixes.get(parent, "")
            mark = "── " if link == "formula" else "╌╌ "
            branch = base + ("└" if is_last else "├") + mark
            prefixes[metric_id] = base + ("    " if is_last else "│   ")
        math_text = f" = {row.formula}" if row.formula is not None else ""
        if link in ("hypothesis", "guard"):
            math_text += f"  ({link})"
        elif link == "detached":
            math_text += "  (not linked to the root)"
        if metric_id in notes:
            math_text += f"  ({notes[metric_id]})"
        lines_left.append(f"{branch}{visible_line(row.name)}{math_text}")
    numbers = [f"{row.value_text} vs {row.target_text}" for row in rows]
    statuses = [STATUS_MARK.get(row.status, row.status) for row in rows]
    owners = [visible_line(row.owner) if row.owner else "" for row in rows]
    num_w = max(len(s) for s in numbers)
    status_w = max(len(s) for s in statuses)
    fixed = 1 + num_w + 2 + status_w          # " numbers  status"
    left_w = min(MAX_LEFT, max(len(s) for s in lines_left) + 2)
    owner_w = max(len(s) for s in owners)
    if owner_w and left_w + fixed + 4 + owner_w > width:    # "  (owner)": shorten owners
        owner_w = max(MIN_OWNER, width - left_w - fixed - 4)
    if owner_w and left_w + fixed + 4 + owner_w > width:    # then the names
        left_w = max(MIN_LEFT, width - fixed - 4 - owner_w)
    if owner_w and left_w + fixed + 4 + owner_w > width:    # no room at all: no owners
        owner_w = 0
    if left_w + fixed + (4 + owner_w if owner_w else 0) > width:
        left_w = max(MIN_LEFT, width - fixed)
    if left_w + fixed > width:  # very wide numbers: the names give way further
        left_w = max(8, width - fixed)
    head = [_fit(visible_line(tree.name), width)] if tree.name else []
    body = []
    for left, number, status, owner in zip(lines_left, numbers, statuses, owners):
        who = f"  ({_fit(owner, owner_w)})" if owner and owner_w else ""
        body.append(f"{_fit(left, left_w):<{left_w}} {number:>{num_w}}  "
                    f"{status:<{status_w}}{who}".rstrip())
    if len(body) > max_rows:
        body = [*body[:max_rows], f"… and {len(body) - max_rows} more metrics"]
    return "\n".join(head + body)


def _notes(tree: Tree, rows: TreeRows) -> dict[str, str]:
    """Per metric, the links its place in the outline does not show: a second formula using
    it (``shared with …``), the metric it guards when it hangs elsewhere."""
    notes: dict[str, list[str]] = {}
    for link in rows.links_of(outline=False):
        if link.kind == "formula":
            notes.setdefault(link.target, []).append(
                f"also in {visible_line(tree.metrics[link.source].name)}")
        elif link.kind == "guard":
            notes.setdefault(link.source, []).append(
                f"guards {visible_line(tree.metrics[link.target].name)}")
    return {m: "; ".join(n) for m, n in notes.items()}
