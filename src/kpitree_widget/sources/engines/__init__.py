"""Engines by URL scheme: ``duckdb`` (embedded, the default), the SQL databases and
warehouses SQLAlchemy reaches (``postgresql``, ``snowflake``, ``bigquery``, ``trino``, ...;
:mod:`.warehouse`) and Spark (``spark`` local or a cluster, ``sc`` Spark Connect; :mod:`.spark`)
are built in, each loaded when a source first uses it. Another engine registers itself with
:func:`register_engine` and implements :class:`~.base.Engine`.

>>> [name for name in engine_names() if name in ("duckdb", "postgresql", "spark", "sc")]
['duckdb', 'postgresql', 'spark', 'sc']
"""

from __future__ import annotations

from collections.abc import Callable

from ...errors import KPITreeError
from ..spec import ResolvedSource
from .base import Engine

EngineFactory = Callable[[ResolvedSource], Engine]
_ENGINES: dict[str, EngineFactory] = {}


def register_engine(scheme: str, factory: EngineFactory) -> None:
    """Make ``factory(source)`` the engine of URLs that start ``scheme://`` (``postgresql``,
    ``snowflake``, ``spark``, ...); a later registration replaces an earlier one."""
    _ENGINES[scheme] = factory


def engine_names() -> list[str]:
    """The URL schemes an engine is registered for."""
    _builtin()
    return list(_ENGINES)


def open_engine(source: ResolvedSource) -> Engine:
    """The engine for ``source``'s URL scheme, connected."""
    _builtin()
    scheme = source.config.scheme
    factory = _ENGINES.get(scheme)
    if factory is None:
        raise KPITreeError(f"sources.{source.name}.url: no engine for {scheme}:// is "
                           f"installed here (engines: {', '.join(_ENGINES)})")
    return factory(source)


def _warehouse(source: ResolvedSource) -> Engine:
    from .warehouse import SQLAlchemyEngine

    return SQLAlchemyEngine(source)


def _spark(source: ResolvedSource) -> Engine:
    from .spark import SparkEngine

    return SparkEngine(source)


def _builtin() -> None:
    """Register the built-in engines where no other engine took their scheme."""
    from .duckdb import DuckDBEngine
    from .spark import SCHEMES as SPARK
    from .warehouse import SCHEMES as SQL

    _ENGINES.setdefault("duckdb", DuckDBEngine)
    for scheme in SQL:
        _ENGINES.setdefault(scheme, _warehouse)
    for scheme in SPARK:
        _ENGINES.setdefault(scheme, _spark)


__all__ = ["Engine", "EngineFactory", "engine_names", "open_engine", "register_engine"]
