"""The tree as an indented text outline: ``print(tree)`` in a terminal or a plain notebook.

Names, owners and the title come from files and people: each is put on one line with its
control characters shown as escapes (``\\x1b``), so printing a tree cannot steer the terminal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .engine import STATUS_LABELS
from .plaintext import visible_line
from .rows import tree_rows

if TYPE_CHECKING:
    from .tree import Tree

STATUS_MARK = {**STATUS_LABELS, "off_track": "OFF TRACK"}  # a miss stands out in plain text


def outline_text(tree: Tree, max_rows: int = 200) -> str:
    """An outline: one line per metric, the math beside computed metrics, value vs target.

    >>> print(outline_text(tree))  # doctest: +SKIP
    Acme revenue
    Revenue = customers * arpc                 $564k vs $681k  OFF TRACK  (CEO)
    ├── Customers = new_customers + …          4,700 vs 5,450  OFF TRACK  (COO)
    """
    rows = tree_rows(tree)
    last_child = rows.last_children
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
        lines_left.append(f"{branch}{visible_line(row.name)}{math_text}")
    width = min(70, max(len(s) for s in lines_left) + 2)
    head = [visible_line(tree.name)] if tree.name else []
    body = []
    for left, row in zip(lines_left, rows):
        left = left if len(left) <= width else left[: width - 1] + "…"
        numbers = f"{row.value_text} vs {row.target_text}"
        owner = f"  ({visible_line(row.owner)})" if row.owner else ""
        body.append(f"{left:<{width}} {numbers:>22}  {STATUS_MARK.get(row.status, row.status):<9}"
                    f"{owner}".rstrip())
    if len(body) > max_rows:
        body = [*body[:max_rows], f"… and {len(body) - max_rows} more metrics"]
    return "\n".join(head + body)
