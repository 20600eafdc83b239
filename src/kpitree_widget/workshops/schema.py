"""The declared schema of a workshop content file (pydantic v2), and its JSON Schema.

A content file (``workshops/content/<archetype>.yaml``) holds the words of one archetype's
workshop notebook: why its North Star, the what-if, the back-solve, the quality metric the class
adds, the hypothesis to test first, the exercises. In prose, ``[[metric_id]]`` names a metric
of the archetype.

>>> sorted(json_schema()["properties"])[:3]
['alternatives', 'exercises', 'first_hypothesis']
>>> CRITERIA["stable"]
'Stable over years'
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .refs import METRIC_REF


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Why(_Strict):
    """How the North Star passes each of the five tests (the field titles are the tests)."""

    customer_value: str = Field(title="Captures the value customers get")
    predicts_revenue: str = Field(title="Predicts revenue")
    single_metric: str = Field(title="One metric, not a blend")
    stable: str = Field(title="Stable over years")
    measurable: str = Field(title="Measurable from data you have")


#: The five tests of a good North Star, in the order the notebook discusses them.
CRITERIA: dict[str, str] = {key: str(field.title) for key, field in Why.model_fields.items()}


class Alternative(_Strict):
    """A North Star candidate that was considered and set aside."""

    candidate: str
    reason: str


class WhatIf(_Strict):
    """Change one leaf's target and watch the root: ``metric`` goes to ``target``."""

    metric: str = Field(description="An input of the tree that enters the math.")
    target: float = Field(description="The new target, in the metric's unit.")
    story: str


class Solve(_Strict):
    """Back-solve: the target ``lever`` needs for ``metric`` to reach ``goal``."""

    metric: str
    goal: float
    lever: str = Field(description="An input below ``metric``.")
    story: str


class NewMetric(_Strict):
    """A quality metric the class adds to the tree, linked to ``links_to`` by a hypothesis."""

    id: str = Field(description="A metric id the tree does not have yet.")
    name: str
    unit: str
    direction: Literal["up", "down"]
    owner: str
    cadence: Literal["daily", "weekly", "monthly", "quarterly", "annual"]
    lag_days: int = Field(ge=0)
    value: float
    target: float
    links_to: str
    sign: Literal["+", "-"]
    note: str


class HypothesisRef(_Strict):
    """One of the tree's hypothesis links: ``driver`` is believed to move ``outcome``."""

    driver: str
    outcome: str


class Workshop(_Strict):
    """The archetype-specific content of one workshop notebook."""

    title: str
    goal: str
    why: Why
    alternatives: tuple[Alternative, ...] = Field(min_length=1)
    what_if: WhatIf
    solve: Solve
    own_leaf: str = Field(description="Which leaf a few roles would pick, with [[metric]] refs.")
    quality_metric: NewMetric
    first_hypothesis: HypothesisRef
    hypothesis_prompt: str
    exercises: tuple[str, ...] = ()

    def texts(self) -> list[str]:
        """Every piece of prose, for rendering checks and for finding metric references."""
        out = [self.title, self.goal, *self.why.model_dump().values(), self.what_if.story,
               self.solve.story, self.own_leaf, self.quality_metric.note,
               self.hypothesis_prompt, *self.exercises]
        for alternative in self.alternatives:
            out += [alternative.candidate, alternative.reason]
        return out

    def metric_ids(self) -> set[str]:
        """Ids of the archetype's metrics this content relies on (the new metric excluded)."""
        ids = {self.what_if.metric, self.solve.metric, self.solve.lever,
               self.quality_metric.links_to, self.first_hypothesis.driver,
               self.first_hypothesis.outcome}
        for text in self.texts():
            ids.update(METRIC_REF.findall(text))
        return ids


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a workshop content file, for editor completion and validation."""
    schema = Workshop.model_json_schema()
    schema["title"] = "KPI tree workshop content"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
