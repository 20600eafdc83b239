"""The numbers the view shows, kept per metric and refreshed only where an edit reaches.

:class:`NumberTable` holds, for one period and scenario, each shown metric's numbers as the
protocol sends them (``protocol.MetricNumbers``: value, target, implied target, variance,
variance %, status, explicit-target flag, findings and Python's text of each number). After an
edit it recomputes only the edited metric and its ancestors, straight from the engine's arrays
(``tree.arrays()``), and reports which of them really changed: the numbers delta.

>>> import kpitree_widget as kt
>>> tree = kt.KPITree.from_dict({"metrics": {
...     "revenue": {"formula": "customers * arpc", "unit": "currency"},
...     "customers": {"value": 4700, "target": 5000},
...     "arpc": {"value": 120, "target": 125, "unit": "currency"}}})
>>> table = NumberTable(tree, None, None)
>>> table.rows["revenue"]["text"]["target"]
'$625k'
>>> tree.set_target("customers", 5200)
>>> sorted(table.refresh(table.affected("customers")))
['customers', 'revenue']
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from . import engine
from .numbers import finite_number as num
from .numbers import format_change, format_number

if TYPE_CHECKING:
    from .tree import Tree

Row = dict[str, Any]


def texts(row: Mapping[str, Any], unit: str | None) -> dict[str, str]:
    """Python's text of each of a row's numbers (``format_number`` by unit)."""
    return {
        "value": format_number(row["value"], unit),
        "target": format_number(row["target"], unit),
        "implied_target": format_number(row["implied_target"], unit),
        "variance": format_number(row["variance"], unit, "signed"),
        "variance_pct": format_change(row["variance_pct"]),
        "change": "" if row.get("change") is None else format_change(100 * row["change"]),
    }


def change_since_before(tree: Tree, p: int, ids: list[str], value: np.ndarray) -> np.ndarray:
    """The relative change of each of ``ids``' values (``value``, in period row ``p``) since
    the period before, from the engine's arrays; NaN in the first period.

    >>> import kpitree_widget as kt
    >>> tree = kt.KPITree.from_dict({"metrics": {"visits": {"value": {"2026-01": 40,
    ...                                                               "2026-02": 50}}}})
    >>> change_since_before(tree, 1, ["visits"], np.array([50.0])).tolist()
    [0.25]
    """
    if p == 0:
        return np.full(len(ids), np.nan)
    arrays, index = tree.arrays()
    before = np.array([arrays[index[m]][p - 1, engine.VALUE] for m in ids], dtype=float)
    with np.errstate(all="ignore"):
        return np.asarray((value - before) / np.abs(before), dtype=float)


class NumberTable:
    """Each shown metric's numbers for one period and scenario.

    ``shown`` limits the table to some metrics (a focus); ``findings`` maps a metric id to its
    findings as the protocol sends them.
    """

    def __init__(self, tree: Tree, period: str | None, scenario: str | None, *,
                 shown: Iterable[str] | None = None,
                 findings: Mapping[str, list[dict[str, Any]]] | None = None) -> None:
        self.tree = tree
        self.period = tree.period_label(period)
        self.scenario = scenario
        self._p = tree.period_index(period)
        self._k = tree.layer_index(scenario)
        self._findings: Mapping[str, list[dict[str, Any]]] = findings or {}
        self.ids = [m for m, *_ in tree.outline()]
        if shown is not None:
            keep = set(shown)
            self.ids = [m for m in self.ids if m in keep]
        self._shown = set(self.ids)
        self._missing = self._all_missing()
        self.rows: dict[str, Row] = self.compute(self.ids)

    # ------------------------------------------------------------------ which metrics

    def affected(self, metric: str | None) -> list[str]:
        """The shown metrics an edit of ``metric`` can change: it and its ancestors (every
        shown metric for ``None``, a change not tied to one metric)."""
        if metric is None or metric not in self.tree.metrics:
            self._missing = self._all_missing()
            return list(self.ids)
        self._update_missing(metric)
        return [m for m in (metric, *self.tree.ancestors(metric)) if m in self._shown]

    def refresh(self, ids: Iterable[str],
                findings: Mapping[str, list[dict[str, Any]]] | None = None) -> list[str]:
        """Recompute ``ids`` (shown ones only); the ids whose row changed, in outline order."""
        if findings is not None:
            self._findings = findings
        wanted = [m for m in dict.fromkeys(ids) if m in self._shown]
        fresh = self.compute(wanted)
        changed = [m for m in wanted if self.rows.get(m) != fresh[m]]
        for m in changed:
            self.rows[m] = fresh[m]
        return changed

    def refresh_all(self) -> list[str]:
        """Recompute every shown metric (numbers changed behind the tree's listeners)."""
        self._missing = self._all_missing()
        return self.refresh(self.ids)

    # ------------------------------------------------------------------ the numbers

    def compute(self, ids: list[str]) -> dict[str, Row]:
        """Rows for ``ids`` from the engine's arrays."""
        if not ids:
            return {}
        tree, p, k = self.tree, self._p, self._k
        arrays, index = tree.arrays()
        metrics = tree.metrics
        blocks = [arrays[index[m]] for m in ids]
        value = np.array([b[p, engine.VALUE] for b in blocks], dtype=float)
        implied = np.array([b[p, k] for b in blocks], dtype=float)
        target = implied.copy()
        explicit: dict[str, float] = {}
        if self.scenario is None:
            explicit = tree.explicit_targets(self.period)
            for i, m in enumerate(ids):
                if m in explicit:
                    target[i] = explicit[m]
        missing = np.array([self._missing[m] for m in ids], dtype=bool)
        down = np.array([metrics[m].direction == "down" for m in ids], dtype=bool)
        with np.errstate(all="ignore"):
            variance = value - target
            variance_pct = 100 * variance / np.abs(target)
        change = change_since_before(tree, p, ids, value)
        status = engine.status(value, target, down, missing, tree.tolerance)
        rows: dict[str, Row] = {}
        for i, m in enumerate(ids):
            metric = metrics[m]
            row: Row = {
                "value": num(value[i]),
                "target": num(target[i]),
                "implied_target": None if metric.is_input else num(implied[i]),
                "explicit_target": m in explicit,
                "variance": num(variance[i]),
                "variance_pct": num(variance_pct[i]),
                "change": num(change[i]),
                "status": str(status[i]),
                "findings": list(self._findings.get(m, ())),
            }
            row["text"] = texts(row, metric.unit)
            rows[m] = row
        return rows

    # ------------------------------------------------------------------ missing data

    def _input_missing(self, metric: str) -> bool:
        arrays, index = self.tree.arrays()
        block = arrays[index[metric]]
        return bool(math.isnan(block[self._p, engine.VALUE]) or math.isnan(block[self._p,
                                                                                   self._k]))

    def _all_missing(self) -> dict[str, bool]:
        """Per metric: some input below it has no value or no target (its status: missing)."""
        metrics = self.tree.metrics
        out: dict[str, bool] = {}
        for m in self.tree.compiled_plan.order:  # children before parents
            metric = metrics[m]
            if metric.is_input:
                out[m] = self._input_missing(m)
            else:
                out[m] = any(out[c] for c in metric.children)
        return out

    def _update_missing(self, metric: str) -> None:
        """After an edit of ``metric``: it and its ancestors, children first."""
        metrics = self.tree.metrics
        missing = self._missing
        if metrics[metric].is_input:
            missing[metric] = self._input_missing(metric)
        plan = self.tree.compiled_plan
        for slot, _step in plan.steps_above(metric):
            m = plan.order[slot]
            missing[m] = any(missing[c] for c in metrics[m].children)
