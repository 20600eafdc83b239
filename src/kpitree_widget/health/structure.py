"""Structure rules: one root that everything reaches, 3-4 levels, 2-4 drivers, 12-25 leaves."""

from __future__ import annotations

from collections.abc import Iterator

from .context import Context
from .registry import Hit, rule


def _names(ctx: Context, ids: list[str], limit: int = 4) -> str:
    shown = [ctx.name(m) for m in ids[:limit]]
    return ", ".join(shown) + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


@rule("structure.detached", "error", reads=("structure", "text"),
      reason="""A KPI tree is one decomposition of one North Star. A metric that no formula or
      hypothesis connects to the root is a second tree or part of a metric soup: nobody can
      say how moving it moves the North Star.""",
      fix="Add it to a formula on the tree, link it to a metric with a hypothesis, or remove it.")
def detached(ctx: Context) -> Iterator[Hit]:
    tops: dict[str, list[str]] = {}
    top = None
    for metric_id, parent, _, link in ctx.outline:
        if link == "detached":
            top = metric_id
            tops[top] = []
        elif top is not None and parent is not None:
            tops[top].append(metric_id)
    root = ctx.name(ctx.root)
    attached = set(ctx.attached)
    for top, below in tops.items():
        guarded = ctx.metric(top).guards
        if guarded in attached:
            continue  # a declared counterweight of a metric on the tree belongs to the tree
        more = f" (nor the {len(below)} metrics under it)" if len(below) > 1 else (
            f" (nor {ctx.name(below[0])} under it)" if below else "")
        yield Hit(top, f"{ctx.name(top)} is not connected to the North Star {root}{more}: add it "
                  "to a formula on the tree, link it with a hypothesis, or remove it.",
                  related=tuple(below))


@rule("structure.depth", "warning", reads=("structure", "text"),
      thresholds=("min_depth", "max_depth"),
      reason="""Three to four levels (root, drivers, team metrics, operational leaves) is what
      people can navigate and recite. Five or more and nobody follows the tree; one or two and
      it is a North Star with a dashboard, not a tree.""",
      fix="""Too shallow: break each driver down to what a team controls. Too deep: merge
      intermediate steps so the tree fits in four levels.""")
def depth(ctx: Context) -> Iterator[Hit]:
    levels = ctx.height[ctx.root]
    low, high = int(ctx.th["min_depth"]), int(ctx.th["max_depth"])
    if levels < low:
        yield Hit(None, f"The tree is only {levels} level{'s' if levels > 1 else ''} deep, root "
                  f"included (fewer than {low}): a North Star with a dashboard rather than a "
                  "tree. Break each driver down until the leaves are things one person moves.")
    elif levels > high:
        chain = " > ".join(ctx.name(m) for m in ctx.deepest_path(ctx.root))
        yield Hit(None, f"The tree is {levels} levels deep (more than {high}), e.g. {chain}: "
                  "people will not navigate it. Merge intermediate metrics to flatten it.")


@rule("structure.drivers", "warning", reads=("structure", "text"),
      thresholds=("min_drivers", "max_drivers"),
      reason="""The North Star should be determined by a few level-1 drivers (2 to 4, some guides
      say 3 to 5) through visible math. One driver adds nothing; many dilute focus.""",
      fix="Show the math under the North Star with 2 to 4 drivers; group extra ones.")
def drivers(ctx: Context) -> Iterator[Hit]:
    root = ctx.metric(ctx.root)
    count = len(root.children)
    low, high = int(ctx.th["min_drivers"]), int(ctx.th["max_drivers"])
    if count == 0:
        yield Hit(ctx.root, f"The North Star {root.name} has no formula: show the math that "
                  "breaks it into 2 to 4 drivers.")
    elif count < low:
        yield Hit(ctx.root, f"The North Star {root.name} has only {count} level-1 driver "
                  f"({_names(ctx, list(root.children))}): show the 2 to 4 drivers that "
                  "determine it.")
    elif count > high:
        yield Hit(ctx.root, f"The North Star {root.name} has {count} level-1 drivers (more than "
                  f"{high}): group them into 2 to 4 so the top of the tree stays readable.")


@rule("structure.too_many_leaves", "warning", reads=("structure",), thresholds=("max_leaves",),
      reason="""Leaves are what people attend to every week. Past about 25 nobody can, and the
      tree is back to a metric soup.""",
      fix="Cut or merge leaves until there are at most 25 (12 to 15 is easier to run).")
def too_many_leaves(ctx: Context) -> Iterator[Hit]:
    count = len(ctx.leaves)
    if count > ctx.th["max_leaves"]:
        yield Hit(None, f"The tree has {count} leaves (more than {ctx.th['max_leaves']:g}): "
                  "nobody can attend to them all. Cut or merge leaves that no one reviews.")


@rule("structure.few_leaves", "info", reads=("structure",), thresholds=("min_leaves",),
      reason="""A working tree ends in 12 to 25 operational leaves; with fewer, the leaves tend
      to be outcomes nobody can move directly. Fine for a first draft.""",
      fix="Break drivers down until each leaf is something one person moves within a quarter.")
def few_leaves(ctx: Context) -> Iterator[Hit]:
    count = len(ctx.leaves)
    if count < ctx.th["min_leaves"]:
        yield Hit(None, f"The tree has {count} lea{'f' if count == 1 else 'ves'}; a full tree "
                  f"usually has 12 to 25. Fine for a first draft: keep breaking drivers down "
                  "until each leaf is something one person can move.")


@rule("structure.too_complex", "info", reads=("structure",), thresholds=("max_metrics",),
      reason="""The shorter guides hold that more than 20 metrics in all cannot be recited or
      tracked, and aim for 12 to 15; the longer ones allow up to 25 leaves.""",
      fix="Check that every metric earns its place; drop the ones no review looks at.")
def too_complex(ctx: Context) -> Iterator[Hit]:
    count = len(ctx.metrics)
    if count > ctx.th["max_metrics"]:
        yield Hit(None, f"The tree has {count} metrics in all (more than "
                  f"{ctx.th['max_metrics']:g}): hard to recite from memory. Check that each one "
                  "earns its place in a review.")
