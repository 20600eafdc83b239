"""Rules about links beside the formulas: guard (counterweight) pairs and OKR key results."""

from __future__ import annotations

from collections.abc import Collection, Iterator

from ..errors import hint
from .context import Context
from .registry import Hit, rule


@rule("conflict.guard", "warning", reads=("numbers", "guards", "structure", "text"), scoped=True,
      reason="""Guard metrics are declared counterweights: discount rate against new ARR, cost
      per lead against lead volume. When both sides of a pair are worse than plan, the trade-off
      the guard watches is not paying off, and the two owners need to look at it together.""",
      fix="Review the pair together with both owners and decide which one takes priority.")
def guard_conflict(ctx: Context, only: Collection[str] | None = None) -> Iterator[Hit]:
    from ..analysis.guards import conflicts, guard_pairs  # loaded on first use

    tree = ctx.tree
    if only is None:
        pairs = guard_pairs(tree)
    else:
        pairs = [(m, g) for m in ctx.scope(only)
                 if (g := ctx.metric(m).guards) and g in ctx.metrics and g != m]
    for row in conflicts(tree, pairs):
        guard, guarded = row["guard"], row["guarded"]
        owners = [o for o in (row["guard_owner"], row["guarded_owner"]) if isinstance(o, str)]
        who = f" with {' and '.join(dict.fromkeys(owners))}" if owners else ""
        yield Hit(guard, f"{row['guard_name']} is worse than plan "
                  f"({ctx.number(guard, row['guard_value'])} against "
                  f"{ctx.number(guard, row['guard_target'])}) and so is {row['guarded_name']}, "
                  f"the metric it counterweights ({ctx.number(guarded, row['guarded_value'])} "
                  f"against {ctx.number(guarded, row['guarded_target'])}): the trade-off is not "
                  f"paying off. Review the two together{who}.", related=(guarded,))


@rule("conflict.unknown_guard", "error", reads=("structure", "text"),
      reason="""A guard names the metric it keeps honest; a pointer to no metric means the pair
      is never reviewed together.""",
      fix="Point `guards:` at the id of the metric this one counterweights.")
def unknown_guard(ctx: Context) -> Iterator[Hit]:
    for metric_id in ctx.order:
        metric = ctx.metric(metric_id)
        if not metric.guards:
            continue
        if metric.guards == metric_id:
            yield Hit(metric_id, f"{metric.name} is declared as a guard of itself: point "
                      "`guards:` at the metric it counterweights.")
        elif metric.guards not in ctx.metrics:
            yield Hit(metric_id, f"{metric.name} guards {metric.guards!r}, which is not a metric "
                      f"of this tree: point `guards:` at the metric it counterweights"
                      f"{hint(metric.guards, ctx.metrics)}.")


@rule("conflict.unpaired_guard", "info", reads=("structure", "text"),
      reason="""A metric marked as a guard should say which metric it counterweights, so the
      pair can be reviewed together and checked for conflicts.""",
      fix="Add `guards: <metric id>` to the guard metric.")
def unpaired_guard(ctx: Context) -> Iterator[Hit]:
    for metric_id in ctx.order:
        metric = ctx.metric(metric_id)
        if metric.kind == "guard" and not metric.guards:
            yield Hit(metric_id, f"{metric.name} is marked as a guard but does not say which "
                      "metric it counterweights: add `guards: <metric id>`.")


def _key_result(okr: dict[str, object], number: int) -> str:
    text = okr.get("key_result") or okr.get("objective") or f"number {number}"
    objective = okr.get("objective")
    of = f" (objective: {objective})" if objective and okr.get("key_result") else ""
    return f"Key result {text!r}{of}"


@rule("okr.unlinked", "warning", reads=("structure", "text"),
      reason="""Key results should move metrics on the tree. One that points at nothing on the
      tree pursues a number that does not connect to the North Star.""",
      fix="Set the key result's `metric:` to the tree metric it moves, or rethink the key result.")
def okr_unlinked(ctx: Context) -> Iterator[Hit]:
    for number, okr in enumerate(ctx.tree.okrs, start=1):
        metric = okr.get("metric")
        if not metric:
            yield Hit(None, f"{_key_result(okr, number)} points at no metric: link it to the "
                      "metric on the tree that it moves.")
        elif metric not in ctx.metrics:
            yield Hit(None, f"{_key_result(okr, number)} points at {metric!r}, which is not on "
                      "the tree: link it to the metric it moves, or rethink the key result"
                      f"{hint(str(metric), ctx.metrics)}.")


@rule("okr.no_owner", "warning", reads=("structure", "text"),
      reason="""A key result is delivered by whoever owns its metric; without an owner nobody
      is accountable for the quarter's push.""",
      fix="Give the key result's metric an owner.")
def okr_no_owner(ctx: Context) -> Iterator[Hit]:
    for number, okr in enumerate(ctx.tree.okrs, start=1):
        metric = okr.get("metric")
        if isinstance(metric, str) and metric in ctx.metrics \
                and not (ctx.metric(metric).owner or "").strip():
            yield Hit(metric, f"{_key_result(okr, number)} moves {ctx.name(metric)}, which has "
                      "no owner: name one so someone is accountable for it this quarter.")
