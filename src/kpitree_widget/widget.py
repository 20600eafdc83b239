"""The interactive tree view: an anywidget whose numbers always come from the Python model.

Python is the single source of truth (see ``docs/widget-protocol.md``): the view shows the
``tree_data`` trait and sends what a person typed (``edit``) or asked for (``solve``) back as
custom messages; Python parses, validates, applies the change to the :class:`KPITree`, and
answers with a fresh ``tree_data`` and an ``error`` (``{}`` after a success). Changes made from
Python (``tree.set_target(...)``) reach every open view of the tree through ``tree.on_change``.

>>> import kpitree_widget as kt                                   # doctest: +SKIP
>>> w = kt.TreeWidget(kt.archetype("b2b_saas"))                   # doctest: +SKIP
>>> w                                                             # doctest: +SKIP
"""

from __future__ import annotations

import math
import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from .errors import KPITreeError, did_you_mean
from .focus import focus_ids, with_context
from .numbers import check_number, parse_number
from .tree import Tree

STATIC = Path(__file__).parent / "static"
BUNDLE = STATIC / "widget.js"
STYLES = STATIC / "widget.css"
EDITABLE_FIELDS = ("target", "value")
# A health check slower than this (a large tree) runs after the answer to an edit, not before.
FINDINGS_INLINE_SECONDS = 0.03

__all__ = ["TreeWidget", "WidgetValueError", "static_rows", "tree_data"]


class WidgetValueError(KPITreeError, traitlets.TraitError):
    """A bad value for one of the widget's traits (an unknown metric, period or scenario).

    Both a :class:`KPITreeError` and a :class:`traitlets.TraitError`, so traitlets rolls the
    assignment back.
    """


def _bundle_missing() -> str:
    return (f"the widget's JavaScript bundle is missing ({BUNDLE}). Build it: "
            "`pip install -e .` with node and npm on the PATH, or `cd js && npm install && "
            "npm run build` in a source checkout")


def _file_or_placeholder(path: Path, placeholder: str) -> Any:
    # anywidget turns a Path class attribute into watched file contents at class creation and
    # raises FileNotFoundError when the file is missing: keep the import working without the
    # bundle and report it clearly when a widget is made.
    return path if path.is_file() else placeholder


class TreeWidget(anywidget.AnyWidget):
    """A KPI tree as node cards: values, targets, status colours, editable targets.

    ``widget.tree`` is the model. Display the widget (last expression of a cell, or
    ``display(widget)``); every display is a view of the same model and stays in step.

    Traits (all synced with the view): ``tree_data`` (the rolled-up tree), ``error`` (the last
    rejected action, ``{}`` after a success), ``selected`` (the selected metric id, ``""`` for
    none), ``period`` and ``scenario`` (``""`` for the last period / the plan), ``focus``
    (metric ids: show only those, the metrics that connect them to the root and the root;
    ``None``, the default, shows the whole tree).
    """

    _esm = _file_or_placeholder(BUNDLE, "export default {};\n// bundle missing\n")
    _css = _file_or_placeholder(STYLES, "/* bundle missing */\n")

    tree_data = traitlets.Dict().tag(sync=True)
    error = traitlets.Dict().tag(sync=True)
    selected = traitlets.Unicode("").tag(sync=True)
    period = traitlets.Unicode("").tag(sync=True)
    scenario = traitlets.Unicode("").tag(sync=True)
    focus = traitlets.List(traitlets.Unicode(), default_value=None,
                           allow_none=True).tag(sync=True)

    def __init__(self, tree: Tree, *, selected: str = "", period: str = "",
                 scenario: str = "", focus: Iterable[str] | None = None,
                 **kwargs: Any) -> None:
        if not isinstance(tree, Tree):
            raise KPITreeError(f"TreeWidget: expected a KPITree, got {type(tree).__name__}")
        if not BUNDLE.is_file():
            raise RuntimeError(_bundle_missing())
        _ensure_bundle_attached(type(self))
        self._tree = tree
        self._batch_depth = 0
        self._dirty = False
        self._quiet = False
        self._revision = 0
        self._findings: Findings | None = None
        self._check_seconds = 0.0
        self._rows_cache: tuple[tuple[Any, ...], list[dict[str, Any]]] | None = None
        self._unsubscribe: Callable[[], None] | None = None
        if focus is not None:
            focus = focus_ids(tree, focus)
        super().__init__(selected=selected, period=period, scenario=scenario, focus=focus,
                         **kwargs)
        self.tree_data = {**self._build(), "revision": 0}
        self._unsubscribe = tree.on_change(_weak_listener(self))
        self.on_msg(self._on_custom_msg)

    # ------------------------------------------------------------------ public

    @property
    def tree(self) -> Tree:
        """The model this widget shows and edits."""
        return self._tree

    def refresh(self) -> None:
        """Rebuild ``tree_data`` from the model (the tree's listener does this on every
        change; call it after changing numbers behind the tree's back)."""
        self._publish()

    def close(self) -> None:
        """Stop following the tree and close every view."""
        unsubscribe = getattr(self, "_unsubscribe", None)
        if unsubscribe is not None:
            unsubscribe()
            self._unsubscribe = None
        super().close()

    def __repr__(self) -> str:
        return f"TreeWidget({self._tree.name or self._tree.root!r}, {len(self._tree)} metrics)"

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        from .static_view import static_html

        data = dict(data)
        data["text/plain"] = repr(self._tree)
        data["text/html"] = static_html(self._tree, period=self.period or None,
                                         scenario=self.scenario or None, focus=self.focus)
        return data, metadata

    # ------------------------------------------------------------------ validation

    @traitlets.validate("selected")
    def _valid_selected(self, proposal: Any) -> str:
        value = proposal["value"]
        if value and value not in self._tree.metrics:
            raise WidgetValueError(f"selected: unknown metric {value!r}"
                                   f"{did_you_mean(value, self._tree.metrics)}")
        return str(value)

    @traitlets.validate("period")
    def _valid_period(self, proposal: Any) -> str:
        value = proposal["value"]
        if value:
            try:
                self._tree.period_index(value)
            except KPITreeError as exc:
                raise WidgetValueError(str(exc)) from None
        return str(value)

    @traitlets.validate("scenario")
    def _valid_scenario(self, proposal: Any) -> str:
        value = proposal["value"]
        if value and value not in self._tree.scenarios:
            names = list(self._tree.scenarios)
            raise WidgetValueError(f"scenario: unknown scenario {value!r}"
                                   f"{did_you_mean(value, names)} "
                                   f"(scenarios: {', '.join(names) or 'none'})")
        return str(value)

    @traitlets.validate("focus")
    def _valid_focus(self, proposal: Any) -> list[str] | None:
        value = proposal["value"]
        if value is None:
            return None
        try:
            return focus_ids(self._tree, value)
        except KPITreeError as exc:
            raise WidgetValueError(str(exc)) from None

    @traitlets.observe("period", "scenario", "focus")
    def _view_moved(self, change: Any) -> None:
        if self._quiet or not self.tree_data:
            return  # still constructing, or _publish is already at work
        self._publish(error={})

    # ------------------------------------------------------------------ messages from the view

    def set_state(self, sync_data: dict[str, Any]) -> None:
        """Trait updates from the view. A rejected value (unknown metric, period, scenario) is
        rolled back, shown in ``error`` and sent back so the view reverts too; an exception in
        any observer lands in ``error`` instead of a log nobody reads."""
        try:
            super().set_state(sync_data)
        except Exception as exc:
            keys = [k for k in sync_data if k in self.keys]
            with self.hold_sync():
                self.error = _failure(exc)
            if keys:
                self.send_state(keys)

    def _on_custom_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        message = content if isinstance(content, Mapping) else {}
        metric = message.get("metric")
        field = message.get("field")
        text = message.get("text")
        error: dict[str, Any] = {}
        with self._batch():
            try:
                kind = message.get("type")
                if kind == "edit":
                    self._edit(metric, field, text, message.get("period"))
                elif kind == "solve":
                    field = "target"
                    self._solve(metric, message.get("lever"), message.get("target"))
                else:
                    raise KPITreeError(f"message: unknown type {kind!r} (expected 'edit' or "
                                       "'solve')")
            except KPITreeError as exc:
                # beside the field, the path the message starts with says nothing new
                why = str(exc).removeprefix(f"metrics.{metric}.{field}: ")
                error = {"metric": metric if isinstance(metric, str) else None,
                         "field": field if isinstance(field, str) else None,
                         "text": text if isinstance(text, str) else None,
                         "message": why}
            except Exception as exc:
                error = _failure(exc)
                self._dirty = True  # a callback failed half way: rebuild to be sure
        self._publish(error=error, changed=self._dirty)

    def _edit(self, metric: Any, field: Any, text: Any, period: Any) -> None:
        tree = self._tree
        m = tree.require(metric, "edit")
        if field not in EDITABLE_FIELDS:
            raise KPITreeError(f"metrics.{metric}: cannot edit {field!r} (only target or value)")
        where = f"metrics.{metric}.{field}"
        if isinstance(text, bool) or not isinstance(text, (str, int, float)):
            raise KPITreeError(f"{where}: expected the text of a number, got {text!r}")
        number = (parse_number(text, m.unit, where=where) if isinstance(text, str)
                  else check_number(text, where))
        label = self._edit_period(period)
        if field == "value":
            tree.set_value(metric, number, period=label)
        elif self.scenario:
            self._edit_scenario(metric, number, label)
        else:
            tree.set_target(metric, number, period=label)

    def _edit_period(self, period: Any) -> str | None:
        """The period an edit applies to: the one asked for, else the one shown (None for a
        tree whose numbers hold for every period)."""
        if period not in (None, ""):
            return self._tree.period_label(period)
        return self._tree.period_label(self.period or None)

    def _edit_scenario(self, metric: str, number: float, label: str | None) -> None:
        name = self.scenario
        if not self._tree.metrics[metric].is_input:
            raise KPITreeError(f"metrics.{metric}.target: scenario {name!r} overrides the "
                               "targets of inputs only; switch to the plan to set a target "
                               "on a computed metric")
        self._tree.set_scenario_target(name, metric, number, period=label)

    def _solve(self, metric: Any, lever: Any, target: Any) -> None:
        tree = self._tree
        m = tree.require(metric, "solve")
        if self.scenario:
            raise KPITreeError(f"solve: switch to the plan to solve (scenario {self.scenario!r} "
                               "is shown)")
        label = self._edit_period(None)
        if target not in (None, ""):
            goal = parse_number(target, m.unit, where=f"metrics.{metric}.target")
        else:
            explicit = tree.explicit_targets(label).get(metric)
            if explicit is None:
                raise KPITreeError(f"solve: {metric!r} has no target of its own to meet; type a "
                                   "target on it first")
            goal = explicit
        from .analysis.solve import solve

        solve(tree, metric, goal, lever=lever, period=label)

    # ------------------------------------------------------------------ model -> view

    @contextmanager
    def _batch(self) -> Iterator[None]:
        """Tree notifications inside only mark the data dirty; the caller publishes once."""
        self._batch_depth += 1
        try:
            yield
        finally:
            self._batch_depth -= 1

    def _tree_changed(self, _event: Mapping[str, Any]) -> None:
        if self._batch_depth:
            self._dirty = True
            return
        try:
            self._publish()
        except Exception as exc:
            self.error = _failure(exc)

    def _publish(self, error: dict[str, Any] | None = None, changed: bool = True) -> None:
        """Send a fresh ``tree_data`` (and ``error``) to the views in one message.

        ``tree_data["revision"]`` counts the answers, so every answer is a change the view
        hears about, even an edit that moved no number (``changed=False``: the numbers are
        reused, only the revision moves). When the health check is slow (a large tree), the
        answer goes out with the findings of the last check and the check runs after it; only
        if its findings changed does a second ``tree_data`` follow."""
        self._dirty = False
        self._forget_vanished_choices()
        if not changed and self.tree_data:
            self._send_data(error, dict(self.tree_data))
            return
        inline = self._check_seconds <= FINDINGS_INLINE_SECONDS
        if inline:
            self._findings = None
        self._send_data(error)
        if not inline:
            before = self._findings
            self._findings = None
            self._find()
            if self._findings != before:
                self._send_data(None)

    def _send_data(self, error: dict[str, Any] | None,
                   data: dict[str, Any] | None = None) -> None:
        self._revision += 1
        if data is None:
            try:
                data = self._build()
            except Exception as exc:
                data, error = dict(self.tree_data), _failure(exc)
        data["revision"] = self._revision
        with self.hold_sync():
            self.tree_data = data
            if error is not None:
                self.error = error

    def _forget_vanished_choices(self) -> None:
        """A scenario removed (or a period gone) from Python: show the default instead."""
        tree = self._tree
        self._quiet = True
        try:
            if self.scenario and self.scenario not in tree.scenarios:
                self.scenario = ""
            if self.period and self.period not in tree.periods:
                self.period = ""
            if self.focus and any(m not in tree.metrics for m in self.focus):
                self.focus = [m for m in self.focus if m in tree.metrics]
        finally:
            self._quiet = False

    def _build(self) -> dict[str, Any]:
        return tree_data(self._tree, period=self.period or None,
                         scenario=self.scenario or None, rows=self._rows(),
                         findings=self._find(), focus=self.focus)

    def _find(self) -> Findings:
        """The health findings: the last ones computed, or a fresh check when they were
        dropped; records how long a check takes."""
        if self._findings is None:
            started = time.perf_counter()
            self._findings = _findings(self._tree)
            self._check_seconds = time.perf_counter() - started
        return self._findings

    def _rows(self) -> list[dict[str, Any]]:
        """The structure part of each metric's row, rebuilt only when the structure (the
        metric objects, root or hypotheses) changed."""
        tree = self._tree
        key = (tree.root, tree.hypotheses, *tree.metrics.values())
        cached = self._rows_cache
        if cached is None or len(cached[0]) != len(key) or any(
                a is not b for a, b in zip(cached[0], key)):
            cached = self._rows_cache = (key, static_rows(tree))
        return cached[1]


def _ensure_bundle_attached(cls: type) -> None:
    """If the bundle was built after this module was imported, use it now."""
    from anywidget._util import try_file_contents

    for key, path in (("_esm", BUNDLE), ("_css", STYLES)):
        if isinstance(cls.__dict__.get(key, None), str) and path.is_file():
            setattr(cls, key, try_file_contents(path))


def _weak_listener(widget: TreeWidget) -> Callable[[Mapping[str, Any]], None]:
    """A tree listener that does not keep a forgotten widget alive."""
    ref = weakref.ref(widget)

    def listener(event: Mapping[str, Any]) -> None:
        w = ref()
        if w is not None:
            w._tree_changed(event)

    return listener


def _failure(exc: BaseException) -> dict[str, Any]:
    message = str(exc) if isinstance(exc, KPITreeError) else f"{type(exc).__name__}: {exc}"
    return {"metric": None, "field": None, "message": message}


# ---------------------------------------------------------------------- tree_data


def _num(x: Any) -> float | None:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


Findings = tuple[dict[str, list[dict[str, Any]]], str | None]


def _findings(tree: Tree) -> Findings:
    """Health findings grouped per metric, and the message of a check that failed."""
    try:
        from .health import check

        found = check(tree)
    except Exception as exc:
        return {}, f"health check failed: {type(exc).__name__}: {exc}"
    grouped: dict[str, list[dict[str, Any]]] = {}
    for f in found:
        get = f.get if isinstance(f, Mapping) else (lambda k, f=f: getattr(f, k, None))
        metric = get("metric")
        item = {"rule": str(get("rule")), "severity": str(get("severity")),
                "message": str(get("message"))}
        if get("reason"):
            item["reason"] = str(get("reason"))
        grouped.setdefault(str(metric) if metric is not None else "", []).append(item)
    return grouped, None


def static_rows(tree: Tree) -> list[dict[str, Any]]:
    """What each metric's row says about the structure (no numbers), in outline order."""
    metrics = tree.metrics
    rows = []
    for metric_id, parent, level, link in tree.outline():
        m = metrics[metric_id]
        rows.append({
            "id": metric_id,
            "name": m.name,
            "parent": parent,
            "level": level,
            "link": link,
            "children": list(m.children),
            "formula": m.parsed.display() if m.parsed else None,
            "relation": m.relation,
            "is_input": m.is_input,
            "unit": m.unit,
            "direction": m.direction,
            "owner": m.owner,
            "team": m.team,
            "cadence": m.cadence,
            "lag_days": _num(m.lag_days),
            "description": m.description,
            "tags": list(m.tags),
        })
    return rows


def tree_data(tree: Tree, period: str | None = None, scenario: str | None = None, *,
              rows: list[dict[str, Any]] | None = None,
              findings: Findings | None = None,
              focus: Iterable[str] | None = None) -> dict[str, Any]:
    """The ``tree_data`` trait: the rolled-up tree as plain JSON-ready Python (NaN and
    infinities become ``None``), shaped as in ``docs/widget-protocol.md``.

    ``rows`` (from :func:`static_rows`) and ``findings`` may be passed in when known.
    ``focus`` (metric ids) keeps only those metrics, the ones that connect them to the root
    and the root; the connecting ones (not in ``focus``) are marked ``"context": True``.

    >>> import kpitree_widget as kt
    >>> tree = kt.KPITree.from_dict({"metrics": {
    ...     "revenue": {"formula": "customers * arpc"},
    ...     "customers": {"value": 4700, "target": 5000},
    ...     "arpc": {"value": 120, "target": 125}}})
    >>> data = tree_data(tree)
    >>> [m["id"] for m in data["metrics"]], data["metrics"][0]["target"]
    (['revenue', 'customers', 'arpc'], 625000.0)
    """
    df = tree.rollup(period=period, scenario=scenario)
    ids = df.index.tolist()
    if rows is None or [r["id"] for r in rows] != ids:
        rows = static_rows(tree)
    grouped, health_error = findings if findings is not None else _findings(tree)
    value, target, implied, variance, variance_pct, status = (
        df[c].tolist() for c in ("value", "target", "implied_target", "variance",
                                 "variance_pct", "status"))
    # a target typed on a computed metric is shown as such (the plan only, not a scenario)
    typed = tree.explicit_targets(period) if scenario is None else {}
    shown: set[str] | None = None
    focused: set[str] = set()
    if focus is not None:
        focused = set(focus_ids(tree, focus))
        shown = with_context(tree, focused)
    metrics = [
        {**row,
         "value": _num(value[i]),
         "target": _num(target[i]),
         "implied_target": _num(implied[i]),
         "explicit_target": row["id"] in typed,
         "variance": _num(variance[i]),
         "variance_pct": _num(variance_pct[i]),
         "status": str(status[i]),
         "findings": list(grouped.get(row["id"], ())),
         "context": shown is not None and row["id"] not in focused}
        for i, row in enumerate(rows)
        if shown is None or row["id"] in shown]
    hypotheses = [h for h in tree.hypotheses
                  if shown is None or (h.driver in shown and h.outcome in shown)]
    if shown is not None:
        for metric in metrics:
            metric["children"] = [c for c in metric["children"] if c in shown]
    data: dict[str, Any] = {
        "name": tree.name or "",
        "root": tree.root,
        "period": tree.period_label(period),
        "periods": list(tree.periods),
        "scenario": scenario,
        "scenarios": list(tree.scenarios),
        "metrics": metrics,
        "total_metrics": len(tree.metrics),
        "hypotheses": [{"from": h.driver, "to": h.outcome, "sign": str(h.sign),
                        "note": h.note} for h in hypotheses],
    }
    if grouped.get(""):
        data["findings"] = grouped[""]
    if health_error:
        data["health_error"] = health_error
    return data
