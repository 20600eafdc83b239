"""Pictures: tornado, waterfall, fan chart, histogram, rollup styling (rendered with Agg)."""

from __future__ import annotations

import subprocess
import sys

import pytest

import kpitree_widget as kt

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from kpitree_widget import plots  # noqa: E402
from kpitree_widget.palette import STATUS_COLOURS  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def png(ax, path):
    ax.figure.savefig(path)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 5000
    return path


def test_tornado(revenue_tree, tmp_path):
    table = revenue_tree.sensitivity()
    ax = plots.tornado(table)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[-1] == "Average revenue per customer"  # the largest swing on top
    assert len(ax.patches) == 2 * len(table)
    png(ax, tmp_path / "tornado.png")


def test_waterfall(revenue_tree, tmp_path):
    table = revenue_tree.attribute()
    ax = plots.waterfall(table)
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels[0] == "Plan" and labels[-1] == "Actual"
    assert len(ax.patches) == len(table) + 2
    assert not ax.title.get_parse_math()  # a $ in the title is a dollar, never math
    png(ax, tmp_path / "waterfall.png")
    few = plots.waterfall(table, top=2)
    assert any(t.get_text().startswith("other (3)") for t in few.get_xticklabels())


def test_fan_chart_over_periods_and_histogram(tmp_path):
    tree = kt.KPITree.from_dict({"metrics": {
        "r": {"formula": "a * b", "unit": "currency"},
        "a": {"target": {f"2026-{m:02d}": 100 + 10 * m for m in range(1, 13)}},
        "b": {"target": 2}}})
    sim = tree.simulate({"a": ("normal", 1, 0.1), "b": ("uniform", 0.9, 1.1)}, n=2000,
                        relative=True)
    ax = sim.plot()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "P10-P90", "P25-P75", "P50", "Plan"]
    p50 = ax.get_lines()[0].get_ydata()
    assert p50[0] == pytest.approx(2 * 110, rel=0.05)  # around the plan
    png(ax, tmp_path / "fan.png")
    hist = plots.histogram(sim)
    assert "2026-12" in hist.get_title()
    png(hist, tmp_path / "hist.png")


def test_histogram_for_one_period(revenue_tree, tmp_path):
    sim = revenue_tree.simulate({"arpc": ("normal", 125, 10)}, n=2000)
    ax = plots.fan_chart(sim)
    assert len(ax.get_lines()) == 4  # P10, P50, P90, plan
    png(ax, tmp_path / "one.png")


def test_draws_on_a_given_axes(revenue_tree):
    import matplotlib.pyplot as plt

    _, (left, right) = plt.subplots(1, 2)
    assert plots.tornado(revenue_tree.sensitivity(), ax=left) is left
    assert plots.waterfall(revenue_tree.attribute(), ax=right) is right


def test_rollup_style(revenue_tree):
    styler = plots.rollup_style(revenue_tree.rollup())
    html = styler.to_html()
    off_track = STATUS_COLOURS["off_track"]  # the palette the pictures use
    assert off_track.fill in html and off_track.text in html
    assert "$564k" in html  # numbers formatted by unit
    assert "−17%" in html  # the variance as every picture writes it
    assert "−$117k" in html  # value - target, signed in the metric's unit
    with pytest.raises(kt.KPITreeError, match="status"):
        plots.rollup_style(revenue_tree.compare())


def test_wrong_tables_are_refused(revenue_tree):
    with pytest.raises(kt.KPITreeError, match="low"):
        plots.tornado(revenue_tree.attribute())
    with pytest.raises(kt.KPITreeError, match="contribution"):
        plots.waterfall(revenue_tree.sensitivity())


def test_analysis_never_imports_matplotlib_or_scipy():
    code = (
        "import sys, kpitree_widget as kt\n"
        "t = kt.KPITree.from_dict({'metrics': {'r': {'formula': 'a * b'},"
        " 'a': {'value': 1, 'target': 2}, 'b': {'value': 3, 'target': 4}}})\n"
        "t.sensitivity(); t.attribute(); t.compare(); t.solve('r', 10, lever='a')\n"
        "t.simulate({'a': ('normal', 2, 0.1)}, n=10)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'matplotlib', 'scipy'}))\n"
        "print('kpitree_widget.plots' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.split("\n")[:2] == ["[]", "False"]
