"""The change since the period before, on every card, in a real JupyterLab: a tree with 12
months of actuals shows each metric's change as Python computes it, none in the first month,
and a new actual moves the cards above it."""

from __future__ import annotations

import math

import pytest
from e2e_lab import Notebook, card

pytestmark = pytest.mark.e2e

TWELVE_MONTHS = (
    "import numpy as np, pandas as pd, e2e_trees, kpitree_widget as kt\n"
    "tree = kt.KPITree.from_dict(e2e_trees.small_spec())\n"
    "months = [f'2026-{m:02d}' for m in range(1, 13)]\n"
    "rng = np.random.default_rng(7)\n"
    "base = {m: tree.get_target(m) for m in tree.inputs()}\n"
    "actuals = pd.DataFrame({m: [base[m] * (1 + 0.04 * i) * rng.uniform(0.9, 1.1)\n"
    "                            for i in range(12)] for m in base}, index=months)\n"
    "tree.load_data(actuals, layer='value')\n"
    "w = kt.TreeWidget(tree)\n"
    "w"
)

CHANGES = (
    "{m: (lambda now, before: (now - before) / abs(before))(\n"
    "     float(tree.rollup(period='2026-12').loc[m, 'value']),\n"
    "     float(tree.rollup(period='2026-11').loc[m, 'value'])) for m in tree.metrics}"
)


def shown_changes(view) -> dict[str, dict[str, object]]:
    return view.evaluate("""(root) => Object.fromEntries(
        [...root.querySelectorAll('.kpt-card[data-metric]')].map((el) => {
          const span = el.querySelector('[data-field="change"]');
          return [el.dataset.metric, {raw: span.dataset.raw, text: span.textContent,
                                      hidden: span.hidden}];
        }))""")


def test_every_card_shows_its_change_since_the_month_before(page, lab):
    nb = Notebook(page, lab, "change.ipynb", [TWELVE_MONTHS])
    nb.run(0)
    view = nb.wait_view(0, "revenue")
    want = nb.py_json(CHANGES)
    assert len(want) == 8
    shown = shown_changes(view)
    assert set(shown) == set(want)
    for metric, change in want.items():
        assert not shown[metric]["hidden"], metric
        assert math.isclose(float(shown[metric]["raw"]), change, rel_tol=1e-12), metric
        assert shown[metric]["text"].endswith("%"), metric

    # the first month has nothing before it: no change is shown
    view.get_by_label("Period").select_option("2026-01")
    page.wait_for_function(
        """(root) => root.querySelector('[data-metric="revenue"] [data-field="change"]')
                       .hidden""", arg=view.element_handle(), timeout=10_000)
    assert all(s["hidden"] and s["raw"] == "" for s in shown_changes(view).values())

    # back in December, a new actual for December moves the change of the cards above it
    view.get_by_label("Period").select_option("2026-12")
    nb.python("tree.set_value('arpc', 2 * tree.get_value('arpc')['2026-11'], "
              "period='2026-12')")
    page.wait_for_function(
        """(root) => root.querySelector('[data-metric="arpc"] [data-field="change"]')
                       .dataset.raw === '1'""", arg=view.element_handle(), timeout=10_000)
    now = nb.py_json(CHANGES)
    assert now["arpc"] == 1.0
    raw = card(view, "revenue").locator('[data-field="change"]').get_attribute("data-raw")
    assert math.isclose(float(raw), now["revenue"], rel_tol=1e-12)
    assert now["revenue"] != want["revenue"]
