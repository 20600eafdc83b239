"""What a tree file says about where its numbers live: the ``sources:`` it declares and the
``source:`` / ``target_source:`` of its metrics, as small frozen records.

These records only hold and check the text of the file (names, a URL, table files, the parts
of a query); compiling queries, checking them with a SQL parser and running them is the job of
:mod:`kpitree_widget.sources`, a layer above. Credentials are never written in a URL: a
password is a ``${VAR}`` reference to the environment, read when a source connects.

>>> src = SourceConfig.from_value("events", {"url": "duckdb://", "tables": {"events": "e.csv"}})
>>> src.to_dict()
{'url': 'duckdb://', 'tables': {'events': 'e.csv'}}
>>> MetricSource.from_value({"from": "events", "table": "events", "time": "ts",
...                          "measure": "count(*)"}, "metrics.signups.source").kind
'declarative'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import KPITreeError, did_you_mean

GRAINS = ("day", "week", "month", "quarter", "year")
DEFAULT_GRAIN = "month"
DEFAULT_URL = "duckdb://"
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # a source, table or column name (matched whole)
VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*)://(.*)", re.DOTALL)
_USERINFO = re.compile(r"^([^/@?#]*)@")
SOURCE_FIELDS = ("from", "table", "time", "measure", "where", "sql")
CONFIG_FIELDS = ("url", "tables")
MAX_TEXT = 20_000  # the longest query or expression a file may hold


def grain_of(config: Mapping[str, Any]) -> str:
    """The tree's grain (``config.grain``): the length of a period a source's rows are
    grouped by; ``month`` when not set.

    >>> grain_of({}), grain_of({"grain": "week"})
    ('month', 'week')
    """
    grain = config.get("grain", DEFAULT_GRAIN)
    if grain not in GRAINS:
        raise KPITreeError(f"config.grain: {grain!r} is not one of {', '.join(GRAINS)}"
                           f"{did_you_mean(str(grain), GRAINS)}")
    return str(grain)


def _text(value: Any, where: str, *, name: bool = False) -> str:
    if not isinstance(value, str) or not value.strip():
        raise KPITreeError(f"{where}: expected {'a name' if name else 'text'}, got {value!r}")
    if len(value) > MAX_TEXT:
        raise KPITreeError(f"{where}: longer than {MAX_TEXT:,} characters")
    if name and not NAME.fullmatch(value):
        raise KPITreeError(f"{where}: {value!r} is not a plain name (letters, digits and "
                           "underscores, not starting with a digit)")
    return value


@dataclass(frozen=True)
class MetricSource:
    """Where one metric's actuals (``source``) or plan (``target_source``) come from.

    Declarative: rows of ``table`` in source ``from_``, grouped by the period of column
    ``time``, aggregated by ``measure`` (``count(*)``, ``sum(amount)``), filtered by ``where``.
    Or ``sql``: one read-only query returning ``period`` and ``value`` columns.
    """

    from_: str
    table: str | None = None
    time: str | None = None
    measure: str | None = None
    where: str | None = None
    sql: str | None = None

    @property
    def kind(self) -> str:
        """``declarative`` or ``sql``."""
        return "sql" if self.sql is not None else "declarative"

    @classmethod
    def from_value(cls, value: Any, where: str) -> MetricSource:
        """A checked record from a mapping shaped like the file (or a record already)."""
        if isinstance(value, MetricSource):
            value = value.to_dict()
        if not isinstance(value, Mapping):
            raise KPITreeError(f"{where}: expected a mapping with 'from' and either 'sql' or "
                               f"'table', 'time' and 'measure', got {type(value).__name__}")
        for key in value:
            if key not in SOURCE_FIELDS:
                raise KPITreeError(f"{where}.{key}: unknown field"
                                   f"{did_you_mean(str(key), SOURCE_FIELDS)}")
        if "from" not in value:
            raise KPITreeError(f"{where}.from: required field is missing (the name of a "
                               "source declared under 'sources')")
        given = {k: _text(v, f"{where}.{k}", name=k in ("from", "table", "time"))
                 for k, v in value.items() if v is not None}
        if "sql" in given:
            extra = [k for k in ("table", "time", "measure", "where") if k in given]
            if extra:
                raise KPITreeError(f"{where}.{extra[0]}: a source is either 'sql' or "
                                   "'table', 'time' and 'measure', not both")
        else:
            for k in ("table", "time", "measure"):
                if k not in given:
                    raise KPITreeError(f"{where}.{k}: required field is missing (or give "
                                       "'sql': a query returning period and value)")
        return cls(from_=given["from"], table=given.get("table"), time=given.get("time"),
                   measure=given.get("measure"), where=given.get("where"), sql=given.get("sql"))

    def to_dict(self) -> dict[str, str]:
        """The mapping a file holds (``from`` first)."""
        out = {"from": self.from_}
        for key in ("table", "time", "measure", "where", "sql"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


def redact(url: str) -> str:
    """``url`` with any password hidden (``${VAR}`` references are shown, they hold none).

    >>> redact("postgresql://ana:s3cret@db/x"), redact("postgresql://${U}:${P}@db/x")
    ('postgresql://ana:***@db/x', 'postgresql://${U}:${P}@db/x')
    """
    m = _SCHEME.fullmatch(url)
    if not m:
        return url
    scheme, rest = m.groups()
    info = _USERINFO.match(rest)
    if not info or ":" not in info.group(1):
        return url
    user, password = info.group(1).split(":", 1)
    if VAR.fullmatch(password):
        return url
    return f"{scheme}://{user}:***@{rest[info.end():]}"


@dataclass(frozen=True, repr=False)
class SourceConfig:
    """One entry of ``sources:``: a name, a URL naming the engine (``duckdb://`` by default)
    and, for file-based engines, table names mapped to files (relative to the tree file)."""

    name: str
    url: str = DEFAULT_URL
    tables: tuple[tuple[str, str], ...] = ()

    @property
    def scheme(self) -> str:
        """The engine's name, the URL's scheme (``duckdb``, ``postgresql``, ...)."""
        m = _SCHEME.fullmatch(self.url)
        return m.group(1).split("+")[0] if m else ""

    @property
    def table_files(self) -> dict[str, str]:
        """Table name to file, as written."""
        return dict(self.tables)

    @classmethod
    def from_value(cls, name: Any, value: Any) -> SourceConfig:
        """A checked record from a mapping shaped like the file."""
        where = f"sources.{name}"
        _text(name, "sources", name=True)
        if isinstance(value, SourceConfig):
            value = value.to_dict()
        if value is None:
            value = {}
        if not isinstance(value, Mapping):
            raise KPITreeError(f"{where}: expected a mapping with 'url' (and 'tables'), got "
                               f"{type(value).__name__}")
        for key in value:
            if key not in CONFIG_FIELDS:
                raise KPITreeError(f"{where}.{key}: unknown field"
                                   f"{did_you_mean(str(key), CONFIG_FIELDS)}")
        url = _text(value.get("url", DEFAULT_URL), f"{where}.url")
        if not _SCHEME.fullmatch(url):
            raise KPITreeError(f"{where}.url: {redact(url)!r} is not a URL such as duckdb:// "
                               "or postgresql://${PGUSER}:${PGPASSWORD}@host/db")
        if redact(url) != url:
            raise KPITreeError(f"{where}.url: a password is written in the URL "
                               f"({redact(url)}); write it as a reference to the environment, "
                               "${VARIABLE}, so it is never saved in the file")
        tables = value.get("tables") or {}
        if not isinstance(tables, Mapping):
            raise KPITreeError(f"{where}.tables: expected a mapping of table name to file, "
                               f"got {type(tables).__name__}")
        pairs = tuple((_text(t, f"{where}.tables", name=True),
                       _text(f, f"{where}.tables.{t}")) for t, f in tables.items())
        return cls(name=name, url=url, tables=pairs)

    def to_dict(self) -> dict[str, Any]:
        """The mapping a file holds: the URL as written (``${VAR}`` kept), then the tables."""
        out: dict[str, Any] = {"url": self.url}
        if self.tables:
            out["tables"] = dict(self.tables)
        return out

    def __repr__(self) -> str:
        tables = f", tables={dict(self.tables)!r}" if self.tables else ""
        return f"SourceConfig({self.name!r}, url={redact(self.url)!r}{tables})"


__all__ = ["DEFAULT_GRAIN", "GRAINS", "MetricSource", "SourceConfig", "grain_of", "redact"]
