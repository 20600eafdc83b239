"""Client-server databases and warehouses through SQLAlchemy: PostgreSQL first, and the same
layer for every database SQLAlchemy has a dialect for (Snowflake, BigQuery, Trino, MySQL,
SQL Server, Redshift, Databricks, ...; each needs its driver installed).

``url: postgresql+psycopg://${PGUSER}:${PGPASSWORD}@db.internal:5432/analytics`` is an
SQLAlchemy URL whose ``${VAR}`` parts are read from the environment when the source connects,
each part on its own (a password may hold ``@`` or ``/``). Declarative sources are compiled by
sqlglot into the database's dialect; ``sql`` sources are checked read-only like every query of
a tree file (they are written in DuckDB's SQL, close to PostgreSQL's, and rewritten into the
database's dialect).

Where the database has read-only transactions, every query runs in one and is rolled back:
PostgreSQL (and Redshift) through the driver's read-only mode, MySQL and MariaDB with
``SET SESSION TRANSACTION READ ONLY``. Other warehouses have none: give their source a role
that can only read.

>>> dialect_of("postgresql+psycopg://${PGUSER}:${PGPASSWORD}@db/x"), dialect_of("mssql://h/db")
('postgres', 'tsql')
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...errors import KPITreeError
from ..spec import expand
from .base import Engine

if TYPE_CHECKING:
    import pandas as pd

    from ..spec import ResolvedSource

# SQLAlchemy's backend name -> sqlglot's dialect name
DIALECTS = {"postgresql": "postgres", "postgres": "postgres", "redshift": "redshift",
            "snowflake": "snowflake", "bigquery": "bigquery", "trino": "trino",
            "presto": "presto", "mysql": "mysql", "mariadb": "mysql", "mssql": "tsql",
            "oracle": "oracle", "databricks": "databricks", "clickhouse": "clickhouse",
            "sqlite": "sqlite"}
# the package a backend's SQLAlchemy dialect comes in, for the message when it is missing
DRIVERS = {"postgresql": "psycopg[binary]", "postgres": "psycopg[binary]",
           "redshift": "sqlalchemy-redshift", "snowflake": "snowflake-sqlalchemy",
           "bigquery": "sqlalchemy-bigquery", "trino": "trino[sqlalchemy]",
           "presto": "pyhive[presto]", "mysql": "pymysql", "mariadb": "pymysql",
           "mssql": "pyodbc", "oracle": "oracledb", "databricks": "databricks-sqlalchemy",
           "clickhouse": "clickhouse-sqlalchemy"}
SCHEMES = tuple(DIALECTS)
MAX_SCHEMAS = 50  # more schemas than this: only the default one's tables are listed
_SYSTEM_SCHEMAS = {"information_schema", "pg_catalog", "pg_toast", "mysql", "sys",
                   "performance_schema"}


def backend_of(url: str) -> str:
    """The backend of an SQLAlchemy URL: ``postgresql+psycopg://...`` -> ``postgresql``."""
    return url.split("://", 1)[0].split("+", 1)[0].lower()


def dialect_of(url: str) -> str:
    """sqlglot's name for the SQL dialect of an SQLAlchemy URL."""
    return DIALECTS.get(backend_of(url), "postgres")


def _url(source: ResolvedSource) -> Any:
    """The SQLAlchemy URL: the URL as written, parsed first, then each ``${VAR}`` part read
    (so a password holding ``@``, ``:`` or ``/`` stays one part)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    where = f"sources.{source.name}.url"
    written = source.config.url
    if written.startswith("postgres://"):  # the libpq spelling SQLAlchemy no longer reads
        written = "postgresql://" + written[len("postgres://"):]
    secrets: list[str] = []
    try:
        url = make_url(written)
    except (ArgumentError, ValueError):  # e.g. a port written as ${PGPORT}: read it all first
        try:
            return make_url(expand(written, where, secrets))
        except (ArgumentError, ValueError):
            raise KPITreeError(f"{where}: not a database URL SQLAlchemy reads, such as "
                               "postgresql+psycopg://${PGUSER}:${PGPASSWORD}@host/db") from None
    if url.drivername == "postgresql":  # psycopg (3) is the driver the package installs
        url = url.set(drivername="postgresql+psycopg")
    def part(key: str) -> str | None:
        value = getattr(url, key)
        return None if value is None else expand(value, where, secrets)

    query = {key: expand(value, where, secrets) if isinstance(value, str)
             else tuple(expand(v, where, secrets) for v in value)
             for key, value in url.query.items()}
    return url.set(username=part("username"), password=part("password"), host=part("host"),
                   database=part("database"), query=query)


class SQLAlchemyEngine(Engine):
    """A connection through SQLAlchemy, read-only where the database can be told so."""

    def __init__(self, source: ResolvedSource) -> None:
        super().__init__(source)
        backend = backend_of(source.config.url)
        self.dialect = dialect_of(source.config.url)
        where = f"sources.{source.name}.url"
        try:
            import sqlalchemy
        except ImportError:
            raise KPITreeError(f"{where}: no engine for {backend}:// is installed here "
                               "(pip install sqlalchemy 'psycopg[binary]': the package's "
                               "sql extra)") from None
        from sqlalchemy.exc import NoSuchModuleError

        url = _url(source)
        try:
            self._engine: Any = sqlalchemy.create_engine(
                url, poolclass=sqlalchemy.pool.NullPool, hide_parameters=True)
        except (NoSuchModuleError, ImportError) as exc:
            package = DRIVERS.get(backend, f"the SQLAlchemy dialect for {backend}")
            raise KPITreeError(f"{where}: no engine for {backend}:// is installed here "
                               f"(pip install {package}; {source.scrub(str(exc))})") from None
        self._con: Any = None
        self._con = self._connect(backend)

    def _connect(self, backend: str) -> Any:
        con = self._engine.connect()
        options: dict[str, Any] = {"no_parameters": True}
        if self._engine.dialect.name in ("postgresql", "redshift"):
            options["postgresql_readonly"] = True
        con = con.execution_options(**options)
        if self._engine.dialect.name in ("mysql", "mariadb"):
            con.exec_driver_sql("SET SESSION TRANSACTION READ ONLY")
            con.commit()
        return con

    def tables(self) -> set[str]:
        import sqlalchemy

        inspector = sqlalchemy.inspect(self._con)
        names: set[str] = set()
        try:
            default = inspector.default_schema_name
            schemas = [s for s in inspector.get_schema_names()
                       if s.lower() not in _SYSTEM_SCHEMAS]
            if len(schemas) > MAX_SCHEMAS:  # a big warehouse: its default schema only
                schemas = [default] if default else []
            for schema in schemas:
                for name in [*inspector.get_table_names(schema=schema),
                             *inspector.get_view_names(schema=schema)]:
                    names.add(f"{schema}.{name}")
                    if schema == default:
                        names.add(name)
        finally:
            self._con.rollback()
        return names

    def execute(self, sql: str) -> pd.DataFrame:
        import pandas as pd

        try:
            result = self._con.exec_driver_sql(sql)
            frame = pd.DataFrame.from_records(result.fetchall(), columns=list(result.keys()))
        finally:
            self._con.rollback()  # nothing a query did is ever committed
        return frame

    def close(self) -> None:
        con, self._con = getattr(self, "_con", None), None
        if con is not None:
            con.close()
        engine = getattr(self, "_engine", None)
        if engine is not None:
            engine.dispose()
