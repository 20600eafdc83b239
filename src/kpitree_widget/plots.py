"""Pictures of the analysis: tornado (sensitivity), waterfall (attribution), fan chart or
histogram (simulation), and status colours for the rollup table.

matplotlib is an optional extra (``pip install matplotlib``) and is imported only
inside these functions; ``import kpitree_widget`` never loads it. Each chart function draws on
``ax`` when given (else on a new figure) and returns the matplotlib ``Axes`` (``ax.figure`` is
the Figure, e.g. for ``savefig``). In a notebook the chart shows once, with no ``<Axes: ...>``
line above it. Titles, axes and legends name metrics by their names and layers as "Plan" and
"Actual"; text is drawn as written (a ``$`` is a dollar sign, never math). A new figure has an
opaque white background, so its dark text reads on a dark notebook theme too.

>>> from kpitree_widget import plots
>>> plots.tornado(tree.sensitivity())            # doctest: +SKIP
>>> plots.waterfall(tree.attribute())            # doctest: +SKIP
>>> plots.fan_chart(tree.simulate({...}))        # doctest: +SKIP
>>> plots.rollup_style(tree.rollup())            # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from .args import checked, wrong
from .errors import KPITreeError
from .numbers import format_change, format_number
from .palette import STATUS_COLOURS

if TYPE_CHECKING:
    import pandas as pd


@runtime_checkable
class Simulation(Protocol):
    """What the charts read of a Monte Carlo result
    (:class:`kpitree_widget.analysis.simulate.Simulation`)."""

    metrics: list[str]
    periods: list[str] | None
    period: str | None
    n: int

    def values(self, metric: str | None = None) -> np.ndarray: ...
    def at(self, period: Any = None) -> Simulation: ...
    def label(self, metric: str) -> str: ...
    def unit(self, metric: str) -> str | None: ...
    def plan(self, metric: str) -> np.ndarray: ...

# rises and falls in the waterfall in the on-track and off-track colours of the status palette
GOOD, BAD = STATUS_COLOURS["on_track"].strong, STATUS_COLOURS["off_track"].strong
NEUTRAL, PLAN = "#607d8b", "#37474f"
LOW, HIGH = "#ef8a62", "#67a9cf"


BACKGROUND = "white"  # opaque: the charts' dark text stays readable on a dark notebook theme
LAYER_WORDS = {"target": "Plan", "plan": "Plan", "value": "Actual", "actual": "Actual"}


def _axes(ax: Any, size: tuple[float, float]) -> Any:
    if ax is not None:
        if not hasattr(ax, "figure") or not hasattr(ax, "plot"):
            raise wrong("plots", "ax", "a matplotlib Axes or None", ax)
        return ax
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise KPITreeError("plots: matplotlib is not installed; "
                           "pip install matplotlib") from None
    _, new = plt.subplots(figsize=size, layout="constrained", facecolor=BACKGROUND)
    return new


class _ShowOnce:
    """A chart's notebook display: the figure, once, and no ``<Axes: ...>`` text. A figure
    pyplot manages is shown by the notebook's inline backend at the end of the cell, so this
    shows nothing more; any other figure is shown here."""

    def __init__(self, ax: Any) -> None:
        self.ax = ax

    def __call__(self) -> None:
        import matplotlib.pyplot as plt

        figure = self.ax.figure
        manager = getattr(figure.canvas, "manager", None)
        if manager is not None and plt.fignum_exists(manager.num):
            return
        from IPython.display import display

        display(figure)


def _done(ax: Any) -> Any:
    """The Axes a chart function returns: plain text where matplotlib would parse math, and a
    clean notebook display."""
    legend = ax.get_legend()
    for text in [ax.title, ax.xaxis.label, ax.yaxis.label, *ax.texts,
                 *(legend.get_texts() if legend is not None else ())]:
        text.set_parse_math(False)
    ax._ipython_display_ = _ShowOnce(ax)
    return ax


def _esc(text: str) -> str:
    """Tick label text for matplotlib: a pair of ``$`` would start math mode."""
    return text.replace("$", r"\$")


def _people(label: Any) -> str:
    """A layer label as people say it: ``target 2025-12`` -> ``Plan 2025-12``, ``value`` ->
    ``Actual``; a bare period is the actual of that period; a scenario keeps its name."""
    text = str(label)
    first, _, rest = text.partition(" ")
    if first in LAYER_WORDS:
        return f"{LAYER_WORDS[first]} {rest}".strip()
    if text[:1].isdigit():
        return f"Actual {text}"
    return text


def _formatter(unit: str | None) -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda x, _pos: _esc(format_number(x, unit)))


def _require(table: Any, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in getattr(table, "columns", ())]
    if missing:
        raise KPITreeError(f"plots.{what}: expected a table with columns "
                           f"{', '.join(columns)}; missing {', '.join(missing)}")


@checked
def tornado(table: pd.DataFrame, ax: Any = None, top: int = 15, title: str | None = None) -> Any:
    """Tornado chart of a sensitivity table (``tree.sensitivity()``): per input, a bar from the
    base to the metric with the input lowered (``low``) and raised (``high``); the largest
    swing at the top."""
    _require(table, ("low", "high", "impact"), "tornado")
    rows = table.head(top).iloc[::-1]
    base = float(table.attrs.get("base", np.nanmedian(table[["low", "high"]].to_numpy())))
    unit = table.attrs.get("unit")
    step = table.attrs.get("step")
    ax = _axes(ax, (8, 0.45 * len(rows) + 1.6))
    labels = [str(n) for n in rows.get("name", rows.index)]
    y = np.arange(len(rows))
    low = rows["low"].to_numpy(dtype=float)
    high = rows["high"].to_numpy(dtype=float)
    tag = f" {format_number(step, 'percent')}" if isinstance(step, float) else ""
    ax.barh(y, low - base, left=base, color=LOW, label=f"input −{tag}".replace("− ", "−"))
    ax.barh(y, high - base, left=base, color=HIGH, label=f"input +{tag}".replace("+ ", "+"))
    ax.axvline(base, color=PLAN, linewidth=1)
    ax.set_yticks(y, labels)
    ax.xaxis.set_major_formatter(_formatter(unit))
    metric = table.attrs.get("metric_name") or table.attrs.get("metric", "metric")
    layer = table.attrs.get("layer")
    at = f"{_people(layer)}: " if isinstance(layer, str) else ""
    ax.set_xlabel(f"{metric} ({at}{format_number(base, unit)})")
    ax.set_title(title or f"What moves {metric} most")
    ax.legend(loc="lower right", frameon=False)
    return _done(ax)


@checked
def waterfall(table: pd.DataFrame, ax: Any = None, top: int = 12, title: str | None = None) -> Any:
    """Waterfall of an attribution table (``tree.attribute()``): the start, each input's
    contribution (the ``top`` largest, the rest as "other"), then the end."""
    _require(table, ("contribution",), "waterfall")
    contrib = table["contribution"].to_numpy(dtype=float)
    names = [str(n) for n in table.get("name", table.index)]
    order = np.argsort(-np.abs(contrib), kind="stable")
    keep = order[:top]
    steps = [(names[i], contrib[i]) for i in keep]
    if len(order) > top:
        steps.append((f"other ({len(order) - top})", float(contrib[order[top:]].sum())))
    start = float(table.attrs.get("start", 0.0))
    end = float(table.attrs.get("end", start + contrib.sum()))
    unit = table.attrs.get("unit")
    ax = _axes(ax, (max(6.0, 0.8 * (len(steps) + 2) + 2), 4.8))
    labels = [_people(table.attrs.get("start_label", "start"))]
    ax.bar(0, start, color=NEUTRAL)
    level = start
    for i, (name, c) in enumerate(steps, start=1):
        ax.bar(i, c, bottom=level, color=GOOD if c >= 0 else BAD)
        ax.plot([i - 1.4, i + 0.4], [level, level], color=PLAN, linewidth=0.6)
        sign = "+" if c >= 0 else "-"
        ax.annotate(sign + format_number(abs(c), unit), (i, max(level, level + c)),
                    xytext=(0, 2), textcoords="offset points", ha="center", va="bottom",
                    fontsize=8)
        level += c
        labels.append(name)
    last = len(steps) + 1
    ax.plot([last - 1.4, last + 0.4], [level, level], color=PLAN, linewidth=0.6)
    ax.bar(last, end, color=NEUTRAL)
    labels.append(_people(table.attrs.get("end_label", "end")))
    ax.set_xticks(range(len(labels)), labels, rotation=35, ha="right")
    ax.yaxis.set_major_formatter(_formatter(unit))
    low = min(start, end, *(np.cumsum([c for _, c in steps]) + start))
    high = max(start, end, *(np.cumsum([c for _, c in steps]) + start))
    pad = 0.15 * (high - low or abs(high) or 1.0)
    ax.set_ylim(max(0.0, low - pad) if low >= 0 else low - pad, high + pad)
    metric = table.attrs.get("metric_name") or table.attrs.get("metric", "metric")
    ax.set_title(title or f"Why {metric} moved: {labels[0]} {format_number(start, unit)} → "
                          f"{labels[-1]} {format_number(end, unit)}")
    return _done(ax)


@checked
def fan_chart(sim: Simulation, metric: str | None = None, ax: Any = None,
              title: str | None = None) -> Any:
    """A simulation's spread: over periods, the median with P10-P90 and P25-P75 bands and the
    plan; for one period, a histogram with P10, P50, P90 and the plan marked."""
    metric = metric or sim.metrics[0]
    x = sim.values(metric)
    unit = sim.unit(metric)
    plan = sim.plan(metric)
    ax = _axes(ax, (8, 4.5))
    if sim.periods is not None:
        q = np.nanquantile(x, [0.1, 0.25, 0.5, 0.75, 0.9], axis=0)
        t = np.arange(len(sim.periods))
        ax.fill_between(t, q[0], q[4], color=HIGH, alpha=0.3, linewidth=0, label="P10-P90")
        ax.fill_between(t, q[1], q[3], color=HIGH, alpha=0.55, linewidth=0, label="P25-P75")
        ax.plot(t, q[2], color="#08519c", linewidth=1.8, label="P50")
        ax.plot(t, np.broadcast_to(plan, t.shape), color=PLAN, linestyle="--", linewidth=1.2,
                label="Plan")
        every = max(1, len(t) // 12)
        ax.set_xticks(t[::every], [sim.periods[i] for i in t[::every]], rotation=35,
                      ha="right")
        ax.yaxis.set_major_formatter(_formatter(unit))
    else:
        finite = x[np.isfinite(x)]
        ax.hist(finite, bins=min(80, max(10, int(np.sqrt(finite.size)))), color=HIGH,
                alpha=0.8)
        for q, style in ((0.1, ":"), (0.5, "-"), (0.9, ":")):
            v = float(np.quantile(finite, q)) if finite.size else np.nan
            ax.axvline(v, color="#08519c", linestyle=style, linewidth=1.4,
                       label=f"P{int(q * 100)} {format_number(v, unit)}")
        ax.axvline(float(plan), color=PLAN, linestyle="--", linewidth=1.4,
                   label=f"Plan {format_number(float(plan), unit)}")
        ax.xaxis.set_major_formatter(_formatter(unit))
        ax.set_ylabel("draws")
    if sim.periods is not None:
        ax.set_ylabel(sim.label(metric))
    else:
        ax.set_xlabel(sim.label(metric))
    ax.legend(frameon=False)
    ax.set_title(title or f"{sim.label(metric)}: {sim.n:,} draws")
    return _done(ax)


@checked
def histogram(sim: Simulation, metric: str | None = None, ax: Any = None,
              period: Any = None) -> Any:
    """The histogram of one metric's draws (over periods: of ``period``, default the last)."""
    one = sim.at(period)
    metric = metric or sim.metrics[0]
    title = None
    if one.period is not None:
        title = f"{sim.label(metric)}, {one.period}: {sim.n:,} draws"
    return fan_chart(one, metric, ax, title=title)


@checked
def rollup_style(df: pd.DataFrame, columns: tuple[str, ...] = ("value", "variance",
                                                              "variance_pct")) -> Any:
    """A pandas ``Styler`` of a rollup table (``tree.rollup()``): ``value`` and the variance
    columns coloured by ``status`` in the package's palette (:mod:`kpitree_widget.palette`:
    green on track, orange at risk, vermillion off track, purple undefined, grey no data) and
    numbers formatted by unit (``$564k``, ``2.5%``). The numbers underneath stay as they are.
    Needs jinja2 (pandas' styling), not matplotlib."""
    import pandas as pd

    if not isinstance(df, pd.DataFrame) or "status" not in df.columns:
        raise KPITreeError("plots.rollup_style: expected a rollup table with a 'status' column")
    status = df["status"]
    shown = [c for c in columns if c in df.columns]

    def colour(column: pd.Series) -> list[str]:
        return [f"background-color: {STATUS_COLOURS[s].fill}; color: {STATUS_COLOURS[s].text}"
                if s in STATUS_COLOURS else "" for s in status.reindex(column.index)]

    styler = df.style.apply(colour, subset=shown)
    numeric = [c for c in ("value", "target", "implied_target") if c in df.columns]
    signed = [c for c in ("variance",) if c in df.columns]
    units = df["unit"] if "unit" in df.columns else pd.Series(None, index=df.index, dtype=object)
    for unit in units.astype(object).where(units.notna(), None).unique():
        rows = units.index[units.isna()] if unit is None else units.index[units == unit]
        styler = styler.format(lambda v, _u=unit: format_number(v, _u),
                               subset=pd.IndexSlice[rows, numeric])
        styler = styler.format(lambda v, _u=unit: format_number(v, _u, "signed"),
                               subset=pd.IndexSlice[rows, signed])
    if "variance_pct" in df.columns:
        styler = styler.format(format_change, subset=["variance_pct"])
    return styler
