"""One row per drawn metric: what every picture of the tree draws from.

The outline, the static picture, graphviz, Markdown, Mermaid, the command line's tables and the
widget all need the same join: the outline (who sits under whom, by which link), the rolled-up
numbers of one period and layer, the status, and a focus (some metrics plus the ones that
connect them to the root). :func:`tree_rows` makes that join once; each renderer only lays the
rows out. Numbers read the same everywhere because every row formats them with the one
formatter, :func:`kpitree_widget.numbers.format_number`.

>>> import kpitree_widget as kt
>>> tree = kt.KPITree.from_dict({"metrics": {
...     "revenue": {"formula": "customers * arpc", "unit": "currency"},
...     "customers": {"value": 4700, "target": 5000},
...     "arpc": {"value": 120, "target": 125, "unit": "currency"}}})
>>> rows = tree_rows(tree)
>>> [(r.id, r.level, r.link) for r in rows]
[('revenue', 0, 'root'), ('customers', 1, 'formula'), ('arpc', 1, 'formula')]
>>> rows["revenue"].value_text, rows["revenue"].target_text, rows["revenue"].status
('$564k', '$625k', 'off_track')
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, overload

from .focus import focus_ids, with_context
from .numbers import finite_number as _finite
from .numbers import format_change, format_number

if TYPE_CHECKING:
    from .metric import Metric
    from .tree import Tree

__all__ = ["Link", "Row", "TreeRows", "tree_rows"]

LINK_KINDS = ("formula", "hypothesis", "guard")


@dataclass(frozen=True, slots=True)
class Row:
    """One metric as drawn: where it sits, its numbers for one period and layer, its status.

    ``value``, ``target``, ``implied_target``, ``variance`` and ``variance_pct`` are floats
    (NaN where there is no number); ``*_text`` give them as every picture shows them.
    ``context`` marks a metric drawn only to connect a focus to the root.
    """

    metric: Metric
    parent: str | None
    level: int
    link: str
    value: float
    target: float
    implied_target: float
    explicit_target: bool
    variance: float
    variance_pct: float
    status: str
    context: bool = False

    @property
    def id(self) -> str:
        return self.metric.id

    @property
    def name(self) -> str:
        return self.metric.name

    @property
    def unit(self) -> str | None:
        return self.metric.unit

    @property
    def owner(self) -> str | None:
        return self.metric.owner

    @property
    def formula(self) -> str | None:
        """The formula as people read it (``None`` for an input)."""
        return self.metric.parsed.display() if self.metric.parsed else None

    @property
    def is_input(self) -> bool:
        return self.metric.is_input

    @property
    def value_text(self) -> str:
        return format_number(_finite(self.value), self.unit)

    @property
    def target_text(self) -> str:
        return format_number(_finite(self.target), self.unit)

    @property
    def variance_text(self) -> str:
        """The variance (value - target) in the metric's unit, signed (percent metrics in
        percentage points); ``""`` without one."""
        x = _finite(self.variance)
        return "" if x is None else format_number(x, self.unit, "signed")

    @property
    def variance_pct_text(self) -> str:
        """The variance in percent of the target, signed and short (``−6.2%``, ``−17%``);
        ``""`` without one."""
        x = _finite(self.variance_pct)
        return "" if x is None else format_change(x)

    def number(self, name: str) -> float | None:
        """A number of the row by column name, ``None`` when it is not a finite number."""
        return _finite(getattr(self, name))


@dataclass(frozen=True, slots=True)
class Link:
    """One link between two drawn metrics, pointing the way it reads.

    - ``formula``: ``source`` (a computed metric) uses ``target`` in its formula;
    - ``hypothesis``: ``source`` (the driver) is believed to move ``target``;
    - ``guard``: ``source`` (a guard metric) guards ``target`` (kept in check beside it).

    ``outline`` says the outline draws it: ``target`` (formula) or ``source`` (hypothesis,
    guard) hangs under the other end by this link. A link with ``outline`` false is drawn
    across the outline: a *shared* input's link to its second parent, a guard or a driver
    placed elsewhere.
    """

    source: str
    target: str
    kind: str
    outline: bool
    sign: str = ""

    @property
    def shared(self) -> bool:
        """A formula link to an input or metric placed under another parent."""
        return self.kind == "formula" and not self.outline


@dataclass(frozen=True)
class TreeRows(Sequence[Row]):
    """The rows of a tree in outline order (root first, depth-first), for one period and
    layer; index by position or by metric id."""

    rows: tuple[Row, ...]
    period: str | None
    scenario: str | None
    total: int
    links: tuple[Link, ...] = ()
    _by_id: dict[str, Row] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id.update((r.id, r) for r in self.rows)

    @overload
    def __getitem__(self, key: int) -> Row: ...
    @overload
    def __getitem__(self, key: slice) -> Sequence[Row]: ...
    @overload
    def __getitem__(self, key: str) -> Row: ...
    def __getitem__(self, key: int | slice | str) -> Row | Sequence[Row]:
        if isinstance(key, str):
            return self._by_id[key]
        return self.rows[key]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __contains__(self, key: object) -> bool:
        return key in self._by_id

    @property
    def ids(self) -> list[str]:
        return [r.id for r in self.rows]

    @property
    def last_children(self) -> dict[str | None, str]:
        """Per parent id, its last drawn child (for tree-drawing prefixes)."""
        out: dict[str | None, str] = {}
        for r in self.rows:
            out[r.parent] = r.id
        return out

    def links_of(self, kind: str | None = None, outline: bool | None = None) -> list[Link]:
        """The links of one ``kind`` (all for ``None``), those the outline draws
        (``outline=True``), those across it (``False``) or both (``None``)."""
        return [x for x in self.links if (kind is None or x.kind == kind)
                and (outline is None or x.outline == outline)]


def tree_rows(tree: Tree, period: Any = None, scenario: str | None = None,
              focus: Iterable[str] | None = None) -> TreeRows:
    """The rows of ``tree`` for ``period`` (default: the last) and ``scenario`` (default: the
    plan). ``focus`` (metric ids) keeps those, the metrics between them and the root (marked
    ``context``) and the root, in outline order."""
    df = tree.rollup(period=period, scenario=scenario)
    outline = tree.outline()
    shown: set[str] | None = None
    focused: set[str] = set()
    if focus is not None:
        focused = set(focus_ids(tree, focus))
        shown = with_context(tree, focused)
    explicit = tree.explicit_targets(period) if scenario is None else {}
    columns = {c: df[c].tolist() for c in ("value", "target", "implied_target", "variance",
                                           "variance_pct", "status")}
    metrics = tree.metrics
    rows = tuple(
        Row(metric=metrics[metric_id], parent=parent, level=level, link=link,
            value=columns["value"][i], target=columns["target"][i],
            implied_target=columns["implied_target"][i],
            explicit_target=metric_id in explicit,
            variance=columns["variance"][i], variance_pct=columns["variance_pct"][i],
            status=str(columns["status"][i]),
            context=shown is not None and metric_id not in focused)
        for i, (metric_id, parent, level, link) in enumerate(outline)
        if shown is None or metric_id in shown)
    return TreeRows(rows, period=tree.period_label(period), scenario=scenario,
                    total=len(metrics), links=_links(tree, rows))


def _links(tree: Tree, rows: Sequence[Row]) -> tuple[Link, ...]:
    """Every formula, hypothesis and guard link whose two ends are drawn, in outline order of
    the end that hangs under the other."""
    placed = {r.id: (r.parent, r.link) for r in rows}
    out: list[Link] = []
    for row in rows:
        for child in row.metric.children:
            if child in placed:
                out.append(Link(row.id, child, "formula", placed[child] == (row.id, "formula")))
    for h in tree.hypotheses:
        if h.driver in placed and h.outcome in placed and h.driver != h.outcome:
            out.append(Link(h.driver, h.outcome, "hypothesis",
                            placed[h.driver] == (h.outcome, "hypothesis"),
                            "+" if h.sign == "+" else "-"))
    for row in rows:
        guarded = row.metric.guards
        if guarded is not None and guarded in placed and guarded != row.id:
            out.append(Link(row.id, guarded, "guard", placed[row.id] == (guarded, "guard")))
    return tuple(out)
