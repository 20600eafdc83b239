"""A static picture of the tree for renderers without a kernel (nbconvert HTML, GitHub).

One SVG: the outline with its connectors (dashed for hypothesis links), each metric's name,
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

import math
from collections.abc import Iterable
from html import escape
from typing import TYPE_CHECKING, Any

from .engine import STATUS_LABELS
from .focus import focus_ids, with_context
from .numbers import format_change, format_number
from .palette import status_colours

if TYPE_CHECKING:
    from .model import KPITree

ROW = 24          # px per metric
INDENT = 18       # px per level
NAME_RIGHT = 440  # names end before the numbers start
VALUE_RIGHT = 540
TARGET_RIGHT = 650
STATUS_LEFT = 666
WIDTH = 760
CHAR = 7.0        # average width of a 13px sans-serif character, for truncation
BADGE_PAD = 6     # px either side of the status words on their badge
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"


def _e(text: Any) -> str:
    return escape(str(text), quote=True)


def _clip(text: str, room: float) -> str:
    most = max(3, int(room / CHAR))
    return text if len(text) <= most else text[: most - 1] + "…"


def _badge_width(label: str) -> float:
    return min(WIDTH - STATUS_LEFT - 4, len(label) * 0.82 * CHAR + 2 * BADGE_PAD)


def static_html(tree: KPITree, period: str | None = None, scenario: str | None = None,
                max_rows: int = 150, focus: Iterable[str] | None = None) -> str:
    """The tree as one inline SVG inside a ``div`` (HTML-safe, script-free). ``focus``
    (metric ids) keeps those, the metrics connecting them to the root (faded) and the root."""
    df = tree.rollup(period=period, scenario=scenario)
    outline = tree.outline()
    context: set[str] = set()
    if focus is not None:
        focused = focus_ids(tree, focus)
        drawn = with_context(tree, focused)
        context = drawn.difference(focused)
        outline = [row for row in outline if row[0] in drawn]
        df = df.loc[[row[0] for row in outline]]
    shown = min(len(outline), max_rows)
    title_bits = [tree.name or tree.metrics[tree.root].name]
    label = tree.period_label(period)
    if label is not None:
        title_bits.append(label)
    title_bits.append(f"scenario {scenario}" if scenario else "plan")
    top = 30
    height = top + ROW * shown + (ROW if len(outline) > shown else 0) + 30
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
    y_of: dict[str, float] = {}
    x_of: dict[str, float] = {}
    values = df["value"].tolist()
    targets = df["target"].tolist()
    statuses = df["status"].tolist()
    variance_pct = df["variance_pct"].tolist()
    for row, (metric_id, parent, level, link) in enumerate(outline[:shown]):
        metric = tree.metrics[metric_id]
        y = top + ROW * row + ROW / 2
        x = 14 + INDENT * level
        y_of[metric_id], x_of[metric_id] = y, x
        if parent is not None and parent in y_of:
            px, py = x_of[parent], y_of[parent]
            dash = ' stroke-dasharray="3 3"' if link == "hypothesis" else ""
            parts.append(f'<path d="M{px:.0f} {py + 5:.0f} V{y:.0f} H{x - 6:.0f}" fill="none" '
                         f'stroke="currentColor" stroke-opacity="0.35"{dash}/>')
        status = str(statuses[row])
        colours = status_colours(status, default="missing")
        label = STATUS_LABELS.get(status, status)
        unit = metric.unit
        value, target = values[row], targets[row]
        pct = variance_pct[row]
        finite = isinstance(pct, float) and math.isfinite(pct)
        pct_text = f" ({format_change(pct)})" if finite else ""
        detail = (f"{metric.name} ({metric_id})"
                  + (f" = {metric.parsed.display()}" if metric.parsed else "")
                  + f"\nvalue {format_number(value, unit)}, target {format_number(target, unit)}"
                  + f"{pct_text}, {label}"
                  + (f"\nowner: {metric.owner}" if metric.owner else "")
                  + ("\n(hypothesis link)" if link == "hypothesis" else ""))
        name = _clip(metric.name, NAME_RIGHT - (x + 10))
        weight = ' font-weight="600"' if level == 0 else ""
        faded = ' opacity="0.55"' if metric_id in context else ""
        dashed = ' stroke-dasharray="3 2"' if status == "missing" else ""
        parts.append(
            f'<g data-metric="{_e(metric_id)}"{faded}><title>{_e(detail)}</title>'
            f'<circle cx="{x:.0f}" cy="{y:.0f}" r="5" fill="{colours.strong}" '
            f'stroke="{colours.text}"/>'
            f'<text x="{x + 10:.0f}" y="{y + 4.5:.0f}"{weight}>{_e(name)}</text>'
            f'<text x="{VALUE_RIGHT}" y="{y + 4.5:.0f}" text-anchor="end" '
            f'font-weight="600">{_e(format_number(value, unit))}</text>'
            f'<text x="{TARGET_RIGHT}" y="{y + 4.5:.0f}" text-anchor="end">'
            f'{_e(format_number(target, unit))}</text>'
            f'<rect x="{STATUS_LEFT}" y="{y - 9:.0f}" width="{_badge_width(label):.0f}" '
            f'height="18" rx="4" fill="{colours.fill}" stroke="{colours.strong}"'
            f'{dashed}/>'
            f'<text x="{STATUS_LEFT + BADGE_PAD}" y="{y + 4:.0f}" font-size="12" '
            f'fill="{colours.text}">{_e(label)}</text>'
            f'</g>')
    bottom = top + ROW * shown
    if len(outline) > shown:
        parts.append(f'<text x="14" y="{bottom + 16}" opacity="0.7">'
                     f'… and {len(outline) - shown} more metrics</text>')
        bottom += ROW
    parts.append(f'<text x="8" y="{bottom + 20}" font-size="11" opacity="0.6">'
                 'Static picture: run the notebook for the interactive, editable tree.</text>')
    parts.append("</svg></div>")
    return "".join(parts)
