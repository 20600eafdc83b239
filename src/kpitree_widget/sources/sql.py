"""Queries made safe and compiled: every text from a tree file is parsed with sqlglot before it
reaches an engine.

- A ``sql`` source must be one read-only ``SELECT`` (``WITH`` ... ``SELECT``, ``UNION``):
  DDL, DML, ``COPY``, ``ATTACH``, ``INSTALL``/``LOAD``, ``PRAGMA``, ``SET``, ``CALL``,
  ``EXPORT``, ``SELECT ... INTO``, a data-modifying ``WITH``, several statements, table
  functions (``read_csv('/etc/passwd')``) and tables the source does not declare are refused.
- ``measure`` and ``where`` are parsed as expressions: no statement, no subquery; a measure
  must aggregate (``count(*)``, ``sum(amount)``), a filter must not.
- Declarative sources on one table, time column and grain compile into ONE grouped query
  (``count(*) FILTER (WHERE ...)`` per metric), written in the engine's dialect.

>>> q = compile_group("events", "ts", "month", [
...     Measure("signups", "value", "count(*)", "event = 'signup'"),
...     Measure("revenue", "value", "sum(amount)", None)])
>>> print(q.sql)
SELECT DATE_TRUNC('MONTH', ts) AS period, COUNT(*) FILTER(WHERE event = 'signup') AS v0, \
SUM(amount) AS v1 FROM events WHERE NOT ts IS NULL GROUP BY DATE_TRUNC('MONTH', ts)
>>> check_query("DROP TABLE events", "metrics.x.source.sql", {"events"})
Traceback (most recent call last):
...
kpitree_widget.errors.KPITreeError: metrics.x.source.sql: only a read-only SELECT query is \
allowed; this is a DROP statement
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..errors import KPITreeError, did_you_mean

BASE_DIALECT = "duckdb"  # the dialect tree files are written in
# statements and clauses that write, reach outside the database or change settings
_FORBIDDEN_NODES = ("Insert", "Update", "Delete", "Merge", "Create", "Drop", "Alter",
                    "AlterTable", "Command", "Copy", "Pragma", "Set", "SetItem", "Attach",
                    "Detach", "Install", "Use", "Transaction", "Commit", "Rollback", "Into",
                    "Summarize", "Describe", "Returning", "LoadData", "Export", "Cache",
                    "Uncache", "Refresh", "TruncateTable", "Analyze", "Grant", "Revoke",
                    "Comment", "Kill", "Show")
# functions that read files, URLs, settings or the environment (names compared lower-case)
_FORBIDDEN_PREFIXES = ("read_", "parquet_", "sniff_", "iceberg_", "delta_", "pg_", "lo_",
                       "dblink", "sqlite_", "mysql_", "postgres_", "duckdb_", "pragma_")
_FORBIDDEN_FUNCTIONS = {"glob", "query", "query_table", "getenv", "current_setting",
                        "set_config", "load_extension", "shell", "system", "file", "url",
                        "readfile", "writefile", "http_get", "http_post", "copy", "export",
                        "checkpoint", "force_checkpoint", "icu_sort_key", "which_secret",
                        "read_text", "read_blob", "scan_arrow_ipc", "arrow_scan",
                        # Spark: calling any Java method; the file a row was read from
                        "reflect", "java_method", "try_reflect", "input_file_name"}
_FORBIDDEN_CLASSES = {"ReadCSV": "read_csv", "ReadParquet": "read_parquet",
                      "ReadJSON": "read_json"}


@dataclass(frozen=True)
class Measure:
    """One metric's part of a grouped query: its id, the layer it feeds (``value`` or
    ``target``), its aggregate and its optional filter, as written in the file."""

    metric: str
    layer: str
    measure: str
    where: str | None


@dataclass(frozen=True)
class Query:
    """A compiled query for one source: ``sql`` in the engine's dialect returns a ``period``
    column and, for each ``(column, metric, layer)`` of ``outputs``, that column's numbers."""

    sql: str
    outputs: tuple[tuple[str, str, str], ...]
    table: str | None = None  # the one table a declarative query reads (None for sql sources)
    # a query grouped by period and a key column (``key``): output i reads its column on the
    # rows whose key is ``keys[i]``; where that row is missing, ``fills[i]`` (0 for a count)
    keys: tuple[Any, ...] = ()
    fills: tuple[float, ...] = ()

    @property
    def metrics(self) -> list[str]:
        """The metric ids this query feeds."""
        return [metric for _, metric, _ in self.outputs]


def _sqlglot() -> Any:
    import sqlglot

    return sqlglot


def _parse_error(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if errors:
        first = errors[0]
        return (f"{first.get('description', 'not valid SQL')} at line {first.get('line')}, "
                f"column {first.get('col')}")
    return str(exc).splitlines()[0] if str(exc) else "not valid SQL"


def _check_nodes(tree: Any, where: str) -> None:
    """Refuse writes, settings and file- or network-reading functions anywhere in ``tree``."""
    from sqlglot import exp

    forbidden = tuple(getattr(exp, name) for name in _FORBIDDEN_NODES if hasattr(exp, name))
    readers = tuple(getattr(exp, name) for name in _FORBIDDEN_CLASSES if hasattr(exp, name))
    for node in tree.walk():
        if isinstance(node, forbidden):
            raise KPITreeError(f"{where}: only a read-only SELECT query is allowed; found "
                               f"{_kind(node)}")
        name = None
        if isinstance(node, readers):
            name = _FORBIDDEN_CLASSES[type(node).__name__]
        elif isinstance(node, exp.Anonymous):
            name = str(node.name)
        elif isinstance(node, exp.Func):
            name = node.sql_name()
        if name is not None:
            low = name.lower()
            if (isinstance(node, readers) or low in _FORBIDDEN_FUNCTIONS
                    or low.startswith(_FORBIDDEN_PREFIXES)):
                raise KPITreeError(f"{where}: the function {low}() is not allowed (it reads "
                                   "files, URLs, settings or the environment); name a table "
                                   "the source declares")


def _kind(node: Any) -> str:
    from sqlglot import exp

    if not isinstance(node, exp.Expression) or isinstance(node, (exp.Column, exp.Identifier)):
        return "not a query"
    key = str(getattr(node, "key", "") or type(node).__name__)
    text = str(getattr(node, "this", "") or "")
    if type(node).__name__ == "Command" and text:
        key = text.split()[0]
    word = key.upper()
    return f"{'an' if word[:1] in 'AEIOU' else 'a'} {word} statement"


@contextmanager
def _quiet() -> Iterator[None]:
    """sqlglot warns on its logger when it falls back to reading a statement as a command;
    the refusal says it better."""
    logger = logging.getLogger("sqlglot")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def check_query(sql: str, where: str, tables: set[str] | None,
                dialect: str = BASE_DIALECT) -> Any:
    """Parse ``sql`` and return its expression if it is one read-only query that reads only
    ``tables`` (None: any table name; the engine then checks); a :class:`KPITreeError`
    naming ``where`` otherwise."""
    sqlglot = _sqlglot()
    from sqlglot import exp
    from sqlglot.errors import ParseError, TokenError

    try:
        with _quiet():
            statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except (ParseError, TokenError) as exc:
        raise KPITreeError(f"{where}: not a query this engine reads: {_parse_error(exc)}; "
                           "only one read-only SELECT query is allowed") from None
    if len(statements) != 1:
        raise KPITreeError(f"{where}: {len(statements)} statements; write exactly one "
                           "read-only SELECT query")
    query = statements[0]
    if not isinstance(query, (exp.Select, exp.SetOperation)):
        raise KPITreeError(f"{where}: only a read-only SELECT query is allowed; this is "
                           f"{_kind(query)}")
    _check_nodes(query, where)
    ctes = {cte.alias_or_name.lower() for cte in query.find_all(exp.CTE)}
    known = {t.lower(): t for t in tables} if tables is not None else None
    for table in query.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            raise KPITreeError(f"{where}: {table.sql(dialect=dialect)!r} is not a table the "
                               "source declares; name a table listed under the source's tables")
        name = ".".join(p for p in (table.catalog, table.db, table.name) if p)
        if name.lower() in ctes or known is None:
            continue
        if name.lower() not in known and table.name.lower() not in known:
            raise KPITreeError(f"{where}: unknown table {name!r}"
                               f"{did_you_mean(name, list(known.values()))}; a query reads "
                               "only the tables its source declares")
    return query


def check_expression(text: str, where: str, *, aggregate: bool,
                     dialect: str = BASE_DIALECT) -> Any:
    """Parse ``text`` as one SQL expression (no statement, no subquery): an aggregate for a
    ``measure`` (``aggregate=True``), a row filter for ``where``. The expression returned is
    shared (parsed once per text): copy it before changing it."""
    return _checked_expression(text, where, aggregate, dialect)


@lru_cache(maxsize=4096)
def _checked_expression(text: str, where: str, aggregate: bool, dialect: str) -> Any:
    sqlglot = _sqlglot()
    from sqlglot import exp
    from sqlglot.errors import ParseError, TokenError

    try:
        with _quiet():
            expr = sqlglot.parse_one(text, read=dialect)
    except (ParseError, TokenError) as exc:
        raise KPITreeError(f"{where}: not an SQL expression: {_parse_error(exc)}") from None
    if isinstance(expr, (exp.Query, exp.Subquery)) or expr.find(exp.Query, exp.Subquery):
        raise KPITreeError(f"{where}: a subquery is not allowed here; write an expression "
                           "over the table's columns such as "
                           + ("sum(amount)" if aggregate else "event = 'signup'"))
    if not isinstance(expr, exp.Condition) and not isinstance(expr, exp.Func):
        raise KPITreeError(f"{where}: not an SQL expression ({_kind(expr)})")
    _check_nodes(expr, where)
    if expr.find(exp.Window):
        raise KPITreeError(f"{where}: window functions (OVER) are not allowed here")
    has_agg = expr.find(exp.AggFunc) is not None
    if aggregate and not has_agg:
        raise KPITreeError(f"{where}: {text!r} does not aggregate; a measure sums or counts "
                           "the rows of a period: count(*), sum(amount), avg(price), "
                           "count(DISTINCT user_id)")
    if not aggregate and has_agg:
        raise KPITreeError(f"{where}: {text!r} aggregates; 'where' filters rows (write the "
                           "aggregate in 'measure')")
    return expr


def _column(name: str) -> Any:
    from sqlglot import exp

    return exp.column(exp.to_identifier(name))


def period_expression(time: str, grain: str) -> Any:
    """``DATE_TRUNC(grain, time)``: the start of the period a row falls in (a timestamp
    truncation, which every dialect writes for every grain: Spark's ``TRUNC`` of a date knows
    no ``DAY``)."""
    from sqlglot import exp

    return exp.TimestampTrunc(unit=exp.Literal.string(grain.upper()), this=_column(time))


def compile_group(table: str, time: str, grain: str, measures: list[Measure],
                  dialect: str = BASE_DIALECT) -> Query:
    """One grouped query over ``table`` for every measure on it: one row per period, one
    column per metric (its filter as ``FILTER (WHERE ...)`` on its aggregates)."""
    from sqlglot import exp

    period = period_expression(time, grain)
    split = _split(measures)
    if split is not None:
        return _compile_split(table, time, period, measures, split, dialect)
    columns = [exp.alias_(period, "period")]
    outputs = []
    for i, m in enumerate(measures):
        here = f"metrics.{m.metric}.{'source' if m.layer == 'value' else 'target_source'}"
        agg = check_expression(m.measure, f"{here}.measure", aggregate=True)
        if m.where is not None:
            cond = check_expression(m.where, f"{here}.where", aggregate=False)

            def filtered(node: Any, cond: Any = cond) -> Any:
                if isinstance(node, exp.AggFunc) and not isinstance(node.parent, exp.Filter):
                    return exp.Filter(this=node.copy(),
                                      expression=exp.Where(this=cond.copy()))
                return node

            agg = agg.transform(filtered)
        else:
            agg = agg.copy()
        columns.append(exp.alias_(agg, f"v{i}"))
        outputs.append((f"v{i}", m.metric, m.layer))
    select = (exp.select(*columns).from_(exp.Table(this=exp.to_identifier(table)))
              .where(exp.not_(exp.Is(this=_column(time), expression=exp.Null())))
              .group_by(period.copy()))
    return Query(sql=select.sql(dialect=dialect), outputs=tuple(outputs), table=table)


def _split(measures: list[Measure]) -> tuple[str, list[Any], list[Any]] | None:
    """When every measure is one plain aggregate filtered by ``column = literal`` on one
    column, the key column, each measure's literal value and aggregate: the group can then be
    one ``GROUP BY period, column`` with one aggregate per distinct measure, instead of one
    filtered aggregate per metric (the same numbers, one pass instead of one per metric)."""
    from sqlglot import exp

    if len(measures) < 2:
        return None
    column = None
    keys, aggs = [], []
    for m in measures:
        if m.where is None:
            return None
        agg = check_expression(m.measure, "measure", aggregate=True)
        cond = check_expression(m.where, "where", aggregate=False)
        if not isinstance(agg, exp.AggFunc) or isinstance(agg, exp.Filter):
            return None
        if not (isinstance(cond, exp.EQ) and isinstance(cond.this, exp.Column)
                and isinstance(cond.expression, exp.Literal) and not cond.this.table):
            return None
        name = cond.this.name
        if column is None:
            column = name
        elif name != column:
            return None
        lit = cond.expression
        keys.append(lit.this if lit.is_string else float(lit.this))
        aggs.append(agg)
    assert column is not None
    return column, keys, aggs


def _compile_split(table: str, time: str, period: Any, measures: list[Measure],
                   split: tuple[str, list[Any], list[Any]], dialect: str) -> Query:
    from sqlglot import exp

    column, keys, aggs = split
    distinct: dict[str, int] = {}
    columns = [exp.alias_(period, "period"), exp.alias_(_column(column), "k")]
    outputs = []
    for m, agg in zip(measures, aggs):
        text = agg.sql(dialect=BASE_DIALECT)
        if text not in distinct:
            distinct[text] = len(distinct)
            columns.append(exp.alias_(agg.copy(), f"a{distinct[text]}"))
        outputs.append((f"a{distinct[text]}", m.metric, m.layer))
    literals = [exp.Literal.string(k) if isinstance(k, str) else exp.Literal.number(k)
                for k in dict.fromkeys(keys)]
    select = (exp.select(*columns).from_(exp.Table(this=exp.to_identifier(table)))
              .where(exp.and_(exp.not_(exp.Is(this=_column(time), expression=exp.Null())),
                              exp.In(this=_column(column), expressions=literals)))
              .group_by(period.copy(), _column(column)))
    fills = tuple(0.0 if isinstance(a, exp.Count) else float("nan") for a in aggs)
    return Query(sql=select.sql(dialect=dialect), outputs=tuple(outputs), table=table,
                 keys=tuple(keys), fills=fills)


def check_measure(m: Measure) -> None:
    """Check one metric's ``measure`` and ``where`` (a refusal names that metric)."""
    here = f"metrics.{m.metric}.{'source' if m.layer == 'value' else 'target_source'}"
    check_expression(m.measure, f"{here}.measure", aggregate=True)
    if m.where is not None:
        check_expression(m.where, f"{here}.where", aggregate=False)


def compile_sql(metric: str, layer: str, sql: str, tables: set[str] | None,
                dialect: str = BASE_DIALECT) -> Query:
    """A ``sql`` source checked and wrapped so that it returns ``period`` and one value
    column, written in the engine's dialect."""
    from sqlglot import exp

    here = f"metrics.{metric}.{'source' if layer == 'value' else 'target_source'}.sql"
    query = check_query(sql, here, tables)
    names = [s.alias_or_name.lower() for s in query.selects] if isinstance(
        query, exp.Select) else None
    if names is not None and "*" not in names:
        for column in ("period", "value"):
            if column not in names:
                raise KPITreeError(f"{here}: the query returns no {column!r} column (it "
                                   f"returns {', '.join(names) or 'nothing'}); name them "
                                   "with AS period and AS value")
    outer = exp.select(exp.column("period"), exp.alias_(exp.column("value"), "v0")).from_(
        query.subquery("q"))
    return Query(sql=outer.sql(dialect=dialect), outputs=(("v0", metric, layer),))
