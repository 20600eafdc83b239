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

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import KPITreeError
from ..focus import focus_ids, with_context
from ..numbers import format_change, format_number
from ._common import (
    RELATION_SYMBOL,
    STATUS_STYLE,
    clean,
    edge_symbols,
    is_number,
    one_line,
    text_or_none,
    wrap,
)

if TYPE_CHECKING:
    import graphviz

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


# ---------------------------------------------------------------------------- the picture


def to_graphviz(
    tree: Any,
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
    (``+``/``−`` in a sum, ``×`` in a product, ``×``/``÷`` in a ratio, ``f`` otherwise);
    hypotheses are dashed and carry their sign.
    """
    import graphviz

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

    focused = focus_ids(tree, focus) if focus is not None else None

    df = tree.rollup(period=period, scenario=scenario)
    outline = tree.outline()
    context: set[str] = set()
    if focused is not None:
        drawn = with_context(tree, focused)
        context = drawn.difference(focused)
        outline = [row for row in outline if row[0] in drawn]
    level = {m: lvl for m, _, lvl, _ in outline}
    visible = {m for m in level if max_level is None or level[m] <= max_level}
    hidden_below = _hidden_counts(outline, visible)
    marks = _findings_by_metric(tree, findings)

    dot = graphviz.Digraph("kpitree", engine="dot")
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

    for metric_id, *_ in outline:
        if metric_id not in visible:
            continue
        row = df.loc[metric_id]
        metric = tree.metrics[metric_id]
        status = row["status"] if row["status"] in STATUS_STYLE else "undefined"
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
                dot.edge(node_id(metric_id), node_id(child), label=f" {symbol} ",
                         tooltip=esc_string(f"{metric.name} ({metric.relation}) ← "
                                            f"{tree.metrics[child].name}"), **muted_edge)
    for h in tree.hypotheses:
        if h.driver in visible and h.outcome in visible:
            sign = "+" if h.sign == "+" else "−"
            note = f": {h.note}" if h.note else ""
            dot.edge(node_id(h.outcome), node_id(h.driver), label=f" hypothesis {sign} ",
                     style="dashed", color="#7A7A7A", fontcolor="#555555", fontsize="9",
                     tooltip=esc_string(f"{tree.metrics[h.driver].name} is believed to move "
                                        f"{tree.metrics[h.outcome].name} ({sign}){note}"))
    if legend:
        with dot.subgraph(name="legend") as key:
            key.attr(rank="sink")
            key.node("__legend", label=_legend(bool(context)), shape="plaintext", style="",
                     penwidth="0",
                     tooltip=esc_string("Legend"))
    return dot


def _label(row: Any, metric: Any, fields: Sequence[str], status: str, hidden: int,
           marks: list[Any], muted: bool = False) -> str:
    style = STATUS_STYLE[status]
    grey = CONTEXT_STYLE["text"] if muted else "#444444"
    if muted:  # a context card: every piece of text grey, the status still in words
        style = {**style, "text": CONTEXT_STYLE["text"]}
    rows = [f'<TR><TD><B><FONT POINT-SIZE="12">{html_lines(row["name"])}</FONT></B></TD></TR>']
    unit = text_or_none(row["unit"])
    shown_numbers = False
    for field in fields:
        if field in ("value", "target"):
            if shown_numbers:
                continue
            shown_numbers = True
            value = html(format_number(row["value"], unit))
            target = html(format_number(row["target"], unit))
            if "value" in fields and "target" in fields:
                text = f"{value} vs {target}"
            else:
                text = value if "value" in fields else f"target {target}"
            rows.append(f"<TR><TD>{text}</TD></TR>")
            rows.append(_status_row(row, style))
        elif field == "variance":
            pct = row["variance_pct"]
            if is_number(pct):
                rows.append(f'<TR><TD><FONT POINT-SIZE="10">{format_change(pct)} vs target'
                            "</FONT></TD></TR>")
        elif field == "status":
            if not shown_numbers:
                rows.append(_status_row(row, style))
        elif field == "formula":
            formula = text_or_none(row["formula"])
            if formula:
                rows.append(f'<TR><TD><FONT POINT-SIZE="10" FACE="Courier,monospace">= '
                            f"{html_lines(formula, 36)}</FONT></TD></TR>")
        else:  # owner, team, cadence
            extra = text_or_none(row[field])
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


def _status_row(row: Any, style: dict[str, str]) -> str:
    text = style["label"].upper()
    pct = row["variance_pct"]
    if is_number(pct) and row["status"] in ("on_track", "at_risk", "off_track"):
        text += f"  {format_change(pct)}"
    return (f'<TR><TD><FONT POINT-SIZE="9" COLOR="{style["text"]}"><B>{html(text)}</B>'
            "</FONT></TD></TR>")


def _tooltip(row: Any, metric: Any, marks: list[Any], muted: bool = False) -> Any:
    lines = [one_line(row["name"]) + (" (context: on the way to the root)" if muted else "")]
    formula = text_or_none(row["formula"])
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


def _findings_by_metric(tree: Any, findings: bool | Iterable[Any]) -> dict[str, list[Any]]:
    if findings is False or findings is None:
        return {}
    found = tree.check() if findings is True else list(findings)
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
             "f formula · dashed = hypothesis"
             + (" · grey cards: context on the way to the root" if context else "")
             + "</FONT></TD>")
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4">'
            f"<TR>{''.join(cells)}</TR><TR>{links}</TR></TABLE>>")


# ---------------------------------------------------------------------------- files


def render(tree: Any, path: str | Path, **options: Any) -> Path:
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
