"""The rule about a metric's bounds: no value or target outside ``min`` / ``max``."""

from __future__ import annotations

from collections.abc import Collection, Iterator

import numpy as np

from .. import engine
from .context import Context
from .registry import Hit, rule


@rule("bounds.outside", "error", reads=("numbers", "scenarios", "structure", "text"),
      scoped=True,
      reason="""Bounds say what a metric can be: a rate or share lies between 0% and 100%, a
      count is never negative. A target outside them is a plan nobody can meet (it often comes
      from a solve or a formula pushed past what is possible); a value outside them is usually
      a data problem, or bounds set too tight.""",
      fix="""Bring the target within the bounds (or the drivers' targets, for a computed
      metric); check the data behind a value; widen the bounds if they are wrong.""")
def outside_bounds(ctx: Context, only: Collection[str] | None = None) -> Iterator[Hit]:
    tree = ctx.tree
    arrays, index = tree.arrays()
    periods: list[str | None] = list(tree.periods) or [None]
    layers = tree.layers
    for metric_id in ctx.order if only is None else ctx.scope(only):
        metric = ctx.metric(metric_id)
        if not metric.has_bounds:
            continue
        lo, hi = metric.bounds
        numbers = arrays[index[metric_id]]
        for k, layer in enumerate(layers):
            column = numbers[:, k]
            broken = np.flatnonzero((column < lo) | (column > hi))  # NaN is never outside
            if not broken.size:
                continue
            worst = int(broken[np.argmax(np.maximum(lo - column[broken], column[broken] - hi))])
            x = float(column[worst])
            label = periods[worst]
            where = ""
            if label is not None:
                where = (f" in {label}" if broken.size == 1
                         else f" in {broken.size} periods (furthest in {label})")
            what = _layer_words(layer, metric.is_input)
            bounds = metric.bounds_text()
            if k == engine.VALUE:
                yield Hit(metric_id, f"{metric.name}'s {what} {ctx.number(metric_id, x)} is "
                          f"{metric.outside_bounds(x)}{where} (bounds {bounds}): check the "
                          "data, or widen the bounds if they are wrong.", severity="warning")
            else:
                todo = ("lower or raise the target" if metric.is_input
                        else "move its drivers' targets (or its own target)")
                yield Hit(metric_id, f"{metric.name}'s {what} {ctx.number(metric_id, x)} is "
                          f"{metric.outside_bounds(x)}{where} (bounds {bounds}): no plan can "
                          f"meet it; {todo} within the bounds.")
        if not metric.is_input:
            yield from _typed_targets(ctx, metric_id, periods)


def _typed_targets(ctx: Context, metric_id: str, periods: list[str | None]) -> Iterator[Hit]:
    """A target typed on a computed metric (kept beside the implied one) outside its bounds."""
    metric = ctx.metric(metric_id)
    typed = ctx.tree.get_target(metric_id)
    if typed is None:
        return
    items = ([(p, typed[p]) for p in periods if p in typed] if isinstance(typed, dict)
             else [(None, float(typed))])
    broken = [(p, x) for p, x in items if metric.outside_bounds(x)]
    if not broken:
        return
    label, x = broken[0]
    where = "" if label is None else (f" in {label}" if len(broken) == 1
                                      else f" in {len(broken)} periods (first in {label})")
    yield Hit(metric_id, f"{metric.name}'s typed target {ctx.number(metric_id, x)} is "
              f"{metric.outside_bounds(x)}{where} (bounds {metric.bounds_text()}): no plan can "
              "meet it; type a target within the bounds.")


def _layer_words(layer: str, is_input: bool) -> str:
    target = "target" if is_input else "implied target"
    if layer == "value":
        return "value"
    if layer == "target":
        return target
    return f"{target} in scenario {layer!r}"
