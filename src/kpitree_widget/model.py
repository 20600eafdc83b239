"""The notebook facade: :class:`KPITree`, the tree users know, with every family of methods.

The core (:class:`kpitree_widget.tree.Tree`: structure, numbers, engine, rollup) knows nothing
of analyses, health checks, reviews, data loading or pictures; this class offers them as
methods that import their module on first use (as pandas offers ``DataFrame.style``), so
``import kpitree_widget`` stays light and no layer below imports this one.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from .args import checked, wrong
from .tree import DEFAULT_TOLERANCE, Tree

if TYPE_CHECKING:
    import graphviz
    import nbformat
    import pandas as pd

    from .analysis.simulate import Simulation
    from .health.findings import Findings
    from .review.cadence import Review

__all__ = ["DEFAULT_TOLERANCE", "KPITree", "load", "loads"]


class KPITree(Tree):
    """A KPI tree: one North Star at the root, broken down by formulas into inputs.

    Build one from a mapping shaped like the YAML file, or load a file:

    >>> import kpitree_widget as kt
    >>> tree = kt.KPITree.from_dict({"metrics": {
    ...     "revenue": {"formula": "customers * arpc", "unit": "currency"},
    ...     "customers": {"value": 4700, "target": 5000},
    ...     "arpc": {"value": 120, "target": 125, "unit": "currency"}}})
    >>> tree.root
    'revenue'
    >>> float(tree.rollup().loc["revenue", "value"])
    564000.0
    >>> tree.set_target("arpc", 130)
    >>> float(tree.rollup().loc["revenue", "target"])
    650000.0

    Structure and numbers (``metrics``, ``children``, ``rollup``, ``set_target``, ...) come
    from :class:`~kpitree_widget.tree.Tree`; the methods below reach the layers above it.

    Build and reshape it with the core's building calls (``KPITree.new``, ``add_metric``,
    ``add_driver``, ``set_formula``, ``update_metric``, ``rename_metric``, ``remove_metric``,
    ``remove_driver``, ``add_hypothesis``, ``remove_hypothesis``) and take any change back
    with ``undo`` / ``redo`` (``docs/building.md``):

    >>> t = kt.KPITree.new("revenue", unit="currency")
    >>> t.add_driver("revenue", "orders", value=100, target=120).id
    'orders'
    >>> t.add_driver("revenue", "order_value", "*", value=50, target=55).id
    'order_value'
    >>> float(t.rollup().loc["revenue", "target"])
    6600.0
    >>> t.undo()
    >>> t.metrics["revenue"].formula
    'orders'
    """

    # ------------------------------------------------------------------ building

    @classmethod
    @checked(own=("spec",))
    def from_dict(cls, spec: Mapping[str, Any]) -> Self:
        """Build a tree from a mapping shaped like the YAML file (see ``docs/file-format.md``)."""
        from .io import tree_from_dict

        return tree_from_dict(spec, cls=cls)

    @checked
    def to_dict(self) -> dict[str, Any]:
        """The tree as a plain mapping, the shape of the file; ``from_dict`` reverses it."""
        from .io import tree_to_dict

        return tree_to_dict(self)

    @checked
    def save(self, path: str | Path | None = None, *, force: bool = False) -> Path:
        """Write the tree to ``.yaml``/``.yml`` or ``.json``; without ``path``, back to the
        file it was loaded from (:attr:`path`). Returns the path written, which becomes
        ``tree.path`` (as "save as" does in an editor).

        A tree loaded from a file is written as a patch of that file's text: comments, key
        order, quoting and number spelling stay as people wrote them wherever nothing
        changed, so one new target is a one-line diff. A tree built in code is written in the
        canonical order (metrics in outline order, fixed field order). If the file was changed
        on disk since it was loaded, nothing is written and a ``KPITreeError`` says so;
        ``force=True`` overwrites it. See ``docs/file-format.md``.

        >>> tree = kt.load("plan.yaml")      # doctest: +SKIP
        >>> tree.set_target("arpc", 130)     # doctest: +SKIP
        >>> tree.save()                      # doctest: +SKIP
        PosixPath('/home/me/plan.yaml')
        """
        from .roundtrip import save

        return save(self, path, force=force)

    # ------------------------------------------------------------------ analysis

    @checked(own=("target",))
    def solve(self, metric_id: str, target: float, lever: str,
              period: Any = None) -> float | pd.Series:
        """Back-solve: set ``lever``'s target so that ``metric_id``'s target becomes ``target``.

        Returns the lever's new target (per period when the tree has periods and ``period`` is
        None). Exact inversion along the path; root finding where the lever appears twice.
        """
        from .analysis.solve import solve

        return solve(self, metric_id, target, lever=lever, period=period)

    @checked
    def cascade(self, metric_id: str, target: float, levers: Iterable[str] | None = None,
                method: str = "equal", weights: Mapping[str, float] | None = None,
                locked: Iterable[str] = (), period: Any = None) -> pd.DataFrame:
        """Plan top-down: set the targets of the levers under ``metric_id`` (by default every
        input below it that is not ``locked``) so that its target becomes ``target`` exactly.

        ``method="equal"``: every lever moves by the same relative effort in the direction that
        helps (a lever whose ``direction`` is ``down`` shrinks when the goal is higher);
        ``weights={lever: w}``: effort in proportion to the weights. Bounds (``min``/``max``)
        hold; a target they put out of reach is a :class:`KPITreeError` naming the closest
        reachable value, and nothing changes. Every period at once when ``period`` is None.

        Returns a table indexed by lever (by lever and period for several periods):
        ``old_target``, ``new_target``, ``change``, ``change_pct``, ``effort``, and a realism
        check against the lever's actuals: ``best``, ``best_period``, ``usual_change``,
        ``realistic``, ``reason``. One :meth:`undo` restores every target it set.

        >>> import kpitree_widget as kt
        >>> tree = kt.archetype("b2b_saas")
        >>> plan = tree.cascade("arr", 1.1 * tree.rollup().loc["arr", "implied_target"])
        >>> list(plan.columns[:3])
        ['old_target', 'new_target', 'change']
        """
        from .analysis.cascade import cascade

        return cascade(self, metric_id, target, levers=levers, method=method, weights=weights,
                       locked=locked, period=period)

    @checked
    def compare(self, base: str | None = None, period: Any = None,
                pct: bool = False) -> pd.DataFrame:
        """Plan, actual and every scenario side by side (one column each, index metric id);
        with ``base`` (a layer or scenario name), also each column's difference from it."""
        from .analysis.scenarios import compare

        return compare(self, base=base, period=period, pct=pct)

    @checked
    def sensitivity(self, step: float = 0.1, metric: str | None = None,
                    period: Any = None, layer: str = "target") -> pd.DataFrame:
        """Tornado table: the root's target with each input's target moved by -/+ ``step``,
        with each input's elasticity (see ``analysis.sensitivity``)."""
        from .analysis.sensitivity import sensitivity

        return sensitivity(self, step=step, metric=metric, period=period, layer=layer)

    @checked
    def elasticities(self, metric: str | None = None, period: Any = None,
                     layer: str = "target", computed: bool = False) -> pd.DataFrame:
        """d ln(metric) / d ln(input) for every input under ``metric`` (default the root)."""
        from .analysis.sensitivity import elasticities

        return elasticities(self, metric=metric, period=period, layer=layer, computed=computed)

    @checked
    def attribute(self, start: Any = "target", end: Any = "value", metric: str | None = None,
                  period: Any = None, by: str = "input", layer: str = "value") -> pd.DataFrame:
        """Why the root moved from ``start`` to ``end`` (layers, scenarios or periods), exactly,
        input by input: a ``contribution`` column that sums to the root's change
        (``by="level"``: node by node, top-down; see ``analysis.attribution``)."""
        from .analysis.attribution import attribute

        return attribute(self, start=start, end=end, metric=metric, period=period, by=by,
                         layer=layer)

    @checked(own=("n",))
    def simulate(self, distributions: Mapping[str, Any], n: int = 10_000, seed: Any = 0,
                 metrics: str | Sequence[str] | None = None, period: Any = None,
                 relative: bool = False, layer: str = "target") -> Simulation:
        """Monte Carlo: draws for uncertain inputs, P10/P50/P90 of the root (and ``metrics``);
        see ``analysis.simulate``."""
        from .analysis.simulate import simulate

        return simulate(self, distributions, n=n, seed=seed, metrics=metrics, period=period,
                        relative=relative, layer=layer)

    # ------------------------------------------------------------------ period data

    @checked
    def load_data(self, data: Any, layer: str = "value", format: str | None = None,
                  freq: str | None = None) -> None:
        """Load numbers per period from a DataFrame or CSV (wide: index period, columns metric
        ids; or long: metric, period, value); see ``kpitree_widget.data``."""
        from .data import load_data

        load_data(self, data, layer=layer, format=format, freq=freq)

    @checked
    def timeseries(self, layer: str = "value", metrics: str | Iterable[str] | None = None,
                   freq: str | None = None) -> pd.DataFrame:
        """Period x metric table of a layer, computed metrics included; ``freq="Q"``/``"Y"``
        rolls months up (inputs aggregated, computed metrics recomputed)."""
        from .data import timeseries

        return timeseries(self, layer=layer, metrics=metrics, freq=freq)

    @checked
    def resample(self, freq: str) -> Self:
        """A new tree over quarters (``"Q"``) or years (``"Y"``), inputs aggregated by their
        metric's rule and computed metrics recomputed."""
        from .data import resample

        return resample(self, freq)

    @checked
    def reported(self, metric: str | None = None) -> pd.DataFrame | pd.Series:
        """Reported actuals of computed metrics loaded with ``load_data`` (kept apart from the
        computed values)."""
        from .data import reported

        return reported(self, metric)

    @checked
    def check(self, **thresholds: Any) -> Findings:
        """Health check: findings (rule, severity, metric, message) per the KPI-tree rules."""
        from .health import check

        return check(self, **thresholds)

    @checked
    def check_frame(self, **thresholds: Any) -> pd.DataFrame:
        """The health check as a DataFrame: rule, severity, metric, name, message, reason."""
        from .health import findings_frame

        return findings_frame(self.check(**thresholds))

    @checked
    def review(self, cadence: str, period: Any = None) -> Review:
        """The view for a review: ``weekly``, ``monthly``, ``quarterly`` or ``annual``
        (``.table``, ``.metrics``; see ``docs/health.md``)."""
        from .review import review

        return review(self, cadence, period=period)

    @checked
    def okr_progress(self, period: Any = None, as_of: Any = None) -> pd.DataFrame:
        """Each OKR key result: its metric's current value, progress from ``from`` to ``to``,
        the progress expected by now and whether it is on track."""
        from .review import okr_progress

        return okr_progress(self, period=period, as_of=as_of)

    @checked
    def test_hypotheses(self, data: Any = None, max_lag: int = 3, min_periods: int = 6,
                        min_r: float = 0.5) -> pd.DataFrame:
        """Test each hypothesis link on period data (default: the tree's own periods):
        correlation, best lag, sign and a verdict. Correlation is not causation."""
        from .review import test_hypotheses

        return test_hypotheses(self, data, max_lag=max_lag, min_periods=min_periods,
                               min_r=min_r)

    @checked
    def reconcile(self, data: Any, tolerance: float = 0.01) -> pd.DataFrame:
        """Where reported numbers of computed metrics differ from what their formulas give
        from the children's reported numbers (period x metric data)."""
        from .review import reconcile

        return reconcile(self, data, tolerance=tolerance)

    @checked
    def guard_report(self, period: Any = None, only_conflicts: bool = True) -> pd.DataFrame:
        """Guard pairs (``kind: guard``, ``guards: id``) where both metrics are worse than plan
        (``only_conflicts=False``: every declared pair)."""
        from .review import guard_report

        return guard_report(self, period=period, only_conflicts=only_conflicts)

    # ------------------------------------------------------------------ live data

    @checked
    def refresh(self, metrics: str | Iterable[str] | None = None, periods: Any = None,
                partial: bool = False) -> pd.DataFrame:
        """Load every metric's ``source`` / ``target_source`` (or only ``metrics``', for
        ``periods`` only) through its engine (DuckDB by default), with the checks of
        ``load_data``; returns a report indexed by metric (layer, source, rows, first, last,
        seconds, status, message).

        All or nothing: if any source fails, no number changes and the error names the metric
        and the source; ``partial=True`` loads what succeeded and reports the rest.

        >>> tree = kt.load("shop.yaml")                 # doctest: +SKIP
        >>> tree.refresh().loc["orders", "status"]      # doctest: +SKIP
        'ok'
        """
        from .sources.refresh import refresh

        chosen = [metrics] if isinstance(metrics, str) else metrics
        return refresh(self, metrics=chosen, periods=periods, partial=partial)

    @checked
    def data_gaps(self) -> pd.DataFrame:
        """Per metric: its source, whether it has data, the last period with data, the periods
        missing, and whether it can be computed today (see ``kpitree_widget.sources.gaps``).

        >>> tree.data_gaps().query("not computable")    # doctest: +SKIP
        """
        from .sources.gaps import data_gaps

        return data_gaps(self)

    @checked
    def add_source(self, name: str, url: str = "duckdb://",
                   tables: Mapping[str, str] | None = None) -> None:
        """Declare (or replace) the data source ``name``: an engine URL (``duckdb://`` by
        default; credentials as ``${VAR}``) and table names mapped to files.

        >>> tree.add_source("events", tables={"events": "data/events.parquet"})  # doctest: +SKIP
        """
        from .source_spec import SourceConfig

        spec: dict[str, Any] = {"url": url}
        if tables:
            spec["tables"] = dict(tables)
        self.put_source(SourceConfig.from_value(name, spec))

    @checked
    def remove_source(self, name: str) -> None:
        """Remove the data source ``name`` (refused while a metric reads from it)."""
        self.drop_source(name)

    @checked
    def set_source(self, metric_id: str, source: Mapping[str, Any] | None,
                   target: bool = False) -> None:
        """Set where ``metric_id``'s actuals come from (its ``target_source`` with
        ``target=True``): ``{"from": ..., "table": ..., "time": ..., "measure": ...,
        "where": ...}`` or ``{"from": ..., "sql": ...}``; ``None`` removes it.

        >>> tree.set_source("signups", {"from": "events", "table": "events", "time": "ts",
        ...                             "measure": "count(*)"})   # doctest: +SKIP
        """
        import dataclasses

        from .source_spec import MetricSource

        attr = "target_source" if target else "source"
        metric = self.require(metric_id, attr)
        spec = None if source is None else MetricSource.from_value(
            source, f"metrics.{metric_id}.{attr}")
        changes: dict[str, Any] = {attr: spec}
        dataclasses.replace(metric, **changes)  # the metric's own checks; nothing changed yet
        self.put_metric_source(metric_id, attr, spec)

    # ------------------------------------------------------------------ exports

    @checked
    def to_graphviz(self, direction: str = "TB",
                    fields: Sequence[str] = ("value", "target", "owner"),
                    max_level: int | None = None, period: Any = None,
                    scenario: str | None = None, findings: bool | Iterable[Any] = False,
                    **options: Any) -> graphviz.Digraph:
        """The tree as a ``graphviz.Digraph``: cards coloured by status, edges labelled by how
        each child enters its parent's formula, hypotheses dashed. ``max_level`` collapses the
        levels below it; ``findings=True`` marks what ``check()`` finds. Render it with
        ``.pipe(format="svg")`` or ``.render(...)`` (needs Graphviz's ``dot`` program)."""
        from .export.graphviz import to_graphviz

        return to_graphviz(self, direction=direction, fields=fields, max_level=max_level,
                           period=period, scenario=scenario, findings=findings, **options)

    @checked
    def to_markdown(self, table: bool = False, period: Any = None,
                    scenario: str | None = None, title: str | None = None) -> str:
        """The tree as Markdown: a nested outline with the math and value vs target, or
        (``table=True``) one table row per metric; ``title`` adds a heading."""
        from .export.text import to_markdown

        return to_markdown(self, table=table, period=period, scenario=scenario, title=title)

    @checked
    def to_mermaid(self, direction: str = "TD", period: Any = None,
                   scenario: str | None = None) -> str:
        """The tree as a Mermaid ``flowchart`` (GitHub, GitLab and many wikis draw it)."""
        from .export.text import to_mermaid

        return to_mermaid(self, direction=direction, period=period, scenario=scenario)

    @checked
    def to_notebook(self, title: str | None = None) -> nbformat.NotebookNode:
        """A notebook (nbformat v4) whose code rebuilds exactly this tree as ``tree`` and
        shows its rollup and the interactive view."""
        from .export.notebook import to_notebook

        return to_notebook(self, title=title)

    @checked
    def to_excel(self, path: str | Path | Any, period: Any = None) -> Path | None:
        """Write an ``.xlsx`` workbook with live formulas: a Tree sheet (inputs as numbers,
        computed metrics as Excel formulas, status by formula), a Scenarios sheet and a Periods
        sheet when the tree has them. ``period`` picks the Tree sheet's period (default: the
        last). Needs openpyxl (``pip install openpyxl``)."""
        from .export.excel import to_excel

        if not isinstance(path, (str, os.PathLike)) and not hasattr(path, "write"):
            raise wrong("KPITree.to_excel", "path", "a path or a binary file", path)
        return to_excel(self, path, period=period)

    # ------------------------------------------------------------------ display

    def __repr__(self) -> str:
        from .outline import outline_text

        return outline_text(self)

    def __str__(self) -> str:
        return self.__repr__()


@checked
def load(path: str | Path) -> KPITree:
    """Load a tree from a ``.yaml``, ``.yml`` or ``.json`` file; ``tree.save()`` writes it
    back (see :meth:`KPITree.save`)."""
    from . import roundtrip  # noqa: F401 - what saving needs is loaded now, not on a full disk
    from .io import load as _load

    return _load(path, cls=KPITree)


@checked
def loads(text: str, fmt: str = "yaml") -> KPITree:
    """Build a tree from YAML (or ``fmt="json"``) text."""
    from .io import loads as _loads
    from .io import tree_from_dict

    return tree_from_dict(_loads(text, fmt), cls=KPITree)
