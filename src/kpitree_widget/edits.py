"""Reshaping a tree's structure: the checks and the new metrics of each building call.

The functions here work on plain structure (a mapping of id to :class:`Metric`, the
hypotheses, the OKRs) and return the new structure; they change nothing. The tree
(:class:`kpitree_widget.tree.Tree`) calls them, checks the result as a whole (references,
cycles, scenarios) and only then puts it in place, so a refused call leaves the tree exactly as
it was.

Metric fields are read off the :class:`Metric` dataclass, so a field added there (a bound, a
data source) can be set and cleared here without a change.

>>> from kpitree_widget.metric import Metric
>>> m = updated(Metric("arpc", owner="CFO"), {"owner": None, "unit": "currency"})
>>> m.owner, m.unit
(None, 'currency')
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from . import metric as _metric_module
from .args import value_check
from .errors import KPITreeError, did_you_mean, show
from .formula import Formula, parse, renamed
from .metric import Hypothesis, Metric, check_id

NUMBER_FIELDS = ("value", "target")
_NOT_EDITABLE = ("id", "parsed")


def metric_fields() -> dict[str, dataclasses.Field[Any]]:
    """The fields of :class:`Metric` a building call may set, by name."""
    return {f.name: f for f in dataclasses.fields(Metric) if f.name not in _NOT_EDITABLE}


def split_fields(metric_id: str, fields: Mapping[str, Any], *,
                 numbers: bool = True) -> tuple[dict[str, Any], dict[str, Any]]:
    """``fields`` (as in the file) checked and split into Metric fields and numbers
    (``value``, ``target``); an unknown field or a value of the wrong type is refused naming
    the metric and the field.

    >>> split_fields("arpc", {"unit": "currency", "target": 125})
    ({'unit': 'currency'}, {'target': 125})
    >>> split_fields("arpc", {"ownr": "CFO"})
    Traceback (most recent call last):
    ...
    kpitree_widget.errors.KPITreeError: metrics.arpc.ownr: unknown field, did you mean 'owner'?
    """
    known = metric_fields()
    allowed = [*known, *(NUMBER_FIELDS if numbers else ())]
    metric_part: dict[str, Any] = {}
    number_part: dict[str, Any] = {}
    for name, value in fields.items():
        where = f"metrics.{metric_id}.{name}"
        if name == "id":
            raise KPITreeError(f"{where}: the id is changed with rename_metric",
                               metric=metric_id, field=name)
        if name in NUMBER_FIELDS and numbers:
            number_part[name] = value
            continue
        spec = known.get(name)
        if spec is None:
            raise KPITreeError(f"{where}: unknown field{did_you_mean(name, allowed)}",
                               metric=metric_id, field=name)
        if value is not None:
            value = _checked_value(spec, value, where, metric_id)
        metric_part[name] = value
    return metric_part, number_part


def _checked_value(spec: dataclasses.Field[Any], value: Any, where: str, metric_id: str) -> Any:
    hint = spec.type if isinstance(spec.type, str) else getattr(spec.type, "__name__", "Any")
    if hint.startswith("tuple[") and isinstance(value, list):
        value = tuple(value)  # tags as a file writes them
    check, words = value_check(hint, vars(_metric_module))
    if not check(value):
        raise KPITreeError(f"{where}: expected {words}, got {show(value)}",
                           metric=metric_id, field=spec.name)
    if isinstance(value, str) and spec.name != "formula" and not value.strip():
        return None  # blank text clears a field, as None does
    return value


def _default(spec: dataclasses.Field[Any]) -> Any:
    if spec.default is not dataclasses.MISSING:
        return spec.default
    if spec.default_factory is not dataclasses.MISSING:
        return spec.default_factory()
    return None


def new_metric(metric_id: str, fields: Mapping[str, Any]) -> Metric:
    """A new metric from checked Metric fields (see :func:`split_fields`)."""
    check_id(metric_id, f"metrics.{metric_id}" if isinstance(metric_id, str) else "metrics")
    known = metric_fields()
    given = {k: (v if v is not None else _default(known[k])) for k, v in fields.items()}
    return Metric(id=metric_id, **given)


def updated(metric: Metric, fields: Mapping[str, Any]) -> Metric:
    """``metric`` with ``fields`` replaced (``None`` puts a field back to its default); a new
    formula is parsed again.

    >>> updated(Metric("revenue", formula="a + b"), {"formula": "a * b"}).relation
    'product'
    """
    known = metric_fields()
    changes = {k: (v if v is not None else _default(known[k])) for k, v in fields.items()}
    if "formula" in changes:
        changes["parsed"] = None
    if changes.get("name") is None and "name" in changes:
        changes["name"] = ""
    return dataclasses.replace(metric, **changes)


def unknown_names(metrics: Mapping[str, Metric], formula: Formula) -> list[str]:
    """The names ``formula`` uses that are no metric of ``metrics``, in formula order."""
    return [name for name in formula.children if name not in metrics]


def refuse_unknown(metric_id: str, names: list[str], known: Iterable[str]) -> KPITreeError:
    """The refusal of a formula that uses names no metric has, each with a did-you-mean.

    >>> str(refuse_unknown("revenue", ["arpu"], ["customers", "arpc"]))
    "metrics.revenue.formula: unknown name 'arpu', did you mean 'arpc'? (create_missing=True \
adds it as an input)"
    """
    choices = list(known)
    if len(names) == 1:
        said = f"unknown name {names[0]!r}{did_you_mean(names[0], choices)}"
    else:
        said = "unknown names " + ", ".join(
            f"{n!r}" + (f" ({did_you_mean(n, choices)[2:]})" if did_you_mean(n, choices) else "")
            for n in names)
    what = "it as an input" if len(names) == 1 else "them as inputs"
    return KPITreeError(f"metrics.{metric_id}.formula: {said} (create_missing=True adds "
                        f"{what})", metric=metric_id, field="formula")


def check_formula(metric_id: str, text: str) -> Formula:
    """Parse ``text`` as ``metric_id``'s formula (refusals name the metric)."""
    try:
        return parse(text, metric=metric_id)
    except KPITreeError as exc:
        raise KPITreeError(str(exc), metric=metric_id, field="formula") from None


# ---------------------------------------------------------------------------- rename


def renamed_metrics(metrics: Mapping[str, Metric], old: str, new: str) -> dict[str, Metric]:
    """Every metric with ``old`` written ``new``: its own id, the formulas that use it and the
    ``guards`` that point at it; the order of the metrics is kept."""
    out: dict[str, Metric] = {}
    for metric_id, metric in metrics.items():
        changes: dict[str, Any] = {}
        if metric_id == old:
            changes["id"] = new
            if metric.name == old:
                changes["name"] = new
        if metric.formula is not None and old in metric.children:
            changes["formula"] = renamed(metric.formula, old, new)
            changes["parsed"] = None
        if metric.guards == old:
            changes["guards"] = new
        m = dataclasses.replace(metric, **changes) if changes else metric
        out[m.id] = m
    return out


def renamed_hypotheses(hypotheses: Iterable[Hypothesis], old: str,
                       new: str) -> tuple[Hypothesis, ...]:
    """The hypotheses with ``old`` written ``new`` at either end."""
    return tuple(Hypothesis(new if h.driver == old else h.driver,
                            new if h.outcome == old else h.outcome, h.sign, h.note)
                 if old in (h.driver, h.outcome) else h for h in hypotheses)


def renamed_okrs(okrs: Iterable[Mapping[str, Any]], old: str, new: str) -> list[dict[str, Any]]:
    """The OKRs with a key result on ``old`` now on ``new``."""
    return [{**o, "metric": new} if o.get("metric") == old else dict(o) for o in okrs]


# ---------------------------------------------------------------------------- remove


def removal(metrics: Mapping[str, Metric], parents: Mapping[str, Iterable[str]], metric_id: str,
            subtree: bool, kept: Iterable[str] = ()) -> list[str]:
    """The metrics a removal takes away: ``metric_id`` and, with ``subtree``, each metric
    below it that only removed metrics use (and that is not in ``kept``)."""
    gone = {metric_id}
    order = [metric_id]
    if subtree:
        keep = set(kept)
        stack = list(metrics[metric_id].children)
        while stack:
            m = stack.pop(0)
            if m in gone or m in keep:
                continue
            if all(p in gone for p in parents.get(m, ())):
                gone.add(m)
                order.append(m)
                stack.extend(metrics[m].children)
    return order


def users(metrics: Mapping[str, Metric], okrs: Iterable[Mapping[str, Any]], gone: set[str],
          parents: Mapping[str, Iterable[str]]) -> list[str]:
    """What still uses a metric in ``gone`` from outside it: ``"<formula of x (text)>"``,
    guards and OKR key results, said for a person (empty when nothing does)."""
    found: list[str] = []
    for m in sorted(gone, key=list(metrics).index):
        for p in parents.get(m, ()):
            if p not in gone:
                parsed = metrics[p].parsed
                found.append(f"the formula of {p} ({parsed.display() if parsed else ''})")
    for metric_id, metric in metrics.items():
        if metric.guards in gone and metric_id not in gone:
            found.append(f"{metric_id}.guards")
    for i, okr in enumerate(okrs):
        if okr.get("metric") in gone:
            found.append(f"okrs.{i} (key result on {okr.get('metric')})")
    return list(dict.fromkeys(found))


__all__ = ["NUMBER_FIELDS", "check_formula", "metric_fields", "new_metric", "refuse_unknown",
           "removal", "renamed_hypotheses", "renamed_metrics", "renamed_okrs", "split_fields",
           "unknown_names", "updated", "users"]
