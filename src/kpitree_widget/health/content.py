"""Content rules: a North Star that is one metric of customer value, no vanity metrics,
unit economics and quality on the tree, leaves that move within a quarter, activity metrics at
the bottom, and a cadence and lag for each metric."""

from __future__ import annotations

from collections.abc import Iterator

from ..metric import Metric
from .context import Context
from .registry import Hit, rule
from .words import (
    ACTIVITY,
    COMPOSITE_ID,
    COMPOSITE_NAME,
    IS_RATE,
    QUALITY,
    UNIT_ECONOMICS,
    VANITY,
    bounded,
    is_efficiency,
    tagged,
    text_of,
)


def is_unit_economics(metric: Metric) -> bool:
    return tagged(metric, "unit_economics", "unit_economic", "economics") or bool(
        UNIT_ECONOMICS.search(text_of(metric)))


def is_quality(metric: Metric) -> bool:
    return tagged(metric, "quality", "experience", "customer_experience") or bool(
        QUALITY.search(text_of(metric)))


def _is_rate(metric: Metric) -> bool:
    return metric.unit in ("percent", "ratio") or bool(IS_RATE.search(text_of(metric)))


@rule("root.composite", "error", reads=("structure", "text"),
      reason="""A North Star is one number that captures the value customers get and predicts
      revenue. 'Growth x engagement x retention' is a formula, not a metric: nobody can say
      what moved it.""",
      fix="Pick the one metric that best captures customer value; put the others below it.")
def composite_root(ctx: Context) -> Iterator[Hit]:
    root = ctx.metric(ctx.root)
    if COMPOSITE_NAME.search(bounded(root.name)) or COMPOSITE_ID.search(bounded(root.id)):
        yield Hit(ctx.root, f"The North Star {root.name!r} reads as several metrics combined: "
                  "choose the one number that best captures the value customers get, and put "
                  "the others below it as drivers.")


@rule("root.efficiency_ratio", "error", reads=("structure", "text"),
      reason="""LTV/CAC, ROI, margins and payback measure financial efficiency. They are
      guardrails that belong on the tree, but a root should count customer value created: an
      efficiency ratio can rise while the business shrinks.""",
      fix="""Keep the ratio on the tree as a guardrail (tag it unit_economics) and choose a root
      such as ARR, active customers, GMV or nights booked.""")
def efficiency_root(ctx: Context) -> Iterator[Hit]:
    root = ctx.metric(ctx.root)
    children = [ctx.metric(c) for c in root.children]
    ratio_of_economics = (root.relation == "ratio" and len(children) >= 2
                          and all(is_unit_economics(c) for c in children))
    if is_efficiency(text_of(root)) or ratio_of_economics:
        yield Hit(ctx.root, f"The North Star {root.name} is an efficiency ratio: keep it on the "
                  "tree as a guardrail and choose a root that counts the value customers get "
                  "(e.g. ARR, active customers, GMV).")


@rule("vanity.metric", "warning", reads=("structure", "text"),
      reason="""Page views, downloads, followers, press mentions and the like can triple while
      the business stands still. The test: if this number tripled, would the business
      meaningfully improve? If unclear, it is vanity.""",
      fix="""Replace it with a metric that predicts its parent (activated signups rather than
      downloads, qualified leads rather than page views), or drop it.""")
def vanity(ctx: Context) -> Iterator[Hit]:
    for metric_id in ctx.order:
        metric = ctx.metric(metric_id)
        if VANITY.search(text_of(metric)) and not _is_rate(metric):
            parent = ctx.parent[metric_id]
            if parent:
                todo = (f"would {ctx.name(parent)} meaningfully improve? If not, replace it "
                        f"with a metric that does predict {ctx.name(parent)}, or drop it.")
            else:
                todo = ("would the business meaningfully improve? If not, replace it with a "
                        "metric that does, or drop it.")
            yield Hit(metric_id, f"{metric.name} looks like a vanity metric: if it tripled, "
                      f"{todo}")


@rule("coverage.unit_economics", "warning", reads=("text",),
      reason="""Trees built only from growth metrics hide growth bought at a loss. CAC, LTV,
      gross margin or payback keep the cost of growth in view.""",
      fix="""Add a unit-economics metric (tag it unit_economics), as a guardrail if it does not
      roll up, or keep a parallel unit-economics tree owned by the CFO.""")
def unit_economics(ctx: Context) -> Iterator[Hit]:
    if not any(is_unit_economics(m) for m in ctx.metrics.values()):
        yield Hit(None, "No unit-economics metric (CAC, LTV, gross margin, payback) is on the "
                  "tree: add one, tagged unit_economics, or keep a parallel unit-economics "
                  "tree owned by the CFO.")


@rule("coverage.quality", "warning", reads=("text",),
      reason="""Pipeline, bookings and revenue can all look fine while the experience decays;
      quality metrics (NPS, CSAT, support volume, customer effort) show it first.""",
      fix="Add a quality or experience metric, ideally as a leaf, and tag it quality.")
def quality(ctx: Context) -> Iterator[Hit]:
    if not any(is_quality(m) for m in ctx.metrics.values()):
        yield Hit(None, "No quality or experience metric (NPS, CSAT, support volume, customer "
                  "effort) is on the tree: add one, ideally as a leaf, tagged quality.")


@rule("coverage.short_lag", "warning", reads=("structure", "text"), thresholds=("short_lag",),
      reason="""A tree whose leaves all take a month or more to move cannot be managed week by
      week. Useful trees have leaves at short lags (calls: same day, demos: a day, pipeline:
      one to two weeks) as well as long ones.""",
      fix="Add a fast leading input that moves within days, and record lag_days on the leaves.")
def short_lag(ctx: Context) -> Iterator[Hit]:
    limit = ctx.th["short_lag"]
    lags = [ctx.metric(m).lag_days for m in ctx.leaves]
    known = [lag for lag in lags if lag is not None]
    if any(lag < limit for lag in known):
        return
    if not known:
        yield Hit(None, f"No leaf says how fast it moves (lag_days), so nothing shows the tree "
                  f"can be run week by week: record lag_days, and make sure some leaves move "
                  f"within {limit:g} days.")
    else:
        yield Hit(None, f"No leaf moves within {limit:g} days (the fastest takes "
                  f"{min(known):g}): add a leading input the weekly review can act on.")


@rule("leaf.slow", "warning", reads=("structure", "text"), thresholds=("max_leaf_lag",),
      reason="""A leaf is something its owner can move within a quarter. A number that takes
      longer to respond is an outcome: managing it directly means waiting months to learn.""",
      fix="Make it a parent: break it into inputs its owner can move within 90 days.")
def slow_leaf(ctx: Context) -> Iterator[Hit]:
    limit = ctx.th["max_leaf_lag"]
    for metric_id in ctx.leaves:
        lag = ctx.metric(metric_id).lag_days
        if lag is not None and lag > limit:
            yield Hit(metric_id, f"{ctx.name(metric_id)} takes {lag:g} days to respond (more "
                      f"than {limit:g}): it is an outcome, not a leaf. Break it into inputs its "
                      "owner can move within a quarter.")


@rule("leaf.activity", "warning", reads=("structure", "text"),
      reason="""Calls made, emails sent and demos done are activity, not outcomes. They can sit
      on the tree as the lowest leaves feeding an outcome metric, with a clear owner, but
      measured for their own sake or high up they reward busywork.""",
      fix="Move the activity count to the bottom of the tree, under the outcome it feeds.")
def activity(ctx: Context) -> Iterator[Hit]:
    levels = ctx.formula_level
    bottom = max(levels.values(), default=0)
    for metric_id in ctx.order:
        metric = ctx.metric(metric_id)
        if not ACTIVITY.search(text_of(metric)) or _is_rate(metric):
            continue
        if not metric.is_input:
            yield Hit(metric_id, f"{metric.name} is an activity count with metrics below it: "
                      "activity belongs at the bottom of the tree, feeding the outcome it "
                      "drives.")
        elif metric_id in levels and levels[metric_id] < bottom:
            yield Hit(metric_id, f"{metric.name} is an activity count at level "
                      f"{levels[metric_id]}, above the tree's operational leaves: move it to "
                      "the bottom, under the outcome it feeds.")


@rule("cadence.missing", "info", reads=("structure", "text"),
      reason="""The cadence (weekly, monthly, quarterly) decides which review looks at a metric;
      without one it falls between the reviews.""",
      fix="Set cadence: weekly, monthly or quarterly.")
def missing_cadence(ctx: Context) -> Iterator[Hit]:
    missing = [m for m in ctx.order if ctx.metric(m).cadence is None]
    yield from _each_or_all(ctx, missing, len(ctx.metrics), ("a cadence", "no cadence"),
                            "set weekly, monthly or quarterly so it lands in a review",
                            "set weekly, monthly or quarterly on each so it lands in a review")


@rule("lag.missing", "info", reads=("structure", "text"),
      reason="""The lag (days from action to the number moving) tells which leaves the weekly
      review can act on and which are really outcomes.""",
      fix="Set lag_days on the leaf.")
def missing_lag(ctx: Context) -> Iterator[Hit]:
    missing = [m for m in ctx.leaves if ctx.metric(m).lag_days is None]
    yield from _each_or_all(ctx, missing, len(ctx.leaves), ("lag_days", "no lag_days"),
                            "say how many days its owner's actions take to show in it",
                            "say for each how many days its owner's actions take to show",
                            noun=("leaf", "leaves"))


def _each_or_all(ctx: Context, missing: list[str], out_of: int, what: tuple[str, str],
                 one: str, many: str, noun: tuple[str, str] = ("metric", "metrics"),
                 most: int = 3) -> Iterator[Hit]:
    """One finding per metric when a few miss something; one for the tree when many do."""
    if len(missing) <= most:
        for metric_id in missing:
            yield Hit(metric_id, f"{ctx.name(metric_id)} has {what[1]}: {one}.")
        return
    shown = ", ".join(ctx.name(m) for m in missing[:3])
    more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
    if len(missing) == out_of:
        head = f"None of the {out_of} {noun[1]} has {what[0]}"
    else:
        head = f"{len(missing)} {noun[1]} have {what[1]}"
    yield Hit(None, f"{head} ({shown}{more}): {many}.", related=tuple(missing))
