"""The interactive tree view: an anywidget whose numbers always come from the Python model.

Python is the single source of truth (see ``docs/widget-protocol.md``, protocol v2, declared
in :mod:`kpitree_widget.protocol`): the view draws the ``structure`` trait (sent only when the
structure, period, scenario or focus changes) and merges numbers deltas (only the metrics whose
numbers changed); it sends what a person typed (``edit``) or asked for (``solve``) as requests,
each answered on its own. Python validates and parses them, applies the change to the
:class:`KPITree` and sets ``error`` (``{}`` after a success). Changes made from Python
(``tree.set_target(...)``) reach every open view of the tree through ``tree.on_change``.

>>> import kpitree_widget as kt                                   # doctest: +SKIP
>>> w = kt.TreeWidget(kt.archetype("b2b_saas"))                   # doctest: +SKIP
>>> w                                                             # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anywidget
import traitlets
from pydantic import ValidationError

from . import protocol
from .args import checked
from .errors import KPITreeError, did_you_mean, show
from .focus import focus_ids, with_context
from .numbers import check_number, parse_number
from .numbers import finite_number as _num
from .tree import Tree
from .widget_build import BUILD_REQUESTS, carry_out, error_field, history
from .widget_health import ViewFindings
from .widget_numbers import NumberTable, change_since_before

STATIC = Path(__file__).parent / "static"
BUNDLE = STATIC / "widget.js"
STYLES = STATIC / "widget.css"
EDITABLE_FIELDS = ("target", "value")
# anywidget's request/response messages (anywidget.experimental.command's wire format)
COMMAND, COMMAND_RESPONSE = "anywidget-command", "anywidget-command-response"
# A health check slower than this (a large tree) runs after the answer to an edit, not before.
FINDINGS_INLINE_SECONDS = 0.03
# ... and, in a running kernel, once the edits have paused this long (seconds).
HEALTH_DELAY = 0.4

__all__ = ["TreeWidget", "WidgetValueError", "static_rows", "tree_data"]


class WidgetValueError(KPITreeError, traitlets.TraitError):
    """A bad value for one of the widget's traits (an unknown metric, period or scenario).

    Both a :class:`KPITreeError` and a :class:`traitlets.TraitError`, so traitlets rolls the
    assignment back.
    """


class _Checked:
    """A synced trait whose wrong-typed value is a :class:`WidgetValueError` naming it."""

    def error(self, obj: Any, value: Any, error: Any = None, info: Any = None) -> None:
        raise WidgetValueError(f"{getattr(self, 'name', 'trait')}: expected "
                               f"{getattr(self, 'info_text', 'another value')}, got {show(value)}",
                               field=getattr(self, "name", None))


class _Text(_Checked, traitlets.Unicode):  # type: ignore[misc]
    pass


class _TextList(_Checked, traitlets.List):  # type: ignore[misc]
    pass


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

    Synced traits: ``structure`` (the tree's structure with a snapshot of its numbers,
    rewritten only when the structure, period, scenario or focus changes; numbers travel as
    deltas), ``error`` (the last rejected action, ``{}`` after a success), ``selected`` (the
    selected metric id, ``""`` for none), ``period`` and ``scenario`` (``""`` for the last
    period / the plan), ``focus`` (metric ids: show only those, the metrics that connect them
    to the root and the root; ``None``, the default, shows the whole tree). ``tree_data`` (not
    synced) is the whole rolled-up tree as one dict.
    """

    _esm = _file_or_placeholder(BUNDLE, "export default {};\n// bundle missing\n")
    _css = _file_or_placeholder(STYLES, "/* bundle missing */\n")

    structure = traitlets.Dict().tag(sync=True)
    error = traitlets.Dict().tag(sync=True)
    selected = _Text("").tag(sync=True)
    period = _Text("").tag(sync=True)
    scenario = _Text("").tag(sync=True)
    focus = _TextList(_Text(), default_value=None, allow_none=True).tag(sync=True)
    # what the toolbar offers (Python -> view): undo, redo, and save when the tree has a file
    can_undo = traitlets.Bool(False).tag(sync=True)
    can_redo = traitlets.Bool(False).tag(sync=True)
    file = traitlets.Unicode("").tag(sync=True)
    # the names of the tree's data sources: the view offers a refresh when there are any
    sources = traitlets.List(traitlets.Unicode(), read_only=True).tag(sync=True)

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
        self._events: list[Mapping[str, Any]] = []
        self._quiet = False
        self._revision = 0
        self._key = 0
        self._signature: tuple[Any, ...] | None = None
        self._numbers: NumberTable | None = None
        self._findings = ViewFindings(tree)
        self._unchecked: list[Mapping[str, Any]] = []
        self._check_timer: asyncio.TimerHandle | None = None
        self._sent_health: tuple[Any, ...] = ((), None)
        self._rows_cache: tuple[tuple[Any, ...], list[dict[str, Any]]] | None = None
        self._unsubscribe: Callable[[], None] | None = None
        if focus is not None:
            focus = focus_ids(tree, focus)
        super().__init__(selected=selected, period=period, scenario=scenario, focus=focus,
                         **kwargs)
        self._rebuild()
        self._sync_history()
        self._show_sources()
        self._unsubscribe = tree.on_change(_weak_listener(self))
        self.on_msg(self._on_custom_msg)

    # ------------------------------------------------------------------ public

    @property
    def tree(self) -> Tree:
        """The model this widget shows and edits; set it to show another tree (every open view
        follows: its structure, its numbers, and changes to it from Python).

        >>> w = kt.TreeWidget(kt.archetype("b2b_saas"))                 # doctest: +SKIP
        >>> w.tree = kt.archetype("marketplace")                         # doctest: +SKIP
        """
        return self._tree

    @tree.setter
    def tree(self, tree: Tree) -> None:
        if not isinstance(tree, Tree):
            raise KPITreeError(f"TreeWidget.tree: expected a KPITree, got {type(tree).__name__}")
        if tree is self._tree:
            return
        self._follow(tree)

    @property
    def revision(self) -> int:
        """How many numbers updates Python has sent (the views' numbers are this revision)."""
        return self._revision

    @property
    def tree_data(self) -> dict[str, Any]:
        """The whole rolled-up tree shown, as one dict (read-only, not synced): the structure
        with each metric's numbers merged in, shaped as :func:`tree_data` returns it."""
        structure = self.structure
        numbers = self._numbers.rows if self._numbers is not None else {}
        metrics = [{**m, **{k: v for k, v in numbers.get(m["id"], {}).items() if k != "text"}}
                   for m in structure.get("metrics", [])]
        data = {k: v for k, v in structure.items()
                if k not in ("metrics", "numbers", "protocol", "key", "focus")}
        data["metrics"] = metrics
        data["revision"] = self._revision
        findings, health_error = self._health()
        if findings:
            data["findings"] = findings
        if health_error:
            data["health_error"] = health_error
        return data

    def refresh(self) -> None:
        """Recompute every number shown and send what changed (the tree's listener does this
        on every change; call it after changing numbers behind the tree's back)."""
        self._findings.reset()
        self._unchecked = []
        self._publish(None)

    def _follow(self, tree: Tree) -> None:
        """Show ``tree`` instead: listen to it alone, forget what was computed for the old one,
        keep the selection, period, scenario and focus where the new tree has them."""
        unsubscribe, self._unsubscribe = self._unsubscribe, None
        if unsubscribe is not None:
            unsubscribe()
        if self._check_timer is not None:
            self._check_timer.cancel()
            self._check_timer = None
        self._tree = tree
        self._events, self._unchecked = [], []
        self._findings = ViewFindings(tree)
        self._rows_cache = None
        self._signature = None
        with self.hold_sync():
            self._quiet = True
            try:
                if self.selected and self.selected not in tree.metrics:
                    self.selected = ""
            finally:
                self._quiet = False
            self._publish(None)
            self._sync_history()
            self._show_sources()
            self.error = {}
        self._unsubscribe = tree.on_change(_weak_listener(self))

    def close(self) -> None:
        """Stop following the tree and close every view."""
        unsubscribe = getattr(self, "_unsubscribe", None)
        if unsubscribe is not None:
            unsubscribe()
            self._unsubscribe = None
        timer = getattr(self, "_check_timer", None)
        if timer is not None:
            timer.cancel()
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

    def _ipython_display_(self, **kwargs: Any) -> None:
        """Show the live view, then the static picture as an output of its own.

        A notebook run without a browser (``jupyter nbconvert --execute``, ``jupyter
        execute``) saves the widget's state, and its HTML then shows only the widget, which
        needs a kernel (or a CDN) to draw: the picture that follows carries the tree instead.
        Beside a live view the picture steps aside: the view's stylesheet, loaded only where
        the view runs, hides it (:func:`kpitree_widget.static_view.fallback_html`).
        """
        from IPython.display import display

        from .static_view import fallback_html

        bundle = self._repr_mimebundle_(**kwargs)
        if bundle is None:
            return
        data, metadata = bundle
        data = {k: v for k, v in data.items() if k != "text/html"}
        data["text/plain"] = repr(self)
        display(data, metadata=metadata, raw=True)
        display({"text/html": fallback_html(self._tree, period=self.period or None,
                                            scenario=self.scenario or None, focus=self.focus),
                 "text/plain": repr(self._tree)}, raw=True)

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
        if self._quiet or not self.structure:
            return  # still constructing, or _publish is already at work
        with self.hold_sync():
            self._publish([])
            self.error = {}

    # ------------------------------------------------------------------ messages from the view

    @checked
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
        """A request from a view: anywidget's command message (``{"kind":
        "anywidget-command", "id", "name", "msg"}``, answered by a response with the same id),
        or a bare ``{"type": "edit" | "solve", ...}`` message (answered in ``error`` only)."""
        if isinstance(content, Mapping) and content.get("kind") == COMMAND:
            answer = self._request(content.get("name"), content.get("msg"))
            self.send({"id": content.get("id"), "kind": COMMAND_RESPONSE, "response": answer})
        else:
            message = dict(content) if isinstance(content, Mapping) else {}
            self._request(message.pop("type", None), message)
        self._check_after()

    def _request(self, name: Any, msg: Any) -> dict[str, Any]:
        """Validate and carry out one request; its answer (``protocol.Answer``)."""
        model = protocol.REQUESTS.get(name) if isinstance(name, str) else None
        raw = msg if isinstance(msg, Mapping) else {}
        error: dict[str, Any]
        if model is None:
            error = _error_info(KPITreeError(
                f"message: unknown type {name!r} (expected one of "
                f"{', '.join(map(repr, protocol.REQUESTS))})"),
                raw)
            self.error = error
            return {"ok": False, "revision": self._revision, "error": error}
        try:
            request = model.model_validate(raw)
        except ValidationError as exc:
            error = _error_info(_invalid(exc, raw), raw)
            self.error = error
            return {"ok": False, "revision": self._revision, "error": error}
        if isinstance(request, protocol.SnapshotRequest):
            return self._snapshot_answer(request)
        if isinstance(request, protocol.RefreshRequest):
            return self._refresh(request)
        error = {}
        note = None
        saved: str | None = None
        with self._batch():
            try:
                if isinstance(request, protocol.EditRequest):
                    self._edit(request)
                elif isinstance(request, protocol.SolveRequest):
                    note = getattr(self._solve(request), "note", None) or None
                elif name in BUILD_REQUESTS:
                    saved = carry_out(self._tree, name, request)
            except KPITreeError as exc:
                where = {**raw, "field": raw.get("field") or error_field(name, request)}
                error = _error_info(exc, where)
            except Exception as exc:
                error = _failure(exc)
                self._events.append({"kind": "data", "metric": None})  # rebuild to be sure
        with self.hold_sync():
            self._publish(self._take_events())
            self._sync_history()
            self.error = error
        answer: dict[str, Any] = {"ok": not error, "revision": self._revision,
                                   "error": error or None}
        if note and not error:
            answer["note"] = note
        if saved is not None:
            answer["saved"] = saved
        return answer

    def _sync_history(self) -> None:
        """Tell the views whether the tree can undo, redo, and which file it saves to."""
        can_undo, can_redo, file = history(self._tree)
        if (self.can_undo, self.can_redo, self.file) != (can_undo, can_redo, file):
            with self.hold_sync():
                self.can_undo, self.can_redo, self.file = can_undo, can_redo, file

    def _refresh(self, request: protocol.RefreshRequest) -> dict[str, Any]:
        """Refresh the tree from its sources (all or nothing); a failure is shown in the
        banner and changes nothing."""
        import datetime as dt

        from .sources.refresh import refresh

        error: dict[str, Any] = {}
        with self._batch():
            try:
                refresh(self._tree, metrics=request.metrics)
            except KPITreeError as exc:
                error = _error_info(exc, {})
            except Exception as exc:
                error = _failure(exc)
        with self.hold_sync():
            self._publish(self._take_events())
            self._sync_history()
            self.error = error
        stamp = None if error else dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        return {"ok": not error, "revision": self._revision, "error": error or None,
                "refreshed_at": stamp}

    def _snapshot_answer(self, request: protocol.SnapshotRequest) -> dict[str, Any]:
        answer: dict[str, Any] = {"ok": True, "revision": self._revision, "error": None,
                                  "numbers": None}
        if request.revision != self._revision or request.structure != self._key:
            answer["numbers"] = self._numbers_message(None)
        return answer

    def _edit(self, request: protocol.EditRequest) -> None:
        tree = self._tree
        metric, field, text = request.metric, request.field, request.text
        m = tree.require(metric, "edit")
        where = f"metrics.{metric}.{field}"
        number = (parse_number(text, m.unit, where=where, metric=metric, field=field)
                  if isinstance(text, str) else check_number(text, where, metric=metric,
                                                             field=field))
        label = self._edit_period(request.period)
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
                               "on a computed metric", metric=metric, field="target",
                               period=label)
        self._tree.set_scenario_target(name, metric, number, period=label)

    def _solve(self, request: protocol.SolveRequest) -> Any:
        tree = self._tree
        metric, target = request.metric, request.target
        m = tree.require(metric, "solve")
        if self.scenario:
            raise KPITreeError(f"solve: switch to the plan to solve (scenario {self.scenario!r} "
                               "is shown)", metric=metric, field="target")
        label = self._edit_period(None)
        if target not in (None, ""):
            where = f"metrics.{metric}.target"
            goal = (parse_number(target, m.unit, where=where, metric=metric, field="target")
                    if isinstance(target, str) else check_number(target, where, metric=metric,
                                                                 field="target"))
        else:
            explicit = tree.explicit_targets(label).get(metric)
            if explicit is None:
                raise KPITreeError(f"solve: {metric!r} has no target of its own to meet; type a "
                                   "target on it first", metric=metric, field="target",
                                   period=label)
            goal = explicit
        from .analysis.solve import solve

        return solve(tree, metric, goal, lever=request.lever, period=label)

    # ------------------------------------------------------------------ model -> view

    @contextmanager
    def _batch(self) -> Iterator[None]:
        """Tree notifications inside are only collected; the caller publishes once."""
        self._batch_depth += 1
        try:
            yield
        finally:
            self._batch_depth -= 1

    def _take_events(self) -> list[Mapping[str, Any]]:
        events, self._events = self._events, []
        return events

    def _show_sources(self) -> None:
        names = list(self._tree.sources)
        if names != self.sources:
            self.set_trait("sources", names)

    def _tree_changed(self, event: Mapping[str, Any]) -> None:
        if event.get("kind") == "sources":
            self._show_sources()
        self._events.append(event)
        if self._batch_depth:
            return
        try:
            with self.hold_sync():
                self._publish(self._take_events())
                self._sync_history()
            self._check_after()
        except Exception as exc:
            self.error = _failure(exc)

    def _publish(self, events: list[Mapping[str, Any]] | None) -> None:
        """Send the views what ``events`` changed (``None``: anything may have changed).

        A new structure (or period, scenario, focus) rewrites the ``structure`` trait with a
        snapshot of the numbers; otherwise only the metrics whose numbers changed go out, as a
        numbers delta. The health findings are brought up to date first when that is quick;
        when it is slow (a large tree) they are after the answer (:meth:`_check_after`)."""
        self._forget_vanished_choices()
        try:
            if _structural(events) or self._signature != self._structure_signature():
                self._findings.update(self._take_unchecked(events))
                self._rebuild()
                return
            table = self._numbers
            assert table is not None
            if events is None or any(e.get("metric") is None for e in events):
                ids = table.affected(None)
            else:
                ids = [m for e in events for m in table.affected(e.get("metric"))]
            inline = self._findings.seconds <= FINDINGS_INLINE_SECONDS
            self._unchecked.extend(events or ())
            if inline and self._unchecked:
                ids.extend(self._findings.update(self._take_unchecked([])))
            changed = table.refresh(ids, self._findings.grouped)
            self._send_numbers(changed)
        except Exception as exc:
            self.error = _failure(exc)

    def _take_unchecked(self, events: list[Mapping[str, Any]] | None) -> list[Mapping[str, Any]]:
        pending, self._unchecked = [*self._unchecked, *(events or ())], []
        return pending

    def _check_after(self) -> None:
        """A slow health check runs after the answer, and in a running kernel only once the
        edits pause (``HEALTH_DELAY`` seconds), so quick edits never wait behind it; its changed
        findings follow as a second numbers delta."""
        if not self._unchecked or self._numbers is None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._run_check()
            return
        if self._check_timer is not None:
            self._check_timer.cancel()
        self._check_timer = loop.call_later(HEALTH_DELAY, self._run_check)

    def _run_check(self) -> None:
        self._check_timer = None
        if not self._unchecked or self._numbers is None:
            return
        try:
            changed = self._findings.update(self._take_unchecked([]))
            if changed:
                self._send_numbers(self._numbers.refresh(changed, self._findings.grouped))
        except Exception as exc:
            self.error = _failure(exc)

    def _send_numbers(self, changed: list[str]) -> None:
        health = self._health()
        health_changed = health != self._sent_health
        if not changed and not health_changed:
            return
        base = self._revision
        self._revision += 1
        message = self._numbers_message(changed, base=base)
        if health_changed:
            message["findings"], message["health_error"] = health
            self._sent_health = health
        self.send(message)

    def _numbers_message(self, ids: list[str] | None, base: int | None = None) -> dict[str, Any]:
        """A numbers message: a snapshot of every metric (``ids`` None) or a delta."""
        table = self._numbers
        assert table is not None
        rows = table.rows
        message: dict[str, Any] = {
            "kind": "numbers", "structure": self._key, "revision": self._revision,
            "base": base,
            "metrics": {m: rows[m] for m in (table.ids if ids is None else ids)},
        }
        if ids is None:
            message["findings"], message["health_error"] = self._health()
        return message

    def _health(self) -> tuple[list[dict[str, Any]], str | None]:
        return list(self._findings.grouped.get("", ())), self._findings.error

    def _rebuild(self) -> None:
        """A new structure: the ``structure`` trait with a snapshot of every number."""
        tree = self._tree
        self._signature = self._structure_signature()
        self._key += 1
        period, scenario = self.period or None, self.scenario or None
        shown: set[str] | None = None
        focused: set[str] = set()
        if self.focus is not None:
            focused = set(focus_ids(tree, self.focus))
            shown = with_context(tree, focused)
        self._numbers = NumberTable(tree, period, scenario, shown=shown,
                                    findings=self._findings.grouped)
        self._revision += 1
        metrics = []
        for row in self._rows():
            if shown is not None and row["id"] not in shown:
                continue
            metric = {**row, "context": shown is not None and row["id"] not in focused}
            if shown is not None:
                metric["children"] = [c for c in row["children"] if c in shown]
            metrics.append(metric)
        self._sent_health = self._health()
        self.structure = {
            "protocol": protocol.VERSION,
            "key": self._key,
            **tree_header(tree, period, scenario, shown),
            "focus": list(self.focus) if self.focus is not None else None,
            "metrics": metrics,
            "numbers": self._numbers_message(None),
        }

    def _structure_signature(self) -> tuple[Any, ...]:
        """What the structure trait depends on; the metric objects by identity."""
        tree = self._tree
        return (tree.name, tree.root, tuple(tree.hypotheses), tuple(tree.periods),
                tuple(tree.scenarios), self.period, self.scenario,
                None if self.focus is None else tuple(self.focus),
                tuple(map(id, tree.metrics.values())))

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
            if self.selected and self.selected not in tree.metrics:
                self.selected = ""  # removed (or renamed) from Python or from a view
        finally:
            self._quiet = False

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


def _structural(events: list[Mapping[str, Any]] | None) -> bool:
    """Whether the tree's structure changed (a building call, or undo/redo of one): the view
    then gets the whole structure again."""
    return events is not None and any(e.get("kind") == "structure" for e in events)


def _weak_listener(widget: TreeWidget) -> Callable[[Mapping[str, Any]], None]:
    """A tree listener that does not keep a forgotten widget alive."""
    ref = weakref.ref(widget)

    def listener(event: Mapping[str, Any]) -> None:
        w = ref()
        if w is not None:
            w._tree_changed(event)

    return listener


def _failure(exc: BaseException) -> dict[str, Any]:
    """Any failure on the Python side as the ``error`` trait holds it."""
    message = str(exc) if isinstance(exc, KPITreeError) else f"{type(exc).__name__}: {exc}"
    return {"metric": None, "field": None, "period": None, "text": None, "message": message}


def _error_info(exc: KPITreeError, request: Mapping[str, Any]) -> dict[str, Any]:
    """A rejected request as ``protocol.ErrorInfo``: where comes from the error's own
    ``metric``/``field``/``period`` and else from the request; the message loses the
    ``metrics.<id>.<field>:`` prefix (it is shown beside that field)."""

    def text_of(key: str) -> str | None:
        value = request.get(key)
        return echo(value) if isinstance(value, str) else None

    metric = exc.metric or text_of("metric")
    field = exc.field or text_of("field") or ("target" if "lever" in request else None)
    message = str(exc)
    for prefix in (f"metrics.{metric}.{field}: ", f"metrics.{metric}: "):
        message = message.removeprefix(prefix)
    return {"metric": echo(metric) if metric else metric, "field": field and echo(field),
            "period": exc.period or text_of("period"),
            "message": echo(message, 4 * protocol.MAX_ECHO), "text": text_of("text")}


def echo(text: str, limit: int = protocol.MAX_ECHO) -> str:
    """Text from the view, sent back in ``error``: at most ``limit`` characters (the first ones
    and an ellipsis), so a rejected megabyte is not echoed back.

    >>> echo("x" * 1_000_000)[-3:], len(echo("x" * 1_000_000))
    ('xx…', 100)
    """
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _invalid(exc: ValidationError, request: Mapping[str, Any]) -> KPITreeError:
    """A request that does not match its model, said as for a person."""
    first = exc.errors()[0]
    loc = ".".join(str(part) for part in first["loc"])
    head = loc.split(".")[0]
    if head == "text" and first["type"] == "string_too_long":
        text = request.get("text")
        return KPITreeError(f"text: at most {protocol.MAX_TYPED_TEXT} characters, got "
                            f"{len(text) if isinstance(text, str) else '?'}")
    if head == "text":
        return KPITreeError(f"expected the text of a number, got {show(request.get('text'))}")
    if head == "field":
        return KPITreeError(f"cannot edit {show(request.get('field'))} (only target or value)")
    if first["type"] == "missing":
        return KPITreeError(f"message: {loc} is missing")
    if first["type"] == "extra_forbidden":
        return KPITreeError(f"message: unknown key {loc!r}")
    return KPITreeError(f"message: {loc}: {first['msg']}")


# ---------------------------------------------------------------------- tree_data

Findings = tuple[dict[str, list[dict[str, Any]]], str | None]


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
            "min": m.min,
            "max": m.max,
            "guards": m.guards,
        })
    return rows


def tree_header(tree: Tree, period: str | None, scenario: str | None,
                shown: set[str] | None) -> dict[str, Any]:
    """What the view is told about the tree as a whole: its name and root, the period and
    scenario shown and the ones to pick from, its size, and the hypothesis links between the
    ``shown`` metrics (all of them for ``None``)."""
    hypotheses = [h for h in tree.hypotheses
                  if shown is None or (h.driver in shown and h.outcome in shown)]
    return {
        "name": tree.name or "",
        "root": tree.root,
        "period": tree.period_label(period),
        "periods": list(tree.periods),
        "scenario": scenario,
        "scenarios": list(tree.scenarios),
        "total_metrics": len(tree.metrics),
        "hypotheses": [{"from": h.driver, "to": h.outcome, "sign": str(h.sign),
                        "note": h.note} for h in hypotheses],
    }


def tree_data(tree: Tree, period: str | None = None, scenario: str | None = None, *,
              rows: list[dict[str, Any]] | None = None,
              findings: Findings | None = None,
              focus: Iterable[str] | None = None) -> dict[str, Any]:
    """The ``tree_data`` trait: the rolled-up tree as plain JSON-ready Python (NaN and
    infinities become ``None``), shaped as in ``docs/widget-protocol.md``.

    The whole tree from ``tree.rollup()`` in one go (what :attr:`TreeWidget.tree_data` keeps
    up to date edit by edit). ``rows`` (from :func:`static_rows`) and ``findings`` (grouped
    per metric, and a failed check's message) may be passed in when known.
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
    if findings is None:
        checked = ViewFindings(tree)
        findings = checked.grouped, checked.error
    grouped, health_error = findings
    value, target, implied, variance, variance_pct, status = (
        df[c].tolist() for c in ("value", "target", "implied_target", "variance",
                                 "variance_pct", "status"))
    change = change_since_before(tree, tree.period_index(period), ids,
                                 df["value"].to_numpy(dtype=float))
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
         "change": _num(change[i]),
         "status": str(status[i]),
         "findings": list(grouped.get(row["id"], ())),
         "context": shown is not None and row["id"] not in focused}
        for i, row in enumerate(rows)
        if shown is None or row["id"] in shown]
    if shown is not None:
        for metric in metrics:
            metric["children"] = [c for c in metric["children"] if c in shown]
    data: dict[str, Any] = {**tree_header(tree, period, scenario, shown), "metrics": metrics}
    if grouped.get(""):
        data["findings"] = grouped[""]
    if health_error:
        data["health_error"] = health_error
    return data
