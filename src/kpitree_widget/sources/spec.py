"""A declared source made ready to connect: ``${VAR}`` references read from the environment,
table files made absolute (relative to the tree file's folder), and the secrets those
references hold, so that no message, repr or log line ever shows them.

>>> import os
>>> os.environ["KT_DOC_PASSWORD"] = "hunter22"
>>> from kpitree_widget.source_spec import SourceConfig
>>> src = resolve(SourceConfig("w", "postgresql://ana:${KT_DOC_PASSWORD}@db/x"), None)
>>> src.url, src.scrub("connection to postgresql://ana:hunter22@db/x failed")
('postgresql://ana:hunter22@db/x', 'connection to postgresql://ana:***@db/x failed')
>>> src
ResolvedSource('w', url='postgresql://ana:${KT_DOC_PASSWORD}@db/x')
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import KPITreeError
from ..source_spec import VAR, SourceConfig, redact

MIN_SECRET = 3  # shorter values are not hidden (they would blank out ordinary words)


def expand(text: str, where: str, secrets: list[str]) -> str:
    """``text`` with each ``${VAR}`` replaced by the environment's value (appended to
    ``secrets``); an unset variable is a :class:`KPITreeError` naming it (never its value)."""

    def value(match: object) -> str:
        name = match.group(1)  # type: ignore[attr-defined]
        found = os.environ.get(name)
        if found is None:
            raise KPITreeError(f"{where}: the environment variable {name} is not set")
        if len(found) >= MIN_SECRET:
            secrets.append(found)
        return found

    return VAR.sub(value, text)


@dataclass(frozen=True, repr=False)
class ResolvedSource:
    """A source ready for an engine: the URL with its variables read, absolute table files,
    and the values to hide. Its repr shows the URL as written, never the values."""

    config: SourceConfig
    url: str
    tables: dict[str, str] = field(default_factory=dict)
    base_dir: str | None = None
    secrets: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The source's name in the tree."""
        return self.config.name

    def scrub(self, text: str) -> str:
        """``text`` with every secret (and any password in a URL) replaced by ``***``."""
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, "***")
        return text

    def __repr__(self) -> str:
        return f"ResolvedSource({self.name!r}, url={redact(self.config.url)!r})"


def resolve(config: SourceConfig, base_dir: str | None) -> ResolvedSource:
    """``config`` with its variables read and its files made absolute against ``base_dir``
    (the tree file's folder; the working folder when None)."""
    where = f"sources.{config.name}"
    secrets: list[str] = []
    url = expand(config.url, f"{where}.url", secrets)
    base = Path(base_dir) if base_dir else Path.cwd()
    tables = {}
    for table, file in config.tables:
        path = Path(expand(file, f"{where}.tables.{table}", secrets)).expanduser()
        tables[table] = str(path if path.is_absolute() else (base / path).resolve())
    return ResolvedSource(config=config, url=url, tables=tables, base_dir=str(base),
                          secrets=tuple(dict.fromkeys(secrets)))
