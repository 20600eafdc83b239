"""Pieces the analysis modules share: picking metrics, layers and periods, batch evaluation of the
compiled plan over arrays of any shape, and reverse-mode derivatives through the formulas."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import numpy as np

from .. import engine
from ..errors import KPITreeError
from ..periods import period_key

if TYPE_CHECKING:
    from ..tree import Tree

T = TypeVar("T")
_CACHE: dict[int, tuple[weakref.ref[Any], dict[Hashable, Any]]] = {}


def cached(tree: Tree, key: Hashable, make: Callable[[], T]) -> T:
    """``make()`` computed once per tree structure: kept beside the compiled plan (a structure
    change compiles a new plan, which empties the cache) and dropped with it."""
    plan = tree.compiled_plan
    entry = _CACHE.get(id(plan))
    if entry is None or entry[0]() is not plan:
        key_id = id(plan)

        def forget(_ref: weakref.ref[Any]) -> None:
            _CACHE.pop(key_id, None)

        entry = (weakref.ref(plan, forget), {})
        _CACHE[id(plan)] = entry
    store = entry[1]
    full = (key, tree.root)
    if full not in store:
        store[full] = make()
    value: T = store[full]
    return value


LAYER_NAMES = engine.LAYER_NAMES


def pick_metric(tree: Tree, metric: str | None, field: str) -> str:
    """``metric`` checked to be in the tree; the root when ``None``."""
    if metric is None:
        return tree.root
    tree.require(metric, field)
    return metric


def layer_label(tree: Tree, k: int) -> str:
    """The name people use for layer ``k``."""
    return tree.layers[k]


def subtree(tree: Tree, metric: str) -> tuple[list[str], list[str]]:
    """The inputs under ``metric`` (outline order) and the computed metrics from ``metric`` down
    (``metric`` included when computed), children before parents. Cached per structure: do
    not change the lists."""

    def make() -> tuple[list[str], list[str]]:
        metrics = tree.metrics
        below = {metric, *tree.descendants(metric)}
        inputs = [m for m, *_ in tree.outline() if m in below and metrics[m].is_input]
        order = tree.compiled_plan.order
        computed = [m for m in order if m in below and not metrics[m].is_input]
        return inputs, computed

    return cached(tree, ("subtree", metric), make)


def snapshot(tree: Tree, k: int, p: int | slice) -> list[Any]:
    """Every metric's number (or row of numbers) at layer ``k`` and period ``p``, by slot."""
    arrays, _ = tree.arrays()
    return [a[p, k] for a in arrays]


def varying_steps(tree: Tree, varying: set[str],
                  within: set[str] | None = None) -> list[tuple[int, engine.Evaluator]]:
    """The plan's steps for the computed metrics that depend on any of ``varying`` (restricted to
    ``within`` when given), in topological order. Cached per structure."""
    key = ("steps", frozenset(varying), None if within is None else frozenset(within))
    return cached(tree, key, lambda: _varying_steps(tree, varying, within))


def _varying_steps(tree: Tree, varying: set[str],
                   within: set[str] | None) -> list[tuple[int, engine.Evaluator]]:
    plan = tree.compiled_plan
    metrics = tree.metrics
    moved = set(varying)
    keep: set[int] = set()
    for m in plan.order:
        metric = metrics[m]
        if metric.is_input or (within is not None and m not in within):
            continue
        if any(c in moved for c in metric.children):
            moved.add(m)
            keep.add(plan.index[m])
    return [step for step in plan.steps if step[0] in keep]


def evaluate_batch(tree: Tree, base: list[Any], overrides: Mapping[str, np.ndarray],
                   shape: tuple[int, ...], within: set[str] | None = None) -> list[Any]:
    """Evaluate the plan once over a batch of cases.

    ``base`` holds one number (or array broadcastable to ``shape``) per slot; ``overrides`` gives
    arrays of ``shape`` for some inputs. Only the metrics that depend on those inputs are
    recomputed (over arrays of ``shape``); the others keep their ``base`` number.
    """
    plan = tree.compiled_plan
    arrays = list(base)
    for metric, values in overrides.items():
        arrays[plan.index[metric]] = values
    steps = varying_steps(tree, set(overrides), within)
    engine.evaluate(plan, arrays, steps, shape=shape)
    return arrays


def gradient(tree: Tree, metric: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """d metric / d x for every metric x under ``metric``, at ``values`` (numbers or arrays
    keyed by id), by the chain rule in reverse over the DAG using each formula's local
    derivatives (``Formula.partials``)."""
    _, computed = subtree(tree, metric)
    metrics = tree.metrics
    adjoint: dict[str, Any] = {metric: 1.0}
    with np.errstate(all="ignore"):
        for m in reversed(computed):
            seed = adjoint.get(m)
            if seed is None:
                continue
            formula = metrics[m].parsed
            assert formula is not None
            if (seed == 0) if isinstance(seed, float) else np.all(np.asarray(seed) == 0):
                for c in formula.children:
                    adjoint.setdefault(c, 0.0)
                continue
            local = formula.partials({c: values[c] for c in formula.children})
            for c, d in local.items():
                adjoint[c] = adjoint.get(c, 0.0) + seed * d
    return adjoint


class Point(NamedTuple):
    """A (layer, period) point of the tree, as :func:`resolve_point` reads it."""

    k: int                 # layer index
    p: int                 # period row
    label: str             # what people call the point: "target", "value 2026-03", "2026-03"
    period: str | None     # the period's label (None for a tree without periods)


def where_text(tree: Tree, point: Point) -> str:
    """``"target"`` or ``"target, 2026-03"`` for messages."""
    return layer_label(tree, point.k) + (f", {point.period}" if point.period else "")


def resolve_point(tree: Tree, spec: Any, period: Any, field: str,
                  layer: str = "value") -> Point:
    """A (layer, period) point from what people write: a layer (``value``/``actual``,
    ``target``/``plan``) or a scenario name (in ``period``, default the last), a period label
    (``layer``, default the value layer, in that period) or a ``(layer, period)`` pair."""
    if isinstance(spec, tuple):
        if len(spec) != 2:
            raise KPITreeError(f"{field}: expected (layer, period), got {spec!r}")
        k = _layer(tree, spec[0], field)
        p, label = tree.period_index(spec[1]), tree.period_label(spec[1])
        return Point(k, p, f"{layer_label(tree, k)} {label or ''}".strip(), label)
    if isinstance(spec, str) and (spec in LAYER_NAMES or spec in tree.layers):
        k = _layer(tree, spec, field)
        p, label = tree.period_index(period), tree.period_label(period)
        if period is not None and label:
            return Point(k, p, f"{layer_label(tree, k)} {label}", label)
        return Point(k, p, layer_label(tree, k), label)
    key = period_key(spec) if spec is not None else ""
    if key and key in tree.periods:
        return Point(_layer(tree, layer, field), tree.periods.index(key), key, key)
    periods = ", ".join(tree.periods[:6]) + (", …" if len(tree.periods) > 6 else "")
    scenarios = ", ".join(tree.layers[2:]) or "none"
    raise KPITreeError(f"{field}: {spec!r} is not a layer (value, target), a scenario "
                       f"({scenarios}) or a period ({periods or 'none'})")


def _layer(tree: Tree, layer: Any, field: str) -> int:
    if isinstance(layer, str) and (layer in LAYER_NAMES or layer in tree.layers):
        return tree.layer_index(layer)
    raise KPITreeError(f"{field}: {layer!r} is not a layer (value, target) or a scenario "
                       f"({', '.join(tree.layers[2:]) or 'none'})")
