"""The core of a KPI tree: its metrics and formulas, numbers per period, scenarios, the
engine's arrays and the rollup.

:class:`Tree` is what every layer above works on (analysis, health, reviews, data loading,
exports, the widget); it imports nothing of them. Users meet it as
:class:`kpitree_widget.KPITree`, the facade that adds those layers' methods.

>>> from kpitree_widget.metric import Metric
>>> tree = Tree([Metric("revenue", formula="customers * arpc"), Metric("customers"),
...              Metric("arpc")], values={"customers": 4700, "arpc": 120})
>>> tree.root, tree.children("revenue")
('revenue', ['customers', 'arpc'])
>>> float(tree.rollup().loc["revenue", "value"])
564000.0
"""

from __future__ import annotations

import copy
import dataclasses
import math
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from . import engine
from .args import checked
from .errors import KPITreeError, did_you_mean
from .metric import Hypothesis, Metric, check_id
from .numbers import check_number
from .periods import Numbers, order_periods, period_key, period_numbers, with_period
from .source_spec import MetricSource, SourceConfig

if TYPE_CHECKING:
    import pandas as pd

Listener = Callable[[dict[str, Any]], None]
RESERVED_LAYERS = tuple(engine.LAYER_NAMES)  # value, actual, target, plan
DEFAULT_TOLERANCE = 0.05


TreeT = TypeVar("TreeT", bound="Tree")


class Tree:
    """A KPI tree's structure and numbers: one North Star at the root, broken down by
    formulas into inputs; values and targets per period; scenarios; change listeners.

    Layers above build on this class and never on the facade; users get the facade,
    :class:`kpitree_widget.KPITree`, from ``KPITree.from_dict``, ``kt.load`` and
    ``kt.archetype``.
    """

    @checked
    def __init__(
        self,
        metrics: Iterable[Metric],
        *,
        values: Mapping[str, Numbers] | None = None,
        targets: Mapping[str, Numbers] | None = None,
        root: str | None = None,
        name: str | None = None,
        description: str | None = None,
        hypotheses: Iterable[Hypothesis] = (),
        scenarios: Mapping[str, Mapping[str, Numbers]] | None = None,
        okrs: Iterable[Mapping[str, Any]] = (),
        config: Mapping[str, Any] | None = None,
        sources: Mapping[str, Any] | None = None,
    ) -> None:
        self._sources: dict[str, SourceConfig] = {
            name: SourceConfig.from_value(name, spec) for name, spec in (sources or {}).items()}
        # the folder a source's relative file names are read from (the tree file's, on load)
        self.source_dir: str | None = None
        self._metrics: dict[str, Metric] = {}
        for metric in metrics:
            if metric.id in self._metrics:
                raise KPITreeError(f"metrics.{metric.id}: the id is used twice")
            self._metrics[metric.id] = metric
        if not self._metrics:
            raise KPITreeError("metrics: a tree needs at least one metric")
        self.name = name or ""
        self.description = description
        self.hypotheses: tuple[Hypothesis, ...] = tuple(hypotheses)
        self.okrs: list[dict[str, Any]] = [dict(o) for o in okrs]
        self.config: dict[str, Any] = dict(config or {})
        self._check_references()
        self._plan = engine.compile_plan({m: x.parsed for m, x in self._metrics.items()})
        self.root = self._find_root(root)
        self._outline = self._make_outline()
        self._values: dict[str, Numbers] = {}
        self._targets: dict[str, Numbers] = {}
        for layer, given, store in (("value", values, self._values),
                                    ("target", targets, self._targets)):
            for metric_id, numbers in (given or {}).items():
                self.require(metric_id, f"{layer}s")
                if numbers is not None:
                    store[metric_id] = check_numbers(numbers, f"metrics.{metric_id}.{layer}")
        self._scenarios: dict[str, dict[str, Numbers]] = {}
        for scenario_name, overrides in (scenarios or {}).items():
            self._scenarios[scenario_name] = self._check_scenario(scenario_name, overrides)
        self.tolerance = self.config.get("tolerance", DEFAULT_TOLERANCE)
        self._periods = self._collect_periods()
        self._arrays: list[np.ndarray] | None = None
        self._listeners: list[Listener] = []
        # reported actuals of computed metrics (data.load_data), never used in arithmetic;
        # replaced whole on every load, so copies may share it
        self._reported: dict[str, dict[str, float]] = {}

    # ------------------------------------------------------------------ construction checks

    def _check_references(self) -> None:
        known = self._metrics
        for metric in known.values():
            for child in metric.children:
                if child not in known:
                    raise KPITreeError(
                        f"metrics.{metric.id}.formula: unknown metric {child!r}"
                        f"{did_you_mean(child, known)}")
            for attr in ("source", "target_source"):
                self._check_source_name(metric.id, attr, getattr(metric, attr))
        for h in self.hypotheses:
            for end in (h.driver, h.outcome):
                if end not in known:
                    raise KPITreeError(f"hypotheses: {h.driver} -> {h.outcome}: unknown metric "
                                       f"{end!r}{did_you_mean(end, known)}")

    def _check_source_name(self, metric_id: str, attr: str, spec: MetricSource | None) -> None:
        if spec is not None and spec.from_ not in self._sources:
            raise KPITreeError(
                f"metrics.{metric_id}.{attr}.from: unknown source {spec.from_!r}"
                + (did_you_mean(spec.from_, self._sources) if self._sources else
                   " (declare it under 'sources')"))

    def _find_root(self, root: str | None) -> str:
        if root is not None:
            if root not in self._metrics:
                raise KPITreeError(
                    f"root: unknown metric {root!r}{did_you_mean(root, self._metrics)}")
            return root
        used = {c for m in self._metrics.values() for c in m.children}
        linked = {h.driver for h in self.hypotheses} | {
            m for m, x in self._metrics.items() if x.guards in self._metrics}
        tops = [m for m in self._metrics if m not in used and m not in linked]
        if len(tops) == 1:
            return tops[0]
        if not tops:
            raise KPITreeError("root: no metric is left over at the top of the formulas; "
                               "name the North Star with 'root'")
        raise KPITreeError(f"root: {len(tops)} metrics are used by no formula "
                           f"({', '.join(tops[:6])}{', …' if len(tops) > 6 else ''}); "
                           "a tree has one North Star: name it with 'root' or link the others")

    def _make_outline(self) -> list[tuple[str, str | None, int, str]]:
        """(metric, parent, level, link) depth-first from the root: formula children in
        formula order, then hypothesis drivers, then guard metrics used by no formula; metrics
        reached from nowhere come last."""
        drivers_of: dict[str, list[str]] = {}
        for h in self.hypotheses:
            drivers_of.setdefault(h.outcome, []).append(h.driver)
        guards_of: dict[str, list[str]] = {}
        for m, x in self._metrics.items():
            if x.guards in self._metrics:
                guards_of.setdefault(x.guards, []).append(m)
        seen: set[str] = set()
        out: list[tuple[str, str | None, int, str]] = []

        def walk(start: str, parent: str | None, level: int, link: str) -> None:
            stack = [(start, parent, level, link)]
            while stack:
                metric, par, lvl, lnk = stack.pop()
                if metric in seen:
                    continue
                seen.add(metric)
                out.append((metric, par, lvl, lnk))
                nxt = [(c, metric, lvl + 1, "formula") for c in self._metrics[metric].children]
                nxt += [(d, metric, lvl + 1, "hypothesis") for d in drivers_of.get(metric, ())]
                nxt += [(g, metric, lvl + 1, "guard") for g in guards_of.get(metric, ())]
                stack.extend(reversed([n for n in nxt if n[0] not in seen]))

        walk(self.root, None, 0, "root")
        for metric in self._metrics:
            if metric not in seen:
                walk(metric, None, 0, "detached")
        return out

    def require(self, metric_id: object, field: str = "metric") -> Metric:
        """The metric ``metric_id``, or a :class:`KPITreeError` naming ``field`` and the
        unknown id with a did-you-mean."""
        if not isinstance(metric_id, str) or metric_id not in self._metrics:
            raise KPITreeError(f"{field}: unknown metric {metric_id!r}"
                               f"{did_you_mean(str(metric_id), self._metrics)}")
        return self._metrics[metric_id]

    def require_input(self, metric_id: object, field: str) -> Metric:
        """Like :meth:`require`, and refuse a computed metric (its numbers come from its
        formula)."""
        metric = self.require(metric_id, field)
        if not metric.is_input:
            raise KPITreeError(
                f"metrics.{metric_id}.{field}: {metric_id!r} is computed by its formula "
                f"({metric.parsed.display() if metric.parsed else ''}); "
                "set the numbers of its inputs instead")
        return metric

    def _check_scenario(self, name: object, overrides: Mapping[str, Numbers]) -> dict[str, Numbers]:
        if not isinstance(name, str) or not name.strip():
            raise KPITreeError(f"scenarios: a scenario needs a name, got {name!r}")
        if name in RESERVED_LAYERS:
            raise KPITreeError(f"scenarios.{name}: {name!r} is reserved; choose another name")
        if not isinstance(overrides, Mapping):
            raise KPITreeError(f"scenarios.{name}: expected a mapping of input id to target, "
                               f"got {type(overrides).__name__}")
        checked: dict[str, Numbers] = {}
        for metric_id, numbers in overrides.items():
            metric = self.require(metric_id, f"scenarios.{name}")
            if not metric.is_input:
                raise KPITreeError(f"scenarios.{name}.{metric_id}: {metric_id!r} is computed by "
                                   "its formula; a scenario overrides the targets of inputs")
            checked[metric_id] = check_numbers(numbers, f"scenarios.{name}.{metric_id}")
        return checked

    def _label_used(self, label: str) -> bool:
        """Whether some number is still given for the period ``label``."""
        return any(isinstance(numbers, dict) and label in numbers
                   for store in (self._values, self._targets, *self._scenarios.values())
                   for numbers in store.values())

    def _collect_periods(self) -> list[str]:
        """Every period label: in time order when they read as dates or numbers, else in the
        order met going through the metrics in outline order (the order a saved file lists
        them, so a saved and loaded tree has the same periods in the same order)."""
        labels: list[str] = []
        for store in (self._values, self._targets):
            for metric_id, *_ in self._outline:
                numbers = store.get(metric_id)
                if isinstance(numbers, dict):
                    labels.extend(numbers)
        for overrides in self._scenarios.values():
            for numbers in overrides.values():
                if isinstance(numbers, dict):
                    labels.extend(numbers)
        ordered = order_periods(labels)
        # whether the order depends only on the labels, not on where they were met
        self._periods_by_time = len(ordered) < 2 or order_periods(ordered[::-1]) == ordered
        return ordered

    # ------------------------------------------------------------------ copies

    def copy(self: TreeT) -> TreeT:
        """An independent copy (no listeners)."""
        clone = copy.copy(self)
        clone._values = copy.deepcopy(self._values)
        clone._targets = copy.deepcopy(self._targets)
        clone._scenarios = copy.deepcopy(self._scenarios)
        clone.okrs = copy.deepcopy(self.okrs)
        clone.config = copy.deepcopy(self.config)
        clone._sources = dict(self._sources)
        clone._metrics = dict(self._metrics)
        clone._periods = list(self._periods)
        clone._arrays = None
        clone._listeners = []
        return clone

    # ------------------------------------------------------------------ structure

    @property
    def metrics(self) -> Mapping[str, Metric]:
        """Read-only mapping of metric id to :class:`Metric`."""
        return MappingProxyType(self._metrics)

    def children(self, metric_id: str) -> list[str]:
        """The ids a metric's formula uses, in formula order (``[]`` for an input)."""
        return list(self.require(metric_id).children)

    def parents(self, metric_id: str) -> list[str]:
        """The metrics whose formulas use ``metric_id``."""
        self.require(metric_id)
        return list(self._plan.parents[metric_id])

    def inputs(self) -> list[str]:
        """Ids of the metrics without a formula, in outline order."""
        return [m for m, *_ in self._outline if self._metrics[m].is_input]

    def descendants(self, metric_id: str) -> list[str]:
        """Every metric below ``metric_id`` through formulas, in outline order."""
        self.require(metric_id)
        seen: set[str] = set()
        stack = list(self._metrics[metric_id].children)
        while stack:
            m = stack.pop()
            if m not in seen:
                seen.add(m)
                stack.extend(self._metrics[m].children)
        return [m for m, *_ in self._outline if m in seen]

    def ancestors(self, metric_id: str) -> list[str]:
        """Every metric above ``metric_id`` through formulas (the ones an edit of it
        recomputes), in outline order."""
        self.require(metric_id)
        above = self._plan.ancestors(metric_id)
        return [m for m, *_ in self._outline if m in above]

    def outline(self) -> list[tuple[str, str | None, int, str]]:
        """``(metric, parent, level, link)`` rows, depth-first from the root; ``link`` is
        ``root``, ``formula``, ``hypothesis``, ``guard`` (a counterweight placed beside the
        metric it guards) or ``detached`` (reached from no link)."""
        return list(self._outline)

    @property
    def periods(self) -> list[str]:
        """Period labels in order; ``[]`` for a tree whose numbers hold for every period."""
        return list(self._periods)

    @property
    def scenarios(self) -> dict[str, dict[str, Numbers]]:
        """A copy of the named scenarios: overrides of input targets."""
        return copy.deepcopy(self._scenarios)

    @property
    def tolerance(self) -> float:
        """How far short of target (a fraction of it) still counts as ``at_risk``, not
        ``off_track``. Default 0.05."""
        return self._tolerance

    @tolerance.setter
    def tolerance(self, value: float) -> None:
        value = check_number(value, "config.tolerance")
        if value < 0:
            raise KPITreeError(f"config.tolerance: expected a fraction >= 0, got {value}")
        self._tolerance = value

    # ------------------------------------------------------------------ numbers

    def get_value(self, metric_id: str) -> Numbers:
        """The stored actual of an input (a number, or a mapping per period)."""
        self.require(metric_id)
        return copy.deepcopy(self._values.get(metric_id))

    def get_target(self, metric_id: str) -> Numbers:
        """The stored target: an input's plan, or the explicit target of a computed metric."""
        self.require(metric_id)
        return copy.deepcopy(self._targets.get(metric_id))

    def set_value(self, metric_id: str, x: Any, period: Any = None) -> None:
        """Set an input's actual value, for one period or (``period=None``) for every period.

        ``x`` is a number, or ``None`` for no value.

        Computed metrics take their value from their formula: setting one is an error.
        """
        self.require_input(metric_id, "value")
        self._set(self._values, "value", metric_id, x, period)

    def set_target(self, metric_id: str, x: Any, period: Any = None) -> None:
        """Set a target, for one period or (``period=None``) for every period.

        On an input it is the plan that rolls up. On a computed metric it is kept as an
        explicit target beside what the children imply (``rollup()`` shows both; ``solve``
        closes the gap). ``None`` removes the target.
        """
        self.require(metric_id, "target")
        self._set(self._targets, "target", metric_id, x, period)

    def _set(self, store: dict[str, Numbers], field: str, metric_id: str, x: Any,
             period: Any) -> None:
        where = f"metrics.{metric_id}.{field}"
        number = None if x is None else check_number(x, where)
        if period is None:
            self._replace(store, field, metric_id, number)
            return
        key = period_key(period)
        if not key:
            raise KPITreeError(f"{where}: the period is empty")
        per = with_period(store.get(metric_id), key, number, self._periods)
        self._replace(store, field, metric_id, per)

    def _replace(self, store: dict[str, Numbers], field: str, metric_id: str,
                 numbers: Numbers) -> None:
        """Store checked numbers for one metric, recompute what depends on them, notify."""
        old = store.get(metric_id)
        if numbers is None:
            store.pop(metric_id, None)
        else:
            store[metric_id] = numbers
        old_labels = set(old) if isinstance(old, dict) else set()
        new_labels = set(numbers) if isinstance(numbers, dict) else set()
        same_periods = new_labels <= set(self._periods) and all(
            self._label_used(label) for label in old_labels - new_labels) and (
            self._periods_by_time or not (old_labels or new_labels))
        periods = self._periods if same_periods else self._collect_periods()
        if periods != self._periods:
            self._periods = periods
            self._arrays = None
        elif self._arrays is not None and self._metrics[metric_id].is_input:
            self._refresh_input(metric_id)
        self._notify(field, metric_id)

    @checked(own=("name", "overrides"))
    def scenario(self, name: str, overrides: Mapping[str, Numbers]) -> None:
        """Add or replace a named scenario: targets for some inputs, the plan elsewhere.

        >>> tree.scenario("upside", {"signup_rate": 0.04})  # doctest: +SKIP
        >>> tree.rollup(scenario="upside")                   # doctest: +SKIP
        """
        checked = self._check_scenario(name, overrides)
        self._scenarios[name] = checked
        self._periods = self._collect_periods()
        self._arrays = None
        self._notify("scenario", None)

    @checked
    def set_scenario_target(self, name: str, metric_id: str, x: Any,
                            period: Any = None) -> None:
        """Set one input's target in scenario ``name``, for one period or (``period=None``)
        for every period; ``None`` drops the override (the plan shows through again).

        >>> tree.set_scenario_target("upside", "signup_rate", 0.04)  # doctest: +SKIP
        """
        if name not in self._scenarios:
            raise KPITreeError(f"scenarios: unknown scenario {name!r}"
                               f"{did_you_mean(str(name), self._scenarios)}")
        metric = self.require(metric_id, f"scenarios.{name}")
        where = f"scenarios.{name}.{metric_id}"
        if not metric.is_input:
            raise KPITreeError(f"{where}: {metric_id!r} is computed by its formula; a scenario "
                               "overrides the targets of inputs only (set a target on a "
                               "computed metric in the plan)")
        number = None if x is None else check_number(x, where)
        overrides = copy.deepcopy(self._scenarios[name])
        if period is None:
            if number is None:
                overrides.pop(metric_id, None)
            else:
                overrides[metric_id] = number
        else:
            key = period_key(period)
            if not key:
                raise KPITreeError(f"{where}: the period is empty")
            old = overrides.get(metric_id, self._targets.get(metric_id))
            overrides[metric_id] = with_period(old, key, number, self._periods)
            if overrides[metric_id] is None:
                del overrides[metric_id]
        self._scenarios[name] = self._check_scenario(name, overrides)
        self._periods = self._collect_periods()
        self._arrays = None
        self._notify("scenario", metric_id)

    @checked
    def remove_scenario(self, name: str) -> None:
        """Drop a scenario."""
        if name not in self._scenarios:
            raise KPITreeError(f"scenarios: unknown scenario {name!r}"
                               f"{did_you_mean(name, self._scenarios)}")
        del self._scenarios[name]
        self._periods = self._collect_periods()
        self._arrays = None
        self._notify("scenario", None)

    # ------------------------------------------------------------------ sources

    @property
    def sources(self) -> Mapping[str, SourceConfig]:
        """The data sources the tree declares (``sources:`` in the file), by name."""
        return MappingProxyType(self._sources)

    @checked
    def put_source(self, config: SourceConfig) -> None:
        """Declare (or replace) the source ``config.name``."""
        self._sources[config.name] = config
        self._notify("sources", None)

    @checked
    def drop_source(self, name: str) -> None:
        """Remove the source ``name``; refused while a metric reads from it."""
        if name not in self._sources:
            raise KPITreeError(f"sources: unknown source {name!r}"
                               f"{did_you_mean(str(name), self._sources)}")
        users = [m.id for m in self._metrics.values()
                 if name in (m.source.from_ if m.source else None,
                             m.target_source.from_ if m.target_source else None)]
        if users:
            raise KPITreeError(f"sources.{name}: {', '.join(users)} read from it; remove their "
                               "source first")
        del self._sources[name]
        self._notify("sources", None)

    @checked
    def put_metric_source(self, metric_id: str, attr: str, spec: MetricSource | None) -> None:
        """Set ``attr`` (``source`` or ``target_source``) of ``metric_id`` (None removes it)."""
        if attr not in ("source", "target_source"):
            raise KPITreeError(f"put_metric_source: attr must be 'source' or 'target_source', "
                               f"got {attr!r}")
        metric = self.require(metric_id, attr)
        self._check_source_name(metric_id, attr, spec)
        changes: dict[str, Any] = {attr: spec}
        self._metrics[metric_id] = dataclasses.replace(metric, **changes)
        self._notify("sources", metric_id)

    # ------------------------------------------------------------------ listeners

    @checked
    def on_change(self, callback: Listener) -> Callable[[], None]:
        """Call ``callback(event)`` after every change; returns a function that unsubscribes.

        ``event`` is ``{"kind": "value" | "target" | "scenario" | "data", "metric": id | None}``.
        """
        self._listeners.append(callback)
        return lambda: self._listeners.remove(callback) if callback in self._listeners else None

    def _notify(self, kind: str, metric: str | None) -> None:
        event = {"kind": kind, "metric": metric}
        for callback in list(self._listeners):
            callback(event)

    @checked
    def set_numbers(self, layer: str, metric_id: str, numbers: Numbers) -> None:
        """Replace an input's ``value`` or ``target`` numbers (a number, or a mapping of
        period to number, e.g. a target for every period at once) in one change."""
        self.require_input(metric_id, layer)
        store = self._values if layer == "value" else self._targets
        self._replace(store, layer, metric_id,
                      None if numbers is None else check_numbers(numbers,
                                                                  f"metrics.{metric_id}.{layer}"))

    @checked
    def load_numbers(self, layer: str, updates: Mapping[str, Numbers],
                      reported: Mapping[str, dict[str, float]] | None = None) -> None:
        """For bulk loaders (``data.load_data``): store checked numbers of inputs for the
        ``value`` or ``target`` layer and, when given, replace the reported actuals of
        computed metrics; then rebuild once and tell the listeners."""
        store = self._values if layer == "value" else self._targets
        store.update(updates)
        if reported is not None:
            self._reported = dict(reported)
        self._periods = self._collect_periods()
        self._arrays = None
        self._notify("data", None)

    @property
    def reported_numbers(self) -> Mapping[str, Mapping[str, float]]:
        """For ``data``: a read-only view of the reported actuals of computed metrics (metric
        id to period to number); :meth:`reported` is the public table of them."""
        return MappingProxyType(self._reported)

    # ------------------------------------------------------------------ engine

    @property
    def compiled_plan(self) -> engine.Plan:
        """The engine's compiled structure (a slot per metric, the evaluators in topological
        order), for the analysis modules. Read it, don't change it; changing the structure
        compiles a new one. Not to be confused with the plan numbers (the ``target`` layer)."""
        return self._plan

    @property
    def layers(self) -> list[str]:
        """The layers the engine computes: ``value``, ``target``, then each scenario."""
        return ["value", "target", *self._scenarios]

    def _shape(self) -> tuple[int, int]:
        return (max(1, len(self._periods)), 2 + len(self._scenarios))

    def _column(self, numbers: Numbers) -> np.ndarray:
        periods: list[str | None] = list(self._periods) or [None]
        if numbers is None:
            return np.full(len(periods), np.nan)
        if isinstance(numbers, dict):
            return np.array([numbers.get(p, np.nan) if p is not None else np.nan
                             for p in periods], dtype=float)
        return np.full(len(periods), float(numbers))

    def _input_array(self, metric_id: str) -> np.ndarray:
        arr = np.empty(self._shape())
        arr[:, engine.VALUE] = self._column(self._values.get(metric_id))
        target = self._column(self._targets.get(metric_id))
        arr[:, engine.TARGET:] = target[:, None]
        for k, overrides in enumerate(self._scenarios.values(), start=2):
            if metric_id in overrides:  # periods the scenario leaves out keep the plan
                override = self._column(overrides[metric_id])
                arr[:, k] = np.where(np.isnan(override), target, override)
        return arr

    def arrays(self) -> tuple[list[np.ndarray], dict[str, int]]:
        """The engine's arrays (one ``(periods, layers)`` array per metric) and the slot of
        each metric: computed on first use and kept up to date by edits."""
        if self._arrays is None:
            plan = self._plan
            shape = self._shape()
            arrays: list[np.ndarray] = [np.empty(0)] * len(plan.order)
            for metric_id in plan.order:
                if self._metrics[metric_id].is_input:
                    arrays[plan.index[metric_id]] = self._input_array(metric_id)
            engine.evaluate(plan, arrays, shape=shape)
            self._arrays = arrays
        return self._arrays, self._plan.index

    def _refresh_input(self, metric_id: str) -> None:
        assert self._arrays is not None
        self._arrays[self._plan.index[metric_id]] = self._input_array(metric_id)
        engine.evaluate(self._plan, self._arrays, self._plan.steps_above(metric_id),
                        shape=self._shape())

    def period_index(self, period: Any = None) -> int:
        """Position of a period in :attr:`periods`; ``None`` is the last period."""
        if period is None:
            return max(0, len(self._periods) - 1)
        key = period_key(period)
        if key not in self._periods:
            known = ", ".join(self._periods[:6]) or "none: the numbers hold for every period"
            raise KPITreeError(f"period: unknown period {key!r} (periods: {known}"
                               f"{', …' if len(self._periods) > 6 else ''})")
        return self._periods.index(key)

    def period_label(self, period: Any = None) -> str | None:
        """The label of a period (default: the last), checked; ``None`` for a tree whose
        numbers hold for every period."""
        p = self.period_index(period)
        return self._periods[p] if self._periods else None

    @checked
    def layer_index(self, layer: str | None) -> int:
        """Position of a layer: ``value``, ``target`` (``None``), or a scenario name."""
        if layer is None:
            return engine.TARGET
        if layer in engine.LAYER_NAMES:
            return engine.LAYER_NAMES[layer]
        if layer in self._scenarios:
            return 2 + list(self._scenarios).index(layer)
        raise KPITreeError(f"scenario: unknown scenario {layer!r}"
                           f"{did_you_mean(str(layer), self._scenarios)} "
                           f"(scenarios: {', '.join(self._scenarios) or 'none'})")

    def explicit_targets(self, period: Any = None) -> dict[str, float]:
        """The targets typed on computed metrics for a period (default: the last), as
        ``{metric id: target}``; computed metrics without one are left out (their target is
        what their children imply)."""
        return self._explicit_targets(self.period_index(period))

    def _explicit_targets(self, p: int) -> dict[str, float]:
        label = self._periods[p] if self._periods else None
        out: dict[str, float] = {}
        for metric_id, numbers in self._targets.items():
            if self._metrics[metric_id].is_input:
                continue
            if isinstance(numbers, dict):
                if label is not None and label in numbers:
                    out[metric_id] = numbers[label]
            elif numbers is not None:
                out[metric_id] = float(numbers)
        return out

    @checked
    def rollup(self, period: Any = None, scenario: str | None = None) -> pd.DataFrame:
        """The tree as a table: one row per metric, root first, depth-first.

        Columns: ``name, level, parent, formula, relation, is_input, value, target,
        implied_target, variance, variance_pct, status, owner, unit, direction, team, cadence,
        lag_days``. ``target`` is the explicit target where one is typed on a computed metric
        and what the children imply otherwise; ``implied_target`` is always what they imply.
        ``variance`` is value - target; ``variance_pct`` is that in percent of the target;
        ``status`` is ``on_track``, ``at_risk`` (short by at most the tolerance), ``off_track``,
        ``undefined`` (not a finite number, e.g. a division by zero) or ``missing`` (no data).

        ``period`` picks a period (default: the last); ``scenario`` shows a scenario's targets.
        """
        import pandas as pd

        arrays, index = self.arrays()
        p = self.period_index(period)
        k = self.layer_index(scenario)
        ids = [m for m, *_ in self._outline]
        metrics = [self._metrics[m] for m in ids]
        value = np.array([arrays[index[m]][p, engine.VALUE] for m in ids])
        implied = np.array([arrays[index[m]][p, k] for m in ids])
        target = implied.copy()
        if scenario is None:
            explicit = self._explicit_targets(p)
            if explicit:
                rows = {m: row for row, m in enumerate(ids)}
                for metric_id, x in explicit.items():
                    target[rows[metric_id]] = x
        missing = self._missing(p, k, ids)
        down = np.array([m.direction == "down" for m in metrics])
        with np.errstate(all="ignore"):
            variance = value - target
            variance_pct = 100 * variance / np.abs(target)
        status = engine.status(value, target, down, missing, self._tolerance)
        is_input = np.array([m.is_input for m in metrics])
        frame = pd.DataFrame(
            {
                "name": [m.name for m in metrics],
                "level": [lvl for _, _, lvl, _ in self._outline],
                "parent": [par for _, par, _, _ in self._outline],
                "formula": [m.parsed.display() if m.parsed else None for m in metrics],
                "relation": [m.relation for m in metrics],
                "is_input": is_input,
                "value": value,
                "target": target,
                "implied_target": np.where(is_input, np.nan, implied),
                "variance": variance,
                "variance_pct": variance_pct,
                "status": status,
                "owner": [m.owner for m in metrics],
                "unit": [m.unit for m in metrics],
                "direction": [m.direction for m in metrics],
                "team": [m.team for m in metrics],
                "cadence": [m.cadence for m in metrics],
                "lag_days": [m.lag_days for m in metrics],
            },
            index=pd.Index(ids, name="metric"),
        )
        return frame

    def _missing(self, p: int, k: int, ids: list[str]) -> np.ndarray:
        """Per metric (in ``ids`` order): some input below has no value or no target."""
        arrays, index = self.arrays()
        formulas = {m: x.parsed for m, x in self._metrics.items()}
        gaps = {
            m: np.array([math.isnan(arrays[index[m]][p, engine.VALUE]),
                         math.isnan(arrays[index[m]][p, k])])
            for m, x in self._metrics.items() if x.is_input
        }
        masks = engine.missing_mask(self._plan, formulas, gaps)
        return np.array([bool(masks[m].any()) for m in ids])

    # ------------------------------------------------------------------ display

    def __repr__(self) -> str:
        return (f"<{type(self).__name__} {self.name or self.root!r}: {len(self._metrics)} "
                f"metrics, root {self.root!r}>")

    def __len__(self) -> int:
        return len(self._metrics)

    def __contains__(self, metric_id: object) -> bool:
        return metric_id in self._metrics


def check_numbers(numbers: Any, where: str) -> Numbers:
    """A number, or a mapping of period to number, each finite."""
    if isinstance(numbers, Mapping):
        return {key: check_number(x, f"{where}.{key}")
                for key, x in period_numbers(numbers, where).items()}
    return check_number(numbers, where)


__all__ = ["DEFAULT_TOLERANCE", "Listener", "Tree", "TreeT", "check_id", "check_numbers"]
