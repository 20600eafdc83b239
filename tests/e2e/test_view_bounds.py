"""Bounds in a real JupyterLab: the detail panel shows them, a 150% rate typed on a card is
refused beside it, a solve beyond them is refused with what is possible, and a solve beyond
the lever's history says so in the banner."""

from __future__ import annotations

import pytest
from e2e_lab import Notebook, card, raw, type_edit, wait_raw

pytestmark = pytest.mark.e2e

BOUNDED = (
    "import pandas as pd, e2e_trees, kpitree_widget as kt\n"
    "spec = e2e_trees.small_spec()\n"
    "spec['metrics']['signup_rate'].update(min=0, max=1)\n"
    "tree = kt.KPITree.from_dict(spec)\n"
    "tree.load_data(pd.DataFrame({'signup_rate': [0.018, 0.02, 0.022]},\n"
    "                            index=['2026-01', '2026-02', '2026-03']), layer='value')\n"
    "w = kt.TreeWidget(tree)\n"
    "w"
)


def select(view, metric: str) -> None:
    card(view, metric).click(position={"x": 12, "y": 8})


def solve_for(view, lever: str) -> None:
    view.get_by_label("Lever to solve for").select_option(lever)
    view.get_by_role("button", name="Solve").click()


def test_bounds_in_the_panel_refusals_and_the_history_note(page, lab):
    nb = Notebook(page, lab, "bounds.ipynb", [BOUNDED])
    nb.run(0)
    view = nb.wait_view(0, "revenue")

    select(view, "signup_rate")
    view.locator(".kpt-panel", has_text="Bounds").wait_for(timeout=10_000)
    assert "0% to 100%" in view.locator(".kpt-panel").inner_text()

    type_edit(view, "signup_rate", "150%")  # a typo: 150% instead of 1.5%
    error = card(view, "signup_rate").locator('[data-role="error"]')
    error.wait_for(state="visible", timeout=10_000)
    assert "above its max of 100%" in error.inner_text()
    assert nb.py_json("tree.get_target('signup_rate')") == 0.025
    assert raw(view, "signup_rate") == 0.025

    type_edit(view, "revenue", "$800k")  # needs a signup rate of 4.08%, never seen
    wait_raw(page, view, "revenue", 800_000)
    select(view, "revenue")
    solve_for(view, "signup_rate")
    wait_raw(page, view, "signup_rate", (800_000 / 125 - 4200 + 250) / 60_000, timeout=20)
    notice = view.locator('[data-role="solve-note"]')
    notice.wait_for(state="visible", timeout=10_000)
    assert "lies outside everything it has done (its values: 1.8% to 2.2%)" in (
        notice.inner_text())
    assert nb.py_json("w.error") == {}

    type_edit(view, "revenue", "$10M")  # would need a signup rate of 127%
    wait_raw(page, view, "revenue", 10_000_000)
    before = nb.py_json("tree.to_dict()")
    solve_for(view, "signup_rate")
    banner = view.locator(".kpt-banner", has_text="above its max of 100%")
    banner.wait_for(state="visible", timeout=10_000)
    assert "can reach" in banner.inner_text()
    assert view.locator('[data-role="solve-note"]').count() == 0
    assert nb.py_json("tree.to_dict()") == before
    assert not page.problems, page.problems
