"""The health check kept up to date edit by edit: a number edit re-runs only the rules that
read numbers, for the metrics the edit can reach.

>>> import kpitree_widget as kt
>>> from kpitree_widget.health import IncrementalCheck
>>> tree = kt.KPITree.from_dict({"metrics": {
...     "revenue": {"formula": "customers * arpc", "owner": "CEO"},
...     "customers": {"value": 4700, "target": 5000, "owner": "COO"},
...     "arpc": {"value": 120, "target": 125, "owner": "Head of Pricing"}}})
>>> check = IncrementalCheck(tree)
>>> tree.set_target("customers", None)
>>> sorted(check.update({"kind": "target", "metric": "customers"}))
['customers']
>>> [f.rule for f in check.by_metric()["customers"] if f.rule.startswith("target.")]
['target.missing']
>>> check.findings == tree.check()
True
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .context import Context
from .findings import SEVERITY_RANK, Finding, Findings
from .registry import RULES, Rule, resolve_thresholds
from .run import rule_findings

if TYPE_CHECKING:
    from ..tree import Tree

# what each kind of event changes, as the rules declare what they read (``reads``): a value or
# target edit the numbers of one metric (and through the formulas those above it), a bulk load
# numbers anywhere, a scenario edit the scenarios only; any of them may change the periods,
# which the number rules read too
CHANGES = {"value": "numbers", "target": "numbers", "data": "numbers", "scenario": "scenarios"}

Key = tuple[int, int, int, int, str]  # severity, outline position, rule, nth hit, metric key
Groups = dict[str, list[Finding]]     # metric key ("" for the tree) -> one rule's findings


class IncrementalCheck:
    """``tree.check(**thresholds)``, kept up to date by :meth:`update` after each change.

    ``findings`` is always what ``tree.check(**thresholds)`` would return (the same findings in
    the same order). ``update(event)`` takes an event of :meth:`Tree.on_change
    <kpitree_widget.tree.Tree.on_change>` and re-runs only what it can change:

    - ``value`` / ``target`` of a metric: the rules that read numbers (``reads`` in the
      registry), for that metric, the metrics above it through formulas, and the metrics
      linked to those by the links the rule reads (the guard of a guarded metric);
    - ``data`` (a bulk load) or a change of the periods: every rule that reads numbers, over
      the whole tree;
    - ``scenario``: the rules that read scenarios (of the built-in rules only
      ``bounds.outside``: the others read the actual and plan numbers, which a scenario leaves
      alone), unless the periods changed;
    - any other kind, an unknown metric, or a new formula structure: everything (:meth:`reset`).

    It returns the ids of the metrics whose findings changed (``""`` for findings about the
    tree as a whole). Changes made without an event (editing ``tree.okrs`` in place, say) need
    a :meth:`reset`.

    >>> check = IncrementalCheck(tree, max_depth=5)      # doctest: +SKIP
    >>> unsubscribe = tree.on_change(check.update)      # doctest: +SKIP
    """

    def __init__(self, tree: Tree, **thresholds: Any) -> None:
        self.tree = tree
        self._thresholds = dict(thresholds)
        self._found: dict[str, dict[int, list[Finding]]] = {}
        self._keys: list[Key] = []
        self._sorted: list[Finding] = []
        self._by_metric: dict[str, list[Finding]] = {}
        self.reset()

    # ------------------------------------------------------------------ reading

    @property
    def findings(self) -> Findings:
        """The findings, as ``tree.check(**thresholds)`` returns them (a new list each time)."""
        if self._stale:
            self.reset()
        return Findings(self._sorted)

    def by_metric(self) -> dict[str, list[Finding]]:
        """The findings grouped by metric id (``""`` for the tree as a whole), each group in
        the order of :attr:`findings`; metrics without findings are left out."""
        if self._stale:
            self.reset()
        return {m: list(found) for m, found in self._by_metric.items()}

    # ------------------------------------------------------------------ changing

    def reset(self) -> set[str]:
        """Forget everything and run the full check again (after a change of structure);
        returns the metrics whose findings changed."""
        self._stale = True  # until the check below has run through
        tree = self.tree
        values, ignore = resolve_thresholds(tree.config, self._thresholds)
        ctx = Context(tree, values)
        rules = [(pos, r) for pos, r in enumerate(RULES.values())
                 if r.id not in ignore and r.func is not None]
        found: dict[str, dict[int, list[Finding]]] = {}
        for pos, r in rules:
            groups = _grouped(rule_findings(r, ctx))
            assert not (r.scoped and "" in groups), f"{r.id}: a scoped rule about the tree"
            for key, group in groups.items():
                found.setdefault(key, {})[pos] = group
        before = self._found
        self._ctx = ctx
        self._order: dict[str | None, int] = {m: i for m, i in ctx.order.items()}
        self._rules = rules
        self._plan = tree.compiled_plan
        self._periods = tree.periods
        self._links = _links(tree)
        self._found = found
        self._rebuild()
        self._stale = False
        return {key for key in before.keys() | found.keys()
                if before.get(key) != found.get(key)}

    def update(self, event: Mapping[str, Any]) -> set[str]:
        """Bring the findings up to date after ``event`` (``{"kind": ..., "metric": id or
        None}``, as :meth:`Tree.on_change <kpitree_widget.tree.Tree.on_change>` gives it);
        returns the ids of the metrics whose findings changed (``""``: the tree as a whole)."""
        kind, metric = event.get("kind"), event.get("metric")
        tree = self.tree
        if (self._stale or tree.compiled_plan is not self._plan
                or (metric is not None and metric not in tree.metrics)):
            return self.reset()
        what = CHANGES.get(kind) if isinstance(kind, str) else None
        if what is None:
            return self.reset()
        self._stale = True  # until the rules below have run through
        same_periods = tree.periods == self._periods
        reads = {what} if same_periods else {what, "numbers"}
        one = metric if kind in ("value", "target") and same_periods else None
        changed = self._rerun([(pos, r) for pos, r in self._rules if reads & set(r.reads)],
                              one)
        self._periods = tree.periods
        self._stale = False
        return changed

    # ------------------------------------------------------------------ internals

    def _rerun(self, rules: list[tuple[int, Rule]], metric: str | None) -> set[str]:
        """Re-run ``rules``: for what a number edit of ``metric`` reaches (the scoped ones), or
        over the whole tree (``metric`` None)."""
        ctx = self._ctx
        reached: set[str] | None = None
        if metric is not None:
            reached = {metric, *self._plan.ancestors(metric)}
        updates: list[tuple[int, str, list[Finding]]] = []
        for pos, r in rules:
            if reached is None or not r.scoped:
                new = _grouped(rule_findings(r, ctx))
                keys = {k for k, by_rule in self._found.items() if pos in by_rule} | new.keys()
            else:
                scope = set(reached)
                for link in r.reads:
                    for m in reached:
                        scope.update(self._links.get(link, {}).get(m, ()))
                new = _grouped(rule_findings(r, ctx, scope))
                assert new.keys() <= scope, (r.id, sorted(new.keys() - scope))
                keys = scope
            for key in keys:
                group = new.get(key, [])
                if self._found.get(key, {}).get(pos, []) != group:
                    updates.append((pos, key, group))
        if len(updates) > 64:  # many: sorting everything again is quicker
            for pos, key, group in updates:
                self._store(pos, key, group)
            self._rebuild()
        else:
            for pos, key, group in updates:
                self._unsort(pos, key)
                self._store(pos, key, group)
                self._insort(pos, key)
            for key in {key for _, key, _ in updates}:
                self._regroup(key)
        return {key for _, key, _ in updates}

    def _store(self, pos: int, key: str, group: list[Finding]) -> None:
        rules = self._found.setdefault(key, {})
        if group:
            rules[pos] = group
        else:
            rules.pop(pos, None)
            if not rules:
                del self._found[key]

    def _sort_key(self, pos: int, key: str, nth: int, finding: Finding) -> Key:
        # as sort_findings: severity, then tree-wide findings and metrics in outline order,
        # then the rules' order (a rule's hits about one metric keep their order)
        return (SEVERITY_RANK.get(finding.severity, 9), self._order.get(finding.metric, -1),
                pos, nth, key)

    def _unsort(self, pos: int, key: str) -> None:
        for nth, finding in enumerate(self._found.get(key, {}).get(pos, [])):
            sort_key = self._sort_key(pos, key, nth, finding)
            at = bisect.bisect_left(self._keys, sort_key)
            assert self._keys[at] == sort_key, sort_key
            del self._keys[at], self._sorted[at]

    def _insort(self, pos: int, key: str) -> None:
        for nth, finding in enumerate(self._found.get(key, {}).get(pos, [])):
            sort_key = self._sort_key(pos, key, nth, finding)
            at = bisect.bisect_left(self._keys, sort_key)
            self._keys.insert(at, sort_key)
            self._sorted.insert(at, finding)

    def _rebuild(self) -> None:
        ranked = sorted((self._sort_key(pos, key, nth, finding), finding)
                        for key, rules in self._found.items()
                        for pos, group in rules.items()
                        for nth, finding in enumerate(group))
        self._keys = [k for k, _ in ranked]
        self._sorted = [f for _, f in ranked]
        self._by_metric = {}
        for finding in self._sorted:
            self._by_metric.setdefault(_key(finding), []).append(finding)

    def _regroup(self, key: str) -> None:
        rules = self._found.get(key)
        if not rules:
            self._by_metric.pop(key, None)
            return
        ranked = sorted((self._sort_key(pos, key, nth, finding), finding)
                        for pos, group in rules.items() for nth, finding in enumerate(group))
        self._by_metric[key] = [f for _, f in ranked]


def _key(finding: Finding) -> str:
    return "" if finding.metric is None else finding.metric


def _grouped(found: list[Finding]) -> Groups:
    """One rule's findings grouped by metric key, each group in the rule's order."""
    groups: Groups = {}
    for finding in found:
        groups.setdefault(_key(finding), []).append(finding)
    return groups


def _links(tree: Tree) -> dict[str, dict[str, tuple[str, ...]]]:
    """For each link a rule may read (``guards``, ``hypotheses``): metric -> the metrics at the
    other ends, whose findings may read this metric's numbers (both ways, to be safe)."""
    guards: dict[str, list[str]] = {}
    for metric in tree.metrics.values():
        if metric.guards and metric.guards in tree.metrics:
            guards.setdefault(metric.guards, []).append(metric.id)
            guards.setdefault(metric.id, []).append(metric.guards)
    linked: dict[str, list[str]] = {}
    for h in tree.hypotheses:
        linked.setdefault(h.driver, []).append(h.outcome)
        linked.setdefault(h.outcome, []).append(h.driver)
    return {"guards": {m: tuple(g) for m, g in guards.items()},
            "hypotheses": {m: tuple(x) for m, x in linked.items()}}

