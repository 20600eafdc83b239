"""One metric of a KPI tree, and one behavioural link between two metrics."""

from __future__ import annotations

import keyword
import math
import re
from dataclasses import dataclass, field

from .errors import KPITreeError
from .formula import FUNCTIONS, Formula, parse
from .numbers import format_number
from .source_spec import MetricSource

ID_PATTERN = re.compile(r"[a-z][a-z0-9_]*")  # matched whole (fullmatch): no "a\n"
UNITS = ("currency", "percent", "count", "days", "ratio")
DIRECTIONS = ("up", "down")
CADENCES = ("daily", "weekly", "monthly", "quarterly", "annual")
KINDS = ("input", "output", "guard")
AGGREGATIONS = ("sum", "mean", "last")


def check_id(metric_id: object, where: str = "metrics") -> str:
    """A metric id is snake_case: lower-case letters, digits and underscores, a letter first."""
    if not isinstance(metric_id, str) or not ID_PATTERN.fullmatch(metric_id):
        raise KPITreeError(f"{where}: {metric_id!r} is not a valid metric id (use snake_case "
                           "such as 'win_rate': lower-case letters, digits, underscores)")
    if keyword.iskeyword(metric_id):
        raise KPITreeError(f"{where}: {metric_id!r} is a Python keyword, so no formula could "
                           "use it; choose another id")
    if metric_id in FUNCTIONS:
        raise KPITreeError(f"{where}: {metric_id!r} is the name of a formula function; "
                           "choose another id")
    return metric_id


@dataclass(frozen=True)
class Metric:
    """A metric: its identity, its formula (none for an input) and who owns it.

    Numbers (values and targets per period) live in the :class:`~kpitree_widget.KPITree`.

    >>> m = Metric("win_rate", unit="percent", owner="AE Manager")
    >>> m.name, m.is_input
    ('win_rate', True)
    """

    id: str
    name: str = ""
    formula: str | None = None
    unit: str | None = None
    direction: str = "up"
    owner: str | None = None
    team: str | None = None
    cadence: str | None = None
    lag_days: float | None = None
    kind: str | None = None
    guards: str | None = None
    aggregation: str | None = None
    description: str | None = None
    tags: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    source: MetricSource | None = None  # where the actuals come from (sources:)
    target_source: MetricSource | None = None  # where the plan comes from
    parsed: Formula | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        check_id(self.id)
        where = f"metrics.{self.id}"
        if not self.name:
            object.__setattr__(self, "name", self.id)
        if self.formula is not None and self.parsed is None:
            object.__setattr__(self, "parsed", parse(self.formula, metric=self.id))
        for attr, allowed in (("direction", DIRECTIONS), ("cadence", CADENCES), ("kind", KINDS),
                              ("aggregation", AGGREGATIONS)):
            value = getattr(self, attr)
            if value is not None and value not in allowed:
                raise KPITreeError(f"{where}.{attr}: {value!r} is not one of "
                                   f"{', '.join(allowed)}")
        if self.lag_days is not None:
            if not (isinstance(self.lag_days, (int, float)) and not isinstance(self.lag_days, bool)
                    and 0 <= self.lag_days < math.inf):
                raise KPITreeError(f"{where}.lag_days: expected a number of days >= 0, "
                                   f"got {self.lag_days!r}")
            object.__setattr__(self, "lag_days", float(self.lag_days))  # as a file reads it
        object.__setattr__(self, "tags", tuple(self.tags))
        for attr in ("source", "target_source"):
            value = getattr(self, attr)
            if value is not None and not isinstance(value, MetricSource):
                object.__setattr__(self, attr, MetricSource.from_value(value, f"{where}.{attr}"))
        if self.target_source is not None and not self.is_input:
            raise KPITreeError(f"{where}.target_source: {self.id!r} is computed by its formula, "
                               "so its plan is what its inputs' targets imply; give the inputs "
                               "a target_source")
        self._check_bounds(where)

    def _check_bounds(self, where: str) -> None:
        """``min`` and ``max`` are finite numbers (or None) with ``min <= max``."""
        for attr in ("min", "max"):
            bound = getattr(self, attr)
            if bound is None:
                continue
            if (isinstance(bound, bool) or not isinstance(bound, (int, float))
                    or not math.isfinite(bound)):
                raise KPITreeError(f"{where}.{attr}: expected a finite number, got {bound!r}",
                                   metric=self.id, field=attr)
            object.__setattr__(self, attr, float(bound))  # as a file reads it
        lo, hi = self.min, self.max
        if lo is not None and hi is not None and lo > hi:
            raise KPITreeError(f"{where}.min: {lo:g} is above max ({hi:g}); the bounds need "
                               "min <= max", metric=self.id, field="min")

    @property
    def bounds(self) -> tuple[float, float]:
        """``(min, max)``, with ``-inf`` / ``inf`` for a side without a bound.

        >>> Metric("win_rate", unit="percent", min=0, max=1).bounds
        (0.0, 1.0)
        >>> Metric("customers", min=0).bounds
        (0.0, inf)
        """
        return (-math.inf if self.min is None else float(self.min),
                math.inf if self.max is None else float(self.max))

    @property
    def has_bounds(self) -> bool:
        """True when the metric declares ``min`` or ``max``."""
        return self.min is not None or self.max is not None

    def outside_bounds(self, x: float) -> str | None:
        """How ``x`` breaks the bounds, in words (``"above its max of 100%"``), or None when it
        lies within them (NaN, a missing number, is never outside).

        >>> Metric("win_rate", unit="percent", min=0, max=1).outside_bounds(1.5)
        'above its max of 100%'
        """
        if self.min is not None and x < self.min:
            return f"below its min of {format_number(self.min, self.unit)}"
        if self.max is not None and x > self.max:
            return f"above its max of {format_number(self.max, self.unit)}"
        return None

    def bounds_text(self) -> str:
        """The bounds as people read them: ``0% to 100%``, ``at least 0``, ``at most 1``, or
        ``""`` for none.

        >>> Metric("customers", unit="count", min=0).bounds_text()
        'at least 0'
        """
        lo = None if self.min is None else format_number(self.min, self.unit)
        hi = None if self.max is None else format_number(self.max, self.unit)
        if lo is not None and hi is not None:
            return f"{lo} to {hi}"
        if lo is not None:
            return f"at least {lo}"
        return f"at most {hi}" if hi is not None else ""

    @property
    def is_input(self) -> bool:
        """True for a metric without a formula: fed by data or typed in."""
        return self.parsed is None

    @property
    def children(self) -> tuple[str, ...]:
        """The ids the formula uses, in formula order."""
        return self.parsed.children if self.parsed else ()

    @property
    def relation(self) -> str | None:
        """How the children make this metric: sum, product, ratio or formula (None for inputs)."""
        return self.parsed.relation if self.parsed else None


@dataclass(frozen=True)
class Hypothesis:
    """A behavioural link: ``driver`` is believed to move ``outcome`` (sign ``+`` or ``-``).

    Never used in arithmetic; drawn dashed; testable against period data.
    """

    driver: str
    outcome: str
    sign: str | int = "+"
    note: str | None = None

    def __post_init__(self) -> None:
        signs = {"+": "+", "-": "-", "positive": "+", "negative": "-", 1: "+", -1: "-"}
        sign = signs.get(self.sign)
        if sign is None:
            raise KPITreeError(f"hypotheses: sign {self.sign!r} of {self.driver} -> "
                               f"{self.outcome} must be '+' or '-'")
        object.__setattr__(self, "sign", sign)
