"""Engines by URL scheme: ``duckdb`` (embedded, the default) is built in; another engine
(SQLAlchemy for PostgreSQL and warehouses, Spark) registers itself with
:func:`register_engine` and implements :class:`~.base.Engine`.

>>> sorted(engine_names())
['duckdb']
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


def _builtin() -> None:
    if "duckdb" not in _ENGINES:
        from .duckdb import DuckDBEngine

        _ENGINES["duckdb"] = DuckDBEngine


__all__ = ["Engine", "EngineFactory", "engine_names", "open_engine", "register_engine"]
