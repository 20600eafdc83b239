"""The engine interface: what refreshing needs of a database.

An engine is made from a resolved source (:class:`~kpitree_widget.sources.spec.ResolvedSource`),
names its SQL dialect (sqlglot's name: ``duckdb``, ``postgres``, ``snowflake``, ``spark``),
lists the tables a query may read, and runs compiled queries. :meth:`Engine.fetch` turns the
rows of a compiled grouped query (a ``period`` column and one column per metric) into the long
frame refreshing loads: ``metric``, ``layer``, ``period``, ``value``.

A new engine implements :meth:`tables`, :meth:`execute` and :meth:`close`::

    class PostgresEngine(Engine):
        dialect = "postgres"
        def __init__(self, source): self.conn = sqlalchemy.create_engine(source.url).connect()
        def tables(self): ...
        def execute(self, sql): return pandas.read_sql(sql, self.conn)
        def close(self): self.conn.close()

    register_engine("postgresql", PostgresEngine)
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from ..spec import ResolvedSource
    from ..sql import Query

COLUMNS = ["metric", "layer", "period", "value"]


class Engine(ABC):
    """A connection to one source, used as a context manager (closed at the end)."""

    dialect: str = "duckdb"

    def __init__(self, source: ResolvedSource) -> None:
        self.source = source

    @abstractmethod
    def tables(self) -> set[str]:
        """The names of the tables (and views) a query of this source may read."""

    @abstractmethod
    def execute(self, sql: str) -> pd.DataFrame:
        """Run one read-only query (already checked) and return its rows."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection."""

    def fetch(self, query: Query) -> pd.DataFrame:
        """Run ``query`` and return its numbers as the long frame ``metric``, ``layer``,
        ``period``, ``value`` (rows with no number left out)."""
        import numpy as np
        import pandas as pd

        wide = self.execute(query.sql)
        if query.keys:
            wide = _unsplit(wide, query)
        n = len(wide)
        columns = ([f"o{i}" for i in range(len(query.outputs))] if query.keys
                   else [column for column, _, _ in query.outputs])
        values = np.column_stack([
            pd.to_numeric(wide[c], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            for c in columns]) if columns else np.empty((n, 0))
        long = pd.DataFrame({
            "metric": np.repeat([m for _, m, _ in query.outputs], n),
            "layer": np.repeat([layer for _, _, layer in query.outputs], n),
            "period": np.tile(wide["period"].to_numpy(), len(columns)),
            "value": values.ravel(order="F")}, columns=COLUMNS)
        return long[long["value"].notna()].reset_index(drop=True)

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _unsplit(rows: pd.DataFrame, query: Query) -> pd.DataFrame:
    """The rows of a query grouped by period and key as one row per period and one column per
    output (``o0``, ``o1``, ...); a missing (period, key) row reads as the output's fill (0
    for a count, as a filtered count gives), and ``query.outputs`` is read as those columns."""
    import numpy as np
    import pandas as pd

    periods = pd.unique(rows["period"])
    out = {"period": periods}
    index = pd.Index(periods)
    for i, ((column, _, _), key, fill) in enumerate(zip(query.outputs, query.keys,
                                                        query.fills)):
        part = rows[rows["k"] == key]
        values = np.full(len(periods), fill)
        at = index.get_indexer(part["period"])
        values[at] = pd.to_numeric(part[column], errors="coerce").to_numpy(
            dtype=float, na_value=np.nan)
        out[f"o{i}"] = values
    return pd.DataFrame(out)
