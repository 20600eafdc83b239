"""kpitree-widget: KPI trees (metric trees, driver trees) as a living model in notebooks.

>>> import kpitree_widget as kt
>>> tree = kt.KPITree.from_dict({"metrics": {
...     "revenue": {"formula": "customers * arpc"},
...     "customers": {"value": 4700, "target": 5000},
...     "arpc": {"value": 120, "target": 125}}})
>>> float(tree.rollup().loc["revenue", "target"])
625000.0

The notebook pieces (the widget, graphviz and notebook exports) load only when first used, so
``import kpitree_widget`` stays light.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .args import checked
from .errors import KPITreeError
from .metric import Hypothesis, Metric
from .model import KPITree, load, loads

if TYPE_CHECKING:
    from .widget import TreeWidget

__version__ = "0.1.0"

__all__ = [
    "Hypothesis",
    "KPITree",
    "KPITreeError",
    "Metric",
    "TreeWidget",
    "__version__",
    "archetype",
    "archetypes",
    "from_dbt",
    "json_schema",
    "load",
    "loads",
    "template",
]


def json_schema() -> dict[str, Any]:
    """The JSON Schema of tree files, for editor completion."""
    from .schema import json_schema as _schema

    return _schema()


def archetypes() -> list[str]:
    """Names of the built-in business-model archetypes."""
    from .catalog import names

    return names()


@checked
def archetype(name: str) -> KPITree:
    """A built-in archetype tree with sample numbers, e.g. ``archetype("b2b_saas")``."""
    from .catalog import load_archetype

    return load_archetype(name, cls=KPITree)


@checked
def template(name: str) -> Any:
    """The workshop notebook (nbformat v4) for an archetype."""
    from .workshops import template as _template

    return _template(name)


@checked
def from_dbt(path: str | Path, root: str | None = None, *, source: str = "dbt",
             url: str | None = None, tables: Mapping[str, str] | None = None,
             duckdb_dir: str | Path | None = None, grain: str = "month") -> KPITree:
    """A tree from a dbt project's semantic layer (its ``models/`` YAML files or
    ``target/semantic_manifest.json``): simple metrics become inputs whose source is their
    measure, ratio metrics ``numerator / denominator``, derived metrics their ``expr``;
    cumulative and conversion metrics and offset windows are refused, naming the metric.
    ``root`` defaults to the one metric no other uses. The sources read the tables from the
    files of ``tables`` (table -> file) or ``duckdb_dir`` (``<dir>/<table>.parquet``, ...), or
    from the warehouse at ``url``.

    >>> tree = kt.from_dbt("jaffle_shop", duckdb_dir="jaffle_shop/data")  # doctest: +SKIP
    >>> tree.refresh()                                                     # doctest: +SKIP
    """
    from .sources.dbt import tree_spec

    return KPITree.from_dict(tree_spec(path, root, source=source, url=url, tables=tables,
                                       duckdb_dir=duckdb_dir, grain=grain))


def __getattr__(name: str) -> Any:
    if name == "TreeWidget":
        from .widget import TreeWidget

        return TreeWidget
    raise AttributeError(f"module 'kpitree_widget' has no attribute {name!r}")
