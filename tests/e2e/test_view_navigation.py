"""Living in the view, in a real JupyterLab: the wheel scrolls the notebook and Ctrl+wheel zooms,
search finds a metric deep in a 250-metric tree, Fit stays readable and the overview jumps,
the detail panel never covers the card being edited, and what an edit or a solve changed is
marked."""

from __future__ import annotations

import math

import pytest
from e2e_lab import REPO, Notebook, card, clickable, field, raw, type_edit, wait_raw

pytestmark = pytest.mark.e2e

SMALL = ("import e2e_trees, kpitree_widget as kt\n"
         "tree = kt.KPITree.from_dict(e2e_trees.small_spec())\n"
         "w = kt.TreeWidget(tree)\n")
BIG = ("import e2e_trees, kpitree_widget as kt\n"
       "spec = e2e_trees.big_spec(250)\n"
       "tree = kt.KPITree.from_dict(spec)\n"
       "leaf = e2e_trees.deepest_input(spec)\n"
       "w = kt.TreeWidget(tree)\n")
# a long output below the widget, so the notebook has somewhere to scroll to
LONG = "print('\\n'.join(f'line {i}' for i in range(300)))"
READABLE = 0.6  # viewport.js READABLE_SCALE
SHOTS = REPO / "test-artifacts" / "screenshots"


def picture(view, name: str) -> None:
    """Keep a picture of the widget for people to look at (never for the docs)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    view.locator(".kpt-root").first.screenshot(path=str(SHOTS / name))

SCALE_JS = """(el) => {
    const t = el.querySelector('.kpt-stage').style.transform;
    return Number(/scale\\(([\\d.e]+)\\)/.exec(t)[1]);
}"""
# the notebook's scroller: the nearest ancestor of the widget that scrolls
SCROLL_JS = """(el) => {
    for (let n = el.parentElement; n; n = n.parentElement) {
      const s = getComputedStyle(n).overflowY;
      if ((s === 'auto' || s === 'scroll') && n.scrollHeight > n.clientHeight + 10) {
        return n.scrollTop;
      }
    }
    return null;
}"""


def box(locator) -> dict:
    b = locator.bounding_box()
    assert b, "not on the page"
    return {"left": b["x"], "top": b["y"], "right": b["x"] + b["width"],
            "bottom": b["y"] + b["height"]}


def inside(inner: dict, outer: dict, slack: float = 1.0) -> bool:
    return (inner["left"] >= outer["left"] - slack and inner["top"] >= outer["top"] - slack
            and inner["right"] <= outer["right"] + slack
            and inner["bottom"] <= outer["bottom"] + slack)


def apart(a: dict, b: dict) -> bool:
    return (a["right"] <= b["left"] + 1 or b["right"] <= a["left"] + 1
            or a["bottom"] <= b["top"] + 1 or b["bottom"] <= a["top"] + 1)


def centre_of(locator) -> tuple[float, float]:
    b = locator.bounding_box()
    return b["x"] + b["width"] / 2, b["y"] + b["height"] / 2


def marked(view) -> dict[str, str]:
    return view.evaluate("""(el) => Object.fromEntries(
        [...el.querySelectorAll('[data-metric][data-changed]')]
          .filter((c) => c.classList.contains('kpt-changed'))
          .map((c) => [c.getAttribute('data-metric'), c.getAttribute('data-changed')]))""")


def test_the_wheel_scrolls_the_notebook_and_ctrl_wheel_zooms(page, lab):
    nb = Notebook(page, lab, "wheel.ipynb", [SMALL + "w", LONG])
    nb.run(0)
    nb.run(1)
    view = nb.wait_view(0, "revenue")
    viewport = view.locator(".kpt-viewport")
    viewport.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    k0 = view.evaluate(SCALE_JS)
    top0 = view.evaluate(SCROLL_JS)
    assert top0 is not None, "the notebook has room to scroll"
    # every notice the view shows (a hint lasts 1.6 s: record it rather than race it)
    view.evaluate("""(el) => {
        const notice = el.querySelector('[data-role="notice"]');
        window.__ktNotices = [];
        new MutationObserver(() => {
          if (!notice.hidden) window.__ktNotices.push([notice.dataset.kind, notice.textContent]);
        }).observe(notice, {attributes: true, childList: true, characterData: true});
    }""")
    x, y = centre_of(viewport)
    page.mouse.move(x, y)
    for _ in range(3):
        page.mouse.wheel(0, 120)
        page.wait_for_timeout(80)
    page.wait_for_timeout(300)
    top1 = view.evaluate(SCROLL_JS)
    assert top1 > top0 + 100, "a plain wheel over the view scrolls the notebook"
    assert view.evaluate(SCALE_JS) == k0, "and does not zoom"
    notices = page.evaluate("() => window.__ktNotices")
    assert notices and notices[0][0] == "wheel", notices
    assert "scroll to zoom" in notices[0][1]
    # Ctrl+wheel (what a pinch sends, too) zooms around the pointer and scrolls nothing
    viewport.scroll_into_view_if_needed()
    page.wait_for_timeout(200)
    top2 = view.evaluate(SCROLL_JS)
    x, y = centre_of(viewport)
    page.mouse.move(x, y)
    page.keyboard.down("Control")
    try:
        for _ in range(2):
            page.mouse.wheel(0, -120)
            page.wait_for_timeout(80)
    finally:
        page.keyboard.up("Control")
    page.wait_for_timeout(200)
    k1 = view.evaluate(SCALE_JS)
    assert k1 > k0 * 1.3, (k0, k1)
    assert view.evaluate(SCROLL_JS) == top2, "Ctrl+wheel does not scroll the notebook"
    assert page.evaluate("() => window.visualViewport.scale") == 1, "nor zoom the page"
    page.keyboard.down("Control")
    try:
        page.mouse.wheel(0, 120)
    finally:
        page.keyboard.up("Control")
    page.wait_for_timeout(200)
    assert view.evaluate(SCALE_JS) < k1
    assert not page.problems, page.problems


def test_search_reveals_and_selects_a_deep_metric_of_a_250_metric_tree(page, lab):
    nb = Notebook(page, lab, "search.ipynb", [BIG + "w"])
    nb.run(0)
    view = nb.wait_view(0, "m0")
    leaf = nb.py_json("leaf")
    name = nb.py_json("tree.require(leaf).name")
    assert nb.py_json("len(tree.ancestors(leaf))") >= 3, "deep in the tree"
    assert card(view, leaf).count() == 0, "a 250-metric tree opens collapsed: the leaf is hidden"
    search = view.locator('input[data-role="search"]')
    search.click()
    search.press_sequentially(name)  # real keys: none may reach the notebook's shortcuts
    first = view.locator('[data-role="search-results"] [data-option]').first
    first.wait_for(timeout=5_000)
    assert first.get_attribute("data-option") == leaf
    picture(view, "widget-search-suggestions.png")
    search.press("Enter")
    card(view, leaf).wait_for(timeout=5_000)
    page.wait_for_timeout(200)
    picture(view, "widget-search-found.png")
    assert "kpt-selected" in (card(view, leaf).get_attribute("class") or "")
    assert clickable(field(view, leaf)), "revealed: in sight, not under the panel"
    panel = view.locator(".kpt-panel")
    assert apart(box(card(view, leaf)), box(panel))
    assert inside(box(card(view, leaf)), box(view.locator(".kpt-viewport")))
    assert view.evaluate(SCALE_JS) >= READABLE
    for _ in range(50):
        if nb.py_json("w.selected") == leaf:
            break
        page.wait_for_timeout(50)
    assert nb.py_json("w.selected") == leaf, "the selection reached Python"
    for ancestor in nb.py_json("tree.ancestors(leaf)"):
        assert card(view, ancestor).count() == 1, f"{ancestor} was opened"
    # by owner: the suggestions say whose it is
    search.fill("")
    search.press_sequentially("owner 36")  # o, r: the notebook's output and raw-cell keys
    note = view.locator('[data-role="search-results"] .kpt-search-note').first
    note.wait_for(timeout=5_000)
    assert note.inner_text() == "Owner 36"
    search.press("Escape")
    cells = page.evaluate("""() => window.__ktNotebook.content.widgets.map((c) => ({
        type: c.model.type, outputs: c.model.outputs.length, hidden: c.outputHidden}))""")
    # the cell is as it was: still code, its outputs (the view, then the picture for pages
    # without a kernel) still there and shown
    assert cells == [{"type": "code", "outputs": 2, "hidden": False}], cells
    assert not page.problems, page.problems


def test_fit_keeps_the_expanded_250_metric_tree_readable_and_the_overview_jumps(page, lab):
    nb = Notebook(page, lab, "fit.ipynb", [BIG + "w"])
    nb.run(0)
    view = nb.wait_view(0, "m0")
    view.get_by_role("button", name="Open every subtree").click()
    page.wait_for_function(
        "([el, n]) => el.querySelectorAll('[data-metric]').length === n",
        arg=[view.element_handle(), 250], timeout=10_000)
    view.locator(".kpt-fit").click()
    page.wait_for_timeout(200)
    k = view.evaluate(SCALE_JS)
    assert k >= READABLE, f"Fit went to {k:.0%}"
    # readable: a card's name drawn at 7.5 px or more
    name_px = card(view, "m0").locator(".kpt-name").evaluate(
        "(n) => n.getBoundingClientRect().height / n.offsetHeight * "
        "parseFloat(getComputedStyle(n).fontSize)")
    assert name_px >= 7.5, name_px
    notice = view.locator('[data-role="notice"][data-kind="fit"]')
    assert notice.is_visible()
    text = notice.inner_text()
    assert "too small to read" in text and "top levels" in text, text
    assert clickable(card(view, "m0").locator(".kpt-name")), "the root is in sight"
    picture(view, "widget-fit-250.png")
    # the overview: every drawn card; a click on a far card's box brings that card into sight
    minimap = view.locator('[data-role="minimap"]')
    assert minimap.is_visible()
    assert minimap.locator(".kpt-minimap-box").count() == 250
    far = view.evaluate("""(el) => [...el.querySelectorAll('[data-metric]')]
        .sort((a, b) => parseFloat(b.style.top) - parseFloat(a.style.top))[0]
        .getAttribute('data-metric')""")
    assert not clickable(card(view, far).locator(".kpt-name")), "the bottom card is out of sight"
    x, y = centre_of(minimap.locator(f'[data-box="{far}"]'))
    page.mouse.click(x, y)
    page.wait_for_timeout(200)
    assert view.evaluate(SCALE_JS) == k, "a jump keeps the scale"
    assert inside(box(card(view, far)), box(view.locator(".kpt-viewport")))
    # a small tree still fits whole
    nb2 = Notebook(page, lab, "fit_small.ipynb", [SMALL + "w"])
    nb2.run(0)
    small = nb2.wait_view(0, "revenue")
    small.locator(".kpt-fit").click()
    page.wait_for_timeout(200)
    assert small.evaluate(SCALE_JS) >= READABLE
    assert small.locator('[data-role="notice"]').is_hidden()
    viewport = box(small.locator(".kpt-viewport"))
    for metric in nb2.py_json("list(tree.metrics)"):
        assert inside(box(card(small, metric)), viewport), metric
    assert not small.locator('[data-role="minimap"]').is_visible(), "no overview for 8 metrics"
    assert not page.problems, page.problems


def targets(nb: Notebook) -> dict[str, float]:
    return nb.py_json("{m: float(r.target) for m, r in tree.rollup().iterrows()}")


def values(nb: Notebook) -> dict[str, float]:
    return nb.py_json("{m: float(r.value) for m, r in tree.rollup().iterrows()}")


def test_the_panel_never_covers_the_edited_card_and_what_changed_is_marked(page, lab):
    nb = Notebook(page, lab, "changes.ipynb", [SMALL + "w"])
    nb.run(0)
    view = nb.wait_view(0, "revenue")
    page.wait_for_timeout(300)
    viewport = view.locator(".kpt-viewport")
    before = targets(nb)
    # the right-most card, where the panel opens: clicking its target selects it
    field(view, "website_visitors").click()
    editor = card(view, "website_visitors").locator('input[data-field="target-input"]')
    editor.fill("63000")
    editor.press("Enter")
    wait_raw(page, view, "website_visitors", 63000)
    wait_raw(page, view, "revenue", nb.py_json("float(tree.rollup().loc['revenue', 'target'])"))
    page.wait_for_timeout(200)
    panel = view.locator(".kpt-panel")
    assert panel.is_visible()
    edited = box(card(view, "website_visitors"))
    assert inside(edited, box(viewport)) and apart(edited, box(panel)), (
        "the panel never covers the card being edited")
    # the metrics whose target moved are marked, and only those
    after = targets(nb)
    moved = {m for m in after if not math.isclose(after[m], before[m])}
    assert moved == {"website_visitors", "new_customers", "customers", "revenue"}
    assert marked(view) == {m: "target" for m in moved}
    note = panel.locator('[data-role="change"]')
    note.wait_for(timeout=5_000)
    picture(view, "widget-changed.png")
    assert "Website visitors: 60,000 \u2192 63,000" in note.inner_text()
    assert "4 metrics moved" in note.inner_text()
    # a solve from the root's panel: the root stays in sight, the lever is marked and named
    view.get_by_label("Close details").click()
    type_edit(view, "revenue", "$800k")
    wait_raw(page, view, "revenue", 800_000)
    card(view, "revenue").click(position={"x": 12, "y": 8})
    root_before = box(card(view, "revenue"))
    old = raw(view, "signup_rate")
    view.get_by_label("Lever to solve for").select_option("signup_rate")
    view.get_by_role("button", name="Solve").click()
    lever = (800_000 / 125 - 4200 + 250) / 63000
    wait_raw(page, view, "signup_rate", lever, timeout=20)
    note = panel.locator('[data-role="change"]')
    note.wait_for(timeout=5_000)
    text = note.text_content()
    assert "Solve changed" in text
    assert old == 0.025
    assert f"Signup rate: 2.5% \u2192 {lever * 100:.3g}%" in text, text
    assert "solved for Revenue" in text
    root_after = box(card(view, "revenue"))
    assert root_after == root_before, "a solve never pans the tree"
    assert inside(root_after, box(viewport)) and apart(root_after, box(panel))
    shown = marked(view)
    assert shown.get("signup_rate") == "target"
    # the root's explicit target did not move: only its inputs' numbers did
    assert "revenue" not in shown
    assert nb.py_json("tree.get_target('signup_rate')") == raw(view, "signup_rate")
    # the note's Show brings the lever into sight, beside the panel
    note.get_by_role("button", name="Show").click()
    page.wait_for_timeout(200)
    lever_box = box(card(view, "signup_rate"))
    assert inside(lever_box, box(viewport)) and apart(lever_box, box(panel))
    # an edit made in Python is marked too
    values_before = values(nb)
    nb.python("tree.set_value('arpc', 140)")
    wait_raw(page, view, "arpc", 140, name="value")
    page.wait_for_timeout(200)
    values_after = values(nb)
    moved_values = {m for m in values_after
                    if not math.isclose(values_after[m], values_before[m])}
    assert set(marked(view)) == moved_values == {"arpc", "revenue"}
    assert not page.problems, page.problems
