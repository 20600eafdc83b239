"""The tree as a graphviz picture: one card per metric, coloured by status.

>>> import kpitree_widget as kt
>>> tree = kt.KPITree.from_dict({"metrics": {
...     "revenue": {"formula": "customers * arpc", "unit": "currency"},
...     "customers": {"value": 4700, "target": 5000},
...     "arpc": {"value": 120, "target": 125, "unit": "currency"}}})
>>> dot = tree.to_graphviz(direction="LR")
>>> print(dot.source.splitlines()[0])
digraph kpitree {

Every piece of text from the tree (names, owners, notes) goes into HTML-like labels with ``&``,
``<``, ``>``, ``"`` and ``\\`` escaped, so no name can break the DOT source or add markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import graphviz

from ..errors import KPITreeError
from ..rows import tree_rows
from ._common import (
    GUARD_COLOUR,
    HYPOTHESIS_COLOUR,
    RELATION_SYMBOL,
    STATUS_STYLE,
    clean,
    edge_symbols,
    one_line,
    text_or_none,
    wrap,
)

if TYPE_CHECKING:
    from ..metric import Metric
    from ..rows import Link, Row
    from ..tree import Tree

FIELDS = ("value", "target", "variance", "status", "owner", "formula", "team", "cadence")
DEFAULT_FIELDS = ("value", "target", "owner")
DIRECTIONS = ("TB", "LR", "BT", "RL")
FORMATS = ("svg", "png", "pdf", "dot")
FONT = "Helvetica,Arial,sans-serif"
WRAP = 28
# context cards (ancestors drawn only to connect a focus to the root): muted, so the focus stands
# out; the status is still written on them
CONTEXT_STYLE = {"fill": "#FAFAFA", "border": "#C8C8C8", "text": "#8C8C8C", "edge": "#BBBBBB"}
INSTALL_HINT = ("the Graphviz 'dot' program is needed to draw the picture; install it with "
                "'apt-get install graphviz' (Debian/Ubuntu), 'brew install graphviz' (macOS), "
                "'conda install -c conda-forge graphviz' or from https://graphviz.org/download/")


# ---------------------------------------------------------------------------- escaping


_HTML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                               "'": "&#39;", "\\": "&#92;&#92;"})


def html(text: object) -> str:
    """Text for an HTML-like graphviz label: XML-escaped, backslashes doubled (graphviz reads
    ``\\N``, ``\\G``, ``\\L`` in labels even inside HTML), control characters dropped, newlines
    as spaces (use :func:`html_lines` to keep them)."""
    return one_line(text).translate(_HTML_ESCAPES)


def html_lines(text: object, width: int = WRAP) -> str:
    """Text wrapped at ``width`` characters, each line escaped, joined by ``<BR/>``."""
    return '<BR ALIGN="CENTER"/>'.join(html(line) for line in wrap(text, width))


def esc_string(text: object, limit: int = 500) -> Any:
    """Text for a plain (quoted) DOT attribute such as a tooltip: backslashes and quotes
    escaped, ``&`` pre-escaped (dot passes entity-like text through to SVG), newlines as
    ``\\n``. Marked so the graphviz package quotes it and never reads it as HTML."""
    from graphviz import nohtml

    text = clean(text)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    text = (text.replace("\\", "\\\\").replace('"', '\\"').replace("&", "&amp;")
            .replace("<", "&lt;").replace(">", "&gt;").replace("\n", "\\n"))
    return nohtml(text)


def node_id(metric_id: str) -> Any:
    """A DOT node id: metric ids are snake_case, quoted anyway (``node``, ``edge`` and
    ``graph`` are DOT keywords)."""
    from graphviz import nohtml

    return nohtml(str(metric_id).replace("\\", "\\\\").replace('"', '\\"'))


# ---------------------------------------------------------------------------- fitting the width

_SVG_TAG = re.compile(r"<svg\b[^>]*>")
FIT_STYLE = "max-width:100%;height:auto"


def fit_svg(svg: str) -> str:
    """An SVG that scales down to the width it is shown in (a notebook's output, an HTML page)
    and never up: its natural size stays in ``width``/``height``, a ``max-width:100%`` style
    with ``height:auto`` lets the ``viewBox`` keep its proportions.

    >>> fit_svg('<svg width="1505pt" viewBox="0 0 1505 400"></svg>')
    '<svg width="1505pt" viewBox="0 0 1505 400" style="max-width:100%;height:auto"></svg>'
    """
    match = _SVG_TAG.search(svg)
    if match is None or FIT_STYLE in match.group(0):
        return svg
    tag = match.group(0)
    fitted = tag[:-1].rstrip("/").rstrip() + f' style="{FIT_STYLE}"' + ("/>" if tag.endswith(
        "/>") else ">")
    return svg[: match.start()] + fitted + svg[match.end():]


class TreeDigraph(graphviz.Digraph):
    """A ``graphviz.Digraph`` whose SVG (``pipe(format="svg")``, and the picture a notebook
    shows) scales down to the width it is shown in (:func:`fit_svg`)."""

    def pipe(self, format: str | None = None, *args: Any, **kwargs: Any) -> Any:
        out = super().pipe(format, *args, **kwargs)
        if (format or self.format) != "svg":
            return out
        if isinstance(out, bytes):
            return fit_svg(out.decode("utf-8")).encode("utf-8")
        return fit_svg(out)


# ---------------------------------------------------------------------------- the picture


def to_graphviz(
    tree: Tree,
    direction: str = "TB",
    fields: Sequence[str] = DEFAULT_FIELDS,
    max_level: int | None = None,
    period: Any = None,
    scenario: str | None = None,
    findings: bool | Iterable[Any] = False,
    legend: bool = False,
    title: str | None = None,
    focus: Iterable[str] | None = None,
) -> graphviz.Digraph:
    """The tree as a ``graphviz.Digraph``.

    - ``direction``: ``"TB"`` (root on top) or ``"LR"`` (root on the left); ``BT``/``RL`` too.
    - ``fields``: what each card shows below the name, in order, from ``value``, ``target``,
      ``variance``, ``status``, ``owner``, ``formula``, ``team``, ``cadence``. ``value`` and
      ``target`` share a line (``$564k vs $681k``); the status is always written beside them.
    - ``max_level``: draw levels ``0..max_level`` only; a card with hidden metrics below it
      says ``+N more``.
    - ``period``, ``scenario``: which numbers to show (as in ``rollup``).
    - ``findings``: ``True`` runs ``tree.check()`` and marks the cards it points at; a list of
      findings marks those.
    - ``legend``: add a key to the status colours and link styles.
    - ``title``: the caption (default: the tree's name).
    - ``focus``: metric ids (a review's ``metrics``, say): draw only those, the ancestors that
      connect them to the root and the root, and the links among them. The ancestors that are
      not in the focus are context: grey text on a pale card, so the focus stands out.
      An id not on the tree is a :class:`KPITreeError`.

    Edges run from a metric to its children, labelled by how the child enters the formula
    (``+``/``−`` in a sum, ``×`` in a product, ``×``/``÷`` in a ratio, ``f`` otherwise); an
    input shared by two formulas has an edge from each. Hypotheses are dashed, carry their
    sign and point from the driver to the metric it is believed to move. A guard metric is
    linked to the metric it guards by a dotted indigo line labelled ``guard``.
    """

    direction = str(direction).upper()
    if direction not in DIRECTIONS:
        raise KPITreeError(f"direction: expected one of {', '.join(DIRECTIONS)}, "
                           f"got {direction!r}")
    if isinstance(fields, str):
        fields = (fields,)
    unknown = [f for f in fields if f not in FIELDS]
    if unknown:
        raise KPITreeError(f"fields: unknown field {unknown[0]!r} "
                           f"(fields: {', '.join(FIELDS)})")
    if max_level is not None and (isinstance(max_level, bool) or not isinstance(max_level, int)
                                  or max_level < 0):
        raise KPITreeError(f"max_level: expected a whole number >= 0, got {max_level!r}")

    rows = tree_rows(tree, period=period, scenario=scenario, focus=focus)
    outline = [(r.id, r.parent, r.level, r.link) for r in rows]
    context = {r.id for r in rows if r.context}
    level = {m: lvl for m, _, lvl, _ in outline}
    visible = {m for m in level if max_level is None or level[m] <= max_level}
    hidden_below = _hidden_counts(outline, visible)
    marks = _findings_by_metric(tree, findings)

    dot = TreeDigraph("kpitree", engine="dot")
    caption = title if title is not None else tree.name
    extra = []
    if period is not None:
        extra.append(f"period {period}")
    if scenario is not None:
        extra.append(f"scenario {scenario}")
    dot.attr("graph", rankdir=direction, nodesep="0.3", ranksep="0.55", fontname=FONT,
             labelloc="t", fontsize="18", pad="0.3")
    if caption or extra:
        parts = [f"<B>{html_lines(caption, 60)}</B>"] if caption else []
        if extra:
            parts.append(f'<FONT POINT-SIZE="11">{html(", ".join(extra))}</FONT>')
        dot.attr("graph", label="<" + "<BR/>".join(parts) + ">")
    dot.attr("node", shape="box", style="rounded,filled", fontname=FONT, fontsize="11",
             margin="0.12,0.06", penwidth="2")
    dot.attr("edge", fontname=FONT, fontsize="11", color="#555555", arrowsize="0.7")

    for row in rows:
        metric_id, metric = row.id, row.metric
        if metric_id not in visible:
            continue
        status = row.status if row.status in STATUS_STYLE else "undefined"
        style = STATUS_STYLE[status]
        node_marks = marks.get(metric_id, [])
        muted = metric_id in context
        label = _label(row, metric, fields, status, hidden_below.get(metric_id, 0), node_marks,
                       muted)
        tooltip = _tooltip(row, metric, node_marks, muted)
        attrs: dict[str, Any] = {"fillcolor": style["fill"], "color": style["border"],
                                 "tooltip": tooltip}
        if muted:
            attrs.update(fillcolor=CONTEXT_STYLE["fill"], color=CONTEXT_STYLE["border"],
                         fontcolor=CONTEXT_STYLE["text"], penwidth="1")
        if status == "missing":
            attrs["style"] = "rounded,filled,dashed"
        if any(_severity(f) == "error" for f in node_marks):
            attrs["penwidth"] = "3.5"
        dot.node(node_id(metric_id), label=label, **attrs)

    used_by: dict[str, list[str]] = {}
    for link in rows.links_of("formula"):
        used_by.setdefault(link.target, []).append(link.source)
    for metric_id, *_ in outline:
        metric = tree.metrics[metric_id]
        if metric_id not in visible or metric.is_input:
            continue
        symbols = edge_symbols(metric)
        for child in metric.children:
            if child in visible:
                symbol = symbols.get(child, RELATION_SYMBOL.get(metric.relation or "", "f"))
                muted_edge: dict[str, str] = (
                    {"color": CONTEXT_STYLE["edge"], "fontcolor": CONTEXT_STYLE["text"]}
                    if child in context else {})
                others = [tree.metrics[p].name for p in used_by.get(child, ())
                          if p != metric_id]
                shared = f" (shared: also used by {', '.join(others)})" if others else ""
                dot.edge(node_id(metric_id), node_id(child), label=f" {symbol} ",
                         tooltip=esc_string(f"{metric.name} ({metric.relation}) ← "
                                            f"{tree.metrics[child].name}{shared}"),
                         **muted_edge)
    notes = {(h.driver, h.outcome): h.note for h in tree.hypotheses}
    for link in rows.links_of("hypothesis"):
        driver, outcome = link.source, link.target
        if driver in visible and outcome in visible:
            sign = "+" if link.sign == "+" else "−"
            note = notes.get((driver, outcome))
            _cross_edge(dot, link, label=f" hypothesis {sign} ", style="dashed",
                        color=HYPOTHESIS_COLOUR, fontcolor="#555555", fontsize="9",
                        tooltip=esc_string(f"{tree.metrics[driver].name} is believed to move "
                                           f"{tree.metrics[outcome].name} ({sign})"
                                           + (f": {note}" if note else "")))
    for link in rows.links_of("guard"):
        if link.source in visible and link.target in visible:
            _cross_edge(dot, link, label=" guard ", style="dotted", dir="none",
                        color=GUARD_COLOUR, fontcolor=GUARD_COLOUR, fontsize="9",
                        penwidth="1.6",
                        tooltip=esc_string(f"{tree.metrics[link.source].name} guards "
                                           f"{tree.metrics[link.target].name}: it must not "
                                           "get worse while that one is pushed"))
    if legend:
        with dot.subgraph(name="legend") as key:
            key.attr(rank="sink")
            key.node("__legend", label=_legend(bool(context)), shape="plaintext", style="",
                     penwidth="0",
                     tooltip=esc_string("Legend"))
    return dot


def _cross_edge(dot: graphviz.Digraph, link: Link, **attrs: Any) -> None:
    """Draw a hypothesis or guard link from its ``source`` to its ``target``. Where the
    outline hangs the source under the target, the edge keeps that ranking (written from the
    target, drawn with the arrow at it: ``dir=back``); elsewhere it does not move the layout."""
    if link.outline:
        if attrs.get("dir") != "none":
            attrs["dir"] = "back"
        dot.edge(node_id(link.target), node_id(link.source), **attrs)
    else:
        dot.edge(node_id(link.source), node_id(link.target), constraint="false", **attrs)


def _label(row: Row, metric: Metric, fields: Sequence[str], status: str, hidden: int,
           marks: list[Any], muted: bool = False) -> str:
    style = STATUS_STYLE[status]
    grey = CONTEXT_STYLE["text"] if muted else "#444444"
    if muted:  # a context card: every piece of text grey, the status still in words
        style = {**style, "text": CONTEXT_STYLE["text"]}
    rows = [f'<TR><TD><B><FONT POINT-SIZE="12">{html_lines(row.name)}</FONT></B></TD></TR>']
    shown_numbers = False
    for field in fields:
        if field in ("value", "target"):
            if shown_numbers:
                continue
            shown_numbers = True
            value = html(row.value_text)
            target = html(row.target_text)
            if "value" in fields and "target" in fields:
                text = f"{value} vs {target}"
            else:
                text = value if "value" in fields else f"target {target}"
            rows.append(f"<TR><TD>{text}</TD></TR>")
            rows.append(_status_row(row, style))
        elif field == "variance":
            if row.variance_pct_text:
                rows.append(f'<TR><TD><FONT POINT-SIZE="10">{html(row.variance_pct_text)} '
                            "vs target</FONT></TD></TR>")
        elif field == "status":
            if not shown_numbers:
                rows.append(_status_row(row, style))
        elif field == "formula":
            formula = text_or_none(row.formula)
            if formula:
                rows.append(f'<TR><TD><FONT POINT-SIZE="10" FACE="Courier,monospace">= '
                            f"{html_lines(formula, 36)}</FONT></TD></TR>")
        else:  # owner, team, cadence
            extra = text_or_none(getattr(metric, field))
            if extra:
                rows.append(f'<TR><TD><FONT POINT-SIZE="10" COLOR="{grey}">'
                            f"{html_lines(extra)}</FONT></TD></TR>")
    if hidden:
        rows.append(f'<TR><TD><FONT POINT-SIZE="10" COLOR="{grey}"><I>+{hidden} more'
                    "</I></FONT></TD></TR>")
    if marks:
        worst = "error" if any(_severity(f) == "error" for f in marks) else "warning"
        colour = "#B00020" if worst == "error" else "#8A5F00"
        noun = "finding" if len(marks) == 1 else "findings"
        rows.append(f'<TR><TD><FONT POINT-SIZE="10" COLOR="{colour}"><B>! {len(marks)} {noun}'
                    f"</B></FONT></TD></TR>")
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
            + "".join(rows) + "</TABLE>>")


def _status_row(row: Row, style: dict[str, str]) -> str:
    text = style["label"].upper()
    if row.variance_pct_text and row.status in ("on_track", "at_risk", "off_track"):
        text += f"  {row.variance_pct_text}"
    return (f'<TR><TD><FONT POINT-SIZE="9" COLOR="{style["text"]}"><B>{html(text)}</B>'
            "</FONT></TD></TR>")


def _tooltip(row: Row, metric: Metric, marks: list[Any], muted: bool = False) -> Any:
    lines = [one_line(row.name) + (" (context: on the way to the root)" if muted else "")]
    formula = text_or_none(row.formula)
    if formula:
        lines.append(f"= {formula}")
    if metric.description:
        lines.append(one_line(metric.description))
    for f in marks:
        lines.append(f"[{_severity(f)}] {one_line(getattr(f, 'message', f))}")
    return esc_string("\n".join(lines))


def _hidden_counts(outline: list[tuple[str, str | None, int, str]],
                   visible: set[str]) -> dict[str, int]:
    """For each visible metric, how many hidden metrics hang below it in the outline."""
    parent = {m: p for m, p, _, _ in outline}
    counts: dict[str, int] = {}
    for m, *_ in outline:
        if m in visible:
            continue
        up = parent.get(m)
        while up is not None and up not in visible:
            up = parent.get(up)
        if up is not None:
            counts[up] = counts.get(up, 0) + 1
    return counts


def _severity(finding: Any) -> str:
    return str(getattr(finding, "severity", "warning"))


def _findings_by_metric(tree: Tree, findings: bool | Iterable[Any]) -> dict[str, list[Any]]:
    if findings is False or findings is None:
        return {}
    if findings is True:
        from ..health import check

        found: list[Any] = list(check(tree))
    else:
        found = list(findings)
    out: dict[str, list[Any]] = {}
    for f in found:
        metric = getattr(f, "metric", None)
        if isinstance(metric, str) and metric in tree.metrics:
            out.setdefault(metric, []).append(f)
    return out


def _legend(context: bool = False) -> str:
    cells = []
    for style in STATUS_STYLE.values():
        cells.append(f'<TD BGCOLOR="{style["fill"]}" COLOR="{style["border"]}" BORDER="2" '
                     f'CELLPADDING="4"><FONT POINT-SIZE="9" COLOR="{style["text"]}">'
                     f'{html(style["label"])}</FONT></TD>')
    links = ('<TD COLSPAN="5"><FONT POINT-SIZE="9">links: + − sum · × product · ÷ ratio · '
             "f formula · dashed = hypothesis (driver → outcome) · dotted = guard"
             + (" · grey cards: context on the way to the root" if context else "")
             + "</FONT></TD>")
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4">'
            f"<TR>{''.join(cells)}</TR><TR>{links}</TR></TABLE>>")


# ---------------------------------------------------------------------------- files


def render(tree: Tree, path: str | Path, **options: Any) -> Path:
    """Draw the tree into ``path``: ``.svg``, ``.png``, ``.pdf`` (needs Graphviz's ``dot``) or
    ``.dot`` (the DOT source). ``options`` go to :func:`to_graphviz`."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise KPITreeError(f"{path}: unknown picture type {path.suffix or '(none)'!r}; use "
                           + ", ".join("." + f for f in FORMATS))
    dot = to_graphviz(tree, **options)
    if fmt == "dot":
        path.write_text(dot.source, encoding="utf-8")
        return path
    if fmt == "png":
        dot.attr("graph", dpi="144")  # sharp on high-density screens and in slides
    path.write_bytes(pipe(dot, fmt))
    return path


def pipe(dot: graphviz.Digraph, fmt: str) -> bytes:
    """Run ``dot`` and return the picture; a missing Graphviz gives :class:`GraphvizMissing`
    with how to install it."""
    import graphviz

    try:
        return dot.pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise GraphvizMissing(INSTALL_HINT) from None


class GraphvizMissing(RuntimeError):
    """The Graphviz ``dot`` program is not installed (or not on ``PATH``)."""
