"""The health check: the KPI-tree rules from the guides, each a small registered function.

>>> import kpitree_widget as kt
>>> tree = kt.KPITree.from_dict({"metrics": {
...     "ltv_to_cac": {"name": "LTV/CAC", "formula": "ltv / cac", "owner": "CFO"},
...     "ltv": {"name": "LTV", "value": 3000, "target": 3600, "owner": "Marketing and Sales"},
...     "cac": {"name": "CAC", "value": 1000, "target": 900}}})
>>> for finding in tree.check().errors:
...     print(finding.rule)
root.efficiency_ratio
owner.joint
owner.missing

Thresholds are keywords (``tree.check(max_depth=5)``) or the file's ``config: {check: {...}}``;
``ignore`` skips rules or whole families (``ignore=["cadence", "lag.missing"]``).
:class:`IncrementalCheck` keeps the findings up to date edit by edit, re-running only the rules
an edit can change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import bounds, content, data, grain, links, people, structure  # noqa: F401  (they register the rules)
from .context import Context
from .findings import Finding, Findings, findings_frame, sort_findings
from .incremental import IncrementalCheck
from .registry import RULES, THRESHOLDS, Rule, resolve_thresholds
from .run import rule_findings

if TYPE_CHECKING:
    import pandas as pd

    from ..tree import Tree

FAMILIES = ("structure", "owner", "target", "bounds", "root", "vanity", "coverage", "leaf",
            "cadence", "lag", "conflict", "okr", "aggregation", "data")
_ordered = sorted(RULES.values(), key=lambda r: FAMILIES.index(r.id.split(".")[0]))
RULES.clear()
RULES.update((r.id, r) for r in _ordered)

__all__ = ["RULES", "THRESHOLDS", "Finding", "Findings", "IncrementalCheck", "Rule", "check",
           "findings_frame", "rules_frame"]


def check(tree: Tree, **thresholds: Any) -> Findings:
    """Run every rule over ``tree``; errors first, then warnings, then info.

    Keywords override thresholds (see ``THRESHOLDS``) and the file's ``config.check`` block;
    ``ignore`` (a rule id, a family such as ``owner``, or a list) skips rules. Unknown names are
    a :class:`~kpitree_widget.KPITreeError`.
    """
    values, ignore = resolve_thresholds(tree.config, thresholds)
    ctx = Context(tree, values)
    found: list[Finding] = []
    for rule in RULES.values():
        if rule.id in ignore or rule.func is None:
            continue
        found += rule_findings(rule, ctx)
    order: dict[str | None, int] = {m: i for m, i in ctx.order.items()}
    return sort_findings(found, order)


def rules_frame() -> pd.DataFrame:
    """Every rule: id, default severity, the thresholds it reads with their defaults, what of
    the tree it reads (which edits re-run it), what to do about a finding, and why the rule
    exists."""
    import pandas as pd

    rows = [{"rule": r.id, "severity": r.severity,
             "thresholds": ", ".join(f"{t}={THRESHOLDS[t][0]:g}" for t in r.thresholds),
             "reads": ", ".join(r.reads), "fix": r.fix, "reason": r.reason}
            for r in RULES.values()]
    return pd.DataFrame(rows).set_index("rule")
