"""Health findings for the view, kept up to date edit by edit.

The widget codes against the incremental check's interface: ``check = IncrementalCheck(tree)``,
``check.findings`` (equal to ``tree.check()``), ``changed = check.update(event)`` (the ids of
the metrics whose findings changed, ``""`` for the tree as a whole), ``check.by_metric()`` and
``check.reset()``. When ``kpitree_widget.health`` has no ``IncrementalCheck``, :class:`FullCheck`
gives the same interface by running the whole check on every update.

:class:`ViewFindings` wraps either: findings as the protocol sends them (plain dicts grouped by
metric), and a check that raised becomes a ``health_error`` instead of an exception.

>>> import kpitree_widget as kt
>>> tree = kt.KPITree.from_dict({"metrics": {"revenue": {"formula": "a + b"},
...     "a": {"value": 1, "target": 2}, "b": {"value": 1, "target": 2}}})
>>> found = ViewFindings(tree)
>>> found.error is None and sorted(found.grouped) == sorted(
...     {f.metric or "" for f in tree.check()})
True
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .tree import Tree

Grouped = dict[str, list[dict[str, Any]]]


class FullCheck:
    """The incremental check's interface over the full check (``tree.check()`` every time)."""

    def __init__(self, tree: Tree, **thresholds: Any) -> None:
        self._tree = tree
        self._thresholds = thresholds
        self.findings: list[Any] = []
        self.reset()

    def reset(self) -> None:
        """Check the whole tree again."""
        from .health import check

        self.findings = list(check(self._tree, **self._thresholds))

    def by_metric(self) -> dict[str, list[Any]]:
        """The findings per metric id (``""`` for the tree as a whole)."""
        out: dict[str, list[Any]] = {}
        for f in self.findings:
            metric = _get(f, "metric")
            out.setdefault(str(metric) if metric is not None else "", []).append(f)
        return out

    def update(self, _event: Mapping[str, Any] | None = None) -> set[str]:
        """Check again after a change; the metrics whose findings changed."""
        before = self.by_metric()
        self.reset()
        after = self.by_metric()
        return {m for m in before.keys() | after.keys() if before.get(m) != after.get(m)}


def incremental_check(tree: Tree) -> Any:
    """The health package's incremental check when it has one, else :class:`FullCheck`."""
    from . import health

    cls = getattr(health, "IncrementalCheck", None)
    return cls(tree) if cls is not None else FullCheck(tree)


class ViewFindings:
    """The findings the view shows, per metric, and how long keeping them took.

    ``grouped`` maps a metric id (``""``: the tree as a whole) to protocol findings
    (``{"rule", "severity", "message", "reason"?}``); ``error`` is the message of a check that
    failed (then ``grouped`` is empty)."""

    def __init__(self, tree: Tree) -> None:
        self._tree = tree
        self._check: Any = None
        self.grouped: Grouped = {}
        self.error: str | None = None
        self.seconds = 0.0
        self.reset()

    def reset(self) -> set[str]:
        """Check the whole tree; the metric ids whose findings changed."""
        started = time.perf_counter()
        try:
            if self._check is None:
                self._check = incremental_check(self._tree)
            else:
                self._check.reset()
            changed = self._regroup(None)
        except Exception as exc:
            changed = self._failed(exc)
        self.seconds = time.perf_counter() - started
        return changed

    def update(self, events: list[Mapping[str, Any]]) -> set[str]:
        """Bring the findings up to date after ``events`` (from ``tree.on_change``); the ids
        of the metrics whose findings changed (``""``: the tree-level ones)."""
        if self._check is None or self.error is not None:
            return self.reset()
        started = time.perf_counter()
        try:
            touched: set[str] = set()
            for event in events:
                touched |= {str(m) for m in self._check.update(event)}
            changed = self._regroup(touched)
        except Exception as exc:
            changed = self._failed(exc)
        self.seconds = time.perf_counter() - started
        return changed

    def _regroup(self, touched: set[str] | None) -> set[str]:
        """Rebuild the groups of ``touched`` metrics (all when None); the ones that changed."""
        by_metric: dict[str, list[Any]] = {}
        for metric, found in self._check.by_metric().items():
            by_metric.setdefault(str(metric) if metric not in (None, "") else "", []).extend(found)
        before = self.grouped if self.error is None else {}
        if touched is None:
            grouped = {m: [_plain(f) for f in found] for m, found in by_metric.items() if found}
            keys = before.keys() | grouped.keys()
        else:
            grouped = dict(before)
            for m in touched:
                found = by_metric.get(m)
                if found:
                    grouped[m] = [_plain(f) for f in found]
                else:
                    grouped.pop(m, None)
            keys = touched
        self.grouped, self.error = grouped, None
        return {m for m in keys if before.get(m, []) != grouped.get(m, [])}

    def _failed(self, exc: BaseException) -> set[str]:
        changed = set(self.grouped)
        self.grouped = {}
        self.error = f"health check failed: {type(exc).__name__}: {exc}"
        self._check = None
        return changed | {""}


def _get(finding: Any, key: str) -> Any:
    return finding.get(key) if isinstance(finding, Mapping) else getattr(finding, key, None)


def _plain(finding: Any) -> dict[str, Any]:
    item = {"rule": str(_get(finding, "rule")), "severity": str(_get(finding, "severity")),
            "message": str(_get(finding, "message"))}
    if _get(finding, "reason"):
        item["reason"] = str(_get(finding, "reason"))
    return item
