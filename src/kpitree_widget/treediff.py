"""What changed between two versions of a tree, in the words people review.

:func:`diff_trees` compares two trees' mappings (the file's shape) and lists each change once:
metrics added, removed or renamed (a metric whose id changed while everything else, apart
from its name, stayed the same, with the formulas that use it following along), formulas,
owners and the other fields, values and targets per period, hypotheses, scenarios, OKRs and
the tree's own fields. ``kpitree diff OLD NEW`` prints them (exit 1 when there are any).

>>> import kpitree_widget as kt
>>> old = kt.KPITree.from_dict({"metrics": {"revenue": {"formula": "customers * arpc"},
...     "customers": {"target": 5000}, "arpc": {"target": 125, "owner": "CEO"}}})
>>> new = old.copy()
>>> new.set_target("arpc", 130)
>>> for change in diff_trees(old, new):
...     print(change)
arpc: target 125 -> 130
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .io import METRIC_FIELDS, tree_to_dict
from .tree import Tree

#: how many per-period changes of one field are listed before "... and N more"
MAX_PERIOD_LINES = 12
_DEFAULTS = {"direction": "up"}
_SUMMARY_FIELDS = ("formula", "owner", "unit", "value", "target")


@dataclass(frozen=True)
class Change:
    """One difference: ``kind`` (``metric added``, ``metric removed``, ``metric renamed``,
    ``field``, ``hypothesis added``, ...), the ``metric`` and ``field`` it is about (None for
    the tree's own fields), the ``period`` for numbers per period, ``old`` and ``new``, and
    ``text``, the sentence shown to people."""

    kind: str
    text: str
    metric: str | None = None
    field: str | None = None
    period: str | None = None
    old: Any = None
    new: Any = None

    def __str__(self) -> str:
        return self.text

    def as_dict(self) -> dict[str, Any]:
        """The change as a plain mapping (``kpitree diff --format json``)."""
        return {"kind": self.kind, "metric": self.metric, "field": self.field,
                "period": self.period, "old": self.old, "new": self.new, "text": self.text}


def diff_trees(old: Tree, new: Tree) -> list[Change]:
    """The changes that turn ``old`` into ``new`` (empty when both hold the same tree)."""
    return diff_specs(tree_to_dict(old), tree_to_dict(new))


def diff_specs(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """:func:`diff_trees` over two trees' mappings (:func:`~kpitree_widget.io.tree_to_dict`)."""
    old_metrics: dict[str, Any] = dict(old.get("metrics", {}))
    new_metrics: dict[str, Any] = dict(new.get("metrics", {}))
    renames = _renames(old_metrics, new_metrics)
    out: list[Change] = []
    for key in ("name", "description", "root"):
        before, after = old.get(key), new.get(key)
        if key == "root":
            before = renames.get(str(before), before)
        if before != after:
            out.append(_field_change(None, key, before, after))
    for was, now in renames.items():
        out.append(Change("metric renamed", f"~ metric {was} renamed to {now}", metric=now,
                          old=was, new=now))
    renamed_old = {renames.get(m, m): _renamed(spec, renames) for m, spec in old_metrics.items()}
    for metric, spec in new_metrics.items():
        if metric not in renamed_old:
            out.append(Change("metric added", f"+ metric {metric}{_summary(metric, spec)}",
                              metric=metric, new=spec))
    for metric, spec in old_metrics.items():
        if renames.get(metric, metric) not in new_metrics:
            out.append(Change("metric removed", f"- metric {metric}{_summary(metric, spec)}",
                              metric=metric, old=spec))
    for metric, spec in new_metrics.items():
        if metric in renamed_old:
            out.extend(_metric_changes(metric, renamed_old[metric], spec))
    out.extend(_hypotheses(_renamed_links(old.get("hypotheses", []), renames),
                           new.get("hypotheses", [])))
    out.extend(_scenarios(_renamed_scenarios(old.get("scenarios", {}), renames),
                          new.get("scenarios", {})))
    out.extend(_okrs(_renamed_okrs(old.get("okrs", []), renames), new.get("okrs", [])))
    out.extend(_config(old.get("config", {}), new.get("config", {})))
    return out


# ---------------------------------------------------------------------------- renames


def _renames(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, str]:
    """Removed ids paired with added ids whose metric is the same apart from its name (and the
    formulas that use it, which follow the new id); only pairs that leave no doubt."""
    removed = [m for m in old if m not in new]
    added = [m for m in new if m not in old]
    pairs: dict[str, str] = {}
    for was in removed:
        matches = [now for now in added
                   if _without_name(old[was], was) == _without_name(new[now], now)]
        if len(matches) == 1:
            pairs[was] = matches[0]
    taken = list(pairs.values())
    return {was: now for was, now in pairs.items() if taken.count(now) == 1}


def _without_name(spec: Mapping[str, Any], metric: str) -> str:
    return json.dumps({k: v for k, v in spec.items() if k != "name"}, sort_keys=True)


def _rename_in(text: str, renames: Mapping[str, str]) -> str:
    if not renames:
        return text
    pattern = re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, renames)) + r")(?![\w(])")
    return pattern.sub(lambda m: renames[m.group(1)], text)


def _renamed(spec: Mapping[str, Any], renames: Mapping[str, str]) -> dict[str, Any]:
    out = dict(spec)
    if isinstance(out.get("formula"), str):
        out["formula"] = _rename_in(out["formula"], renames)
    if out.get("guards") in renames:
        out["guards"] = renames[out["guards"]]
    return out


def _renamed_links(links: list[Any], renames: Mapping[str, str]) -> list[Any]:
    return [{**h, "from": renames.get(h.get("from"), h.get("from")),
             "to": renames.get(h.get("to"), h.get("to"))} for h in links]


def _renamed_scenarios(scenarios: Mapping[str, Any],
                       renames: Mapping[str, str]) -> dict[str, Any]:
    return {name: {renames.get(m, m): n for m, n in overrides.items()}
            for name, overrides in scenarios.items()}


def _renamed_okrs(okrs: list[Any], renames: Mapping[str, str]) -> list[Any]:
    return [{k: renames.get(v, v) if k == "metric" else v for k, v in o.items()} for o in okrs]


# ---------------------------------------------------------------------------- metrics


def _metric_changes(metric: str, old: Mapping[str, Any],
                    new: Mapping[str, Any]) -> Iterator[Change]:
    fields = sorted({*old, *new}, key=lambda f: (METRIC_FIELDS.index(f)
                                                 if f in METRIC_FIELDS else len(METRIC_FIELDS), f))
    for field in fields:
        before = old.get(field, _DEFAULTS.get(field))
        after = new.get(field, _DEFAULTS.get(field))
        if field == "name":
            before, after = old.get("name", metric), new.get("name", metric)
        if before == after:
            continue
        if field in ("value", "target") and (isinstance(before, dict) or isinstance(after, dict)):
            yield from _period_changes(metric, field, before, after)
        else:
            yield _field_change(metric, field, before, after)


def _field_change(metric: str | None, field: str, before: Any, after: Any) -> Change:
    where = f"{metric}: {field}" if metric else field
    if before is None:
        text = f"{where} set to {_show(after)}"
    elif after is None:
        text = f"{where} removed (was {_show(before)})"
    else:
        text = f"{where} {_show(before)} -> {_show(after)}"
    return Change("field", text, metric=metric, field=field, old=before, new=after)


def _period_changes(metric: str, field: str, before: Any, after: Any) -> Iterator[Change]:
    """Numbers per period, one line each; one number for every period reads as ``all``."""
    if not isinstance(before, dict) or not isinstance(after, dict):
        yield _field_change(metric, field, _show_numbers(before), _show_numbers(after))
        return
    lines = []
    for period in list(before) + [p for p in after if p not in before]:
        was, now = before.get(period), after.get(period)
        if was == now:
            continue
        text = _changed(f"{metric}: {field} {period}", was, now, _show)
        lines.append(Change("field", text, metric=metric, field=field, period=period,
                            old=was, new=now))
    yield from lines[:MAX_PERIOD_LINES]
    if len(lines) > MAX_PERIOD_LINES:
        more = len(lines) - MAX_PERIOD_LINES
        yield Change("field", f"{metric}: {field}: ... and {more} more period"
                              f"{'s' * (more != 1)}", metric=metric, field=field)


def _changed(where: str, was: Any, now: Any, show: Any) -> str:
    """``where`` set, removed or changed, in words."""
    if was is None:
        return f"{where} set to {show(now)}"
    if now is None:
        return f"{where} removed (was {show(was)})"
    return f"{where} {show(was)} -> {show(now)}"


def _summary(metric: str, spec: Mapping[str, Any]) -> str:
    name = spec.get("name")
    parts = [f"{f} {_show_numbers(spec[f]) if f in ('value', 'target') else _show(spec[f])}"
             for f in _SUMMARY_FIELDS if spec.get(f) is not None]
    head = f" ({name})" if name and name != metric else ""
    return head + (": " + "; ".join(parts) if parts else "")


# ---------------------------------------------------------------------------- the rest


def _link(h: Mapping[str, Any]) -> str:
    note = f' "{h["note"]}"' if h.get("note") else ""
    return f"{h.get('from')} -> {h.get('to')} ({h.get('sign', '+')}){note}"


def _hypotheses(old: list[Any], new: list[Any]) -> Iterator[Change]:
    def key(h: Mapping[str, Any]) -> tuple[Any, Any]:
        return h.get("from"), h.get("to")

    before = {key(h): h for h in old}
    after = {key(h): h for h in new}
    for k, h in after.items():
        if k not in before:
            yield Change("hypothesis added", f"+ hypothesis {_link(h)}", new=h)
        elif before[k] != h:
            was = before[k]
            parts = [f"{f} {_show(was.get(f, d))} -> {_show(h.get(f, d))}"
                     for f, d in (("sign", "+"), ("note", "")) if was.get(f, d) != h.get(f, d)]
            yield Change("hypothesis changed",
                         f"~ hypothesis {k[0]} -> {k[1]}: {'; '.join(parts)}", old=was, new=h)
    for k, h in before.items():
        if k not in after:
            yield Change("hypothesis removed", f"- hypothesis {_link(h)}", old=h)


def _scenarios(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[Change]:
    for name, overrides in new.items():
        if name not in old:
            shown = ", ".join(f"{m} {_show_numbers(n)}" for m, n in overrides.items())
            yield Change("scenario added", f"+ scenario {name}: {shown}", new=overrides)
            continue
        was = old[name]
        for metric in list(was) + [m for m in overrides if m not in was]:
            before, after = was.get(metric), overrides.get(metric)
            if before == after:
                continue
            text = _changed(f"scenario {name}: {metric} target", before, after, _show_numbers)
            yield Change("scenario changed", text, metric=metric, field=name, old=before,
                         new=after)
    for name in old:
        if name not in new:
            yield Change("scenario removed", f"- scenario {name}", old=old[name])


def _okrs(old: list[Any], new: list[Any]) -> Iterator[Change]:
    def label(o: Mapping[str, Any]) -> str:
        return str(o.get("objective") or o.get("key_result") or o.get("metric") or "OKR")

    shown_old = {json.dumps(o, sort_keys=True) for o in old}
    shown_new = {json.dumps(o, sort_keys=True) for o in new}
    for o in new:
        if json.dumps(o, sort_keys=True) not in shown_old:
            yield Change("okr added", f"+ OKR {label(o)}: {_show(o)}", metric=o.get("metric"),
                         new=o)
    for o in old:
        if json.dumps(o, sort_keys=True) not in shown_new:
            yield Change("okr removed", f"- OKR {label(o)}: {_show(o)}", metric=o.get("metric"),
                         old=o)


def _config(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[Change]:
    for key in list(old) + [k for k in new if k not in old]:
        if old.get(key) != new.get(key):
            yield _field_change(None, f"config.{key}", old.get(key), new.get(key))


def _show(x: Any) -> str:
    """A value as the file writes it: numbers and text plainly, lists and mappings inline."""
    if isinstance(x, str):
        return x if x.strip() == x and x and "\n" not in x else json.dumps(x, ensure_ascii=False)
    if isinstance(x, (list, tuple)):
        return "[" + ", ".join(_show(v) for v in x) + "]"
    if isinstance(x, Mapping):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in x.items()) + "}"
    return json.dumps(x)


def _show_numbers(numbers: Any) -> Any:
    if isinstance(numbers, Mapping):
        return "{" + ", ".join(f"{p}: {_show(v)}" for p, v in numbers.items()) + "}"
    return numbers if numbers is None else _show(numbers)
