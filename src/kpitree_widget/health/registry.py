"""The rule registry and the thresholds the rules read.

A rule is a small function ``(ctx) -> iterable of Hit`` registered with an id, a default
severity, what it reads of the tree, the thresholds it reads, why it exists and what to do about
it. The check turns each hit into a :class:`~kpitree_widget.health.findings.Finding`.

What a rule reads (``reads=``) decides which edits can change its findings:

- ``structure``: formulas, the root, hypotheses, guard and OKR links (the outline);
- ``text``: names, ids, owners, tags, units, kinds, cadences, lags, the OKR list;
- ``numbers``: values and targets, stored and computed through the formulas, and the periods;
- ``scenarios``: the scenarios' targets;
- ``guards``: with ``numbers``, a finding about a guard also reads the numbers of the metric it
  guards (and so changes when that metric's numbers do);
- ``hypotheses``: with ``numbers``, a finding about a metric also reads the numbers of the
  metrics linked to it by hypotheses (either end).

A rule that reads ``numbers`` can be ``scoped``: it takes ``only`` (a collection of metric ids,
or None for all) and yields only the findings about those metrics, exactly as a full run would
yield them; it yields no tree-wide findings. A number edit then re-runs it for the metrics the
edit can reach (see :class:`~kpitree_widget.health.IncrementalCheck`).

>>> RULES["target.missing"].reads, RULES["target.missing"].scoped
(('numbers', 'structure', 'text'), True)
>>> RULES["owner.missing"].reads
('structure', 'text')
"""

from __future__ import annotations

import inspect
import math
import numbers
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from ..errors import KPITreeError, did_you_mean

if TYPE_CHECKING:
    from .context import Context

# name: (default, what it means)
THRESHOLDS: dict[str, tuple[float, str]] = {
    "min_depth": (3, "fewest levels, root included, before the tree is too shallow"),
    "max_depth": (4, "most levels, root included, before the tree is too deep"),
    "min_drivers": (2, "fewest level-1 drivers under the North Star"),
    "max_drivers": (5, "most level-1 drivers under the North Star"),
    "min_leaves": (12, "fewest leaves (inputs) before the tree is thin (info)"),
    "max_leaves": (25, "most leaves (inputs) before nobody can attend to them all"),
    "max_metrics": (20, "most metrics in all before the tree is too complex to recite (info)"),
    "max_leaf_lag": (90, "most days between an owner's action and a leaf moving"),
    "short_lag": (7, "a leaf with a lag under this many days can be run week by week"),
    "target_gap": (0.01, "relative gap allowed between a typed and an implied target"),
}
OPTIONS = ("ignore",)
# what a rule may read (see the module docstring)
READS = ("structure", "text", "numbers", "scenarios", "guards", "hypotheses")
LINKS = ("guards", "hypotheses")  # links whose other end's numbers a finding reads


@dataclass(frozen=True)
class Hit:
    """What a rule function yields: the metric (or None), the message, a severity when it
    differs from the rule's default, and the other metrics concerned."""

    metric: str | None
    message: str
    severity: str | None = None
    related: tuple[str, ...] = ()


RuleFunction = Callable[["Context"], Iterable[Hit]]


class ScopedRuleFunction(Protocol):
    """A rule function that can run for some metrics only (``only=None``: all of them)."""

    def __call__(self, ctx: Context, only: Collection[str] | None = None, /) -> Iterable[Hit]:
        ...


F = TypeVar("F", bound=RuleFunction)


@dataclass(frozen=True)
class Rule:
    """A registered health rule: ``reads`` says what of the tree it reads, ``scoped`` whether
    it can run for some metrics only (see the module docstring)."""

    id: str
    severity: str
    reason: str
    fix: str
    thresholds: tuple[str, ...] = ()
    func: RuleFunction | None = field(default=None, compare=False, repr=False)
    reads: tuple[str, ...] = ("structure", "text")
    scoped: bool = False

    def run(self, ctx: Context, only: Collection[str] | None = None) -> Iterable[Hit]:
        """The rule's hits, for the metrics in ``only`` (a scoped rule) or all of them."""
        assert self.func is not None, self.id
        if only is None:
            return self.func(ctx)
        if not self.scoped:
            raise TypeError(f"rule {self.id} cannot run for some metrics only")
        func: ScopedRuleFunction = self.func  # type: ignore[assignment]  # checked by rule()
        return func(ctx, only)


RULES: dict[str, Rule] = {}


def rule(rule_id: str, severity: str, *, reason: str, fix: str, reads: tuple[str, ...],
         thresholds: tuple[str, ...] = (), scoped: bool = False) -> Callable[[F], F]:
    """Register a rule function under ``rule_id``; ``reads`` names what it reads of the tree
    and ``scoped`` says it takes ``only`` (see the module docstring)."""
    assert severity in ("error", "warning", "info"), severity
    for name in thresholds:
        assert name in THRESHOLDS, name
    assert reads and all(r in READS for r in reads), (rule_id, reads)
    assert not scoped or "numbers" in reads, f"{rule_id}: only number rules are scoped"
    assert "numbers" in reads or not set(reads) & set(LINKS), rule_id

    def register(func: F) -> F:
        if scoped:
            assert "only" in inspect.signature(func).parameters, f"{rule_id}: no `only`"
        RULES[rule_id] = Rule(rule_id, severity, " ".join(reason.split()), " ".join(fix.split()),
                              thresholds, func, tuple(reads), scoped)
        return func

    return register


def resolve_thresholds(config: Mapping[str, Any] | None,
                       given: Mapping[str, Any]) -> tuple[dict[str, float], set[str]]:
    """Defaults, overridden by the file's ``config: {check: {...}}``, overridden by keywords.

    Returns the thresholds and the rule ids to skip (``ignore``). Unknown names and bad values
    are :class:`KPITreeError`.
    """
    values = {name: float(default) for name, (default, _) in THRESHOLDS.items()}
    ignore: set[str] = set()
    block = (config or {}).get("check") or {}
    if not isinstance(block, Mapping):
        raise KPITreeError(f"config.check: expected a mapping of threshold to number, "
                           f"got {type(block).__name__}")
    for where, source in (("config.check", block), ("check", given)):
        for name, value in source.items():
            if name == "ignore":
                ignore |= _rule_ids(value, f"{where}.ignore")
                continue
            if name not in THRESHOLDS:
                known = [*THRESHOLDS, *OPTIONS]
                raise KPITreeError(f"{where}: unknown threshold {name!r}{did_you_mean(name, known)}"
                                   f" (thresholds: {', '.join(known)})")
            if (isinstance(value, bool) or not isinstance(value, numbers.Real)
                    or not math.isfinite(value) or value < 0):
                raise KPITreeError(f"{where}.{name}: expected a number >= 0, got {value!r}")
            values[name] = float(value)
    for low, high in (("min_depth", "max_depth"), ("min_drivers", "max_drivers"),
                      ("min_leaves", "max_leaves")):
        if values[low] > values[high]:
            raise KPITreeError(f"check: {low} ({values[low]:g}) is above {high} "
                               f"({values[high]:g})")
    return values, ignore


def _rule_ids(value: Any, where: str) -> set[str]:
    """Rule ids or whole families (``owner`` skips every ``owner.*`` rule)."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, (list, tuple, set)):
        raise KPITreeError(f"{where}: expected a rule id or a list of them, got {value!r}")
    families = {r.split(".")[0] for r in RULES}
    out: set[str] = set()
    for item in items:
        if not isinstance(item, str) or (item not in RULES and item not in families):
            raise KPITreeError(f"{where}: unknown rule {item!r}"
                               f"{did_you_mean(str(item), [*RULES, *families])}")
        out |= {r for r in RULES if r == item or r.split(".")[0] == item}
    return out
