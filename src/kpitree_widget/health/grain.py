"""Aggregation rules: how computed flows roll months into quarters and years, and where a
formula stops holding at a coarser grain."""

from __future__ import annotations

from collections.abc import Collection, Iterator

import numpy as np

from .. import engine
from ..data import aggregation_of
from .context import Context
from .registry import Hit, rule

FLOW_UNITS = ("currency", "count")


def _exact_when_recomputed(ctx: Context, metric_id: str) -> bool:
    """Whether recomputing the metric from its quarterly parts gives the sum of its months:
    a ratio is meant to be recomputed, and a plain sum of summed parts adds up exactly."""
    metric = ctx.metric(metric_id)
    if metric.relation == "ratio":
        return True
    return metric.relation == "sum" and all(
        aggregation_of(ctx.metric(c)) == "sum" for c in metric.children)


@rule("aggregation.missing", "warning", reads=("numbers", "structure", "text"), scoped=True,
      reason="""A quarter of a computed flow (revenue = customers x ARPU) recomputed from its
      quarterly parts is one month's worth, not the three months added up: customers take the
      last month and ARPU the average. Without an aggregation, quarters and years recompute the
      metric through its formula, which is right for ratios only.""",
      fix="""Set 'aggregation: sum' on a computed flow (revenue, bookings, new customers) so a
      quarter adds its months, 'last' on a stock (customers at month end, ARR), or 'mean' on a
      level read as an average.""")
def missing_aggregation(ctx: Context, only: Collection[str] | None = None) -> Iterator[Hit]:
    if not ctx.tree.periods:
        return
    ids = ctx.scope(only) if only is not None else list(ctx.order)
    for metric_id in ids:
        metric = ctx.metric(metric_id)
        if (metric.is_input or metric.aggregation or metric.unit not in FLOW_UNITS
                or _exact_when_recomputed(ctx, metric_id)):
            continue
        yield Hit(metric_id, f"{metric.name} is a computed {metric.unit} metric with no "
                  "aggregation: its quarters and years are recomputed from their parts "
                  f"({metric.parsed.display() if metric.parsed else ''}), not added up from its "
                  f"months. Set 'aggregation: sum' if it is a flow, 'last' if it is a stock.",
                  related=metric.children)


@rule("aggregation.formula", "info", reads=("numbers", "structure", "text"), scoped=True,
      reason="""In a tree rolled into quarters or years, a computed metric with an aggregation
      is aggregated from its own months (revenue: the sum of its monthly revenue), so it can
      differ from its formula applied to the quarter's parts. Both are right: the formula holds
      month by month, not at the coarser grain.""",
      fix="""Read the metric as its aggregation says; compare against the formula of the
      quarter's parts only with that in mind (or model the quarter the way finance reports
      it).""")
def formula_at_grain(ctx: Context, only: Collection[str] | None = None) -> Iterator[Hit]:
    tree = ctx.tree
    given = tree.given_numbers
    if not given:
        return
    arrays, index = tree.arrays()
    evaluators = dict(tree.compiled_plan.steps)
    ids = ctx.scope(only) if only is not None else list(ctx.order)
    labels = tree.periods or ["all"]
    for metric_id in ids:
        if metric_id not in given:
            continue
        slot = index[metric_id]
        with np.errstate(all="ignore"):
            formula = np.broadcast_to(np.asarray(evaluators[slot](arrays), dtype=float),
                                      arrays[slot].shape)
        kept = arrays[slot]
        with np.errstate(all="ignore"):
            off = np.isfinite(kept) & np.isfinite(formula) & (
                np.abs(kept - formula) > 1e-9 * np.maximum(np.abs(kept), 1.0))
        where = [(p, k) for k in (engine.VALUE, engine.TARGET) for p in np.flatnonzero(off[:, k])]
        if not where:
            continue
        p, k = where[0]
        metric = ctx.metric(metric_id)
        layer = "actual" if k == engine.VALUE else "plan"
        periods = sorted({labels[q] for q, _ in where}, key=labels.index)
        more = f" (and in {len(periods) - 1} more period(s))" if len(periods) > 1 else ""
        how = {"sum": "the sum", "mean": "the mean", "last": "the last"}[
            metric.aggregation or "sum"]
        display = metric.parsed.display() if metric.parsed else ""
        yield Hit(metric_id, f"{metric.name} ({layer}, {labels[p]}) is {how} of its months, "
                  f"{ctx.number(metric_id, kept[p, k])}; its formula {display} of the period's "
                  f"parts gives {ctx.number(metric_id, formula[p, k])}{more}: the formula "
                  "holds month by month, not at this grain.", related=metric.children)
