"""Widget benchmark: a real JupyterLab in headless Chromium, timings taken inside the page.

    .venv/bin/python benchmarks/widget.py               print the table
    .venv/bin/python benchmarks/widget.py --write-docs  also update the "Widget" section of
                                                        docs/performance.md

Measures
- edit to updated root: ``performance.now()`` just before the Enter keydown is dispatched on
  the target editor, to the moment a MutationObserver sees the root card's target ``data-raw``
  change (the edit went to the kernel, Python recomputed, the view redrew); median of 20 edits,
  on the b2b_saas archetype and on a generated 2,000-metric tree;
- first render of the 2,000-metric tree: from running the cell that makes and displays the
  widget (the tree is loaded in the cell before) to the root card's target being in the DOM.
"""

from __future__ import annotations

import argparse
import platform
import re
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests" / "e2e"))

from e2e_lab import Notebook, chromium, jupyterlab, new_page, open_editor  # noqa: E402

EDITS = 20
TARGETS = {"edit_archetype": 100.0, "edit_2000": 300.0, "render_2000": 1500.0}

TIMED_ENTER = """async ([root, timeout]) => {
  const input = document.activeElement;
  if (!input || input.getAttribute('data-field') !== 'target-input') {
    throw new Error('the target editor is not focused');
  }
  const view = input.closest('.jp-OutputArea-output');
  const rootField = () => view.querySelector(
      `[data-metric="${root}"] [data-field="target"]`);
  const before = rootField().getAttribute('data-raw');
  return await new Promise((resolve, reject) => {
    let start = 0;
    const done = () => {
      const now = rootField();
      if (now && now.getAttribute('data-raw') !== before) {
        observer.disconnect();
        resolve(performance.now() - start);
      }
    };
    const observer = new MutationObserver(done);
    observer.observe(view, {subtree: true, childList: true, attributes: true,
                            attributeFilter: ['data-raw']});
    setTimeout(() => { observer.disconnect(); reject(new Error('no update')); }, timeout);
    start = performance.now();
    input.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', code: 'Enter',
                                                      bubbles: true, cancelable: true}));
  });
}"""

TIMED_RENDER = """async ([root, timeout]) => {
  const nb = window.__ktNotebook;
  nb.content.activeCellIndex = 1;
  const cell = nb.content.widgets[1].node;
  const found = () => cell.querySelector(`[data-metric="${root}"] [data-field="target"]`);
  return await new Promise((resolve, reject) => {
    const observer = new MutationObserver(() => {
      if (found()) { observer.disconnect(); resolve(performance.now() - start); }
    });
    observer.observe(cell, {subtree: true, childList: true});
    setTimeout(() => { observer.disconnect(); reject(new Error('no render')); }, timeout);
    const start = performance.now();
    window.jupyterapp.commands.execute('notebook:run-cell');
  });
}"""


def edit_latencies(nb: Notebook, root: str, leaf: str, base: float) -> list[float]:
    view = nb.views(1).first
    times = []
    for i in range(EDITS):
        editor = open_editor(view, leaf)
        editor.fill(repr(base + i + 1))
        times.append(float(nb.page.evaluate(TIMED_ENTER, [root, 10_000])))
    return times


def measure_tree(page, lab, name: str, setup: str, root_expr: str) -> dict[str, object]:
    nb = Notebook(page, lab, f"bench_{name}.ipynb", [setup, "w = kt.TreeWidget(tree)\nw"])
    nb.run(0)
    root = nb.py_json(root_expr)
    render = float(page.evaluate(TIMED_RENDER, [root, 60_000]))
    nb.wait_view(1, root)
    leaf = nb.py_json("leaf")
    nb.python("w.selected = leaf")  # bring the leaf into view (its ancestors open)
    base = float(nb.py_json("tree.get_target(leaf)"))
    times = edit_latencies(nb, root, leaf, base)
    final = nb.py_json("float(tree.rollup().loc[tree.root, 'target'])")
    shown = nb.views(1).first.locator(
        f'[data-metric="{root}"] [data-field="target"]').first.get_attribute("data-raw")
    assert float(shown or "nan") == final, "the view and Python disagree after the edits"
    metrics = nb.py_json("len(tree)")
    if page.problems:
        print(f"{name}: page problems: {page.problems}", file=sys.stderr)
    page.context.close()
    lab.shutdown_kernels()
    return {"metrics": metrics, "render": render, "edits": times}


def table(results: dict[str, dict[str, object]]) -> str:
    arch, big = results["archetype"], results["big"]

    def line(what: str, ms: float, target_key: str, detail: str) -> str:
        target = TARGETS[target_key]
        verdict = "ok" if ms < target else "SLOW"
        return f"| {what} | {ms:,.0f} ms | < {target:,.0f} ms | {verdict} | {detail} |"

    a_times, b_times = list(arch["edits"]), list(big["edits"])  # type: ignore[call-overload]
    rows = [
        "| measure | result | target | | detail |",
        "|---|---|---|---|---|",
        line(f"edit -> root updated, b2b_saas ({arch['metrics']} metrics)",
             statistics.median(a_times), "edit_archetype",
             f"median of {len(a_times)}; min {min(a_times):.0f}, max {max(a_times):.0f} ms"),
        line(f"edit -> root updated, generated tree ({big['metrics']} metrics)",
             statistics.median(b_times), "edit_2000",
             f"median of {len(b_times)}; min {min(b_times):.0f}, max {max(b_times):.0f} ms"),
        line(f"first render, generated tree ({big['metrics']} metrics)",
             float(big["render"]), "render_2000",  # type: ignore[arg-type]
             "run of `w = kt.TreeWidget(tree); w` -> root card in the DOM"),
    ]
    return "\n".join(rows)


def write_docs(text: str) -> None:
    path = REPO / "docs" / "performance.md"
    doc = path.read_text() if path.exists() else "# Performance\n"
    section = "## Widget\n\n" + text.strip() + "\n"
    pattern = re.compile(r"^## Widget\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(doc):
        doc = pattern.sub(lambda _m: section + "\n", doc).rstrip() + "\n"
    else:
        doc = doc.rstrip() + "\n\n" + section
    path.write_text(doc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-docs", action="store_true",
                        help="update the Widget section of docs/performance.md")
    args = parser.parse_args()
    started = time.monotonic()
    results: dict[str, dict[str, object]] = {}
    with jupyterlab() as lab, chromium() as browser:
        results["archetype"] = measure_tree(
            new_page(browser), lab, "archetype",
            "import kpitree_widget as kt\ntree = kt.archetype('b2b_saas')\n"
            "leaf = tree.inputs()[0]\n", "tree.root")
        results["big"] = measure_tree(
            new_page(browser), lab, "big",
            "import e2e_trees, kpitree_widget as kt\nspec = e2e_trees.big_spec(2000)\n"
            "tree = kt.KPITree.from_dict(spec)\nleaf = e2e_trees.deepest_input(spec)\n",
            "tree.root")
    text = table(results)
    from importlib.metadata import version

    setup = (f"Measured {time.strftime('%Y-%m-%d')} by `benchmarks/widget.py` (JupyterLab, "
             f"headless Chromium, Python {platform.python_version()}, "
             f"Playwright {version('playwright')}, JupyterLab {version('jupyterlab')}, "
             f"{platform.machine()}, {_cores()} cores); timings taken inside the page.")
    print(text)
    print(f"\n({time.monotonic() - started:.0f} s)")
    if args.write_docs:
        write_docs(setup + "\n\n" + text + "\n\n" + NOTES)
        print("docs/performance.md updated")


def _cores() -> int:
    import os

    return os.cpu_count() or 1


NOTES = """\
How: `.venv/bin/python benchmarks/widget.py [--write-docs]`. Edit latency runs from the Enter
keydown dispatched on the target editor to a MutationObserver seeing the root card's target
`data-raw` change: the message to the kernel, parsing, the incremental recalculation, the new
`tree_data` (one message carrying it and `error`), and the view's redraw. The health check
(`tree.check()`, 50-100 ms on 2,000 metrics) runs before the answer when it is quick (under
30 ms, as on the archetype) and after it otherwise, with a second `tree_data` only if the
findings changed. The machine is shared with other jobs: repeated runs move the 2,000-metric
edit between about 80 and 240 ms.
The 2,000-metric tree (`tests/e2e/e2e_trees.py`: sums with a product every fifth node, four
children per computed metric) sends about 1 MB of `tree_data` per edit; the view draws only the
cards near the viewport. First render runs from the cell that makes and displays the widget
to the root card being in the DOM: building `tree_data` with the health check, sending the
widget's state (bundle and data) to the page, and the view's first layout and drawing."""


if __name__ == "__main__":
    main()
