"""Building a tree in the view, in a real JupyterLab: a growth lead starts from one North Star
saved to a file and builds the tree only through the view's hooks (the panel's fields, the
cards' "add a driver", drawing a hypothesis, the toolbar), saves it with the Save button, and
the file holds exactly what Python holds. A bad formula is refused beside the formula and
changes nothing; undo and redo step through the changes."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from e2e_lab import REPO, Notebook, card, clickable

pytestmark = pytest.mark.e2e

TIMEOUT = 15_000


def panel(view: Any) -> Any:
    return view.locator(".kpt-panel")


def hook(view: Any, name: str) -> Any:
    """One of the panel's fields: ``[data-field="<name>"]``."""
    return panel(view).locator(f'[data-field="{name}"]')


def select(view: Any, metric: str) -> None:
    """Select a metric like a person: click its card when it is in sight, else the link to it
    in the open panel (which brings its card into view beside the panel)."""
    name = card(view, metric).locator(".kpt-name")
    link = panel(view).locator(f'[data-select="{metric}"]')
    if name.count() and clickable(name):
        name.click()
    elif link.count() and link.first.is_visible():
        link.first.click()
    else:  # out of sight: Fit shows the whole tree
        view.locator(".kpt-fit").click()
        name.click()
    panel(view).locator(".kpt-panel-id", has_text=metric).first.wait_for(timeout=TIMEOUT)
    card(view, metric).locator(".kpt-name").wait_for(timeout=TIMEOUT)


def add_driver(view: Any, parent: str, metric: str, name: str, op: str = "+") -> None:
    """The card's "+" opens the panel's form; type the id and name, pick the op, Enter."""
    select(view, parent)
    card(view, parent).locator('[data-action="add-driver"]').click()
    hook(view, "new-id-input").fill(metric)
    hook(view, "new-name-input").fill(name)
    hook(view, "op-input").select_option(op)
    hook(view, "new-name-input").press("Enter")
    card(view, metric).wait_for(timeout=TIMEOUT)
    panel(view).locator(f'[data-select="{metric}"]').first.wait_for(timeout=TIMEOUT)


def set_field(view: Any, metric: str, field: str, text: str) -> None:
    """Type into a panel field and press Enter; wait until Python's answer is drawn."""
    select(view, metric)
    box = hook(view, f"{field}-input")
    box.fill(text)
    box.press("Enter")
    view.page.wait_for_function(
        """([el, field, text]) => {
          const box = el.querySelector(`.kpt-panel [data-field="${field}-input"]`);
          return box && box.value === text && !box.classList.contains('kpt-modified');
        }""", arg=[view.element_handle(), field, text], timeout=TIMEOUT)


def kernel_tree(nb: Notebook) -> dict[str, Any]:
    return dict(nb.py_json("tree.to_dict()"))


def wait_kernel(nb: Notebook, expression: str, want: Any, timeout: float = 15.0) -> None:
    import time

    end = time.monotonic() + timeout
    while True:
        got = nb.py_json(expression)
        if got == want or time.monotonic() > end:
            assert got == want, (expression, got, want)
            return
        time.sleep(0.1)


def test_a_tree_built_in_the_view_is_saved_to_its_file_as_python_holds_it(page, lab):
    path = lab.root / "revenue.yaml"
    nb = Notebook(page, lab, "build.ipynb", [
        "import kpitree_widget as kt\n"
        f"tree = kt.KPITree.new('revenue', name='Revenue', unit='currency', owner='CEO')\n"
        f"tree.save({str(path)!r})\n"
        "w = kt.TreeWidget(tree)\nw",
    ])
    nb.run(0)
    view = nb.wait_view(0, "revenue")
    save = view.locator('[data-action="save"]')
    assert save.is_visible()  # the tree has a file

    # the North Star's drivers, level by level, each joined with the right operation
    add_driver(view, "revenue", "customers", "Paying customers")
    add_driver(view, "revenue", "arpc", "Revenue per customer", "*")
    add_driver(view, "customers", "new_customers", "New customers")
    add_driver(view, "customers", "retained", "Retained customers")
    add_driver(view, "new_customers", "leads", "Qualified leads")
    add_driver(view, "new_customers", "conversion", "Lead conversion", "*")
    assert nb.py_json("tree.metrics['revenue'].formula") == "customers * arpc"
    assert nb.py_json("tree.metrics['new_customers'].formula") == "leads * conversion"

    # a new metric with no owner is flagged on its card at once
    flags = card(view, "leads").locator('[data-role="findings"]')
    flags.wait_for(timeout=TIMEOUT)
    assert "owner.missing" in (flags.get_attribute("data-rules") or "")

    # a formula with new names: the panel asks, then creates them as inputs
    select(view, "arpc")
    hook(view, "formula-input").fill("list_price * (1 - discount)")
    hook(view, "formula-input").press("Enter")
    confirm = panel(view).locator('[data-role="confirm"]')
    confirm.wait_for(timeout=TIMEOUT)
    assert "list_price, discount" in confirm.inner_text()
    panel(view).locator('[data-action="create-missing"]').click()
    card(view, "discount").wait_for(timeout=TIMEOUT)
    assert nb.py_json("tree.children('arpc')") == ["list_price", "discount"]

    # owners, a unit, a direction, a description: one field at a time
    for metric, owner in [("customers", "VP Sales"), ("arpc", "CFO"),
                          ("new_customers", "Head of Growth"), ("retained", "Head of CS"),
                          ("leads", "Marketing lead"), ("conversion", "Sales ops"),
                          ("list_price", "Pricing lead"), ("discount", "Sales ops")]:
        set_field(view, metric, "owner", owner)
        card(view, metric).locator(".kpt-owner", has_text=owner).wait_for(timeout=TIMEOUT)
    set_field(view, "conversion", "unit", "percent")
    set_field(view, "discount", "unit", "percent")
    set_field(view, "list_price", "name", "List price")
    set_field(view, "retained", "description", "Customers who renewed this period")
    select(view, "discount")
    hook(view, "direction-input").select_option("down")
    wait_kernel(nb, "tree.metrics['discount'].direction", "down")
    owned = card(view, "leads").locator('[data-role="findings"]')
    assert "owner.missing" not in (owned.get_attribute("data-rules") or "")  # owned now

    # a hypothesis, drawn from one card to another
    select(view, "discount")
    panel(view).locator('[data-action="draw-hypothesis"]').click()
    card(view, "conversion").locator(".kpt-name").click()
    panel(view).locator('[data-hypothesis="discount>conversion"]').wait_for(timeout=TIMEOUT)
    assert nb.py_json("[(h.driver, h.outcome) for h in tree.hypotheses]") == [
        ["discount", "conversion"]]

    # a bad formula shows its message beside the formula and changes nothing
    before = kernel_tree(nb)
    select(view, "revenue")
    hook(view, "formula-input").fill("customers * (arpc")
    hook(view, "formula-input").press("Enter")
    error = panel(view).locator('[data-role="error"]')
    error.wait_for(timeout=TIMEOUT)
    assert error.inner_text().strip()
    assert hook(view, "formula-input").input_value() == "customers * (arpc"  # kept to fix
    assert kernel_tree(nb) == before
    hook(view, "formula-input").press("Escape")
    assert hook(view, "formula-input").input_value() == "customers * arpc"
    assert error.count() == 0

    # undo and redo: the toolbar and the keyboard, inside the widget
    states = [before]
    set_field(view, "revenue", "owner", "Chief Executive")
    states.append(kernel_tree(nb))
    view.locator('[data-action="undo"]').click()
    wait_kernel(nb, "tree.to_dict()", states[0])
    card(view, "revenue").locator(".kpt-owner", has_text="CEO").wait_for(timeout=TIMEOUT)
    view.locator(".kpt-viewport").click(position={"x": 5, "y": 5})  # the widget has the keys
    page.keyboard.press("Control+Shift+Z")
    wait_kernel(nb, "tree.to_dict()", states[1])
    page.keyboard.press("Control+Z")
    wait_kernel(nb, "tree.to_dict()", states[0])
    view.locator('[data-action="redo"]').click()
    wait_kernel(nb, "tree.to_dict()", states[1])
    card(view, "revenue").locator(".kpt-owner", has_text="Chief Executive").wait_for(
        timeout=TIMEOUT)

    # save with the button: the file holds what the kernel holds
    save.click()
    status = view.locator('[data-role="status"]')
    status.filter(has_text="Saved to revenue.yaml").wait_for(timeout=TIMEOUT)
    held = kernel_tree(nb)
    assert len(held["metrics"]) >= 8
    assert nb.py_json(f"kt.load({str(path)!r}).to_dict() == tree.to_dict()") is True
    import kpitree_widget as kt

    reloaded = kt.load(path).to_dict()
    assert reloaded == held
    assert sum(1 for m in reloaded["metrics"].values() if m.get("formula")) >= 4
    assert all(m.get("owner") for m in reloaded["metrics"].values())
    assert reloaded["hypotheses"][0]["from"] == "discount"

    if os.environ.get("KPITREE_SCREENSHOTS"):
        screenshots(page, view)
    assert not page.problems, page.problems


def screenshots(page: Any, view: Any) -> None:
    """The built tree with the add-driver form open, in JupyterLab's light and dark themes
    (``KPITREE_SCREENSHOTS=1`` writes them into docs/screenshots/)."""
    from e2e_lab import type_edit

    folder = REPO / "docs" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    for metric, target in [("leads", "1200"), ("conversion", "12%"), ("retained", "300"),
                           ("list_price", "$1,000"), ("discount", "10%")]:
        select(view, metric)
        type_edit(view, metric, target)
        card(view, metric).locator('[data-field="target"]:not([data-raw=""])').wait_for(
            timeout=TIMEOUT)
    view.locator(".kpt-fit").click()
    select(view, "customers")
    card(view, "customers").locator('[data-action="add-driver"]').click()
    hook(view, "new-id-input").fill("reactivated")
    panel(view).evaluate("(el) => { el.scrollTop = 0; }")
    try:
        for theme, name in (("JupyterLab Light", "light"), ("JupyterLab Dark", "dark")):
            page.evaluate("(t) => window.jupyterapp.commands.execute("
                          "'apputils:change-theme', {theme: t})", theme)
            page.wait_for_function(
                "(light) => document.body.dataset.jpThemeLight === light",
                arg=json.dumps(name == "light"), timeout=20_000)
            page.wait_for_timeout(700)
            view.locator(".kpt-root").first.screenshot(path=str(folder / f"build-{name}.png"))
    finally:
        page.evaluate("() => window.jupyterapp.commands.execute("
                      "'apputils:change-theme', {theme: 'JupyterLab Light'})")
    assert Path(folder / "build-dark.png").stat().st_size > 10_000
