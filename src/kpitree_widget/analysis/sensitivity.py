"""Sensitivity: which inputs move a metric most.

Two views of the same question:

- the tornado table: the metric with one input's target moved down and up by ``step`` (others at
  plan). It is computed by evaluating the compiled plan ONCE over a batch of cases (two per
  input), not by recomputing the tree input by input;
- elasticities: d ln(metric) / d ln(input) at the plan, from derivatives through the formulas
  (reverse-mode chain rule over the DAG with each formula's local derivatives), so one pass
  gives every input's elasticity.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import KPITreeError
from ..numbers import check_number
from ._common import (
    evaluate_batch,
    gradient,
    layer_label,
    pick_metric,
    resolve_point,
    snapshot,
    subtree,
)

if TYPE_CHECKING:
    import pandas as pd

    from ..tree import Tree

CHUNK = 1024  # inputs per batch: a batch holds CHUNK x 2*CHUNK numbers


def sensitivity(tree: Tree, step: float = 0.1, metric: str | None = None,
                period: Any = None, layer: str = "target") -> pd.DataFrame:
    """Tornado table for ``metric`` (default the root) at ``layer`` (default the plan).

    Indexed by input id (only the inputs under the metric), largest ``|impact|`` first, with
    columns ``name``, ``input`` (the input's number), ``low`` and ``high`` (the metric with that
    input times ``1 - step`` / ``1 + step``, everything else unchanged), ``impact``
    (``high - low``), ``base`` (the metric unchanged) and ``elasticity`` (d ln metric / d ln
    input: the % change of the metric per 1% change of the input).

    >>> tree.sensitivity(step=0.1).head()        # doctest: +SKIP
    """
    import pandas as pd

    step = check_number(step, "sensitivity.step")
    if not 0 < step <= 1:
        raise KPITreeError(f"sensitivity.step: expected a fraction in (0, 1], got {step:g}")
    metric = pick_metric(tree, metric, "sensitivity.metric")
    if tree.metrics[metric].is_input:
        raise KPITreeError(f"sensitivity.metric: {metric!r} is an input; pick a computed "
                           "metric (the root by default)")
    k, p, _, label = resolve_point(tree, layer, period, "sensitivity.layer")
    inputs, computed = subtree(tree, metric)
    _, index = tree.arrays()
    base = snapshot(tree, k, p)
    x = np.array([base[index[m]] for m in inputs], dtype=float)
    low, high = _tornado(tree, metric, inputs, base, step, set(computed))
    values = {m: base[index[m]] for m in tree.metrics}
    y = float(base[index[metric]])
    grad = gradient(tree, metric, values)
    d = np.array([float(grad.get(m, 0.0)) for m in inputs])
    with np.errstate(all="ignore"):
        elasticity = d * x / y
    impact = high - low
    order = np.argsort(-np.abs(impact), kind="stable")
    frame = pd.DataFrame(
        {
            "name": [tree.metrics[m].name for m in inputs],
            "input": x,
            "low": low,
            "high": high,
            "impact": impact,
            "base": np.full(len(inputs), y),
            "elasticity": elasticity,
        },
        index=pd.Index(inputs, name="metric"),
    ).iloc[order]
    frame.attrs.update({"metric": metric, "metric_name": tree.metrics[metric].name,
                        "step": step, "base": y,
                        "unit": tree.metrics[metric].unit,
                        "layer": layer_label(tree, k), "period": label})
    unit = tree.metrics[metric].unit
    display = {"input": "row", "low": ("unit", unit), "high": ("unit", unit),
               "impact": ("unit", unit, "signed"), "base": ("unit", unit),
               "elasticity": ("unit", None)}
    from ..tables import table

    return table(frame, display, {m: tree.metrics[m].unit for m in inputs})


def _tornado(tree: Tree, metric: str, inputs: list[str], base: list[Any], step: float,
             within: set[str]) -> tuple[np.ndarray, np.ndarray]:
    """The metric with each input at (1 - step) and (1 + step) times its number: the plan is
    evaluated once per batch of up to ``CHUNK`` inputs, each input varying in its own two cases
    and every other input at its number."""
    _, index = tree.arrays()
    slot = index[metric]
    low = np.empty(len(inputs))
    high = np.empty(len(inputs))
    for start in range(0, len(inputs), CHUNK):
        chunk = inputs[start:start + CHUNK]
        n = len(chunk)
        x = np.array([base[index[m]] for m in chunk], dtype=float)
        cases = np.repeat(x[:, None], 2 * n, axis=1)
        rows = np.arange(n)
        cases[rows, 2 * rows] = x * (1 - step)
        cases[rows, 2 * rows + 1] = x * (1 + step)
        arrays = evaluate_batch(tree, base, dict(zip(chunk, cases)), (2 * n,), within)
        result = np.broadcast_to(np.asarray(arrays[slot], dtype=float), (2 * n,))
        low[start:start + n] = result[0::2]
        high[start:start + n] = result[1::2]
    return low, high


def elasticities(tree: Tree, metric: str | None = None, period: Any = None,
                 layer: str = "target", computed: bool = False) -> pd.DataFrame:
    """Derivatives of ``metric`` (default the root) at ``layer`` (default the plan).

    Indexed by metric id (the inputs under the metric, and with ``computed=True`` the computed
    metrics between them too), columns ``name``, ``input`` (its number), ``derivative`` (d
    metric / d x) and ``elasticity`` (d ln metric / d ln x), largest ``|elasticity|`` first.
    A metric reached through several formulas gets the sum over every path (the chain rule).
    """
    import pandas as pd

    metric = pick_metric(tree, metric, "elasticities.metric")
    k, p, _, label = resolve_point(tree, layer, period, "elasticities.layer")
    _, index = tree.arrays()
    base = snapshot(tree, k, p)
    values = {m: base[index[m]] for m in tree.metrics}
    grad = gradient(tree, metric, values)
    ids = [m for m in tree.descendants(metric)
           if computed or tree.metrics[m].is_input] or [metric]
    x = np.array([values[m] for m in ids], dtype=float)
    d = np.array([float(grad.get(m, 0.0)) for m in ids])
    with np.errstate(all="ignore"):
        e = d * x / float(values[metric])
    order = np.argsort(-np.abs(e), kind="stable")
    frame = pd.DataFrame({"name": [tree.metrics[m].name for m in ids], "input": x,
                          "derivative": d, "elasticity": e},
                         index=pd.Index(ids, name="metric")).iloc[order]
    frame.attrs.update({"metric": metric, "base": float(values[metric]),
                        "unit": tree.metrics[metric].unit,
                        "layer": layer_label(tree, k), "period": label})
    return frame
