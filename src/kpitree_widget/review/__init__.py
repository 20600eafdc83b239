"""Running the tree: review views per cadence, OKR progress, hypothesis tests against data,
reconciliation of reported numbers with their formulas, and guard-metric pairs.

The names below load their module on first use, so importing one part (the health check reads
:mod:`.guards`) does not import the others (:mod:`.hypotheses` needs pandas at import).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .cadence import CADENCE_VIEWS, Review, review
    from .guards import guard_pairs, guard_report
    from .hypotheses import CAVEAT, test_hypotheses
    from .okrs import okr_progress
    from .reconcile import reconcile

_HOME = {"CADENCE_VIEWS": "cadence", "Review": "cadence", "review": "cadence",
         "guard_pairs": "guards", "guard_report": "guards",
         "CAVEAT": "hypotheses", "test_hypotheses": "hypotheses",
         "okr_progress": "okrs", "reconcile": "reconcile"}

__all__ = ["CADENCE_VIEWS", "CAVEAT", "Review", "guard_pairs", "guard_report", "okr_progress",
           "reconcile", "review", "test_hypotheses"]


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
