"""Browser fixtures: one JupyterLab and one headless Chromium per session, a fresh page (browser
context) per test; on a failed test the page's screenshot and HTML go to ``test-artifacts/``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from e2e_lab import REPO, chromium, jupyterlab, new_page

ARTIFACTS = Path(os.environ.get("KPITREE_TEST_ARTIFACTS", REPO / "test-artifacts"))


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    with jupyterlab(tmp_path_factory.mktemp("notebooks")) as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser, lab):
    pg = new_page(browser)
    yield pg
    pg.context.close()
    lab.shutdown_kernels()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep a screenshot, the page's HTML and what the page complained about."""
    outcome = yield
    rep = outcome.get_result()
    pg = item.funcargs.get("page") or item.funcargs.get("sharp_page")
    if rep.when != "call" or not rep.failed or pg is None:
        return
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = ARTIFACTS / item.name.replace("/", "_")
    try:
        pg.screenshot(path=f"{stem}.png", full_page=True)
        Path(f"{stem}.html").write_text(pg.content())
        Path(f"{stem}.log").write_text(
            "problems:\n" + "\n".join(getattr(pg, "problems", []))
            + "\nconsole errors:\n" + "\n".join(getattr(pg, "console_errors", [])))
        rep.sections.append(("artifacts", f"screenshot, HTML and log in {stem}.*"))
    except Exception as exc:
        rep.sections.append(("artifacts", f"could not save the page: {exc}"))
