"""Review views: the part of the tree each operating review looks at.

- weekly business review: leaves that move within a week (``lag_days`` under 7), and any
  metric reviewed daily or weekly (``cadence``);
- monthly operating review: levels 1 and 2, and any deeper metric that is off track;
- quarterly strategy review: the North Star and level 1, plan against actual;
- annual plan: every metric, each with a target that rolls up.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import KPITreeError, did_you_mean
from ..focus import with_context
from ..numbers import format_change, format_number

if TYPE_CHECKING:
    import graphviz
    import pandas as pd

    from ..tree import Tree
    from ..widget import TreeWidget

CADENCE_VIEWS = {
    "weekly": ("Weekly business review",
               "leaves that move within a week, and metrics reviewed daily or weekly: what "
               "changed and what we do this week"),
    "monthly": ("Monthly operating review",
                "level-1 and level-2 drivers, and every deeper metric off plan"),
    "quarterly": ("Quarterly strategy review",
                  "the North Star and its level-1 drivers, plan against actual"),
    "annual": ("Annual plan", "every metric and its target; the targets roll up to the root"),
}
SHOWN = ["name", "level", "value", "target", "variance_pct", "status", "owner"]


@dataclass(frozen=True, eq=False)
class Review:
    """The metrics a review covers: ``table`` (rollup columns, outline order), ``metrics``
    (their ids) and ``subtree`` (those ids and every metric between them and the root, so a
    drawing of them stays connected); ``tree`` is the tree it was taken from.

    ``review.to_graphviz()`` draws that subtree and ``review.widget()`` shows it in the
    interactive view, the metrics between the review's ones and the root muted."""

    cadence: str
    title: str
    description: str
    period: str | None
    table: pd.DataFrame = field(repr=False)
    subtree: list[str] = field(default_factory=list, repr=False)
    tree: Tree | None = field(default=None, repr=False)

    @property
    def metrics(self) -> list[str]:
        """Ids of the metrics this review covers, in outline order."""
        return [str(m) for m in self.table.index]

    @property
    def off_plan(self) -> list[str]:
        """The covered metrics that are off track or at risk."""
        status = self.table["status"]
        return [str(m) for m in self.table.index[status.isin(["off_track", "at_risk"])]]

    def to_graphviz(self, **options: Any) -> graphviz.Digraph:
        """The review as a graphviz picture: its metrics, the metrics that connect them to
        the root (muted) and the root; nothing else. ``options`` go to ``tree.to_graphviz``
        (``direction``, ``fields``, ...); the period defaults to the review's and the
        caption to the tree's name and the review's title."""
        from ..export.graphviz import to_graphviz

        tree = self._tree()
        options.setdefault("period", self.period)
        options.setdefault("title", " · ".join(t for t in (tree.name, self.title) if t))
        options.setdefault("focus", self.metrics)
        return to_graphviz(tree, **options)

    def widget(self, **options: Any) -> TreeWidget:
        """The review in the interactive view: ``TreeWidget(tree, focus=review.metrics)``,
        on the review's period. ``options`` go to :class:`TreeWidget`. Edits change the tree."""
        from ..widget import TreeWidget

        options.setdefault("period", self.period or "")
        options.setdefault("focus", self.metrics)
        return TreeWidget(self._tree(), **options)

    def _tree(self) -> Tree:
        if self.tree is None:
            raise KPITreeError("this review has no tree to draw; make it with tree.review(...)")
        return self.tree

    def _heading(self) -> str:
        when = f" ({self.period})" if self.period else ""
        return f"{self.title}{when}: {self.description}"

    def _display(self) -> pd.DataFrame:
        shown = self.table[[c for c in SHOWN if c in self.table.columns]].copy()
        units = self.table["unit"]
        for column in ("value", "target"):
            shown[column] = [format_number(x, u) for x, u in zip(self.table[column], units)]
        shown["variance_pct"] = [format_change(x) for x in self.table["variance_pct"]]
        return shown

    def __repr__(self) -> str:
        if self.table.empty:
            return f"{self._heading()}\n(no metric of the tree qualifies)"
        return f"{self._heading()}\n{self._display().to_string()}"

    def __str__(self) -> str:
        return self.__repr__()

    def _repr_html_(self) -> str:
        head = f"<p><strong>{html.escape(self._heading())}</strong></p>"
        if self.table.empty:
            return head + "<p>No metric of the tree qualifies.</p>"
        return head + str(self._display().to_html())


def _selected(cadence: str, frame: pd.DataFrame, lag_days: float) -> list[str]:
    rows = frame.itertuples()
    if cadence == "weekly":
        return [str(r.Index) for r in rows
                if (r.is_input and r.lag_days is not None and not _nan(r.lag_days)
                    and r.lag_days < lag_days) or r.cadence in ("daily", "weekly")]
    if cadence == "monthly":
        return [str(r.Index) for r in rows
                if 1 <= r.level <= 2 or (r.level > 2 and r.status == "off_track")]
    if cadence == "quarterly":
        return [str(r.Index) for r in rows if r.level <= 1]
    return [str(r.Index) for r in rows]


def _nan(x: Any) -> bool:
    return isinstance(x, float) and math.isnan(x)


def review(tree: Tree, cadence: str, period: Any = None, lag_days: float = 7) -> Review:
    """The view of the tree for one review cadence: ``weekly``, ``monthly``, ``quarterly`` or
    ``annual`` (see the module doc). ``period`` picks the period (default: the last).

    >>> tree.review("quarterly").metrics  # doctest: +SKIP
    ['revenue', 'customers', 'arpc']
    """
    if cadence not in CADENCE_VIEWS:
        raise KPITreeError(f"review: unknown cadence {cadence!r}"
                           f"{did_you_mean(str(cadence), CADENCE_VIEWS)} "
                           f"(cadences: {', '.join(CADENCE_VIEWS)})")
    frame = tree.rollup(period=period)
    ids = _selected(cadence, frame, lag_days)
    subtree = with_context(tree, ids) if ids else set()
    label = tree.period_label(period)
    title, description = CADENCE_VIEWS[cadence]
    return Review(cadence, title, description, label, frame.loc[ids],
                  [m for m in frame.index if m in subtree], tree=tree)
