"""The data-engineering gap analysis: which inputs have a source or numbers, where their data
stops, which periods are missing, and which metrics can be computed today.

>>> import kpitree_widget as kt
>>> tree = kt.KPITree.from_dict({"metrics": {"revenue": {"formula": "orders * aov"},
...     "orders": {"value": {"2026-01": 3, "2026-02": 2}}, "aov": {"value": {"2026-01": 50}}}})
>>> gaps = data_gaps(tree)
>>> gaps.loc["aov", "missing"], bool(gaps.loc["revenue", "computable"])
(['2026-02'], True)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from ..tree import Tree

GAP_COLUMNS = ["kind", "source", "target_source", "has_data", "last_period", "missing",
               "computable"]


def data_gaps(tree: Tree) -> pd.DataFrame:
    """One row per metric in outline order: ``kind`` (input or computed), the ``source`` and
    ``target_source`` names, ``has_data`` (actuals stored), ``last_period`` with an actual,
    ``missing`` (the tree's periods without an actual), ``computable`` (an input with a source
    or data; a computed metric whose inputs are all computable)."""
    import pandas as pd

    periods = list(tree.periods)
    rows = {}
    computable: dict[str, bool] = {}
    for metric_id, *_ in reversed(tree.outline()):
        metric = tree.metrics[metric_id]
        value = tree.get_value(metric_id)
        if metric.is_input:
            if isinstance(value, dict):
                have = [p for p in periods if p in value]
                missing = [p for p in periods if p not in value]
            else:
                have = periods if value is not None else []
                missing = [] if value is not None else periods
            has_data = value is not None
            computable[metric_id] = has_data or metric.source is not None
            last = have[-1] if have else None
        else:
            has_data = bool(tree.reported_numbers.get(metric_id))
            last, missing = None, []
        rows[metric_id] = {
            "kind": "input" if metric.is_input else "computed",
            "source": metric.source.from_ if metric.source else None,
            "target_source": metric.target_source.from_ if metric.target_source else None,
            "has_data": has_data, "last_period": last, "missing": missing}
    for metric_id in _bottom_up(tree):
        metric = tree.metrics[metric_id]
        if not metric.is_input:
            computable[metric_id] = all(computable.get(c, False) for c in metric.children)
    order = [m for m, *_ in tree.outline()]
    return pd.DataFrame([{**rows[m], "computable": computable[m]} for m in order],
                        index=pd.Index(order, name="metric"), columns=GAP_COLUMNS)


def _bottom_up(tree: Tree) -> list[str]:
    """Metric ids with every metric after the metrics its formula uses."""
    from graphlib import TopologicalSorter

    graph = {m: set(x.children) for m, x in tree.metrics.items()}
    return list(TopologicalSorter(graph).static_order())
