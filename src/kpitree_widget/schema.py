"""The declared schema of a tree file (pydantic v2): validation with paths, and a JSON Schema
for editor completion (``kpitree_widget.json_schema()``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

_NUMBER = {"type": "number"}
Numbers = Annotated[
    Any,
    WithJsonSchema({
        "description": "A number for every period, or a mapping of period label to number.",
        "anyOf": [_NUMBER, {"type": "object", "additionalProperties": _NUMBER}],
    }),
]
_TEXT = {"type": "string"}
MetricSourceField = Annotated[
    Any,
    WithJsonSchema({
        "description": "Where the numbers come from: 'from' (a source under 'sources') and "
        "either 'table', 'time', 'measure' (an aggregate such as count(*)) and an optional "
        "'where', or 'sql' (one read-only query returning period and value).",
        "type": "object",
        "properties": {k: _TEXT for k in ("from", "table", "time", "measure", "where", "sql")},
        "required": ["from"],
        "additionalProperties": False,
    }),
]
SourceField = Annotated[
    Any,
    WithJsonSchema({
        "description": "A data source: 'url' (duckdb:// by default; postgresql://... and other "
        "SQLAlchemy URLs; spark://local or sc://host:15002; credentials as ${VAR}) and 'tables' "
        "(table name to file, relative to the tree file).",
        "type": "object",
        "properties": {"url": _TEXT, "tables": {"type": "object", "additionalProperties": _TEXT}},
        "additionalProperties": False,
    }),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class MetricSpec(_Strict):
    """One metric of the tree; every field is optional (the id is the mapping key)."""

    name: str | None = Field(None, description="Display name; defaults to the id.")
    formula: str | None = Field(
        None, description="Arithmetic over other metric ids: + - * / **, min, max, abs, "
        "'a if test else b'. No formula: the metric is an input.")
    unit: str | None = Field(
        None, description="currency, percent (a fraction: 0.12 is 12%), count, days, ratio, "
        "or free text.")
    min: Annotated[float, Field(strict=True, allow_inf_nan=False)] | None = Field(
        None, description="The lowest number the metric can take (0 for a count or a rate); "
        "a solve never sets a target below it. In the metric's unit: a percent as a fraction.")
    max: Annotated[float, Field(strict=True, allow_inf_nan=False)] | None = Field(
        None, description="The highest number the metric can take (1 for a rate or share: "
        "100%); a solve never sets a target above it.")
    direction: Literal["up", "down"] | None = Field(
        None, description="up: higher is better (default); down: lower is better.")
    owner: str | None = Field(None, description="One person or role.")
    team: str | None = None
    cadence: Literal["daily", "weekly", "monthly", "quarterly", "annual"] | None = None
    lag_days: Annotated[float, Field(ge=0)] | None = Field(
        None, description="Days between action and the metric moving.")
    kind: Literal["input", "output", "guard"] | None = None
    guards: str | None = Field(None, description="The metric this one is a counterweight to.")
    aggregation: Literal["sum", "mean", "last"] | None = Field(
        None, description="How periods roll into longer periods.")
    description: str | None = None
    tags: list[str] = Field(default_factory=list)
    source: MetricSourceField = Field(None, description="Where the actuals come from.")
    target_source: MetricSourceField = Field(None, description="Where the plan comes from.")
    value: Numbers = Field(None, description="Actual.")
    target: Numbers = Field(None, description="Plan.")


class HypothesisSpec(_Strict):
    """A behavioural link: ``from`` is believed to move ``to``."""

    from_: str = Field(alias="from")
    to: str
    sign: Literal["+", "-", "positive", "negative", 1, -1] = "+"
    note: str | None = None


class KeyResultSpec(_Strict):
    """An OKR key result that should point at a metric of the tree."""

    objective: str | None = None
    key_result: str | None = None
    metric: str | None = None
    from_: float | None = Field(None, alias="from")
    to: float | None = None
    due: str | None = None


class TreeSpec(_Strict):
    """A KPI tree file."""

    schema_: int | str | None = Field(None, alias="schema")
    name: str | None = None
    description: str | None = None
    root: str | None = None
    metrics: dict[str, MetricSpec | None]
    hypotheses: list[HypothesisSpec] = Field(default_factory=list)
    scenarios: dict[str, dict[str, Numbers]] = Field(default_factory=dict)
    okrs: list[KeyResultSpec] = Field(default_factory=list)
    config: dict[str, Any] = Field(
        default_factory=dict, description="Settings: tolerance, grain (day, week, month, "
        "quarter, year: the period sources group rows by; month by default).")
    sources: dict[str, SourceField] = Field(default_factory=dict)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the tree file, for editor completion and validation."""
    schema = TreeSpec.model_json_schema(by_alias=True)
    schema["title"] = "KPI tree"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
