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
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import numpy as np

from . import edits, engine
from .args import checked
from .errors import KPITreeError, did_you_mean
from .formula import JOIN_OPS, joined, without
from .history import History
from .metric import Hypothesis, Metric, check_id
from .numbers import check_number, format_number
from .periods import Numbers, order_periods, period_key, period_numbers, with_period
from .source_spec import MetricSource, SourceConfig
from .sourcefile import SourceFile

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

Listener = Callable[[dict[str, Any]], None]
RESERVED_LAYERS = tuple(engine.LAYER_NAMES)  # value, actual, target, plan
DEFAULT_TOLERANCE = 0.05


TreeT = TypeVar("TreeT", bound="Tree")
# how rollup() shows its numbers in a notebook (kpitree_widget.tables)
ROLLUP_DISPLAY = {"value": "row", "target": "row", "implied_target": "row",
                  "variance": "row signed", "variance_pct": "change"}

# the keys of the parts of a tree the undo history keeps (numbers are keyed (layer, metric))
_STRUCTURE, _SCENARIOS, _REPORTED = ("structure",), ("scenarios",), ("reported",)


class _Shape(NamedTuple):
    """A snapshot of a tree's structure for the undo history (never changed in place). The
    compiled plan is not kept (it is large): putting a snapshot back compiles it again when
    the formulas differ."""

    metrics: tuple[Metric, ...]
    root: str
    hypotheses: tuple[Hypothesis, ...]
    okrs: list[dict[str, Any]]
    outline: tuple[tuple[str, str | None, int, str], ...]


def _same_formulas(a: Iterable[Metric], b: Iterable[Metric]) -> bool:
    """Whether two sets of metrics have the same ids in the same order and the same parsed
    formulas (so they compile to the same plan)."""
    a, b = list(a), list(b)
    return len(a) == len(b) and all(x.id == y.id and x.parsed is y.parsed
                                    for x, y in zip(a, b))


def _same_outline(a: Iterable[Metric], b: Iterable[Metric]) -> bool:
    return _same_formulas(a, b) and all(x.guards == y.guards for x, y in zip(a, b))


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
        # numbers of computed metrics given per layer and period instead of computed
        # (set_given_numbers: a resampled tree's metrics aggregated from their own months)
        self._given: dict[str, dict[str, dict[str, float]]] = {}
        self._given_steps: dict[int, engine.Evaluator] = {}
        self._history = History()
        self._snapshot_cache: tuple[tuple[Metric, ...], tuple[Any, ...]] | None = None

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

    # ------------------------------------------------------------------ its file

    #: the file the tree was loaded from or last saved to (``io.load``, ``roundtrip.save``);
    #: one attribute, copied by :meth:`copy`, to be kept when the tree's state is rebuilt
    _source_file: SourceFile | None = None

    @property
    def path(self) -> Path | None:
        """The file this tree was loaded from or last saved to (an absolute path), or
        ``None`` for a tree built in code; ``save()`` without a path writes there."""
        return None if self._source_file is None else self._source_file.path

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
        clone._given = copy.deepcopy(self._given)
        clone._given_steps = dict(self._given_steps)  # built from numbers equal to the copy's
        clone._arrays = None if self._arrays is None else [a.copy() for a in self._arrays]
        clone._listeners = []
        clone._history = History()
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
        closes the gap). ``None`` removes the target. A target outside the metric's bounds
        (``min`` / ``max``) is refused: a plan of a 150% conversion rate cannot be met.
        """
        self.require(metric_id, "target")
        if x is not None:
            self.check_bounds(metric_id, check_number(x, f"metrics.{metric_id}.target"),
                              period=None if period is None else period_key(period))
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
        self._history.record({(field, metric_id): old}, {(field, metric_id): numbers})
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
        for metric_id, numbers in checked.items():
            self.check_bounds(metric_id, numbers, where=f"scenarios.{name}.{metric_id}")
        before = dict(self._scenarios)
        self._scenarios[name] = checked
        self._scenarios_changed(before)
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
        if number is not None:
            self.check_bounds(metric_id, number, where=where,
                              period=None if period is None else period_key(period))
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
        checked = self._check_scenario(name, overrides)
        before = dict(self._scenarios)
        self._scenarios[name] = checked
        self._scenarios_changed(before)
        self._periods = self._collect_periods()
        self._arrays = None
        self._notify("scenario", metric_id)

    @checked
    def remove_scenario(self, name: str) -> None:
        """Drop a scenario."""
        if name not in self._scenarios:
            raise KPITreeError(f"scenarios: unknown scenario {name!r}"
                               f"{did_you_mean(name, self._scenarios)}")
        before = dict(self._scenarios)
        del self._scenarios[name]
        self._scenarios_changed(before)
        self._periods = self._collect_periods()
        self._arrays = None
        self._notify("scenario", None)

    @checked
    def check_bounds(self, metric_id: str, numbers: Any, *, where: str | None = None,
                     period: str | None = None) -> None:
        """Refuse a target (a number, or a mapping of period to number) outside the metric's
        bounds with a :class:`KPITreeError` naming the metric, the field and the period.

        Edits of targets call it (``set_target``, ``set_numbers``, scenarios, ``solve``);
        numbers read from a file or loaded as data are kept as they are and the health check
        flags those outside the bounds (``bounds.outside``).

        >>> tree.check_bounds("signup_rate", 1.5)  # doctest: +SKIP
        Traceback (most recent call last):
        KPITreeError: metrics.signup_rate.target: 150% is above its max of 100% ...
        """
        metric = self.require(metric_id, "target")
        where = where or f"metrics.{metric_id}.target"
        if numbers is None or not metric.has_bounds:
            return
        numbers = check_numbers(numbers, where)
        items = numbers.items() if isinstance(numbers, dict) else [(period, numbers)]
        for label, x in items:
            broken = metric.outside_bounds(x)
            if broken:
                at = f" in {label}" if label else ""
                raise KPITreeError(
                    f"{where}: {format_number(x, metric.unit)}{at} is {broken} (its bounds: "
                    f"{metric.bounds_text()}); choose a target within them, or change the "
                    "bounds if they are wrong", metric=metric_id, field="target", period=label)

    def _scenarios_changed(self, before: dict[str, dict[str, Numbers]]) -> None:
        self._history.record({_SCENARIOS: before}, {_SCENARIOS: dict(self._scenarios)})

    # ------------------------------------------------------------------ building

    @classmethod
    @checked
    def new(cls: type[TreeT], root_id: str, **fields: Any) -> TreeT:
        """A tree of one metric, the North Star, to build from; ``fields`` as in the file
        (``name``, ``owner``, ``unit``, ..., ``value``, ``target``).

        >>> tree = Tree.new("revenue", name="Revenue", unit="currency")
        >>> tree.root, list(tree.metrics)
        ('revenue', ['revenue'])
        """
        check_id(root_id, f"metrics.{root_id}")
        metric_fields, numbers = edits.split_fields(root_id, fields)
        if metric_fields.get("formula") is not None:
            raise KPITreeError(f"metrics.{root_id}.formula: a new tree's North Star has no "
                               "formula yet; add its drivers with add_driver",
                               metric=root_id, field="formula")
        metric = edits.new_metric(root_id, metric_fields)
        given = {layer: {root_id: check_numbers(x, f"metrics.{root_id}.{layer}")}
                 for layer, x in numbers.items() if x is not None}
        return cls([metric], values=given.get("value"), targets=given.get("target"),
                   root=root_id)

    @checked
    def add_metric(self, metric_id: str, *, formula: str | None = None,
                   **fields: Any) -> Metric:
        """Add a metric; ``fields`` as in the file (``name``, ``owner``, ``unit``, ...,
        ``value``, ``target``). Its formula may use only metrics that exist; nothing uses the
        new metric until a formula names it (:meth:`add_driver` adds and joins it at once).

        >>> tree = Tree.new("revenue")
        >>> tree.add_metric("churn", unit="percent", owner="CS Lead").owner
        'CS Lead'
        """
        check_id(metric_id, f"metrics.{metric_id}")
        if metric_id in self._metrics:
            raise KPITreeError(f"metrics.{metric_id}: a metric with this id exists already",
                               metric=metric_id, field="id")
        metric_fields, numbers = edits.split_fields(metric_id, fields)
        if formula is not None:
            metric_fields["formula"] = formula
        metric = self._checked_metric(edits.new_metric, metric_id, metric_fields)
        self._commit({**self._metrics, metric_id: metric}, metric=metric_id,
                     numbers={metric_id: numbers})
        return metric

    @checked
    def add_driver(self, parent: str, metric_id: str, op: str = "+", **fields: Any) -> Metric:
        """Add ``metric_id`` as an input of ``parent``, joined to its formula with ``op``
        (``+``, ``-``, ``*``, ``/``): ``a + b`` becomes ``a + b + new``; a parent without a
        formula becomes ``new``. ``fields`` as in :meth:`add_metric`. An existing metric (given
        without fields) is joined as it is.

        >>> tree = Tree.new("revenue")
        >>> _ = tree.add_driver("revenue", "customers")
        >>> _ = tree.add_driver("revenue", "arpc", "*")
        >>> tree.metrics["revenue"].formula
        'customers * arpc'
        """
        where = f"metrics.{parent}.formula"
        p = self.require(parent, "add_driver")
        if op not in JOIN_OPS:
            raise KPITreeError(f"{where}: op must be one of {', '.join(JOIN_OPS)}, got {op!r}",
                               metric=parent, field="formula")
        if metric_id in p.children:
            raise KPITreeError(f"{where}: {metric_id!r} is in the formula already "
                               f"({p.parsed.display() if p.parsed else ''})",
                               metric=parent, field="formula")
        metrics = dict(self._metrics)
        numbers: dict[str, Any] = {}
        if metric_id in metrics:
            if fields:
                raise KPITreeError(f"metrics.{metric_id}: a metric with this id exists already; "
                                   "add_driver joins it as it is (leave out the fields, and "
                                   "change them with update_metric)", metric=metric_id,
                                   field="id")
            driver = metrics[metric_id]
        else:
            check_id(metric_id, f"metrics.{metric_id}")
            metric_fields, numbers = edits.split_fields(metric_id, fields)
            driver = self._checked_metric(edits.new_metric, metric_id, metric_fields)
            metrics[metric_id] = driver
        text = joined(p.formula, op, metric_id)
        metrics[parent] = edits.updated(p, {"formula": text})
        self._commit(metrics, metric=metric_id, numbers={metric_id: numbers})
        return driver

    @checked
    def set_formula(self, metric_id: str, text: str | None,
                    create_missing: bool = False) -> list[str]:
        """Give ``metric_id`` a new formula (``None``: none, it becomes an input). A name no
        metric has is refused with a did-you-mean, or (``create_missing=True``) added as a new
        input; a formula that makes a cycle is refused naming the cycle. Returns the ids
        created.

        >>> tree = Tree.new("revenue")
        >>> tree.set_formula("revenue", "customers * arpc", create_missing=True)
        ['customers', 'arpc']
        """
        m = self.require(metric_id, "set_formula")
        metrics = dict(self._metrics)
        created: list[str] = []
        if text is None:
            metrics[metric_id] = edits.updated(m, {"formula": None})
        else:
            parsed = edits.check_formula(metric_id, text)
            created = edits.unknown_names(metrics, parsed)
            if created and not create_missing:
                raise edits.refuse_unknown(metric_id, created, metrics)
            for name in created:
                metrics[name] = edits.new_metric(name, {})
            metrics[metric_id] = dataclasses.replace(m, formula=text.strip(), parsed=parsed)
        self._commit(metrics, metric=metric_id)
        return created

    @checked
    def update_metric(self, metric_id: str, **fields: Any) -> Metric:
        """Change fields of a metric (any :class:`Metric` field: ``name``, ``owner``, ``team``,
        ``unit``, ``direction``, ``cadence``, ``lag_days``, ``kind``, ``guards``,
        ``aggregation``, ``description``, ``tags``, ``formula``, ...; and ``value``,
        ``target``); ``None`` clears a field. Returns the new metric.

        >>> tree = Tree.new("revenue", owner="CEO")
        >>> tree.update_metric("revenue", owner=None, unit="currency").owner is None
        True
        """
        m = self.require(metric_id, "update_metric")
        metric_fields, numbers = edits.split_fields(metric_id, fields)
        if not fields:
            return m
        guards = metric_fields.get("guards")
        if guards is not None and (guards not in self._metrics or guards == metric_id):
            why = "a metric cannot guard itself" if guards == metric_id else (
                f"unknown metric {guards!r}{did_you_mean(guards, self._metrics)}")
            raise KPITreeError(f"metrics.{metric_id}.guards: {why}", metric=metric_id,
                               field="guards")
        new = self._checked_metric(lambda _id, f: edits.updated(m, f), metric_id, metric_fields)
        self._commit({**self._metrics, metric_id: new}, metric=metric_id,
                     numbers={metric_id: numbers})
        return new

    @checked
    def rename_metric(self, old: str, new: str) -> None:
        """Change a metric's id everywhere: formulas, guards, hypotheses, scenarios, OKRs,
        values, targets and reported data (a name that was the id follows it).

        >>> tree = Tree.new("revenue")
        >>> _ = tree.add_driver("revenue", "arpc")
        >>> tree.rename_metric("arpc", "avg_price")
        >>> tree.metrics["revenue"].formula
        'avg_price'
        """
        self.require(old, "rename_metric")
        check_id(new, f"metrics.{old}.id")
        if new == old:
            return
        if new in self._metrics:
            raise KPITreeError(f"metrics.{old}.id: {new!r} is the id of another metric",
                               metric=old, field="id")
        self._commit(edits.renamed_metrics(self._metrics, old, new), metric=new,
                     hypotheses=edits.renamed_hypotheses(self.hypotheses, old, new),
                     root=new if self.root == old else self.root,
                     okrs=edits.renamed_okrs(self.okrs, old, new), renamed=(old, new))

    @checked
    def remove_metric(self, metric_id: str, subtree: bool = False) -> list[str]:
        """Remove a metric, its numbers and its hypotheses. Refused while a formula (or a
        guard or an OKR) uses it, naming them; ``subtree=True`` also removes the metrics below
        it that nothing else uses. Returns the ids removed.

        >>> tree = Tree.new("revenue")
        >>> _ = tree.add_metric("draft")
        >>> tree.remove_metric("draft")
        ['draft']
        """
        self.require(metric_id, "remove_metric")
        if metric_id == self.root:
            raise KPITreeError(f"metrics.{metric_id}: {metric_id!r} is the North Star (root); "
                               "a tree keeps its root", metric=metric_id)
        gone = edits.removal(self._metrics, self._plan.parents, metric_id, subtree,
                             kept=self._referenced())
        found = edits.users(self._metrics, self.okrs, set(gone), self._plan.parents)
        if found:
            raise KPITreeError(
                f"metrics.{metric_id}: still used by {'; '.join(found)}; take it out of there "
                "first (remove_driver(parent, id) takes a term out of a sum or product)",
                metric=metric_id)
        self._remove(dict(self._metrics), gone, metric_id)
        return gone

    @checked
    def remove_driver(self, parent: str, metric_id: str, subtree: bool = False) -> list[str]:
        """Take ``metric_id`` out of ``parent``'s formula (a plain sum or product:
        ``a + b + c`` becomes ``a + c``; a formula of just that name leaves ``parent`` an
        input) and remove it, unless something else still uses it; ``subtree=True`` also
        removes the metrics below it that nothing else uses. Returns the ids removed.

        >>> tree = Tree.new("revenue")
        >>> _ = tree.set_formula("revenue", "a + b", create_missing=True)
        >>> tree.remove_driver("revenue", "b"), tree.metrics["revenue"].formula
        (['b'], 'a')
        """
        p = self.require(parent, "remove_driver")
        self.require(metric_id, "remove_driver")
        if metric_id not in p.children:
            raise KPITreeError(f"metrics.{parent}.formula: "
                               f"{p.parsed.display() if p.parsed else 'no formula'!r} does not "
                               f"use {metric_id!r}{did_you_mean(metric_id, p.children)}",
                               metric=parent, field="formula")
        assert p.parsed is not None
        metrics = dict(self._metrics)
        metrics[parent] = edits.updated(p, {"formula": without(p.parsed, metric_id, parent)})
        parents = {**self._plan.parents,
                   metric_id: [x for x in self._plan.parents[metric_id] if x != parent]}
        gone = edits.removal(metrics, parents, metric_id, subtree, kept=self._referenced())
        if edits.users(metrics, self.okrs, set(gone), parents):
            gone = []  # still used elsewhere: only taken out of this formula
        self._remove(metrics, gone, parent)
        return gone

    @checked
    def add_hypothesis(self, source: str, target: str, sign: str = "+",
                       note: str = "") -> None:
        """Add a behavioural link: ``source`` is believed to move ``target`` (``sign`` ``+``
        or ``-``); drawn dashed, never used in arithmetic.

        >>> tree = Tree.new("revenue")
        >>> _ = tree.add_metric("nps")
        >>> tree.add_hypothesis("nps", "revenue", "+", "happier customers stay")
        >>> tree.hypotheses[0].driver
        'nps'
        """
        self.require(source, "hypotheses.from")
        self.require(target, "hypotheses.to")
        if source == target:
            raise KPITreeError(f"hypotheses: {source} -> {target}: a metric cannot drive itself",
                               metric=source, field="hypotheses")
        if any((h.driver, h.outcome) == (source, target) for h in self.hypotheses):
            raise KPITreeError(f"hypotheses: {source} -> {target} exists already",
                               metric=source, field="hypotheses")
        link = Hypothesis(source, target, sign, note or None)
        self._commit(dict(self._metrics), metric=source, hypotheses=(*self.hypotheses, link))

    @checked
    def remove_hypothesis(self, source: str, target: str) -> None:
        """Remove the hypothesis link ``source -> target``.

        >>> tree = Tree.new("revenue")
        >>> _ = tree.add_metric("nps")
        >>> tree.add_hypothesis("nps", "revenue")
        >>> tree.remove_hypothesis("nps", "revenue")
        >>> tree.hypotheses
        ()
        """
        kept = tuple(h for h in self.hypotheses if (h.driver, h.outcome) != (source, target))
        if len(kept) == len(self.hypotheses):
            links = ", ".join(f"{h.driver} -> {h.outcome}" for h in self.hypotheses) or "none"
            raise KPITreeError(f"hypotheses: no hypothesis {source} -> {target} (hypotheses: "
                               f"{links})", metric=source, field="hypotheses")
        self._commit(dict(self._metrics), metric=source, hypotheses=kept)

    # ------------------------------------------------------------------ undo

    @property
    def can_undo(self) -> bool:
        """Whether :meth:`undo` has a step to take back."""
        return self._history.can_undo

    @property
    def can_redo(self) -> bool:
        """Whether :meth:`redo` has an undone step to make again."""
        return self._history.can_redo

    def undo(self) -> None:
        """Take back the last change (one public call, or one :meth:`batch`): numbers,
        scenarios and structure alike. Refused when there is nothing to undo.

        >>> tree = Tree.new("revenue", target=100)
        >>> tree.set_target("revenue", 120)
        >>> tree.undo()
        >>> tree.get_target("revenue")
        100.0
        """
        self._restore(self._history.undo().before)

    def redo(self) -> None:
        """Make the last undone change again (any new change forgets what was undone)."""
        self._restore(self._history.redo().after)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Every change inside is one undo step; an exception leaving the outermost batch
        takes back the changes made inside it.

        >>> tree = Tree.new("revenue")
        >>> with tree.batch():
        ...     _ = tree.add_driver("revenue", "a")
        ...     _ = tree.add_driver("revenue", "b")
        >>> tree.undo()
        >>> list(tree.metrics)
        ['revenue']
        """
        self._history.begin()
        try:
            yield
        except BaseException:
            group = self._history.end(keep=False)
            if group is not None:
                self._restore(group.before)
            raise
        self._history.end()

    # ------------------------------------------------------------------ building: internals

    def _checked_metric(self, make: Callable[[str, dict[str, Any]], Metric], metric_id: str,
                        fields: dict[str, Any]) -> Metric:
        """A metric made by ``make``, with a formula whose names are all known."""
        try:
            metric = make(metric_id, fields)
        except KPITreeError as exc:
            if exc.metric is None:
                raise KPITreeError(str(exc), metric=metric_id,
                                   field=str(exc).split(":")[0].split(".")[-1]) from None
            raise
        if metric.parsed is not None:
            missing = edits.unknown_names({**self._metrics, metric_id: metric}, metric.parsed)
            if missing:
                raise edits.refuse_unknown(metric_id, missing, self._metrics)
        return metric

    def _referenced(self) -> set[str]:
        """Metrics something other than a formula points at (the root, guards, OKRs)."""
        return ({self.root} | {m.guards for m in self._metrics.values() if m.guards}
                | {str(o.get("metric")) for o in self.okrs if o.get("metric")})

    def _remove(self, metrics: dict[str, Metric], gone: list[str], metric: str | None) -> None:
        for m in gone:
            del metrics[m]
        out = set(gone)
        hypotheses = tuple(h for h in self.hypotheses
                           if h.driver not in out and h.outcome not in out)
        self._commit(metrics, metric=metric if metric in metrics else None,
                     hypotheses=hypotheses, removed=gone)

    def _commit(self, metrics: dict[str, Metric], *, metric: str | None,
                hypotheses: tuple[Hypothesis, ...] | None = None, root: str | None = None,
                okrs: list[dict[str, Any]] | None = None,
                numbers: Mapping[str, Mapping[str, Any]] | None = None,
                renamed: tuple[str, str] | None = None, removed: Iterable[str] = ()) -> None:
        """Check a new structure as a whole, then put it in place with its numbers (renamed,
        removed, or ``numbers``: metric -> {"value"/"target": numbers}), record one undo step
        and tell the listeners ``{"kind": "structure", "metric": metric}``. A refusal changes
        nothing."""
        hypotheses = self.hypotheses if hypotheses is None else hypotheses
        root = self.root if root is None else root
        okrs = [dict(o) for o in (self.okrs if okrs is None else okrs)]
        for candidate in metrics.values():
            for child in candidate.children:
                if child not in metrics:
                    raise KPITreeError(f"metrics.{candidate.id}.formula: unknown metric "
                                       f"{child!r}{did_you_mean(child, metrics)}",
                                       metric=candidate.id, field="formula")
        same_plan = _same_formulas(self._metrics.values(), metrics.values())
        plan = self._plan if same_plan else engine.compile_plan(
            {m: x.parsed for m, x in metrics.items()})
        same_outline = (same_plan and root == self.root and hypotheses == self.hypotheses
                        and _same_outline(self._metrics.values(), metrics.values()))
        gone = set(removed)
        # the numbers: (layer, metric) -> new numbers (None: none)
        changes: dict[tuple[str, str], Numbers] = {}
        for layer, store in (("value", self._values), ("target", self._targets)):
            if renamed is not None and renamed[0] in store:
                changes[(layer, renamed[0])] = None
                changes[(layer, renamed[1])] = store[renamed[0]]
            for m in gone:
                if m in store:
                    changes[(layer, m)] = None
        for metric_id, given in (numbers or {}).items():
            for layer, x in given.items():
                where = f"metrics.{metric_id}.{layer}"
                if layer == "value" and x is not None and not metrics[metric_id].is_input:
                    raise KPITreeError(f"{where}: {metric_id!r} is computed by its formula; set "
                                       "the numbers of its inputs instead", metric=metric_id,
                                       field=layer)
                changes[(layer, metric_id)] = None if x is None else check_numbers(x, where)
        scenarios = self._scenarios
        if renamed is not None or gone:
            scenarios = {
                name: {(renamed[1] if renamed is not None and m == renamed[0] else m): n
                       for m, n in overrides.items() if m not in gone}
                for name, overrides in self._scenarios.items()}
        for name, overrides in scenarios.items():
            for m in overrides:
                if not metrics[m].is_input:
                    raise KPITreeError(
                        f"metrics.{m}.formula: scenario {name!r} overrides the target of "
                        f"{m!r}, and a scenario overrides inputs only; drop that override first "
                        f"(set_scenario_target({name!r}, {m!r}, None))", metric=m,
                        field="formula")
        reported = self._reported
        if (renamed is not None and renamed[0] in reported) or gone & reported.keys():
            reported = {(renamed[1] if renamed is not None and m == renamed[0] else m): n
                        for m, n in self._reported.items() if m not in gone}
        # everything is checked: put it in place
        before: dict[Hashable, Any] = {_STRUCTURE: self._snapshot()}
        after: dict[Hashable, Any] = {}
        if root not in metrics:
            raise KPITreeError(f"root: unknown metric {root!r}")
        self._metrics, self.root, self.hypotheses, self.okrs = metrics, root, hypotheses, okrs
        self._plan = plan
        self._snapshot_cache = None
        if not same_outline:
            self._outline = self._make_outline()
        for (layer, metric_id), x in changes.items():
            store = self._values if layer == "value" else self._targets
            before[(layer, metric_id)] = store.get(metric_id)
            after[(layer, metric_id)] = x
            if x is None:
                store.pop(metric_id, None)
            else:
                store[metric_id] = x
        if scenarios is not self._scenarios:
            before[_SCENARIOS], after[_SCENARIOS] = self._scenarios, scenarios
            self._scenarios = dict(scenarios)
        if reported is not self._reported:
            before[_REPORTED], after[_REPORTED] = self._reported, reported
            self._reported = reported
        after[_STRUCTURE] = self._snapshot()
        self._history.record(before, after)
        if len(before) > 1 or not same_outline:  # numbers, or their order, changed
            self._periods = self._collect_periods()
        if len(before) > 1 or not same_plan:
            self._arrays = None
        self._notify("structure", metric)

    def _snapshot(self) -> _Shape:
        """The structure as the history keeps it (the metrics and outline shared between the
        steps until the structure changes)."""
        cached = self._snapshot_cache
        if cached is None:
            cached = self._snapshot_cache = (tuple(self._metrics.values()),
                                             tuple(self._outline))
        return _Shape(cached[0], self.root, self.hypotheses, copy.deepcopy(self.okrs),
                      cached[1])

    def _restore(self, parts: Mapping[Hashable, Any]) -> None:
        """Put back the parts of a recorded step (undo, redo, a batch rolled back)."""
        with self._history.paused():
            shape = parts.get(_STRUCTURE)
            numbers = [k for k in parts if isinstance(k, tuple) and k[0] in ("value", "target")]
            if shape is None and len(parts) == 1 and numbers:
                layer, metric_id = numbers[0]
                store = self._values if layer == "value" else self._targets
                self._replace(store, layer, metric_id, parts[numbers[0]])
                return
            recompute = len(parts) > 1 or shape is None  # numbers changed
            if shape is not None:
                if not _same_formulas(self._metrics.values(), shape.metrics):
                    self._plan = engine.compile_plan({m.id: m.parsed for m in shape.metrics})
                    recompute = True
                recompute = recompute or tuple(self._outline) != shape.outline
                self._metrics = {m.id: m for m in shape.metrics}
                self.root, self.hypotheses = shape.root, shape.hypotheses
                self.okrs = copy.deepcopy(shape.okrs)
                self._outline = list(shape.outline)
                self._snapshot_cache = None
            for key in numbers:
                store = self._values if key[0] == "value" else self._targets
                if parts[key] is None:
                    store.pop(key[1], None)
                else:
                    store[key[1]] = parts[key]
            if _SCENARIOS in parts:
                self._scenarios = dict(parts[_SCENARIOS])
            if _REPORTED in parts:
                self._reported = parts[_REPORTED]
            if recompute:
                self._periods = self._collect_periods()
                self._arrays = None
        kind = ("structure" if shape is not None else
                "scenario" if set(parts) == {_SCENARIOS} else "data")
        self._notify(kind, None)

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

        ``event`` is ``{"kind": "value" | "target" | "scenario" | "data" | "structure",
        "metric": id | None}``; ``structure`` follows every change of metrics, formulas,
        fields or hypotheses (a building call, or undo/redo of one).
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
        checked = None if numbers is None else check_numbers(numbers,
                                                             f"metrics.{metric_id}.{layer}")
        if layer != "value":
            self.check_bounds(metric_id, checked)
        self._replace(store, layer, metric_id, checked)

    @checked
    def load_numbers(self, layer: str, updates: Mapping[str, Numbers],
                      reported: Mapping[str, dict[str, float]] | None = None) -> None:
        """For bulk loaders (``data.load_data``): store checked numbers of inputs for the
        ``value`` or ``target`` layer and, when given, replace the reported actuals of
        computed metrics; then rebuild once and tell the listeners."""
        store = self._values if layer == "value" else self._targets
        before: dict[Hashable, Any] = {(layer, m): store.get(m) for m in updates}
        after: dict[Hashable, Any] = {(layer, m): n for m, n in updates.items()}
        store.update(updates)
        if reported is not None:
            before[_REPORTED] = self._reported
            self._reported = dict(reported)
            after[_REPORTED] = self._reported
        self._history.record(before, after)
        self._periods = self._collect_periods()
        self._arrays = None
        self._notify("data", None)

    @checked
    def set_given_numbers(self, numbers: Mapping[str, Mapping[str, Mapping[str, float]]]) -> None:
        """For ``data.resample``: numbers of computed metrics that hold instead of their
        formula, ``{metric: {layer: {period: number}}}`` (``layer`` ``value``, ``target`` or a
        scenario). Where one is given, the engine uses it for that metric and everything above
        it computes from it; elsewhere the formula holds. Replaces what was given before."""
        given: dict[str, dict[str, dict[str, float]]] = {}
        for metric_id, layers in numbers.items():
            metric = self.require(metric_id, "given numbers")
            if metric.is_input:
                raise KPITreeError(f"metrics.{metric_id}: given numbers are for computed "
                                   "metrics; set an input's numbers with set_value")
            given[metric_id] = {}
            if not isinstance(layers, Mapping) or not all(
                    isinstance(per, Mapping) for per in layers.values()):
                raise KPITreeError(f"metrics.{metric_id}: given numbers are a mapping of layer "
                                   "to {period: number}")
            for layer, per in layers.items():
                self.layer_index(layer)
                given[metric_id][layer] = {period_key(p): check_number(
                    x, f"metrics.{metric_id}.{layer}.{period_key(p)}") for p, x in per.items()}
        self._given = given
        self._arrays = None
        self._notify("data", None)

    @property
    def given_numbers(self) -> Mapping[str, Mapping[str, Mapping[str, float]]]:
        """Numbers of computed metrics that hold instead of their formula (see
        :meth:`set_given_numbers`): ``{metric: {layer: {period: number}}}``, read-only."""
        return MappingProxyType(self._given)

    def _with_given(self, steps: list[tuple[int, engine.Evaluator]]
                    ) -> list[tuple[int, engine.Evaluator]]:
        """``steps`` with the evaluators of metrics that have given numbers wrapped so that
        the given numbers replace the formula's where they are set."""
        if not self._given_steps:
            return steps
        return [(slot, self._given_steps.get(slot, fn)) for slot, fn in steps]

    def _build_given_steps(self) -> None:
        self._given_steps = {}
        if not self._given:
            return
        shape = self._shape()
        evaluators = dict(self._plan.steps)
        for metric_id, layers in self._given.items():
            override = np.full(shape, np.nan)
            for layer, per in layers.items():
                if layer in self.layers:
                    override[:, self.layers.index(layer)] = self._column(per)
            if np.isnan(override).all():
                continue
            slot = self._plan.index[metric_id]
            self._given_steps[slot] = _Given(evaluators[slot], override)

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
            self._build_given_steps()
            engine.evaluate(plan, arrays, self._with_given(plan.steps), shape=shape)
            self._arrays = arrays
        return self._arrays, self._plan.index

    def _refresh_input(self, metric_id: str) -> None:
        assert self._arrays is not None
        self._arrays[self._plan.index[metric_id]] = self._input_array(metric_id)
        engine.evaluate(self._plan, self._arrays,
                        self._with_given(self._plan.steps_above(metric_id)), shape=self._shape())

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
        """The tree as a table: one row per metric, root first, depth-first (a DataFrame that
        shows its numbers in their units in a notebook; see :mod:`kpitree_widget.tables`).

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
        from .tables import table

        return table(frame, ROLLUP_DISPLAY, dict(zip(ids, (m.unit for m in metrics))))

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


class _Given:
    """A computed metric's evaluator whose result is replaced by given numbers where they are
    set (not NaN)."""

    def __init__(self, formula: engine.Evaluator, given: np.ndarray) -> None:
        self.formula = formula
        self.given = given
        self.mask = ~np.isnan(given)

    def __call__(self, arrays: Any) -> np.ndarray:
        result = np.array(np.broadcast_to(self.formula(arrays), self.given.shape), dtype=float)
        result[self.mask] = self.given[self.mask]
        return result


def check_numbers(numbers: Any, where: str) -> Numbers:
    """A number, or a mapping of period to number, each finite."""
    if isinstance(numbers, Mapping):
        return {key: check_number(x, f"{where}.{key}")
                for key, x in period_numbers(numbers, where).items()}
    return check_number(numbers, where)


__all__ = ["DEFAULT_TOLERANCE", "Listener", "Tree", "TreeT", "check_id", "check_numbers"]
