"""The file a tree was loaded from: where it is, its format and the text as it was read.

A tree keeps one :class:`SourceFile` (``tree.path`` is its ``path``) so that ``tree.save()``
can write back to that file as a small patch of the text people wrote, and can tell when the
file was changed by someone else in the meantime.

>>> from pathlib import Path
>>> source = SourceFile(Path("/plans/acme.yaml"), "yaml", "metrics: {revenue: {}}\\n")
>>> source.path.name, source.fmt
('acme.yaml', 'yaml')
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SourceFile:
    """A tree file as last read or written: its absolute ``path``, ``fmt`` (``"yaml"`` or
    ``"json"``) and ``text``."""

    path: Path
    fmt: str
    text: str
