"""A tree wired to a CSV file, refreshed from the view's toolbar in a real JupyterLab: the
numbers come through the kernel from DuckDB, the toolbar says when; a refused source shows in
the banner and changes nothing."""

from __future__ import annotations

import pytest
from e2e_lab import Notebook, raw

pytestmark = pytest.mark.e2e

SALES = ("ordered_at,amount\n2026-01-05 10:00:00,20.0\n2026-01-20 12:30:00,30.0\n"
         "2026-02-01 00:00:00,40.0\n2026-02-14 09:15:00,60.0\n2026-02-20 09:15:00,60.0\n")
CELL = """import kpitree_widget as kt
tree = kt.KPITree.from_dict({
    "sources": {"shop": {"tables": {"sales": "refresh_sales.csv"}}},
    "metrics": {"revenue": {"formula": "orders * aov", "unit": "currency"},
                "orders": {"source": {"from": "shop", "table": "sales", "time": "ordered_at",
                                      "measure": "count(*)"}, "value": 1},
                "aov": {"value": 50, "target": 55, "unit": "currency"}}})
w = kt.TreeWidget(tree)
w"""


def test_refresh_from_the_toolbar(page, lab):
    (lab.root / "refresh_sales.csv").write_text(SALES)
    nb = Notebook(page, lab, "refresh.ipynb", [CELL])
    nb.run(0)
    view = nb.wait_view(0, "revenue")
    button = view.locator('[data-action="refresh"]')
    button.wait_for(state="visible", timeout=10_000)
    assert raw(view, "orders", "value") == 1
    button.click()
    status = view.locator('[data-role="refreshed"]', has_text="Refreshed at")
    status.wait_for(timeout=30_000)
    assert nb.py_json("tree.get_value('orders')") == {"2026-01": 2, "2026-02": 3}
    page.wait_for_function(
        """(el) => el.querySelector('[data-metric="orders"] [data-field="value"]')
                     .getAttribute('data-raw') === '3'""",
        arg=view.element_handle(), timeout=10_000)  # the last period is shown
    assert not view.locator('[data-role="error"]').count()
    # a source that tries to write: the banner says so and nothing changes
    nb.python("tree.set_source('orders', {'from': 'shop', 'sql': \"COPY sales TO 'x.csv'\"})")
    button.click()
    error = view.locator('[data-role="error"]', has_text="COPY")
    error.wait_for(state="visible", timeout=30_000)
    assert view.locator('[data-role="refreshed"]').inner_text() == "Refresh failed"
    assert nb.py_json("tree.get_value('orders')") == {"2026-01": 2, "2026-02": 3}
    assert not (lab.root / "x.csv").exists()
    assert not page.problems, page.problems
