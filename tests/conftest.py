"""Shared fixtures: the 8-metric revenue tree, and random trees from ``treegen``."""

from __future__ import annotations

import copy
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

sys.path.insert(0, str(Path(__file__).parent))  # so test modules can `import treegen`

from treegen import REVENUE_SPEC

# CI replays the same examples every run, so a landing never hangs on a lucky draw; locally the
# property tests search anew each time (run with --hypothesis-seed=N to reproduce a failure).
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture
def revenue_spec() -> dict[str, Any]:
    """The revenue tree as a mapping shaped like the file (a fresh copy per test)."""
    return copy.deepcopy(REVENUE_SPEC)


@pytest.fixture
def revenue_tree(revenue_spec: dict[str, Any]) -> Any:
    """revenue = customers * arpc; customers = new + returning - lost;
    new_customers = website_visitors * signup_rate. Values 50000/0.02/4000/300/120, targets
    60000/0.025/4200/250/125; lost_customers has direction down."""
    import kpitree_widget as kt

    return kt.KPITree.from_dict(revenue_spec)


@pytest.fixture
def make_tree() -> Any:
    """``make_tree(n_metrics, seed, **options)``: a random valid tree (see ``treegen``)."""
    from treegen import make_tree

    return make_tree
