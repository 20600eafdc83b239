"""Monte Carlo: uncertain inputs, the spread of the North Star.

Each uncertain input gets a distribution; every other input stays at its plan target. The draws
are evaluated through the compiled plan in one vectorised pass over arrays of shape ``(n,)``
(``(n, periods)`` over every period), in chunks so memory stays bounded, and only the metrics
that depend on the uncertain inputs are recomputed.

Distributions (independent of each other):

- ``("normal", mean, sd)``, ``("uniform", low, high)``, ``("triangular", low, mode, high)``,
  ``("lognormal", mu, sigma)`` (numpy's parameters: the mean and sd of the log; the median is
  ``exp(mu)``), ``("beta", a, b)`` (rates between 0 and 1);
- an array of draws: used as is when it holds ``n`` numbers (or ``n x periods``; ``n`` numbers
  over periods repeat each draw in every period), otherwise resampled with replacement (a
  bootstrap of history, say);
- any object with ``rvs(size=..., random_state=...)``, such as a frozen ``scipy.stats``
  distribution (scipy is optional and never imported here).

With ``relative=True`` every draw is a multiplier on the input's plan target (``("normal", 1,
0.1)`` is "plan, give or take 10%"), which follows a plan that changes from month to month.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import KPITreeError
from ..numbers import check_number
from ._common import evaluate_batch, pick_metric, resolve_point, snapshot, varying_steps

if TYPE_CHECKING:
    import pandas as pd

    from ..tree import Tree

MAX_DRAWS = 10_000_000
CHUNK_NUMBERS = 20_000_000  # numbers held per chunk across the recomputed metrics
QUANTILES = (0.1, 0.5, 0.9)


class Simulation:
    """The outcome of :func:`simulate`: draws of the chosen metrics and their spread.

    ``summary`` (a DataFrame: ``mean``, ``std``, ``p10``, ``p50``, ``p90``, ``plan`` and
    ``p_plan``, the probability of meeting the plan given the metric's direction), ``draws``
    (one row per draw), ``quantiles(metric)`` and ``plot()`` (a fan chart over periods, or a
    histogram for one period).
    """

    def __init__(self, tree: Tree, metrics: list[str], inputs: list[str],
                 samples: dict[str, np.ndarray], plan: dict[str, np.ndarray],
                 periods: list[str] | None, n: int, seed: Any):
        self.metrics = metrics
        self.inputs = inputs
        self.periods = periods
        self.period: str | None = None  # the period of a one-period view made by at()
        self.n = n
        self.seed = seed
        self.root = tree.root
        self._samples = samples
        self._plan = plan
        self._down = {m: tree.metrics[m].direction == "down" for m in samples}
        self._names = {m: tree.metrics[m].name for m in samples}
        self._units = {m: tree.metrics[m].unit for m in samples}

    def __repr__(self) -> str:
        where = f", {len(self.periods)} periods" if self.periods else ""
        return (f"Simulation({self.n} draws{where}, seed={self.seed!r})\n"
                f"{self.summary.to_string()}")

    def _repr_html_(self) -> str:
        return str(self.summary.to_html())

    def values(self, metric: str | None = None) -> np.ndarray:
        """The raw draws of one metric: shape ``(n,)``, or ``(n, periods)`` over periods."""
        metric = metric or self.metrics[0]
        if metric not in self._samples:
            raise KPITreeError(f"simulation: {metric!r} was not kept; pass it in metrics=")
        return self._samples[metric]

    @property
    def draws(self) -> pd.DataFrame:
        """One row per draw; columns the metrics then the uncertain inputs (``(metric,
        period)`` pairs over periods)."""
        import pandas as pd

        ids = [*self.metrics, *(i for i in self.inputs if i not in self.metrics)]
        if self.periods is None:
            return pd.DataFrame({m: self._samples[m] for m in ids})
        columns = pd.MultiIndex.from_product([ids, self.periods], names=["metric", "period"])
        data = np.concatenate([self._samples[m] for m in ids], axis=1)
        return pd.DataFrame(data, columns=columns)

    @property
    def summary(self) -> pd.DataFrame:
        """Mean, sd, P10/P50/P90, the plan and the probability of meeting it, per metric (per
        metric and period over periods)."""
        return self.describe()

    def describe(self, quantiles: Sequence[float] = QUANTILES) -> pd.DataFrame:
        """Like :attr:`summary` with other quantiles (columns ``p5``, ``p95``, …)."""
        import pandas as pd

        ids = [*self.metrics, *(i for i in self.inputs if i not in self.metrics)]
        blocks = []
        for m in ids:
            x = self._samples[m]
            plan = np.broadcast_to(self._plan[m], x.shape[1:])
            with np.errstate(all="ignore"):
                met = np.where(self._down[m], x <= plan, x >= plan)
                block = {"name": self._names[m], "mean": np.nanmean(x, axis=0),
                         "std": np.nanstd(x, axis=0)}
                for q in quantiles:
                    block[f"p{_pct(q)}"] = np.nanquantile(x, q, axis=0)
                block["plan"] = plan
                block["p_plan"] = np.mean(met, axis=0)
            blocks.append(block)
        if self.periods is None:
            frame = pd.DataFrame([{k: (float(v) if k != "name" else v) for k, v in b.items()}
                                  for b in blocks], index=pd.Index(ids, name="metric"))
        else:
            frame = pd.concat(
                [pd.DataFrame({k: np.broadcast_to(v, len(self.periods)) if k != "name" else v
                               for k, v in b.items()},
                              index=pd.Index(self.periods, name="period")) for b in blocks],
                keys=ids, names=["metric", "period"])
        frame.attrs.update({"n": self.n, "seed": self.seed})
        return frame

    def quantiles(self, metric: str | None = None,
                  q: Sequence[float] = (0.1, 0.25, 0.5, 0.75, 0.9)) -> pd.DataFrame:
        """Quantiles of one metric (default the first kept, the root unless told otherwise):
        index period (one row ``all`` for one period), one column per quantile."""
        import pandas as pd

        x = self.values(metric)
        qs = np.nanquantile(x, list(q), axis=0)
        index = pd.Index(self.periods if self.periods is not None else ["all"], name="period")
        return pd.DataFrame(np.atleast_2d(qs.T).reshape(len(index), len(q)), index=index,
                            columns=[f"p{_pct(v)}" for v in q])

    def at(self, period: Any = None) -> Simulation:
        """The draws of one period (default the last) as a one-period simulation."""
        if self.periods is None:
            return self
        from ..periods import period_key

        label = self.periods[-1] if period is None else period_key(period)
        if label not in self.periods:
            more = ", …" if len(self.periods) > 6 else ""
            raise KPITreeError(f"simulation: unknown period {label!r} "
                               f"(periods: {', '.join(self.periods[:6])}{more})")
        col = self.periods.index(label)
        one = copy.copy(self)
        one.periods = None
        one.period = label
        one._samples = {m: v[:, col] for m, v in self._samples.items()}
        one._plan = {m: np.broadcast_to(v, (len(self.periods),))[col]
                     for m, v in self._plan.items()}
        return one

    def label(self, metric: str) -> str:
        """The display name of a simulated metric."""
        return self._names.get(metric, metric)

    def unit(self, metric: str) -> str | None:
        """The unit of a simulated metric."""
        return self._units.get(metric)

    def plan(self, metric: str) -> np.ndarray:
        """The plan (the layer's numbers without uncertainty) of a simulated metric: one
        number, or one per period."""
        return np.asarray(self._plan[metric], dtype=float)

    def plot(self, metric: str | None = None, ax: Any = None) -> Any:
        """Fan chart over periods, histogram for one period (needs matplotlib)."""
        from ..plots import fan_chart

        return fan_chart(self, metric=metric, ax=ax)


def _pct(q: float) -> str:
    text = f"{100 * q:.10g}"
    return text.replace(".", "_")


def simulate(tree: Tree, distributions: Mapping[str, Any], n: int = 10_000, seed: Any = 0,
             metrics: Sequence[str] | str | None = None, period: Any = None,
             relative: bool = False, layer: str = "target") -> Simulation:
    """Monte Carlo over uncertain inputs (see the module text for the distributions).

    ``metrics``: the metrics to keep (default the root); ``period``: one period, or ``None`` for
    every period of a tree with periods; ``layer``: what the certain inputs stay at (the plan by
    default, or ``value`` or a scenario). The same ``seed`` gives the same draws.

    >>> dists = {"win_rate": ("triangular", .18, .22, .27)}
    >>> sim = tree.simulate(dists, n=100_000)    # doctest: +SKIP
    >>> sim.summary                              # doctest: +SKIP
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= MAX_DRAWS:
        raise KPITreeError(f"simulate.n: expected a whole number of draws from 1 to "
                           f"{MAX_DRAWS:,}, got {n!r}")
    n = int(n)
    if not isinstance(distributions, Mapping) or not distributions:
        raise KPITreeError("simulate: give at least one input and its distribution, e.g. "
                           "{'win_rate': ('normal', 0.22, 0.02)}")
    for metric_id in distributions:
        tree.require_input(metric_id, "simulate")
    keep = [tree.root] if metrics is None else (
        [metrics] if isinstance(metrics, str) else list(metrics))
    keep = [pick_metric(tree, m, "simulate.metrics") for m in keep]
    over_periods = period is None and bool(tree.periods)
    if over_periods:
        k = resolve_point(tree, layer, None, "simulate.layer").k
        base = snapshot(tree, k, slice(None))
        shape: tuple[int, ...] = (n, len(tree.periods))
    else:
        k, p, *_ = resolve_point(tree, layer, period, "simulate.layer")
        base = snapshot(tree, k, p)
        shape = (n,)
    _, index = tree.arrays()
    try:
        rng = np.random.default_rng(seed)
    except (TypeError, ValueError) as exc:
        raise KPITreeError(f"simulate.seed: {exc}") from None
    inputs = [m for m, *_ in tree.outline() if m in distributions]
    draws = {m: _draw(m, distributions[m], rng, shape, np.asarray(base[index[m]], float),
                      relative) for m in inputs}
    steps = varying_steps(tree, set(inputs))
    moving = {tree.compiled_plan.order[slot] for slot, _ in steps} | set(inputs)
    width = shape[1] if len(shape) > 1 else 1
    rows = max(1, min(n, CHUNK_NUMBERS // (max(1, len(moving)) * width)))
    ids = list(dict.fromkeys([*keep, *inputs]))
    samples = {m: np.empty(shape) for m in ids}
    for start in range(0, n, rows):
        stop = min(n, start + rows)
        chunk = (stop - start, *shape[1:])
        arrays = evaluate_batch(tree, base, {m: draws[m][start:stop] for m in inputs}, chunk)
        for m in ids:
            samples[m][start:stop] = np.broadcast_to(np.asarray(arrays[index[m]], float), chunk)
    plan = {m: np.asarray(base[index[m]], dtype=float) for m in ids}
    return Simulation(tree, keep, inputs, samples, plan,
                      list(tree.periods) if over_periods else None, n, seed)


def _draw(metric: str, spec: Any, rng: np.random.Generator, shape: tuple[int, ...],
          plan: np.ndarray, relative: bool) -> np.ndarray:
    where = f"simulate.{metric}"
    if isinstance(spec, (tuple, list)) and spec and isinstance(spec[0], str):
        out = _named(where, spec[0].strip().lower(), spec[1:], rng, shape)
    elif hasattr(spec, "rvs"):
        try:
            out = np.asarray(spec.rvs(size=shape, random_state=rng), dtype=float)
        except Exception as exc:  # a third-party distribution: report whatever it raised
            raise KPITreeError(f"{where}: drawing from {spec!r} failed: {exc}") from None
    else:
        try:
            given = np.asarray(spec, dtype=float)
        except (TypeError, ValueError):
            raise KPITreeError(f"{where}: expected a distribution such as ('normal', mean, sd), "
                               f"an array of draws or a scipy.stats distribution, got "
                               f"{spec!r}") from None
        if given.size == 0 or given.ndim > 2:
            raise KPITreeError(f"{where}: expected a non-empty 1-D array of draws")
        if given.shape == shape or (given.ndim == 1 and given.shape[0] == shape[0]):
            out = np.broadcast_to(given if given.shape == shape else
                                  given.reshape((shape[0],) + (1,) * (len(shape) - 1)),
                                  shape).copy()
        else:
            out = rng.choice(given.ravel(), size=shape, replace=True)
    if out.shape != shape:
        out = np.broadcast_to(out, shape).copy()
    if not np.all(np.isfinite(out)):
        raise KPITreeError(f"{where}: some draws are not finite numbers")
    if relative:
        if not np.all(np.isfinite(plan)):
            raise KPITreeError(f"{where}: relative draws need a plan target for {metric!r}")
        out = out * plan
    return out


def _named(where: str, name: str, params: Sequence[Any], rng: np.random.Generator,
           shape: tuple[int, ...]) -> np.ndarray:
    arity = {"normal": 2, "uniform": 2, "triangular": 3, "lognormal": 2, "beta": 2}
    if name not in arity:
        raise KPITreeError(f"{where}: unknown distribution {name!r} (normal, uniform, "
                           "triangular, lognormal, beta)")
    if len(params) != arity[name]:
        raise KPITreeError(f"{where}: {name} takes {arity[name]} numbers, got {len(params)}")
    a = [check_number(x, f"{where}.{name}") for x in params]
    if name == "normal":
        if a[1] < 0:
            raise KPITreeError(f"{where}: the sd of a normal must be >= 0, got {a[1]:g}")
        return rng.normal(a[0], a[1], size=shape)
    if name == "uniform":
        if a[0] > a[1]:
            raise KPITreeError(f"{where}: uniform needs low <= high, got {a[0]:g} > {a[1]:g}")
        return rng.uniform(a[0], a[1], size=shape)
    if name == "triangular":
        low, mode, high = a
        if not low <= mode <= high or low == high:
            raise KPITreeError(f"{where}: triangular needs low <= mode <= high and low < high, "
                               f"got {low:g}, {mode:g}, {high:g}")
        return rng.triangular(low, mode, high, size=shape)
    if name == "lognormal":
        if a[1] < 0:
            raise KPITreeError(f"{where}: the sigma of a lognormal must be >= 0, got {a[1]:g}")
        return rng.lognormal(a[0], a[1], size=shape)
    if a[0] <= 0 or a[1] <= 0 or math.isinf(a[0]):
        raise KPITreeError(f"{where}: beta needs a > 0 and b > 0, got {a[0]:g}, {a[1]:g}")
    return rng.beta(a[0], a[1], size=shape)
