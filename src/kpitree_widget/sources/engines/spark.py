"""Apache Spark, for event tables too big for one machine: local mode or a remote session.

| URL | Session |
|---|---|
| ``spark://local`` (``spark://local[4]``) | Spark in this process's JVM, all cores (or 4) |
| ``spark://host:7077`` | a standalone Spark cluster's master |
| ``sc://host:15002`` | a remote Spark Connect server |

The files the source's ``tables`` declare (Parquet files or folders, CSV, TSV, JSON; globs;
relative to the tree file) are registered as temporary views of those names, and the same
compiled SQL as every engine's (sqlglot's ``spark`` dialect) runs through ``spark.sql``. A
session already running in the process (a notebook's ``spark``) is used as it is and left
running; the engine drops its views when it closes.

Spark has no read-only transactions: what keeps a query to reading the declared tables is the
check every query of a tree file passes (one ``SELECT``; no statement, no file path such as
``parquet.`/etc/passwd```, no ``reflect``/``java_method``), and reading SQL directly on files
is switched off (``spark.sql.runSQLOnFiles``) while the engine is open.

>>> master_of("spark://local"), master_of("spark://local[2]"), master_of("spark://h:7077")
('local[*]', 'local[2]', 'spark://h:7077')
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import KPITreeError
from .base import Engine

if TYPE_CHECKING:
    import pandas as pd

    from ..spec import ResolvedSource

READERS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".tsv": "tsv",
           ".txt": "csv", ".json": "json", ".jsonl": "json", ".ndjson": "json"}
SCHEMES = ("spark", "sc")


def master_of(url: str) -> str:
    """The Spark master of a ``spark://`` URL: ``local[*]`` for ``spark://`` or
    ``spark://local``, ``local[N]`` for ``spark://local[N]``, the URL itself for a cluster."""
    rest = url.split("://", 1)[1].strip("/")
    if rest in ("", "local"):
        return "local[*]"
    if rest.startswith("local"):
        return rest
    return url


def _session(source: ResolvedSource) -> Any:
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise KPITreeError(f"sources.{source.name}.url: no engine for "
                           f"{source.config.scheme}:// is installed here (pip install pyspark: the "
                           "package's spark extra; and a Java runtime)") from None
    if source.config.scheme == "sc":
        return SparkSession.builder.remote(source.url).getOrCreate()
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    session = (SparkSession.builder.master(master_of(source.url)).appName("kpitree")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    return session


class SparkEngine(Engine):
    """A Spark session over the declared files, registered as temporary views."""

    dialect = "spark"

    def __init__(self, source: ResolvedSource) -> None:
        super().__init__(source)
        where = f"sources.{source.name}"
        readers = {}
        for table, file in source.tables.items():
            kind = READERS.get(Path(file).suffix.lower())
            if kind is None and Path(file).is_dir():
                kind = "parquet"  # a folder of Parquet parts, as Spark writes a table
            if kind is None:
                raise KPITreeError(f"{where}.tables.{table}: {Path(file).name!r} is not a file "
                                   f"Spark reads here (use {', '.join(sorted(READERS))} or a "
                                   "folder of Parquet files)")
            if not any(ch in file for ch in "*?[") and not Path(file).exists():
                raise KPITreeError(f"{where}.tables.{table}: no file at "
                                   f"{source.scrub(file)!r}")
            readers[table] = (kind, file)
        self._views: list[str] = []
        self._spark: Any = _session(source)
        self._run_on_files: str | None = None
        taken = {t.name for t in self._spark.catalog.listTables() if t.isTemporary}
        for table in readers:
            if table in taken:  # a view of the notebook's own: never replaced, never dropped
                raise KPITreeError(f"{where}.tables.{table}: the Spark session already has a "
                                   f"temporary view {table!r}; name the table otherwise")
        try:
            self._run_on_files = self._spark.conf.get("spark.sql.runSQLOnFiles", "true")
            self._spark.conf.set("spark.sql.runSQLOnFiles", "false")
        except Exception:  # a remote server may not let a client change it
            self._run_on_files = None
        try:
            for table, (kind, file) in readers.items():
                read = self._spark.read
                if kind in ("csv", "tsv"):
                    frame = (read.option("header", "true").option("inferSchema", "true")
                             .option("sep", "\t" if kind == "tsv" else ",").csv(file))
                else:
                    frame = getattr(read, kind)(file)
                frame.createOrReplaceTempView(table)
                self._views.append(table)
        except Exception as exc:
            self.close()
            text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            if "TIMESTAMP(NANOS" in text:
                text += ("; Spark reads timestamps in microseconds: write the file with "
                         "to_parquet(..., coerce_timestamps='us')")
            raise KPITreeError(f"{where}: {source.scrub(text)}") from None

    def tables(self) -> set[str]:
        names = set(self._views)
        for table in self._spark.catalog.listTables():
            names.add(table.name)
            if table.database:
                names.add(f"{table.database}.{table.name}")
        return names

    def execute(self, sql: str) -> pd.DataFrame:
        return self._spark.sql(sql).toPandas()

    def close(self) -> None:
        spark = getattr(self, "_spark", None)
        if spark is None:
            return
        for view in getattr(self, "_views", []):
            spark.catalog.dropTempView(view)
        self._views = []
        if self._run_on_files is not None:
            spark.conf.set("spark.sql.runSQLOnFiles", self._run_on_files)
            self._run_on_files = None
