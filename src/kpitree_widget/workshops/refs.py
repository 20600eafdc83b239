"""Metric references in workshop prose: ``[[metric_id]]`` names a metric of the archetype.

>>> METRIC_REF.findall("lift [[win_rate]] and [[acv]]")
['win_rate', 'acv']
"""

from __future__ import annotations

import re

METRIC_REF = re.compile(r"\[\[([a-z][a-z0-9_]*)\]\]")


def render_refs(text: str, names: dict[str, str]) -> str:
    """Replace ``[[id]]`` with the metric's name and its id, e.g. ``**Win rate** (`win_rate`)``.

    >>> render_refs("lift [[win_rate]]", {"win_rate": "Opportunity win rate"})
    'lift **Opportunity win rate** (`win_rate`)'
    """
    return METRIC_REF.sub(lambda m: f"**{names.get(m.group(1), m.group(1))}** (`{m.group(1)}`)",
                          text)
