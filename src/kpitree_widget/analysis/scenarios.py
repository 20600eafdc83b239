"""Scenarios side by side: actual, plan and every named scenario, metric by metric."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import engine
from ..errors import KPITreeError, did_you_mean
from ._common import LAYER_NAMES

if TYPE_CHECKING:
    import pandas as pd

    from ..tree import Tree


def compare(tree: Tree, base: str | None = None, period: Any = None,
            pct: bool = False) -> pd.DataFrame:
    """Actual, plan and each scenario side by side.

    Index: metric id, root first in outline order. Columns: ``name``, ``actual``, ``plan``, then
    one column per scenario, each the numbers rolled up through the formulas (a scenario's inputs
    at its targets, the plan's elsewhere; ``plan`` is the rolled-up plan, i.e. what the inputs'
    targets imply). With ``base`` (``"plan"``, ``"actual"`` or a scenario name), a column
    ``"<col> vs <base>"`` per other column holds the difference from the base, and with
    ``pct=True`` also ``"<col> vs <base> %"`` (in percent of the base's magnitude).

    >>> tree.scenario("upside", {"win_rate": 0.25})      # doctest: +SKIP
    >>> tree.compare(base="plan").loc["arr"]             # doctest: +SKIP
    """
    import pandas as pd

    arrays, index = tree.arrays()
    p = tree.period_index(period)
    ids = [m for m, *_ in tree.outline()]
    slots = np.array([index[m] for m in ids])
    columns = ["actual", "plan", *tree.layers[2:]]
    layer_of = {"actual": engine.VALUE, "plan": engine.TARGET}
    layer_of.update({name: k for k, name in enumerate(tree.layers) if k >= 2})
    table: dict[str, Any] = {"name": [tree.metrics[m].name for m in ids]}
    for col in columns:
        k = layer_of[col]
        table[col] = np.array([arrays[s][p, k] for s in slots], dtype=float)
    if base is not None:
        key = {"value": "actual", "target": "plan"}.get(base, base) \
            if isinstance(base, str) else base
        if key not in columns:
            raise KPITreeError(f"compare.base: {base!r} is not plan, actual or a scenario"
                               f"{did_you_mean(str(base), [*LAYER_NAMES, *tree.layers[2:]])} "
                               f"(scenarios: {', '.join(tree.layers[2:]) or 'none'})")
        ref = table[key]
        with np.errstate(all="ignore"):
            for col in columns:
                if col == key:
                    continue
                diff = table[col] - ref
                table[f"{col} vs {key}"] = diff
                if pct:
                    table[f"{col} vs {key} %"] = 100 * diff / np.abs(ref)
    frame = pd.DataFrame(table, index=pd.Index(ids, name="metric"))
    frame.attrs.update({"period": tree.periods[p] if tree.periods else None, "base": base})
    display = {c: "row" if c in columns else "change" if c.endswith(" %") else "row signed"
               for c in table if c != "name"}
    from ..tables import table as shown_with_units

    return shown_with_units(frame, display, {m: tree.metrics[m].unit for m in ids})
