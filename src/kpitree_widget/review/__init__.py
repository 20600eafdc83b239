"""Running the tree: review views per cadence, OKR progress, hypothesis tests against data,
reconciliation of reported numbers with their formulas, and guard-metric pairs.

The names below load their module on first use, so importing one part does not import the
others (:mod:`.hypotheses` needs pandas at import). Guard pairs are computed in
:mod:`kpitree_widget.analysis.guards` (the health check reads them too) and offered here.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..analysis.guards import guard_pairs, guard_report
    from .cadence import CADENCE_VIEWS, Review, review
    from .hypotheses import CAVEAT, test_hypotheses
    from .okrs import okr_progress
    from .reconcile import reconcile

_HOME = {"CADENCE_VIEWS": "cadence", "Review": "cadence", "review": "cadence",
         "guard_pairs": "..analysis.guards", "guard_report": "..analysis.guards",
         "CAVEAT": "hypotheses", "test_hypotheses": "hypotheses",
         "okr_progress": "okrs", "reconcile": "reconcile"}

__all__ = ["CADENCE_VIEWS", "CAVEAT", "Review", "guard_pairs", "guard_report", "okr_progress",
           "reconcile", "review", "test_hypotheses"]


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = import_module(home if home.startswith(".") else f".{home}", __name__)
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
