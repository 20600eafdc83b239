"""Data rules: in a tree wired to data sources, every input needs a source or numbers."""

from __future__ import annotations

from collections.abc import Collection, Iterator

from .context import Context
from .registry import Hit, rule


@rule("data.unsourced", "warning", reads=("numbers", "structure", "text"), scoped=True,
      reason="""A tree wired to its data refreshes from its sources. An input with neither a
      source nor numbers cannot be computed today, and neither can anything above it: it is
      the next thing to instrument (the data-engineering gap).""",
      fix="""Give the input a `source:` (a table, a time column and a measure, or a query), or
      load its numbers (tree.load_data); tree.data_gaps() lists every gap.""")
def unsourced_input(ctx: Context, only: Collection[str] | None = None) -> Iterator[Hit]:
    tree = ctx.tree
    if not tree.sources:
        return  # a tree not wired to data: its numbers are typed in or loaded by hand
    leaves = ctx.leaves if only is None else [
        m for m in ctx.scope(only) if ctx.metric(m).is_input]
    for metric_id in leaves:
        if ctx.metric(metric_id).source is None and tree.get_value(metric_id) is None:
            yield Hit(metric_id, f"{ctx.name(metric_id)} has no source and no data: give it a "
                      "source (or load its numbers) so the metrics above it can be computed.")
