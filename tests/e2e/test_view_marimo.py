"""The same view in marimo (``mo.ui.anywidget``): an edit goes to Python and back."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import urllib.request

import pytest
from e2e_lab import (
    HERE,
    free_port,
    new_page,
    open_editor,
    raw,
    stop,
    type_edit,
    wait_raw,
    wait_until_up,
)

pytestmark = pytest.mark.e2e

APP = '''
import marimo

app = marimo.App()


@app.cell
def _():
    import marimo as mo

    import e2e_trees
    import kpitree_widget as kt

    tree = kt.KPITree.from_dict(e2e_trees.small_spec())
    view = mo.ui.anywidget(kt.TreeWidget(tree))
    view
    return


if __name__ == "__main__":
    app.run()
'''


@pytest.fixture(scope="module")
def marimo_app(tmp_path_factory):
    if os.environ.get("CI"):  # the dev extra installs marimo: in CI its absence is a failure
        import marimo  # noqa: F401
    else:
        pytest.importorskip("marimo", reason="marimo is not installed (pip install marimo)")
    folder = tmp_path_factory.mktemp("marimo")
    (folder / "app.py").write_text(APP)
    shutil.copy(HERE / "e2e_trees.py", folder / "e2e_trees.py")
    port = free_port()
    log = open(folder / "marimo.log", "wb")  # noqa: SIM115 - closed below
    env = {**os.environ, "PYTHONPATH": str(folder), "MARIMO_SKIP_UPDATE_CHECK": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "marimo", "run", "app.py", "--headless", "--no-token",
         "--host", "127.0.0.1", "--port", str(port)],
        cwd=folder, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        def probe() -> None:
            with urllib.request.urlopen(base, timeout=2):
                pass

        wait_until_up(proc, probe, "marimo", (folder / "marimo.log").read_text, timeout=60)
        yield base
    finally:
        stop(proc, timeout=20)
        log.close()


@pytest.fixture
def page(browser):
    pg = new_page(browser)
    yield pg
    pg.context.close()


def test_an_edit_round_trips_in_marimo(page, marimo_app):
    page.goto(marimo_app)
    view = page.locator(".kpt-root").first  # inside marimo's shadow root; locators reach in
    view.locator('[data-metric="revenue"] [data-field="target"]').first.wait_for(timeout=60_000)
    assert raw(view, "revenue") == 681250
    type_edit(view, "signup_rate", "3.1%")
    wait_raw(page, view, "revenue", (60000 * 0.031 + 4200 - 250) * 125)
    type_edit(view, "signup_rate", "abc")
    error = view.locator('[data-role="error"]').first
    error.wait_for(timeout=10_000)
    assert "'abc'" in error.inner_text()
    assert raw(view, "signup_rate") == 0.031
    # the input keeps its own look in marimo, which resets borders
    editor = open_editor(view, "arpc")
    assert editor.evaluate("(el) => getComputedStyle(el).borderTopStyle") != "none"
    editor.press("Escape")
    assert not page.problems, page.problems
