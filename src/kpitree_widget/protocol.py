"""The tree view's protocol (version 2), declared once: what Python and the view send each other.

These pydantic models are the single statement of the protocol. ``protocol.schema.json`` (next
to ``js/types.js``) is generated from them (``python -m kpitree_widget.protocol``), the view's
JSDoc types are checked against that schema by a test, and so is ``docs/widget-protocol.md``.
Python validates every request from a view with these models; outgoing messages are built as
plain dicts (quicker for 10,000 metrics) and the tests validate them with the same models.

- :class:`Structure` (the ``structure`` trait): what changes rarely (ids, names, links,
  formulas, units, owners, periods, scenarios, the focus), with a full :class:`Numbers`
  snapshot taken when it was built.
- :class:`Numbers` with ``base`` set (a custom message): the numbers delta, only the metrics
  whose numbers or findings changed since revision ``base``.
- :class:`Request` / :class:`Answer`: a view's request (``edit``, ``solve``, ``snapshot``, and
  the building ones: ``update``, ``set_formula``, ``add_driver``, ``remove``, ``hypothesis``,
  ``undo``, ``redo``, ``save``) and Python's answer to that request alone (anywidget's command
  messages).
- :class:`ErrorInfo` (the ``error`` trait, and an answer's ``error``): where and why.

>>> EditRequest.model_validate({"metric": "arpc", "field": "target", "text": "130"}).field
'target'
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StrictStr, TypeAdapter

VERSION = 2
SCHEMA_FILE = Path(__file__).parent / "protocol.schema.json"

Status = Literal["on_track", "at_risk", "off_track", "undefined", "missing"]
Relation = Literal["sum", "product", "ratio", "formula"]
Link = Literal["root", "formula", "hypothesis", "guard", "detached"]
EditField = Literal["target", "value"]
MAX_TYPED_TEXT = 100  # characters a person types into a card; longer is refused unread
MAX_ECHO = 100  # characters of a rejected text sent back to the view
MAX_FIELD_TEXT = 2000  # characters of a typed name, owner, formula or description
TypedText = Annotated[StrictStr, Field(max_length=MAX_TYPED_TEXT)]
FieldText = Annotated[StrictStr, Field(max_length=MAX_FIELD_TEXT)]
# the metric fields the detail panel edits as text (``update``); the formula has its own request
UpdateField = Literal["name", "owner", "team", "unit", "direction", "cadence", "description"]
Op = Literal["+", "-", "*", "/"]
Sign = Literal["+", "-"]
NumberText = TypedText | StrictInt | StrictFloat


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Finding(_Model):
    """One health finding shown on a card or in the panel."""

    rule: str = Field(description="the rule's id, e.g. owner.missing")
    severity: str = Field(description="error | warning | info")
    message: str = Field(description="what is wrong, in words")
    reason: str | None = Field(None, description="why the rule matters (optional)")


class MetricStructure(_Model):
    """What the structure says about one metric (no numbers)."""

    id: str = Field(description="the metric's id")
    name: str = Field(description="its display name")
    parent: str | None = Field(description="the metric it hangs under, null for the root")
    level: int = Field(description="depth from the root (0)")
    link: Link = Field(description="how it hangs under its parent")
    children: list[str] = Field(description="formula children (sent ones only), formula order")
    formula: str | None = Field(description="the formula's display text, null for inputs")
    relation: Relation | None = Field(description="sum | product | ratio | formula, null "
                                                  "for inputs")
    is_input: bool = Field(description="an input (typed numbers), not computed")
    unit: str | None = Field(description="currency | percent | count | days | ratio | free text")
    direction: str | None = Field(description="up (higher is better) or down")
    owner: str | None = Field(description="who owns the metric")
    team: str | None = Field(description="the owner's team")
    cadence: str | None = Field(description="how often it is reviewed")
    lag_days: float | None = Field(description="how late its numbers arrive")
    description: str | None = Field(description="free text")
    tags: list[str] = Field(description="free labels")
    min: float | None = Field(None, description="the lowest number it can take, null: none")
    max: float | None = Field(None, description="the highest number it can take, null: none")
    guards: str | None = Field(None, description="for a guard metric, the metric it keeps in "
                                                 "check, null: not a guard")
    context: bool = Field(description="shown only to connect the focus to the root")


class Hypothesis(_Model):
    """A hypothesised influence between two metrics (a dashed link)."""

    from_: str = Field(alias="from", description="the driver")
    to: str = Field(description="the outcome")
    sign: str = Field(description="+ or - (the expected direction)")
    note: str | None = Field(None, description="why it is believed")


class NumberTexts(_Model):
    """A metric's numbers as Python formats them (``numbers.format_number``)."""

    value: str = Field(description="the value as text")
    target: str = Field(description="the target as text")
    implied_target: str = Field(description="the implied target as text")
    variance: str = Field(description="value - target, signed (percentage points for percent)")
    variance_pct: str = Field(description="the variance in percent of the target, signed")
    change: str = Field("", description="the change since the period before, in percent, "
                                        "signed ('' when there is none)")


class MetricNumbers(_Model):
    """A metric's numbers for the period and scenario shown (null: missing or not finite)."""

    value: float | None = Field(description="the actual value")
    target: float | None = Field(description="the explicit target if typed, else the implied")
    implied_target: float | None = Field(description="what the children imply (null: inputs)")
    explicit_target: bool = Field(description="a target typed on a computed metric")
    variance: float | None = Field(description="value - target")
    variance_pct: float | None = Field(description="variance in percent of |target|")
    change: float | None = Field(None, description="the value's relative change since the "
                                                   "period before (0.05: up 5%; null in the "
                                                   "first period or without both values)")
    status: Status = Field(description="on_track | at_risk | off_track | undefined | missing")
    findings: list[Finding] = Field(description="the metric's health findings")
    text: NumberTexts = Field(description="the numbers as Python formats them")


class Numbers(_Model):
    """Numbers for the structure ``structure``: a full snapshot (``base`` null: every metric
    sent) or a delta from revision ``base`` (only the metrics that changed)."""

    kind: Literal["numbers"] = Field("numbers", description="always 'numbers'")
    structure: int = Field(description="the key of the structure these numbers belong to")
    revision: int = Field(description="counts the numbers Python sent; this one's number")
    base: int | None = Field(description="the revision this delta applies to; null: a "
                                         "snapshot of every metric")
    metrics: dict[str, MetricNumbers] = Field(description="metric id -> its numbers")
    findings: list[Finding] | None = Field(None, description="health findings not tied to one "
                                                             "metric; null in a delta: unchanged")
    health_error: str | None = Field(None, description="the health check itself failed")


class Structure(_Model):
    """The ``structure`` trait: rewritten only when the structure, the period, the scenario or
    the focus changes."""

    protocol: Literal[2] = Field(description="the protocol's version")
    key: int = Field(description="changes with every new structure")
    name: str = Field(description="the tree's name")
    root: str = Field(description="the root metric's id")
    period: str | None = Field(description="the period shown, null for a single-period tree")
    periods: list[str] = Field(description="every period, [] for a single-period tree")
    scenario: str | None = Field(description="the scenario shown, null for the plan")
    scenarios: list[str] = Field(description="every scenario's name")
    focus: list[str] | None = Field(description="the focus metrics, null for the whole tree")
    total_metrics: int = Field(description="the whole tree's size (a focus sends fewer)")
    metrics: list[MetricStructure] = Field(description="depth-first from the root, root first")
    hypotheses: list[Hypothesis] = Field(description="links whose two ends are sent")
    numbers: Numbers = Field(description="a snapshot of every metric's numbers")


class ErrorInfo(_Model):
    """A rejected request or a failure: where (as data, set by the code that raised) and why."""

    metric: str | None = Field(description="the metric at fault, null when none")
    field: str | None = Field(description="its field at fault (target, value, ...), or null")
    period: str | None = Field(description="the period the change was for, or null")
    message: str = Field(description="why, in words (without the metrics.<id>.<field> prefix)")
    text: str | None = Field(description="the text the person typed, when there was one (its "
                             "first 100 characters and an ellipsis when longer)")


class EditRequest(_Model):
    """Set a metric's target or value to the text a person typed (``12%``, ``1.2k``)."""

    metric: StrictStr = Field(description="the metric edited")
    field: EditField = Field(description="target or value")
    text: NumberText = Field(description="what the person typed (or a number)")
    period: StrictStr | None = Field(None, description="the period; null: the one shown")


class SolveRequest(_Model):
    """Back-solve ``lever`` so the metric's implied target meets its target."""

    metric: StrictStr = Field(description="the metric whose target is to be met")
    lever: StrictStr = Field(description="the input whose target is changed")
    target: NumberText | None = Field(None, description="the target to meet; null: the "
                                                        "metric's own explicit target")


class SnapshotRequest(_Model):
    """Ask for every metric's numbers (a view that joins late, or one that missed a delta)."""

    revision: int | None = Field(None, description="the revision the view has; null: none")
    structure: int | None = Field(None, description="the structure key the view has")


class UpdateRequest(_Model):
    """Set one of a metric's text fields (``tree.update_metric``); empty text clears it."""

    metric: StrictStr = Field(description="the metric edited")
    field: UpdateField = Field(description="name | owner | team | unit | direction | cadence | "
                                           "description")
    text: FieldText | None = Field(description="what the person typed; empty or null clears "
                                               "the field (a name falls back to the id)")


class FormulaRequest(_Model):
    """Give a metric a new formula (``tree.set_formula``); empty text makes it an input."""

    metric: StrictStr = Field(description="the metric edited")
    text: FieldText = Field(description="the formula typed, e.g. 'customers * arpc'")
    create_missing: bool = Field(False, description="create the unknown names as new inputs "
                                                    "(else they are refused)")


class AddDriverRequest(_Model):
    """Add a new input under ``parent``, joined to its formula with ``op``
    (``tree.add_driver``)."""

    parent: StrictStr = Field(description="the metric the new driver determines")
    metric: StrictStr = Field(description="the new metric's id (snake_case)")
    name: FieldText | None = Field(None, description="its display name; null: the id")
    op: Op = Field("+", description="how it joins the parent's formula: + - * /")
    link: Literal["formula", "hypothesis"] = Field(
        "formula", description="formula: joined to the parent's formula with op; hypothesis: "
                               "a new metric that influences the parent (a dashed link, no "
                               "math)")


class RemoveRequest(_Model):
    """Remove a metric: out of ``parent``'s formula (``tree.remove_driver``) when ``parent`` is
    given, else on its own (``tree.remove_metric``)."""

    metric: StrictStr = Field(description="the metric removed")
    parent: StrictStr | None = Field(None, description="take it out of this metric's formula "
                                                       "first (a plain sum or product)")
    subtree: bool = Field(False, description="also remove the inputs below it that nothing "
                                             "else uses")


class HypothesisRequest(_Model):
    """Add (or, with ``remove``, take away) a hypothesis link from ``source`` to ``target``."""

    source: StrictStr = Field(description="the driver (the link's start)")
    target: StrictStr = Field(description="the outcome it influences")
    sign: Sign = Field("+", description="the expected direction: + or -")
    note: FieldText = Field("", description="why it is believed")
    remove: bool = Field(False, description="remove the link instead of adding it")


class UndoRequest(_Model):
    """Undo the tree's last change (numbers or structure): ``tree.undo()``."""


class RedoRequest(_Model):
    """Redo the change undone last: ``tree.redo()``."""


class SaveRequest(_Model):
    """Write the tree back to the file it came from (``tree.save()``)."""


class RefreshRequest(_Model):
    """Refresh the tree's numbers from its data sources (all or nothing)."""

    metrics: list[StrictStr] | None = Field(None, description="only these metrics; null: all")


class Answer(_Model):
    """Python's answer to one request."""

    ok: bool = Field(description="the request succeeded")
    revision: int = Field(description="the numbers' revision after the request")
    error: ErrorInfo | None = Field(None, description="why it failed, null on success")
    numbers: Numbers | None = Field(None, description="a snapshot request's answer: every "
                                                      "metric's numbers, null if up to date")
    note: str | None = Field(None, description="a solve's answer to read before trusting it "
                             "(the lever's target lies outside everything it has done), or null")
    saved: str | None = Field(None, description="a save request's answer: the file written")
    refreshed_at: str | None = Field(None, description="a refresh request's answer: when the "
                                     "numbers were refreshed (ISO 8601, UTC), null otherwise")


REQUESTS: dict[str, type[_Model]] = {
    "edit": EditRequest, "solve": SolveRequest, "snapshot": SnapshotRequest,
    "update": UpdateRequest, "set_formula": FormulaRequest, "add_driver": AddDriverRequest,
    "remove": RemoveRequest, "hypothesis": HypothesisRequest, "undo": UndoRequest,
    "redo": RedoRequest, "save": SaveRequest, "refresh": RefreshRequest,
}
MODELS: tuple[type[_Model], ...] = (Structure, Numbers, Answer, ErrorInfo, *REQUESTS.values())

Message = Annotated[Structure | Numbers | Answer | ErrorInfo | EditRequest | SolveRequest
                    | SnapshotRequest | UpdateRequest | FormulaRequest | AddDriverRequest
                    | RemoveRequest | HypothesisRequest | UndoRequest | RedoRequest
                    | SaveRequest | RefreshRequest,
                    Field(description="any message of the protocol")]


def json_schema() -> dict[str, Any]:
    """The protocol as one JSON Schema document: every model under ``$defs``.

    >>> sorted(json_schema()["$defs"])[:3]
    ['AddDriverRequest', 'Answer', 'EditRequest']
    """
    models = MODELS
    schema = TypeAdapter(Message).json_schema(by_alias=True)
    defs = schema.get("$defs", {})
    for model in models:
        assert model.__name__ in defs, model.__name__
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"kpitree-widget view protocol v{VERSION}",
        "$defs": dict(sorted(defs.items())),
    }


def schema_text() -> str:
    """The schema as the committed file holds it."""
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"


def main() -> None:
    """Rewrite the committed schema file from the models."""
    SCHEMA_FILE.write_text(schema_text())
    print(f"wrote {SCHEMA_FILE}")


if __name__ == "__main__":
    main()
