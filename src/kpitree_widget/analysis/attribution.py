"""Attribution: why did the North Star move, input by input, exactly.

Node by node, each computed metric's change is split among its children with no residual:

- linear formulas (sums, differences, constant multiples): each child's coefficient times its
  change;
- products and ratios (``a * b``, ``a * b / c``, constant powers): LMDI, the log-mean Divisia
  index: child i gets ``L(y1, y0) * e_i * ln(x1_i / x0_i)`` with ``L`` the logarithmic mean and
  ``e_i`` the child's exponent (``-1`` for a divisor). Exact while every factor keeps its sign
  and is not zero;
- anything else (``min``/``max``/conditionals, ``a * (1 - b)``, or a product whose factor is
  zero or changes sign): Shapley values over the children, exactly (all ``2**k`` mixes of start
  and end values, evaluated in one vectorised call) for up to ``SHAPLEY_MAX`` children, and the
  average of the two sequential orders (children switched to their end values one at a time in
  formula order, then in reverse order; each order adds up exactly) beyond that.

Then the contributions are pushed down to the inputs: the share a computed child received is
split among its own children in proportion to their contributions to that child's change.
That is done with a multiplier per edge (``contribution = multiplier * child's change``), so a
child whose parts cancel (no change, but parts that moved) still passes its parts' moves down
and the total stays exact.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import KPITreeError
from ..formula import Bin, Formula, Neg, Node, Num, Ref
from ._common import pick_metric, resolve_point, snapshot, subtree, where_text

if TYPE_CHECKING:
    import pandas as pd

    from ..tree import Tree

SHAPLEY_MAX = 10


# --------------------------------------------------------------------------- formula shapes


def _has_refs(node: Node) -> bool:
    if isinstance(node, Ref):
        return True
    if isinstance(node, Bin):
        return _has_refs(node.left) or _has_refs(node.right)
    if isinstance(node, Neg):
        return _has_refs(node.operand)
    return not isinstance(node, Num)  # calls and conditionals: treat as having refs


def is_linear(node: Node) -> bool:
    """Sums, differences, negation and multiplication/division by constants only."""
    if isinstance(node, (Num, Ref)):
        return True
    if isinstance(node, Neg):
        return is_linear(node.operand)
    if isinstance(node, Bin):
        if node.op in "+-":
            return is_linear(node.left) and is_linear(node.right)
        if node.op == "*":
            return (not _has_refs(node.left) and is_linear(node.right)) or (
                not _has_refs(node.right) and is_linear(node.left))
        if node.op == "/":
            return not _has_refs(node.right) and is_linear(node.left)
    return False


def monomial(node: Node) -> dict[str, float] | None:
    """Exponent per child when the formula is ``c * a**e_a * b**e_b ...`` (products, ratios,
    constant powers), else None."""
    if isinstance(node, Ref):
        return {node.name: 1.0}
    if isinstance(node, Num):
        return {}
    if isinstance(node, Neg):
        return monomial(node.operand)
    if isinstance(node, Bin):
        if node.op in ("*", "/"):
            left, right = monomial(node.left), monomial(node.right)
            if left is None or right is None:
                return None
            sign = 1.0 if node.op == "*" else -1.0
            out = dict(left)
            for name, e in right.items():
                out[name] = out.get(name, 0.0) + sign * e
            return out
        if node.op == "**" and not _has_refs(node.right):
            inner = monomial(node.left)
            if inner is None:
                return None
            power = float(_constant(node.right))
            return {name: e * power for name, e in inner.items()}
    return None


def _constant(node: Node) -> float:
    return float(Formula("", node).evaluate({}))


# --------------------------------------------------------------------------- one node


def log_ratio(a: float, b: float) -> float:
    """``ln(a / b)`` for ``a``, ``b`` of one sign, accurate near 1 and safe for far-apart sizes."""
    ratio = a / b
    if 0.5 < ratio < 2.0:
        return math.log1p((a - b) / b)
    return math.log(abs(a)) - math.log(abs(b))


def log_mean(a: float, b: float) -> float:
    """The logarithmic mean ``(a - b) / ln(a / b)`` (``a`` when equal); ``a``, ``b`` of one sign."""
    if a == b:
        return a
    return (a - b) / log_ratio(a, b)


def split_node(formula: Formula, x0: Mapping[str, float],
               x1: Mapping[str, float]) -> tuple[dict[str, float], dict[str, float], str]:
    """Split the formula's change from ``x0`` to ``x1`` among its children.

    Returns (contribution per child, multiplier per child, method). Contributions add up to
    ``f(x1) - f(x0)``; each is ``multiplier * (x1[child] - x0[child])``.
    """
    children = formula.children
    start = {c: x0[c] for c in children}
    end = {c: x1[c] for c in children}
    delta = {c: end[c] - start[c] for c in children}
    if is_linear(formula.ir):
        coef = {c: float(v) for c, v in formula.partials(start).items()}
        return {c: coef[c] * delta[c] for c in children}, coef, "difference"
    exponents = monomial(formula.ir)
    if exponents is not None and all(
            start[c] != 0 and end[c] != 0 and (start[c] > 0) == (end[c] > 0) for c in children):
        y0, y1 = float(formula.evaluate(start)), float(formula.evaluate(end))
        if y0 == 0 and y1 == 0:  # a zero constant factor: nothing moves
            zero = dict.fromkeys(children, 0.0)
            return zero, dict(zero), "lmdi"
        if y0 != 0 and y1 != 0 and math.isfinite(y0) and math.isfinite(y1) and (y1 > 0) == (y0 > 0):
            weight = log_mean(y1, y0)
            contrib: dict[str, float] = {}
            mult: dict[str, float] = {}
            for c in children:
                e = exponents.get(c, 0.0)
                contrib[c] = weight * e * log_ratio(end[c], start[c])
                mult[c] = e * weight / log_mean(end[c], start[c])
            if all(math.isfinite(v) for v in (*contrib.values(), *mult.values())):
                return contrib, mult, "lmdi"
    if len(children) <= SHAPLEY_MAX:
        return (*_shapley(formula, start, end, delta), "shapley")
    return (*_sequential(formula, start, end, delta), "sequential")


def _shapley(formula: Formula, start: dict[str, float], end: dict[str, float],
             delta: dict[str, float]) -> tuple[dict[str, float], dict[str, float]]:
    """Exact Shapley values over the children: every mix of start and end values at once."""
    with np.errstate(all="ignore"):
        return _shapley_values(formula, start, end, delta)


def _shapley_values(formula: Formula, start: dict[str, float], end: dict[str, float],
                    delta: dict[str, float]) -> tuple[dict[str, float], dict[str, float]]:
    children = formula.children
    k = len(children)
    masks = np.arange(2**k)
    bits = [((masks >> j) & 1).astype(bool) for j in range(k)]
    env = {c: np.where(bits[j], end[c], start[c]) for j, c in enumerate(children)}
    v = np.broadcast_to(np.asarray(formula.evaluate(env), dtype=float), masks.shape)
    size = np.sum(bits, axis=0) if k else np.zeros(1, dtype=int)
    fact = [math.factorial(i) for i in range(k + 1)]
    weights = np.array([fact[s] * fact[k - s - 1] / fact[k] if s < k else 0.0
                        for s in range(k + 1)])
    contrib: dict[str, float] = {}
    mult: dict[str, float] = {}
    grads: dict[str, Any] | None = None
    for j, c in enumerate(children):
        without = masks[~bits[j]]
        w = weights[size[without]]
        contrib[c] = float(np.sum(w * (v[without | (1 << j)] - v[without])))
        if delta[c] != 0:
            mult[c] = contrib[c] / delta[c]
        else:  # no change: the same weights over the local derivatives (the limit)
            if grads is None:
                grads = formula.partials(env)
            g = np.broadcast_to(np.asarray(grads[c], dtype=float), masks.shape)
            mult[c] = float(np.sum(w * g[without]))
    return contrib, mult


def _sequential(formula: Formula, start: dict[str, float], end: dict[str, float],
                delta: dict[str, float]) -> tuple[dict[str, float], dict[str, float]]:
    """Children switched to their end values one at a time, in formula order and in reverse
    order; the average of the two (each adds up exactly)."""
    with np.errstate(all="ignore"):
        return _sequential_values(formula, start, end, delta)


def _sequential_values(formula: Formula, start: dict[str, float], end: dict[str, float],
                       delta: dict[str, float]) -> tuple[dict[str, float], dict[str, float]]:
    children = formula.children
    contrib = dict.fromkeys(children, 0.0)
    for order in (children, tuple(reversed(children))):
        env = dict(start)
        before = float(formula.evaluate(env))
        for c in order:
            env[c] = end[c]
            after = float(formula.evaluate(env))
            contrib[c] += 0.5 * (after - before)
            before = after
    grads = formula.partials(start)
    mult = {c: contrib[c] / delta[c] if delta[c] != 0 else float(grads[c]) for c in children}
    return contrib, mult


# --------------------------------------------------------------------------- the tree


class _Result:
    """Everything one attribution run computed."""

    def __init__(self, tree: Tree, metric: str, start: Any, end: Any, period: Any,
                 layer: str):
        first = resolve_point(tree, start, period, "attribute.start", layer)
        last = resolve_point(tree, end, period, "attribute.end", layer)
        self.start_label, self.end_label = first.label, last.label
        _, index = tree.arrays()
        a0, a1 = snapshot(tree, first.k, first.p), snapshot(tree, last.k, last.p)
        self.metric = metric
        self.inputs, self.computed = subtree(tree, metric)
        below = [*self.inputs, *self.computed]
        self.x0 = {m: float(a0[index[m]]) for m in below}
        self.x1 = {m: float(a1[index[m]]) for m in below}
        ends = ((self.x0, first), (self.x1, last))
        for m in self.inputs:
            for numbers, where in ends:
                if not math.isfinite(numbers[m]):
                    raise KPITreeError(f"attribute: {m!r} has no number at "
                                       f"{where_text(tree, where)}; attribution needs every "
                                       f"input under {metric!r} at both ends")
        for m in reversed(self.computed):
            for numbers, where in ends:
                if not math.isfinite(numbers[m]):
                    raise KPITreeError(f"attribute: {m!r} is undefined at "
                                       f"{where_text(tree, where)} (a division by zero?), so "
                                       "its change cannot be split")
        self.local: dict[str, dict[str, float]] = {}
        self.method: dict[str, str] = {}
        multiplier: dict[str, dict[str, float]] = {}
        for m in self.computed:
            formula = tree.metrics[m].parsed
            assert formula is not None
            contrib, mult, method = split_node(formula, self.x0, self.x1)
            if not all(math.isfinite(v) for v in (*contrib.values(), *mult.values())):
                raise KPITreeError(
                    f"attribute: the change of {m!r} cannot be split among "
                    f"{', '.join(formula.children)}: its formula is undefined for some mix of "
                    "start and end numbers (a division by zero)")
            self.local[m], multiplier[m], self.method[m] = contrib, mult, method
        # push down: weight[m] turns m's own change into root units
        self.weight: dict[str, float] = {metric: 1.0}
        self.total: dict[str, float] = dict.fromkeys(below, 0.0)
        self.total[metric] = self.x1[metric] - self.x0[metric]
        for m in reversed(self.computed):
            w = self.weight.get(m, 0.0)
            for c, contribution in self.local[m].items():
                self.total[c] += w * contribution
                if not tree.metrics[c].is_input:
                    self.weight[c] = self.weight.get(c, 0.0) + w * multiplier[m][c]


def attribute(tree: Tree, start: Any = "target", end: Any = "value",
              metric: str | None = None, period: Any = None, by: str = "input",
              layer: str = "value") -> pd.DataFrame:
    """Why ``metric`` (default the root) moved from ``start`` to ``end``, exactly.

    ``start`` and ``end`` are each a layer (``target``/``plan``, ``value``/``actual``) or a
    scenario name, taken in ``period`` (default the last); a period label (then ``layer``, the
    value layer by default, in that period); or a ``(layer, period)`` pair.

    ``by="input"`` (default): indexed by input id (the inputs under the metric), largest
    ``|contribution|`` first, with columns ``name``, ``start``, ``end``, ``change``,
    ``contribution`` (in the metric's units; they add up to the metric's change) and ``share``
    (of that change). ``by="level"``: one row per metric under it, top-down in outline order,
    with ``level``, ``parent``, ``method`` (how the parent's change was split), ``local`` (the
    contribution to the parent's change, in the parent's units) and ``contribution`` (in the
    metric's units: a computed metric's total is the sum of its children's).

    >>> tree.attribute(start="target", end="value")          # doctest: +SKIP
    >>> tree.attribute(start="2026-02", end="2026-03")       # doctest: +SKIP
    """
    import pandas as pd

    metric = pick_metric(tree, metric, "attribute.metric")
    if by not in ("input", "level"):
        raise KPITreeError(f"attribute.by: expected 'input' or 'level', got {by!r}")
    res = _Result(tree, metric, start, end, period, layer)
    change = res.total[metric]
    attrs = {"metric": metric, "metric_name": tree.metrics[metric].name,
             "start": res.x0[metric], "end": res.x1[metric],
             "start_label": res.start_label, "end_label": res.end_label, "change": change,
             "unit": tree.metrics[metric].unit}
    if by == "input":
        ids = res.inputs
        contrib = np.array([res.total[m] for m in ids])
        with np.errstate(all="ignore"):
            share = contrib / change + 0.0 if change != 0 else np.full(len(ids), np.nan)
        frame = pd.DataFrame(
            {"name": [tree.metrics[m].name for m in ids],
             "start": [res.x0[m] for m in ids], "end": [res.x1[m] for m in ids],
             "change": [res.x1[m] - res.x0[m] for m in ids],
             "contribution": contrib, "share": share},
            index=pd.Index(ids, name="metric"))
        frame = frame.iloc[np.argsort(-np.abs(contrib), kind="stable")]
    else:
        below = set(res.inputs) | set(res.computed)
        rows = [(m, par, lvl) for m, par, lvl, link in _outline_under(tree, metric)
                if m in below]
        frame = pd.DataFrame(
            {"name": [tree.metrics[m].name for m, _, _ in rows],
             "level": [lvl for _, _, lvl in rows],
             "parent": [par for _, par, _ in rows],
             "method": [res.method.get(par) if par else None for _, par, _ in rows],
             "start": [res.x0[m] for m, _, _ in rows],
             "end": [res.x1[m] for m, _, _ in rows],
             "change": [res.x1[m] - res.x0[m] for m, _, _ in rows],
             "local": [res.local[par][m] if par else res.total[m] for m, par, _ in rows],
             "contribution": [res.total[m] for m, _, _ in rows]},
            index=pd.Index([m for m, _, _ in rows], name="metric"))
        with np.errstate(all="ignore"):
            frame["share"] = frame["contribution"] / change if change != 0 else np.nan
    frame.attrs.update(attrs)
    from ..tables import table

    unit = tree.metrics[metric].unit
    display: dict[str, Any] = {"start": "row", "end": "row", "change": "row signed",
                               "contribution": ("unit", unit, "signed"), "share": "share"}
    if by == "level":  # a local contribution is in the units of the parent it moves
        display["local"] = ("rows", {m: tree.metrics[par].unit if isinstance(par, str) else unit
                                     for m, par in zip(frame.index, frame["parent"])}, "signed")
    units = {m: tree.metrics[m].unit for m in frame.index}
    return table(frame, display, units)


def _outline_under(tree: Tree, metric: str) -> list[tuple[str, str | None, int, str]]:
    """Outline rows of ``metric``'s formula subtree, levels counted from it, parents through
    formulas only."""
    rows: list[tuple[str, str | None, int, str]] = []
    seen: set[str] = set()
    stack: list[tuple[str, str | None, int]] = [(metric, None, 0)]
    while stack:
        m, par, lvl = stack.pop()
        if m in seen:
            continue
        seen.add(m)
        rows.append((m, par, lvl, "formula" if par else "root"))
        stack.extend(reversed([(c, m, lvl + 1) for c in tree.metrics[m].children
                               if c not in seen]))
    return rows
