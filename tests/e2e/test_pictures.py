"""Pictures in a real browser: a live JupyterLab shows the view alone (the static picture that
follows it steps aside); nbconvert's HTML of an executed notebook shows the picture with no
network; a wide graphviz picture fits the notebook's width."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from e2e_lab import Notebook, new_page

pytestmark = pytest.mark.e2e

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CELL = ("import kpitree_widget as kt\n"
        "tree = kt.archetype('b2b_saas')\n"
        "w = kt.TreeWidget(tree)\n"
        "w")


def test_a_live_view_shows_alone_without_the_static_picture(page, lab):
    nb = Notebook(page, lab, "alone.ipynb", [CELL])
    nb.run(0)
    view = nb.wait_view(0, "arr")
    outputs = nb.cell(0).locator(".jp-OutputArea-child")
    assert outputs.count() == 2  # the view, then the picture for pages without a kernel
    picture = nb.cell(0).locator(".kpitree-fallback")
    assert picture.count() == 1 and not picture.is_visible()
    assert not outputs.nth(1).is_visible()  # the whole output steps aside, prompt and all
    assert view.is_visible() and view.locator('[data-metric="arr"]').first.is_visible()
    assert not page.problems, page.problems


def test_a_second_display_of_the_widget_also_hides_its_picture(page, lab):
    nb = Notebook(page, lab, "twice.ipynb", [CELL.removesuffix("w") + "display(w)\ndisplay(w)"])
    nb.run(0)
    nb.wait_view(0, "arr", k=1)
    pictures = nb.cell(0).locator(".kpitree-fallback")
    assert pictures.count() == 2
    assert not pictures.nth(0).is_visible() and not pictures.nth(1).is_visible()


def test_nbconvert_html_shows_the_picture_offline(browser, tmp_path):
    from test_offline_html import nbconvert_html

    html_file = tmp_path / "tree.html"
    nbconvert_html(tmp_path)
    page = new_page(browser, width=900)
    blocked: list[str] = []

    def no_network(route):
        blocked.append(route.request.url)
        route.abort()

    page.route("http*://**/*", no_network)
    page.goto(html_file.as_uri())
    page.wait_for_load_state("load")
    picture = page.locator(".kpitree-fallback svg")
    assert picture.count() == 1 and picture.is_visible()
    box = picture.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 300
    assert page.locator('.kpitree-fallback [data-metric="win_rate"]').is_visible()
    assert any("unpkg" in url or "cdn" in url for url in blocked)  # the CDN it could not reach
    page.context.close()


def test_a_wide_graphviz_picture_fits_the_width_it_is_shown_in(browser):
    import kpitree_widget as kt

    svg = kt.archetype("b2b_saas").to_graphviz().pipe(format="svg").decode()
    page = new_page(browser, width=900)
    # a notebook-like column with no stylesheet of its own (nbconvert's classic pages, GitHub)
    page.set_content(f'<div id="col" style="width:700px">{svg}</div>')
    box = page.locator("#col svg").bounding_box()
    assert box is not None
    assert 600 < box["width"] <= 700  # scaled down to the column, not cut off at 1,696pt
    assert abs(box["height"] / box["width"] - 598.2 / 1696.2) < 0.02  # proportions kept
    page.set_content(f'<div id="col" style="width:4000px">{svg}</div>')
    wide = page.locator("#col svg").bounding_box()
    assert wide is not None and abs(wide["width"] - 1696 * 4 / 3) < 3  # never scaled up
    page.context.close()
