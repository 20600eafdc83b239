"""A throw-away JupyterLab, headless Chromium and notebook helpers, for the browser tests and
``benchmarks/widget.py``.

The recipe (docs: /work/shared/TESTING.md): JupyterLab on 127.0.0.1 and a free port with a
fixed token, its config, runtime, data, settings and workspace folders in a temp dir (so the
kernel is the ``python3`` of this environment, never one from ``~/.local``), the news toast
switched off by a settings file, the app exposed as ``window.jupyterapp`` so tests can wait for
a ready kernel and run cells through JupyterLab's own commands.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
TOKEN = "kpitree-e2e"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def check_bundle() -> None:
    from kpitree_widget import widget

    if not widget.BUNDLE.is_file():
        raise RuntimeError(f"no widget bundle at {widget.BUNDLE}: run `cd js && npm install && "
                           "npm run build` (or `pip install -e .` with node) first")


@dataclass
class Lab:
    base: str
    token: str
    root: Path
    home: Path

    def api(self, method: str, path: str) -> Any:
        req = urllib.request.Request(f"{self.base}{path}?token={self.token}", method=method)
        with urllib.request.urlopen(req, timeout=10) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """Stop every kernel (one per test notebook) so they do not pile up."""
        for session in self.api("GET", "/api/sessions") or []:
            with suppress(OSError):
                self.api("DELETE", f"/api/sessions/{session['id']}")

    def log(self) -> str:
        return (self.home / "server.log").read_text(errors="replace")


@contextmanager
def jupyterlab(root: Path | None = None) -> Iterator[Lab]:
    """Start JupyterLab for the duration of the block; stop it (and its kernels) after."""
    check_bundle()
    home = Path(tempfile.mkdtemp(prefix="kpitree-lab-"))
    root = root or home / "notebooks"
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(HERE / "e2e_trees.py", root / "e2e_trees.py")
    port = free_port()
    env = {**os.environ,
           "JUPYTER_CONFIG_DIR": str(home / "config"),
           "JUPYTER_DATA_DIR": str(home / "data"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
           "PYTHONUNBUFFERED": "1"}
    settings = home / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    log = open(home / "server.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.allow_root=True",
         "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
         f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={root}",
         "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=None",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root, start_new_session=True)
    lab = Lab(f"http://127.0.0.1:{port}", TOKEN, root, home)
    try:
        wait_until_up(proc, lambda: lab.api("GET", "/api/status"), "JupyterLab", lab.log,
                      timeout=90)
        yield lab
    finally:
        stop(proc, timeout=30)
        log.close()
        shutil.rmtree(home, ignore_errors=True)


@contextmanager
def chromium() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"no Chromium at {CHROMIUM}: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser: Any, width: int = 1400, height: int = 1000, scale: float = 1) -> Any:
    """A page in a fresh context, recording page errors, dialogs and console errors."""
    context = browser.new_context(viewport={"width": width, "height": height},
                                  device_scale_factor=scale)
    page = context.new_page()
    page.problems = []
    page.console_errors = []
    page.on("pageerror", lambda e: page.problems.append(f"pageerror: {e}"))

    def on_dialog(dialog: Any) -> None:
        if dialog.type == "beforeunload":  # JupyterLab asking before leaving a notebook
            dialog.accept()
            return
        page.problems.append(f"dialog ({dialog.type}): {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("console", lambda m: page.console_errors.append(m.text)
            if m.type == "error" else None)
    return page


class CellError(AssertionError):
    pass


class Notebook:
    """A notebook of code cells opened in JupyterLab, with a ready kernel."""

    def __init__(self, page: Any, lab: Lab, name: str, cells: list[str]) -> None:
        import nbformat

        self.page, self.lab, self.name = page, lab, name
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
        nbformat.write(nb, lab.root / name)
        page.goto(f"{lab.base}/lab/tree/{name}?token={lab.token}&reset")
        page.wait_for_function(
            """(name) => {
              const app = window.jupyterapp;
              const w = app && app.shell.currentWidget;
              const s = w && w.sessionContext;
              const ok = s && w.context && w.context.path.endsWith(name) && s.isReady &&
                s.session && s.session.kernel && s.session.kernel.status === 'idle' &&
                s.session.kernel.connectionStatus === 'connected';
              if (ok) window.__ktNotebook = w;
              return ok;
            }""", arg=name, timeout=90_000)

    # ---- cells

    def cell(self, index: int) -> Any:
        return self.page.locator(".jp-Notebook .jp-Cell").nth(index)

    def run(self, index: int, timeout: float = 60_000) -> None:
        """Run one cell through JupyterLab's own command and wait until it has finished;
        a cell that raised fails the test with its traceback's last line."""
        result = self.page.evaluate(
            """async ([i, timeout]) => {
              const nb = window.__ktNotebook;
              window.jupyterapp.shell.activateById(nb.id);
              nb.content.activeCellIndex = i;
              const cell = nb.content.widgets[i];
              const run = window.jupyterapp.commands.execute('notebook:run-cell');
              const late = new Promise((r) => setTimeout(() => r('timeout'), timeout));
              if (await Promise.race([run.then(() => 'done'), late]) === 'timeout') {
                return {timeout: true};
              }
              const errors = cell.model.outputs.toJSON().filter((o) => o.output_type === 'error');
              return {count: cell.model.executionCount,
                      error: errors.length ? errors[0].ename + ': ' + errors[0].evalue : null};
            }""", [index, timeout])
        if result.get("timeout"):
            raise CellError(f"cell {index} of {self.name} did not finish")
        if result.get("error"):
            raise CellError(f"cell {index} of {self.name} raised {result['error']}")
        if result.get("count") is None:
            raise CellError(f"cell {index} of {self.name} did not run")

    def python(self, code: str, timeout: float = 30_000) -> str:
        """Run code in the notebook's kernel (no cell): its printed output; raise on error."""
        result = self.page.evaluate(
            """async ([code, timeout]) => {
              const kernel = window.__ktNotebook.sessionContext.session.kernel;
              const future = kernel.requestExecute({code, store_history: false});
              let out = '', error = null;
              future.onIOPub = (msg) => {
                const t = msg.header.msg_type;
                if (t === 'stream') out += msg.content.text;
                else if (t === 'error') error = msg.content.ename + ': ' + msg.content.evalue;
              };
              const late = new Promise((r) => setTimeout(() => r('timeout'), timeout));
              if (await Promise.race([future.done.then(() => 'done'), late]) === 'timeout') {
                return {out, error: 'timeout'};
              }
              return {out, error};
            }""", [code, timeout])
        if result["error"]:
            raise CellError(f"kernel: {result['error']}\n{code}")
        return str(result["out"])

    def py_json(self, expression: str) -> Any:
        """The value of a Python expression in the kernel, through JSON."""
        out = self.python(f"import json as _j; print('@@' + _j.dumps({expression}))")
        return json.loads(out.split("@@", 1)[1])

    # ---- the widget's views

    def views(self, index: int) -> Any:
        """The widget views in cell ``index``'s output."""
        return self.cell(index).locator(".jp-OutputArea-output").filter(
            has=self.page.locator(".kpt-root"))

    def wait_view(self, index: int, root: str, k: int = 0, timeout: float = 60_000) -> Any:
        view = self.views(index).nth(k)
        view.locator(f'[data-metric="{root}"] [data-field="target"]').first.wait_for(
            timeout=timeout)
        return view


# ---- the view's DOM hooks


def card(view: Any, metric: str) -> Any:
    return view.locator(f'[data-metric="{metric}"]').first


def field(view: Any, metric: str, name: str = "target") -> Any:
    return card(view, metric).locator(f'[data-field="{name}"]').first


def raw(view: Any, metric: str, name: str = "target") -> float | None:
    text = field(view, metric, name).get_attribute("data-raw")
    return float(text) if text else None


def clickable(locator: Any) -> bool:
    """Is the element's centre on screen and not covered (the view pans a stage inside a
    clipped viewport, so a card can be in the DOM yet out of sight)?"""
    return bool(locator.evaluate("""(el) => {
        const r = el.getBoundingClientRect();
        if (!r.width || !r.height) return false;
        const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
        return !!hit && (hit === el || el.contains(hit));
    }"""))


def open_editor(view: Any, metric: str, name: str = "target") -> Any:
    """Open the metric's editor like a person: click the number when it is in sight, else
    focus it and press Enter (the keyboard path, which brings the card into view)."""
    editor = card(view, metric).locator(f'input[data-field="{name}-input"]')
    if editor.is_visible():
        return editor
    number = field(view, metric, name)
    number.scroll_into_view_if_needed()
    if clickable(number):
        number.click()
    else:
        number.focus()
        number.press("Enter")
    return editor


def type_edit(view: Any, metric: str, text: str, name: str = "target") -> None:
    """Open the editor, type the text, press Enter."""
    editor = open_editor(view, metric, name)
    editor.fill(text)
    editor.press("Enter")


def wait_raw(page: Any, view: Any, metric: str, want: float | None, name: str = "target",
             timeout: float = 10.0) -> None:
    """Poll the field's data-raw (re-resolved each time) until it equals ``want``."""
    deadline = time.monotonic() + timeout
    while True:
        got = field(view, metric, name).get_attribute("data-raw")
        if want is None and got == "":
            return
        if want is not None and got and math.isclose(float(got), want, rel_tol=1e-9,
                                                     abs_tol=1e-12):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{metric}.{name} data-raw is {got!r}, expected {want!r}")
        page.wait_for_timeout(15)


def wait_until_up(proc: subprocess.Popen, probe: Callable[[], object], name: str,
                  log: Callable[[], str], timeout: float) -> None:
    """Call ``probe`` until it stops raising OSError; fail with the server's log if the
    process exits or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} stopped:\n" + log())
        try:
            probe()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start:\n" + log()) from None
            time.sleep(0.25)


def stop(proc: subprocess.Popen, timeout: float) -> None:
    """SIGTERM (which also shuts a server's kernels down), then kill if it lingers."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
