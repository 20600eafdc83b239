"""Charts an analyst shows in a review: titles, axes and legends name metrics and say "Plan" and
"Actual"; a notebook shows the chart once with no `<Axes: ...>` line above it; a dollar is a
dollar; and the chart reads on a dark notebook theme (an opaque white background)."""

from __future__ import annotations

import base64
import io

import nbformat
import pytest

import kpitree_widget as kt
from notebooks import errors_of, execute

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from kpitree_widget import plots  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def every_text(ax) -> list[str]:
    legend = ax.get_legend()
    return [ax.get_title(), ax.get_xlabel(), ax.get_ylabel(),
            *(t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()
              if "$" not in t.get_text()),
            *(t.get_text() for t in ax.texts),
            *(t.get_text() for t in (legend.get_texts() if legend else ()))]


def test_a_waterfall_names_the_metric_and_says_plan_and_actual(revenue_tree):
    ax = plots.waterfall(revenue_tree.attribute())
    title = ax.get_title()
    assert title.startswith("Why Revenue moved: Plan $")
    assert "Actual $" in title
    assert "\\" not in title and not ax.title.get_parse_math()  # a dollar is drawn as written
    texts = " ".join(every_text(ax))
    for word in ("target", "value", "arpc", "website_visitors"):  # no layer names, no ids
        assert word not in texts
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks[0] == "Plan" and ticks[-1] == "Actual"


def test_a_waterfall_between_months_says_which_actuals(revenue_tree):
    tree = kt.KPITree.from_dict({"metrics": {
        "revenue": {"name": "Revenue", "formula": "customers * arpc", "unit": "currency"},
        "customers": {"value": {"2025-12": 100, "2026-01": 120},
                      "target": {"2025-12": 110, "2026-01": 115}},
        "arpc": {"value": {"2025-12": 10, "2026-01": 11}, "target": 10, "unit": "currency"}}})
    ax = plots.waterfall(tree.attribute(start=("target", "2025-12"), end="2026-01"))
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks[0] == "Plan 2025-12" and ticks[-1] == "Actual 2026-01"


def test_a_tornado_names_the_metric_and_the_plan(revenue_tree):
    ax = plots.tornado(revenue_tree.sensitivity())
    assert ax.get_title() == "What moves Revenue most"
    assert ax.get_xlabel().startswith("Revenue (Plan: $")
    assert "\\" not in ax.get_xlabel()


def test_a_new_chart_has_an_opaque_background_for_dark_themes(revenue_tree, tmp_path):
    from PIL import Image

    ax = plots.tornado(revenue_tree.sensitivity())
    assert matplotlib.colors.to_rgba(ax.figure.get_facecolor()) == (1.0, 1.0, 1.0, 1.0)
    # saved as the inline backend saves it (transparent figure rc): still opaque white
    with matplotlib.rc_context({"figure.facecolor": (1, 1, 1, 0), "savefig.facecolor": "auto"}):
        ax2 = plots.waterfall(revenue_tree.attribute())
        ax2.figure.savefig(tmp_path / "w.png")
    corner = Image.open(tmp_path / "w.png").convert("RGBA").getpixel((1, 1))
    assert corner == (255, 255, 255, 255)


def test_a_notebook_shows_the_chart_once_without_an_axes_line(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in (
        "import kpitree_widget as kt\nfrom kpitree_widget import plots\n"
        "tree = kt.archetype('b2b_saas')",
        "plots.tornado(tree.sensitivity())",
        "plots.waterfall(tree.attribute())",
        "import matplotlib.figure\nfig = matplotlib.figure.Figure()\n"
        "plots.tornado(tree.sensitivity(), ax=fig.add_subplot())",
    )]
    execute(nb, tmp_path)
    assert errors_of(nb) == []
    for cell in nb.cells[1:]:
        outputs = cell.outputs
        plain = [o["data"].get("text/plain", "") for o in outputs if "data" in o]
        assert not any("<Axes" in text for text in plain), plain
        images = [o for o in outputs if "image/png" in o.get("data", {})]
        assert len(images) == 1, outputs
        from PIL import Image

        picture = Image.open(io.BytesIO(base64.b64decode(images[0]["data"]["image/png"])))
        assert picture.convert("RGBA").getpixel((1, 1)) == (255, 255, 255, 255)
