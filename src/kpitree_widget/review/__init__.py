"""Running the tree: review views per cadence, OKR progress, hypothesis tests against data,
reconciliation of reported numbers with their formulas, and guard-metric pairs."""

from __future__ import annotations

from .cadence import CADENCE_VIEWS, Review, review
from .guards import guard_pairs, guard_report
from .hypotheses import CAVEAT, test_hypotheses
from .okrs import okr_progress
from .reconcile import reconcile

__all__ = ["CADENCE_VIEWS", "CAVEAT", "Review", "guard_pairs", "guard_report", "okr_progress",
           "reconcile", "review", "test_hypotheses"]
