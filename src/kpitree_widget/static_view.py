"""A static picture of the tree for renderers without a kernel (nbconvert HTML, GitHub).

One SVG: the outline with its connectors (dashed for hypothesis links, with an arrow at the
metric the driver is believed to move; dotted indigo for guards; arcs on the left for the links
the outline cannot show, such as an input shared by two formulas), each metric's name,
value vs target, a status mark and the status in words, coloured by the package's status
palette (:mod:`~kpitree_widget.palette`, the colours of the Graphviz picture and the charts).
Plain markup only: no scripts, no styles that need a stylesheet, every piece of text passed
through :func:`html.escape`. Text uses ``currentColor`` so the picture reads on light and dark
pages alike; the status words sit on their own tinted badge, readable on either.

>>> import kpitree_widget as kt
>>> tree = kt.KPITree.from_dict({"metrics": {
...     "revenue": {"formula": "customers * arpc", "unit": "currency"},
...     "customers": {"value": 4700, "target": 5000},
...     "arpc": {"value": 120, "target": 125, "unit": "currency"}}})
>>> html = static_html(tree)
>>> html.startswith('<div class="kpitree-static"') and "<script" not in html
True
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import TYPE_CHECKING, Any

from .engine import STATUS_LABELS
from .palette import status_colours
from .rows import tree_rows

if TYPE_CHECKING:
    from .rows import Link, TreeRows

if TYPE_CHECKING:
    from .tree import Tree

ROW = 24          # px per metric
INDENT = 18       # px per level
NAME_RIGHT = 440  # names end before the numbers start
VALUE_RIGHT = 540
TARGET_RIGHT = 650
STATUS_LEFT = 666
WIDTH = 760
CHAR = 7.0        # average width of a 13px sans-serif character, for truncation
BADGE_PAD = 6     # px either side of the status words on their badge
GUTTER = 26       # px on the left for links drawn across the outline
GUARD = "#5B5EA6"  # guard links: indigo and dotted (as in graphviz and Mermaid)
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"


def _e(text: Any) -> str:
    return escape(str(text), quote=True)


def _clip(text: str, room: float) -> str:
    most = max(3, int(room / CHAR))
    return text if len(text) <= most else text[: most - 1] + "…"


# How each kind of link is stroked: formula links solid, hypotheses dashed with an arrow at the
# metric the driver is believed to move, guards dotted indigo without an arrow.
_LINK_STYLE = {
    "formula": 'stroke="currentColor" stroke-opacity="0.35"',
    "hypothesis": ('stroke="currentColor" stroke-opacity="0.45" stroke-dasharray="3 3" '
                   'marker-start="url(#kpitree-static-arrow)"'),
    "guard": f'stroke="{GUARD}" stroke-width="1.5" stroke-dasharray="1.5 3"',
}
_DEFS = ('<defs><marker id="kpitree-static-arrow" viewBox="0 0 10 10" refX="1" refY="5" '
         'markerWidth="6" markerHeight="6" orient="auto-start-reverse">'
         '<path d="M0,0L10,5L0,10z" fill="currentColor" fill-opacity="0.6"/></marker></defs>')


def _across(link: Link, x_of: dict[str, float], y_of: dict[str, float], tree: Tree) -> str:
    """A link the outline does not draw (an input shared by a second formula, a guard or a
    driver placed elsewhere): an arc in the left gutter from one dot to the other."""
    (ax, ay), (bx, by) = (x_of[link.source], y_of[link.source]), (x_of[link.target],
                                                                    y_of[link.target])
    bend = min(ax, bx) - 8 - min(GUTTER - 10, abs(by - ay) / 12)
    style = _LINK_STYLE[link.kind]
    source, target = tree.metrics[link.source].name, tree.metrics[link.target].name
    if link.kind == "formula":  # drawn from the metric whose formula uses it to the input
        title = f"{target} is shared: {source} uses it too"
        (ax, ay), (bx, by) = (bx, by), (ax, ay)
        style = style.replace('stroke-opacity="0.35"', 'stroke-opacity="0.6"')
    elif link.kind == "hypothesis":  # the arrow (at the path's start) points at the outcome
        title = f"hypothesis: {source} is believed to move {target}"
        (ax, ay), (bx, by) = (bx, by), (ax, ay)
    else:
        title = f"{source} guards {target}"
    return (f'<path data-link="{_e(link.kind)}" data-from="{_e(link.source)}" '
            f'data-to="{_e(link.target)}" d="M{ax - 6:.0f} {ay:.0f} C{bend:.0f} {ay:.0f} '
            f'{bend:.0f} {by:.0f} {bx - 6:.0f} {by:.0f}" fill="none" {style}>'
            f"<title>{_e(title)}</title></path>")


def _link_note(tree: Tree, rows: TreeRows, metric_id: str) -> str:
    """The tooltip's lines on how a metric is linked besides its place in the outline."""
    notes = []
    for x in rows.links:
        if x.kind == "formula" and x.target == metric_id and not x.outline:
            notes.append(f"also used by {tree.metrics[x.source].name} (shared)")
        elif x.kind == "hypothesis" and x.source == metric_id:
            notes.append(f"hypothesis: believed to move {tree.metrics[x.target].name}")
        elif x.kind == "guard" and x.source == metric_id:
            notes.append(f"guards {tree.metrics[x.target].name}")
    return "".join("\n" + n for n in notes)


def _badge_width(label: str) -> float:
    return min(WIDTH - STATUS_LEFT - 4, len(label) * 0.82 * CHAR + 2 * BADGE_PAD)


def static_html(tree: Tree, period: str | None = None, scenario: str | None = None,
                max_rows: int = 150, focus: Iterable[str] | None = None) -> str:
    """The tree as one inline SVG inside a ``div`` (HTML-safe, script-free). ``focus``
    (metric ids) keeps those, the metrics connecting them to the root (faded) and the root."""
    rows = tree_rows(tree, period=period, scenario=scenario, focus=focus)
    shown = min(len(rows), max_rows)
    title_bits = [tree.name or tree.metrics[tree.root].name]
    label = tree.period_label(period)
    if label is not None:
        title_bits.append(label)
    title_bits.append(f"scenario {scenario}" if scenario else "plan")
    top = 30
    height = top + ROW * shown + (ROW if len(rows) > shown else 0) + 30
    parts = [
        '<div class="kpitree-static" style="max-width:100%;overflow-x:auto">',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{_e("KPI tree: " + title_bits[0])}" '
        f'font-family="{_e(FONT)}" font-size="13" fill="currentColor">',
        f'<text x="8" y="18" font-weight="600">{_e(" · ".join(title_bits))}</text>',
        f'<text x="{VALUE_RIGHT}" y="18" text-anchor="end" opacity="0.7">value</text>',
        f'<text x="{TARGET_RIGHT}" y="18" text-anchor="end" opacity="0.7">target</text>',
    ]
    drawn = {r.id for r in rows[:shown]}
    across = [link for link in rows.links_of(outline=False)
              if link.source in drawn and link.target in drawn]
    gutter = GUTTER if across else 0
    parts.append(_DEFS)
    y_of: dict[str, float] = {}
    x_of: dict[str, float] = {}
    for i, row in enumerate(rows[:shown]):
        y_of[row.id] = top + ROW * i + ROW / 2
        x_of[row.id] = 14 + gutter + INDENT * row.level
    for row in rows[:shown]:
        metric, metric_id, parent, level, link = row.metric, row.id, row.parent, row.level, row.link
        y, x = y_of[metric_id], x_of[metric_id]
        if parent is not None and parent in y_of:
            px, py = x_of[parent], y_of[parent]
            parts.append(f'<path d="M{px:.0f} {py + 5:.0f} V{y:.0f} H{x - 6:.0f}" fill="none" '
                         f'{_LINK_STYLE.get(link, _LINK_STYLE["formula"])}/>')
        status = row.status
        colours = status_colours(status, default="missing")
        label = STATUS_LABELS.get(status, status)
        pct_text = f" ({row.variance_pct_text})" if row.variance_pct_text else ""
        detail = (f"{metric.name} ({metric_id})"
                  + (f" = {row.formula}" if row.formula else "")
                  + f"\nvalue {row.value_text}, target {row.target_text}"
                  + f"{pct_text}, {label}"
                  + (f"\nowner: {metric.owner}" if metric.owner else "")
                  + _link_note(tree, rows, metric_id))
        name = _clip(metric.name, NAME_RIGHT - (x + 10))
        weight = ' font-weight="600"' if level == 0 else ""
        faded = ' opacity="0.55"' if row.context else ""
        dashed = ' stroke-dasharray="3 2"' if status == "missing" else ""
        parts.append(
            f'<g data-metric="{_e(metric_id)}"{faded}><title>{_e(detail)}</title>'
            f'<circle cx="{x:.0f}" cy="{y:.0f}" r="5" fill="{colours.strong}" '
            f'stroke="{colours.text}"/>'
            f'<text x="{x + 10:.0f}" y="{y + 4.5:.0f}"{weight}>{_e(name)}</text>'
            f'<text x="{VALUE_RIGHT}" y="{y + 4.5:.0f}" text-anchor="end" '
            f'font-weight="600">{_e(row.value_text)}</text>'
            f'<text x="{TARGET_RIGHT}" y="{y + 4.5:.0f}" text-anchor="end">'
            f'{_e(row.target_text)}</text>'
            f'<rect x="{STATUS_LEFT}" y="{y - 9:.0f}" width="{_badge_width(label):.0f}" '
            f'height="18" rx="4" fill="{colours.fill}" stroke="{colours.strong}"'
            f'{dashed}/>'
            f'<text x="{STATUS_LEFT + BADGE_PAD}" y="{y + 4:.0f}" font-size="12" '
            f'fill="{colours.text}">{_e(label)}</text>'
            f'</g>')
    for cross in across:
        parts.append(_across(cross, x_of, y_of, tree))
    bottom = top + ROW * shown
    if len(rows) > shown:
        parts.append(f'<text x="14" y="{bottom + 16}" opacity="0.7">'
                     f'… and {len(rows) - shown} more metrics</text>')
        bottom += ROW
    parts.append(f'<text x="8" y="{bottom + 20}" font-size="11" opacity="0.6">'
                 'Static picture: run the notebook for the interactive, editable tree.</text>')
    parts.append("</svg></div>")
    return "".join(parts)


FALLBACK_CLASS = "kpitree-fallback"


def fallback_html(tree: Tree, period: str | None = None, scenario: str | None = None,
                  focus: Iterable[str] | None = None) -> str:
    """The static picture as the output that follows a live view in a notebook.

    Where no view can run (nbconvert's HTML of an executed notebook, which keeps the widget's
    state but needs a kernel or a CDN to draw it; GitHub) it shows the tree. Where the view
    runs, the view's stylesheet (``widget.css``, loaded only there) hides this output, so a
    live notebook shows the view alone.

    >>> import kpitree_widget as kt
    >>> html = fallback_html(kt.archetype("b2b_saas"))
    >>> html.startswith('<div class="kpitree-fallback"><div class="kpitree-static"')
    True
    """
    return (f'<div class="{FALLBACK_CLASS}">'
            + static_html(tree, period=period, scenario=scenario, focus=focus) + "</div>")
