"""A focus: some metrics of the tree, drawn with the ancestors that connect them to the root.

The graphviz picture (``to_graphviz(focus=...)``), the widget (``TreeWidget(focus=...)``) and
a review (``tree.review("weekly").widget()``) show the focus metrics plus every metric on the
way up to the root (*context*, drawn muted) and leave the rest of the tree out.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .errors import KPITreeError, hint

if TYPE_CHECKING:
    from .tree import Tree


def focus_ids(tree: Tree, focus: Any, where: str = "focus") -> list[str]:
    """The focus as a list of metric ids, in the order given, each once. A single id may be
    given as a string. Anything that is not an id of the tree is a :class:`KPITreeError`
    naming every such id (with the closest id when one is close)."""
    if isinstance(focus, str):
        focus = [focus]
    if not isinstance(focus, Iterable) or isinstance(focus, (bytes, dict)):
        raise KPITreeError(f"{where}: expected a list of metric ids, got {focus!r}")
    ids: list[str] = []
    unknown: list[str] = []
    for item in focus:
        if not isinstance(item, str) or item not in tree.metrics:
            unknown.append(repr(item) + hint(str(item), tree.metrics))
        elif item not in ids:
            ids.append(item)
    if unknown:
        noun = "metric" if len(unknown) == 1 else "metrics"
        raise KPITreeError(f"{where}: unknown {noun} {', '.join(unknown)}")
    return ids


def with_context(tree: Tree, ids: Iterable[str]) -> set[str]:
    """``ids`` plus every metric between them and the root (outline parents: formula,
    hypothesis and guard links), plus the root itself, so a drawing of them stays connected.
    ``ids`` must be metric ids of the tree (see :func:`focus_ids`)."""
    parents = {m: p for m, p, _, _ in tree.outline()}
    shown = {tree.root}
    for metric_id in ids:
        node: str | None = metric_id
        while node is not None and node not in shown:
            shown.add(node)
            node = parents.get(node)
    return shown
