"""Running rules: the findings of one rule, for the whole tree or for some metrics only.

>>> import kpitree_widget as kt
>>> from kpitree_widget.health import RULES, Context, resolve_thresholds
>>> tree = kt.KPITree.from_dict({"metrics": {
...     "revenue": {"formula": "customers * arpc", "owner": "CEO"},
...     "customers": {"value": 4700, "owner": "COO"},
...     "arpc": {"value": 120, "target": 125, "owner": "Head of Pricing"}}})
>>> ctx = Context(tree, resolve_thresholds(tree.config, {})[0])
>>> [f.metric for f in rule_findings(RULES["target.missing"], ctx, only={"customers"})]
['customers']
"""

from __future__ import annotations

from collections.abc import Collection

from .context import Context
from .findings import Finding
from .registry import Rule


def rule_findings(rule: Rule, ctx: Context, only: Collection[str] | None = None
                  ) -> list[Finding]:
    """``rule``'s findings in the order it yields them; ``only`` (a scoped rule) limits them
    to those about the metrics in it."""
    found: list[Finding] = []
    for hit in rule.run(ctx, only):
        name = ctx.name(hit.metric) if hit.metric and hit.metric in ctx.metrics else None
        found.append(Finding(rule.id, hit.severity or rule.severity, hit.metric, hit.message,
                             rule.reason, name, hit.related))
    return found
