"""Status colours: one palette for every picture Python draws, so a status looks the same in the
static picture (:mod:`~kpitree_widget.static_view`), Graphviz, Mermaid and Excel exports
(:mod:`~kpitree_widget.export`) and the charts (:mod:`~kpitree_widget.plots`).

Each status has three colours, built on the Okabe-Ito palette (Okabe & Ito, 2008), whose hues
stay apart for the common colour-vision deficiencies (deuteranopia, protanopia, tritanopia):

=========== ======================== ========= ======= ==========================================
status      hue                      strong    fill    text
=========== ======================== ========= ======= ==========================================
on_track    bluish green             #009E73   #DDF2EA #00664A
at_risk     orange                   #E69F00   #FDF0D5 #8A5F00
off_track   vermillion               #D55E00   #F9E0CF #A04600
undefined   reddish purple           #CC79A7   #F6E6EF #8C3F6A
missing     grey (no data)           #8C8C8C   #F2F2F2 #595959
=========== ======================== ========= ======= ==========================================

- ``strong``: the Okabe-Ito colour itself, for marks, borders and bars; not for words (orange
  on white is too faint to read), and on a light page always outlined in ``text`` or next to
  the status in words.
- ``fill``: a light tint of it, for card and cell backgrounds.
- ``text``: a dark shade of the same hue, for words on the ``fill`` or on white (contrast at
  least 4.5:1 on both, WCAG AA).

Colour is never the only signal: every picture also writes the status in words
(:data:`~kpitree_widget.engine.STATUS_LABELS`), and "no data" is drawn dashed.

How this maps to the interactive view (``js/widget.css``, ``js/colors.js``): the view takes its
status colours from the host's theme (JupyterLab ``--jp-success-color1``, ``--jp-warn-color1``,
``--jp-error-color1``, ``--jp-ui-font-color2``/``3``; VS Code's chart colours) so they follow
light and dark themes, with Material fallbacks (green ``#2e7d32``, orange ``#e65100``, red
``#d32f2f``, greys ``#757575``/``#9e9e9e``) on pages that set neither. The three target statuses
share their hue family with this palette (green, orange, red/vermillion), shown there as a card's
left border and its variance text, as ``strong`` is here. Two differences: the view draws
``undefined`` in the theme's secondary grey where the pictures use reddish purple (so that it is
told apart from "no data" without the view's dashed border), and its greens and reds are the
theme's, which need not be colour-blind safe. The words differ too: the view's labels
(``js/colors.js``) say "No target" and "Missing data" where the pictures say "undefined" and
"no data" (``engine.STATUS_LABELS``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class StatusColours:
    """The three colours of one status (``#RRGGBB``)."""

    strong: str
    fill: str
    text: str


STATUS_COLOURS: Mapping[str, StatusColours] = MappingProxyType({
    "on_track": StatusColours(strong="#009E73", fill="#DDF2EA", text="#00664A"),
    "at_risk": StatusColours(strong="#E69F00", fill="#FDF0D5", text="#8A5F00"),
    "off_track": StatusColours(strong="#D55E00", fill="#F9E0CF", text="#A04600"),
    "undefined": StatusColours(strong="#CC79A7", fill="#F6E6EF", text="#8C3F6A"),
    "missing": StatusColours(strong="#8C8C8C", fill="#F2F2F2", text="#595959"),
})
"""Status code (as in ``tree.rollup()["status"]``) to its colours, in the rollup's order."""


def status_colours(status: object, default: str = "undefined") -> StatusColours:
    """The colours of ``status``; those of ``default`` for anything that is not a status."""
    found = STATUS_COLOURS.get(status) if isinstance(status, str) else None
    return found if found is not None else STATUS_COLOURS[default]
