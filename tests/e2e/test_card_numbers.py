"""A card never cuts its numbers: the longest texts the formatter writes for a card, drawn by
the view's own Card class and stylesheet in Chromium, stay inside their cells."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from kpitree_widget.numbers import format_change, format_number

JS = Path(__file__).resolve().parents[2] / "js"
ORIGIN = "http://kpitree.test"

LONGEST = [  # (value, unit): the longest card texts, by unit
    (-999.99, "currency"), (-9999, "currency"), (-sys.float_info.max, "currency"),
    (-0.0123, "days"), (-9999, "days"), (-1.23e308, "days"),
    (-12_345, "percent"), (-0.9999, "percent"), (-1.23e306, "percent"),
    (-0.0123, "ratio"), (-9999, "count"), (-sys.float_info.max, "sessions"),
]
VARIANCES = [-4.25, 999.4, 1234.5]  # "−4.3%", "+999%", "+1,235%"
TYPICAL = [(564_000, "currency"), (47.25, "currency"), (0.0196, "percent"), (4700, "count"),
           (14, "days"), (3.2, "ratio")]

PAGE = f"""<!doctype html><html><head><link rel="stylesheet" href="{ORIGIN}/widget.css"></head>
<body><div class="kpt-root" style="position:relative;height:2000px"></div>
<script type="module">
import {{ Card }} from "{ORIGIN}/card.js";
const root = document.querySelector(".kpt-root");
window.draw = (metrics) => metrics.forEach((m, i) => {{
  const card = new Card(m.id);
  root.append(card.el);
  card.place(0, i * 100);
  card.update(m, {{ node: {{ hasKids: false, collapsed: false, hidden: 0 }}, selected: false,
                   editing: null, pending: null, error: null }});
}});
window.ready = true;
</script></body></html>"""

FITS = """() => [...document.querySelectorAll('.kpt-field, .kpt-var')].map((el) => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const text = range.getBoundingClientRect();
  const cell = el.parentElement.getBoundingClientRect();
  return {text: el.textContent, fontSize: parseFloat(getComputedStyle(el).fontSize),
          inside: text.left >= cell.left - 0.5 && text.right <= cell.right + 0.5};
})"""


@pytest.fixture
def card_page(browser):
    context = browser.new_context(viewport={"width": 400, "height": 1000})
    page = context.new_page()
    page.route(f"{ORIGIN}/**", lambda route: route.fulfill(
        body=(JS / route.request.url.removeprefix(f"{ORIGIN}/")).read_bytes(),
        content_type="text/css" if route.request.url.endswith(".css") else "text/javascript"))
    page.route(f"{ORIGIN}/", lambda route: route.fulfill(body=PAGE, content_type="text/html"))
    page.goto(f"{ORIGIN}/")
    page.wait_for_function("window.ready === true")
    yield page
    context.close()


def metric(i: int, x: float, unit: str, pct: float) -> dict:
    return {"id": f"m{i}", "name": "Metric", "unit": unit, "value": x, "target": x,
            "variance": 0, "variance_pct": pct, "status": "off_track", "owner": "CFO"}


def test_the_longest_card_numbers_fit_their_cells(card_page):
    cases = [(case, pct) for case in LONGEST for pct in VARIANCES]
    metrics = [metric(i, x, unit, pct) for i, ((x, unit), pct) in enumerate(cases)]
    card_page.evaluate(f"window.draw({json.dumps(metrics)})")
    cells = card_page.evaluate(FITS)
    fields = [c for c in cells if c["text"] in {format_number(x, u, "card") for x, u in LONGEST}]
    assert len(fields) == 2 * len(metrics)  # the card shows Python's own text
    assert {c["text"] for c in cells} >= {format_change(p) for p in VARIANCES}
    cut = [c for c in cells if not c["inside"]]
    assert not cut, cut


def test_everyday_card_numbers_keep_their_full_size(card_page):
    metrics = [metric(i, x, unit, -4.25) for i, (x, unit) in enumerate(TYPICAL)]
    card_page.evaluate(f"window.draw({json.dumps(metrics)})")
    sizes = {c["text"]: c["fontSize"] for c in card_page.evaluate(FITS)}
    assert {format_number(x, u, "card"): 14 for x, u in TYPICAL}.items() <= sizes.items()
