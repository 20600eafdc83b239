"""DuckDB, embedded: the default engine. Needs no server.

``url: duckdb://`` is an in-memory database over the files the source's ``tables`` declare
(CSV, Parquet, JSON; relative to the tree file); ``duckdb:///warehouse.duckdb`` opens a
database file (relative; ``duckdb:////abs/path.duckdb`` absolute) read-only, and its tables
and views can be queried beside the declared files.

Locked down before any query of the tree runs: each declared file is the only path DuckDB may
open (``allowed_paths``; a glob's folder for ``data/*.parquet``), external access is then
switched off (no other file, no URL, no extension install or load), extension autoloading is
off, and the configuration is locked so no query can change it back.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import KPITreeError
from .base import Engine

if TYPE_CHECKING:
    import pandas as pd

    from ..spec import ResolvedSource

READERS = {".csv": "read_csv", ".tsv": "read_csv", ".txt": "read_csv", ".parquet": "read_parquet",
           ".pq": "read_parquet", ".json": "read_json", ".jsonl": "read_json",
           ".ndjson": "read_json"}


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def database_path(source: ResolvedSource) -> str | None:
    """The database file of a ``duckdb:///file`` URL, absolute (None: in memory)."""
    rest = source.url.split("://", 1)[1]
    if rest in ("", "/", "/:memory:", ":memory:"):
        return None
    if not rest.startswith("/"):
        raise KPITreeError(f"sources.{source.name}.url: write a database file as "
                           "duckdb:///relative/file.duckdb or duckdb:////absolute/file.duckdb")
    path = Path(rest[1:]).expanduser()
    if not path.is_absolute():
        path = Path(source.base_dir or os.getcwd()) / path
    return str(path.resolve())


class DuckDBEngine(Engine):
    """An embedded DuckDB connection that can read only what the source declares."""

    dialect = "duckdb"

    def __init__(self, source: ResolvedSource) -> None:
        super().__init__(source)
        import duckdb

        where = f"sources.{source.name}"
        self._views: set[str] = set()
        files: list[str] = []
        folders: list[str] = []
        readers: dict[str, tuple[str, str]] = {}
        for table, file in source.tables.items():
            suffix = Path(file).suffix.lower()
            reader = READERS.get(suffix)
            if reader is None:
                raise KPITreeError(f"{where}.tables.{table}: {Path(file).name!r} is not a file "
                                   f"DuckDB reads here (use {', '.join(sorted(READERS))})")
            if any(ch in file for ch in "*?["):
                folders.append(str(Path(file).parent))
            elif not Path(file).is_file():
                raise KPITreeError(f"{where}.tables.{table}: no file at "
                                   f"{source.scrub(file)!r}")
            else:
                files.append(file)
            readers[table] = (reader, file)
        database = database_path(source)
        if database is not None and not Path(database).is_file():
            raise KPITreeError(f"{where}.url: no database file at {source.scrub(database)!r}")
        try:
            self._con: Any = duckdb.connect(database or ":memory:", read_only=database is not None,
                                            config={"autoinstall_known_extensions": False,
                                                    "autoload_known_extensions": False})
            con = self._con
            if files:
                con.execute(f"SET allowed_paths = [{', '.join(map(_quote, files))}]")
            if folders:
                con.execute(f"SET allowed_directories = [{', '.join(map(_quote, folders))}]")
            con.execute("SET enable_external_access = false")
            for table, (reader, file) in readers.items():
                con.execute(f"CREATE TEMP VIEW {_ident(table)} AS SELECT * FROM "
                            f"{reader}({_quote(file)})")
                self._views.add(table)
            con.execute("SET lock_configuration = true")
        except duckdb.Error as exc:
            self.close()
            raise KPITreeError(f"{where}: {source.scrub(str(exc).splitlines()[0])}") from None

    def tables(self) -> set[str]:
        rows = self._con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables").fetchall()
        names = set(self._views)
        for schema, name in rows:
            names.add(name)
            names.add(f"{schema}.{name}")
        return names

    def execute(self, sql: str) -> pd.DataFrame:
        return self._con.execute(sql).df()

    def close(self) -> None:
        con = getattr(self, "_con", None)
        if con is not None:
            con.close()
            self._con = None
