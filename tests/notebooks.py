"""Running notebooks in a real kernel for the tests, and reading what they printed."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nbclient import NotebookClient


def execute(nb: Any, folder: Path) -> Any:
    """Run ``nb`` in a fresh ``python3`` kernel whose working folder is ``folder``."""
    NotebookClient(nb, kernel_name="python3", timeout=120,
                   resources={"metadata": {"path": str(folder)}}).execute()
    return nb


def errors_of(nb: Any) -> list[str]:
    """``Name: message`` of every error output."""
    return [f"{o.ename}: {o.evalue}" for c in nb.cells if c.cell_type == "code"
            for o in c.get("outputs", []) if o.get("output_type") == "error"]


def text_of(cells: Any) -> str:
    """What a cell (or several) printed or showed as plain text."""
    cells = [cells] if isinstance(cells, dict) else list(cells)
    return "".join(_texts(cells))


def _texts(cells: Iterable[Any]) -> Iterable[str]:
    for cell in cells:
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream":
                yield o["text"]
            elif "data" in o:
                yield o["data"].get("text/plain", "")
