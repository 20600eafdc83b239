"""A class installs from the built wheel on laptops without node: the wheel from
``scripts/bootstrap.sh dist`` goes into a fresh virtual environment whose PATH has no node, runs
the quickstart notebook in a real kernel there, and its bundled view renders in Chromium."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "e2e"))

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(["bash", str(REPO / "scripts" / "bootstrap.sh"), "dist"],
                          cwd=REPO, env={**os.environ, "DIST_DIR": str(out)},
                          capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "PASSED" in done.stdout  # twine check --strict, once per file
    return out


@pytest.fixture(scope="module")
def fresh(dist, tmp_path_factory) -> dict[str, object]:
    """A new virtual environment with the wheel (and a kernel) installed, and a PATH that
    holds only the environment's own programs: no node, no npm."""
    home = tmp_path_factory.mktemp("laptop")
    env_dir = home / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / "bin"
    (wheel,) = dist.glob("*.whl")
    env = {"PATH": str(bin_dir), "HOME": str(home), "JUPYTER_DATA_DIR": str(home / "data"),
           "JUPYTER_CONFIG_DIR": str(home / "config"), "PIP_DISABLE_PIP_VERSION_CHECK": "1",
           "LANG": "C.UTF-8"}
    for key in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_CONFIG_FILE",
                "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY"):
        if key in os.environ:
            env[key] = os.environ[key]
    assert shutil.which("node", path=env["PATH"]) is None
    assert shutil.which("npm", path=env["PATH"]) is None
    done = subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel),
                           "nbclient", "ipykernel"],
                          env=env, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    return {"python": str(bin_dir / "python"), "env": env, "home": home}


def run_in(fresh: dict[str, object], code: str) -> str:
    done = subprocess.run([str(fresh["python"]), "-c", code], env=fresh["env"],  # type: ignore[arg-type]
                          capture_output=True, text=True, timeout=600, cwd=fresh["home"])
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_the_wheel_carries_the_view_and_the_package_data(dist):
    (wheel,) = dist.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"kpitree_widget/static/widget.js", "kpitree_widget/static/widget.css"} <= names
    assert any(n.startswith("kpitree_widget/archetypes/") and n.endswith(".yaml") for n in names)
    assert any(n.startswith("kpitree_widget/workshops/content/") for n in names)
    assert not any("node_modules" in n or n.startswith(("js/", "tests/")) for n in names)
    (sdist,) = dist.glob("*.tar.gz")
    assert sdist.stat().st_size < 5_000_000  # no node_modules, no virtual environment


def test_the_quickstart_notebook_runs_from_the_wheel_without_node(fresh):
    notebook = REPO / "examples" / "quickstart.ipynb"
    out = Path(str(fresh["home"])) / "quickstart.ipynb"
    run_in(fresh, f"""
import nbformat, kpitree_widget
from nbclient import NotebookClient
assert "site-packages" in kpitree_widget.__file__, kpitree_widget.__file__
nb = nbformat.read({str(notebook)!r}, as_version=4)
NotebookClient(nb, kernel_name="python3", timeout=300).execute()
nbformat.write(nb, {str(out)!r})
""")
    nb = json.loads(out.read_text())
    outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"]
    views = [o["data"] for o in outputs if "application/vnd.jupyter.widget-view+json"
             in o.get("data", {})]
    assert views, "the notebook shows the tree view"
    pictures = ["".join(o["data"]["text/html"]) for o in outputs
                if "kpitree-fallback" in "".join(o.get("data", {}).get("text/html", ""))]
    assert pictures and "<svg" in pictures[0]  # the picture for pages where no kernel runs


def test_the_view_from_the_wheel_renders_in_a_browser(fresh):
    """The installed bundle, given the state the installed package sends, draws every card."""
    state = json.loads(run_in(fresh, """
import json, kpitree_widget as kt
w = kt.TreeWidget(kt.archetype("b2b_saas"))
state = {k: v for k, v in w.get_state().items() if not k.startswith("_") or k in ("_esm", "_css")}
print(json.dumps({"state": state, "metrics": list(w.tree.metrics)}, default=str))
"""))
    esm = state["state"].pop("_esm")
    css = state["state"].pop("_css")
    assert "bundle missing" not in esm
    # in a process of its own: Playwright's sync API cannot run inside an event loop that an
    # earlier test (a kernel client) may have left in this one
    page_file = Path(str(fresh["home"])) / "render.json"
    page_file.write_text(json.dumps({"esm": esm, "css": css, "state": state["state"]}))
    done = subprocess.run([sys.executable, "-c", RENDER, str(page_file)], capture_output=True,
                          text=True, timeout=300, cwd=REPO / "tests" / "e2e")
    assert done.returncode == 0, done.stderr[-3000:]
    shown = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(shown["metrics"]) == set(state["metrics"])
    assert shown["root_raw"]


RENDER = """
import json, sys
from e2e_lab import chromium, new_page

spec = json.load(open(sys.argv[1]))
with chromium() as browser:
    page = new_page(browser)
    page.set_content(f"<html><head><style>{spec['css']}</style></head><body>"
                     "<div id='out' style='width:1200px;height:800px'></div></body></html>")
    page.evaluate(\"\"\"async ([esm, state]) => {
        const url = URL.createObjectURL(new Blob([esm], {type: "text/javascript"}));
        const mod = await import(url);
        const listeners = {};
        const model = {
            get: (k) => state[k],
            set: (k, v) => { state[k] = v; },
            save_changes: () => {},
            on: (e, f) => { (listeners[e] ??= []).push(f); },
            off: () => {},
            send: () => {},
        };
        mod.default.render({model, el: document.getElementById("out")});
    }\"\"\", [spec["esm"], spec["state"]])
    cards = page.locator("#out [data-metric]")
    cards.first.wait_for(timeout=30_000)
    shown = cards.evaluate_all("els => [...new Set(els.map(e => e.dataset.metric))]")
    raw = page.locator("#out [data-metric='arr'] [data-field='value']").first.get_attribute(
        "data-raw")
    page.context.close()
print(json.dumps({"metrics": shown, "root_raw": raw}))
"""
