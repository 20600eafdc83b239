"""The rollup engine: a compiled plan evaluated over periods x layers arrays in one pass.

Every metric holds a 2-D float array of shape ``(periods, layers)``. Layer 0 is the actual
value, layer 1 the plan target, and each scenario adds a layer of its own (its input targets,
the plan's elsewhere). Computing the tree is one walk over the computed metrics in topological
order, each a handful of numpy operations on whole arrays; an edit to one input walks only its
ancestors.
"""

from __future__ import annotations

import graphlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .errors import KPITreeError
from .formula import Formula

VALUE, TARGET = 0, 1
# the names people use for the two built-in layers (scenarios follow them)
LAYER_NAMES = {"value": VALUE, "actual": VALUE, "target": TARGET, "plan": TARGET}
# each status of :func:`status` as people read it
STATUS_LABELS = {"on_track": "on track", "at_risk": "at risk", "off_track": "off track",
                 "undefined": "undefined", "missing": "no data"}
Evaluator = Callable[[Sequence[np.ndarray]], np.ndarray]


@dataclass
class Plan:
    """The compiled structure: slot per metric, evaluators in topological order."""

    order: list[str]                      # every metric, children before parents
    index: dict[str, int]                 # metric id -> slot in the arrays
    steps: list[tuple[int, Evaluator]]    # (slot, evaluator) for computed metrics, in order
    parents: dict[str, list[str]]         # formula parents of each metric
    _ancestor_steps: dict[str, list[tuple[int, Evaluator]]] = field(default_factory=dict)

    def ancestors(self, metric: str) -> set[str]:
        """Every metric whose formula uses ``metric``, directly or through others."""
        seen: set[str] = set()
        stack = list(self.parents[metric])
        while stack:
            m = stack.pop()
            if m not in seen:
                seen.add(m)
                stack.extend(self.parents[m])
        return seen

    def steps_above(self, metric: str) -> list[tuple[int, Evaluator]]:
        """The evaluators of every ancestor of ``metric``, in topological order (cached)."""
        cached = self._ancestor_steps.get(metric)
        if cached is None:
            slots = {self.index[m] for m in self.ancestors(metric)}
            cached = [step for step in self.steps if step[0] in slots]
            self._ancestor_steps[metric] = cached
        return cached


def compile_plan(formulas: Mapping[str, Formula | None]) -> Plan:
    """Order the metrics and compile their formulas; a cycle is a :class:`KPITreeError`."""
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    parents: dict[str, list[str]] = {m: [] for m in formulas}
    for metric, formula in formulas.items():
        children = formula.children if formula else ()
        sorter.add(metric, *children)
        for child in children:
            parents[child].append(metric)
    try:
        order = list(sorter.static_order())
    except graphlib.CycleError as exc:
        cycle = list(exc.args[1])
        path = " -> ".join(reversed(cycle))
        raise KPITreeError(f"metrics.{cycle[0]}.formula: the formulas form a cycle: {path}; "
                           "a metric cannot depend on itself") from None
    index = {m: i for i, m in enumerate(order)}
    steps = [(index[m], f.compile(index)) for m in order if (f := formulas[m]) is not None]
    return Plan(order, index, steps, parents)


def evaluate(plan: Plan, arrays: list[np.ndarray],
             steps: Sequence[tuple[int, Evaluator]] | None = None,
             shape: tuple[int, ...] | None = None) -> None:
    """Run ``steps`` (all computed metrics by default) in place over ``arrays``."""
    shape = shape or arrays[0].shape
    with np.errstate(all="ignore"):
        for slot, fn in plan.steps if steps is None else steps:
            result = fn(arrays)
            if np.shape(result) != shape:
                result = np.broadcast_to(np.asarray(result, dtype=float), shape).copy()
            arrays[slot] = result


def missing_mask(plan: Plan, formulas: Mapping[str, Formula | None],
                 inputs_missing: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """For each metric, where some input below it has no number (so its result is 'missing')."""
    out: dict[str, np.ndarray] = {}
    # a tree of constant formulas has no inputs: nothing is missing
    blank = np.zeros_like(next(iter(inputs_missing.values()), np.zeros(2, dtype=bool)))
    for metric in plan.order:
        formula = formulas[metric]
        if formula is None:
            out[metric] = inputs_missing[metric]
        else:
            mask = blank
            for child in formula.children:
                mask = mask | out[child]
            out[metric] = mask
    return out


def status(value: np.ndarray, target: np.ndarray, down: np.ndarray, missing: np.ndarray,
           tolerance: float) -> np.ndarray:
    """Status per metric: on_track, at_risk (short by at most ``tolerance``), off_track,
    undefined (not a finite number, e.g. a division by zero) or missing (no data)."""
    with np.errstate(all="ignore"):
        finite = np.isfinite(value) & np.isfinite(target)
        good = np.where(down, value <= target, value >= target)
        shortfall = np.abs(value - target) / np.abs(target)
        close = shortfall <= tolerance + 1e-12  # exactly at the band's edge is still at risk
    out = np.where(good, "on_track", np.where(close, "at_risk", "off_track")).astype(object)
    out[~finite] = "undefined"
    out[missing] = "missing"
    return out
