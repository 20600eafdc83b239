"""Widget benchmark: what an edit costs in Python and sends to the page, and a real JupyterLab in
headless Chromium with timings taken inside the page.

    .venv/bin/python benchmarks/widget.py               print the tables
    .venv/bin/python benchmarks/widget.py --write-docs  also update the "Widget" section of
                                                        docs/performance.md

Measures, in one run
- Python side of a leaf target edit (generated trees of 2,000 and 10,000 metrics): the request
  goes through ipywidgets' real comm entry point (``Widget._handle_msg``) and every message the
  widget sends is captured at ``Widget._send``; time is from the request to the last message
  (answer and deltas), bytes are ``json.dumps`` of those messages; median of 20 edits. The
  baseline, measured alongside, is protocol v1's answer to the same edit: the whole
  ``tree_data`` (``tree_data(tree)``: rollup, health check, every row) serialised to JSON;
- edit to updated root: ``performance.now()`` just before the Enter keydown is dispatched on
  the target editor, to the moment a MutationObserver sees the root card's target ``data-raw``
  change (the request went to the kernel, Python recomputed, the delta reached the view and it
  redrew the cards named); median of 20 edits, on the b2b_saas archetype and on generated trees
  of 2,000 and 10,000 metrics;
- first render of the generated trees: from running the cell that makes and displays the
  widget (the tree is loaded in the cell before) to the root card's target being in the DOM.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests" / "e2e"))

from e2e_lab import Notebook, chromium, jupyterlab, new_page, open_editor  # noqa: E402

EDITS = 20
SIZES = (2000, 10000)
# ms for times, kB for bytes
TARGETS = {"edit_archetype": 100.0, "edit_2000": 50.0, "edit_10000": 150.0,
           "render_2000": 1500.0, "render_10000": 2000.0, "python_2000": 40.0,
           "python_10000": 40.0, "bytes_2000": 20.0, "bytes_10000": 50.0}

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


def python_side(n: int) -> dict[str, float]:
    """A leaf target edit on a generated tree of ``n`` metrics, without a browser: the
    widget's time and bytes (protocol v2) against v1's whole ``tree_data`` for the same edit."""
    from e2e_trees import big_spec, deepest_input

    import kpitree_widget as kt
    from kpitree_widget import widget as widget_module

    spec = big_spec(n)
    tree = kt.KPITree.from_dict(spec)
    leaf = deepest_input(spec)
    w = widget_module.TreeWidget(tree)
    sent: list[Any] = []
    w._send = lambda msg, buffers=None: sent.append(msg)  # type: ignore[method-assign]
    base = float(tree.get_target(leaf))  # type: ignore[arg-type]
    times, sizes, v1_times, v1_sizes = [], [], [], []
    for i in range(EDITS):
        sent.clear()
        request = {"kind": "anywidget-command", "id": f"b{i}", "name": "edit",
                   "msg": {"metric": leaf, "field": "target", "text": repr(base + i + 1)}}
        started = time.perf_counter()
        w._handle_msg({"content": {"data": {"method": "custom", "content": request}},
                       "buffers": []})
        times.append(time.perf_counter() - started)
        assert w.error == {}, w.error
        sizes.append(len(json.dumps(sent)))
        # protocol v1 answered the same edit with the whole tree_data
        started = time.perf_counter()
        v1 = json.dumps({"tree_data": widget_module.tree_data(tree), "error": {}})
        v1_times.append(time.perf_counter() - started)
        v1_sizes.append(len(v1))
    structure = len(json.dumps(w.structure))
    w.close()
    return {"metrics": len(tree), "ms": 1000 * statistics.median(times),
            "max_ms": 1000 * max(times), "bytes": statistics.median(sizes),
            "v1_ms": 1000 * statistics.median(v1_times), "v1_bytes": statistics.median(v1_sizes),
            "structure_bytes": structure}


def verdict(result: float, target_key: str) -> str:
    return "ok" if result <= TARGETS[target_key] else "MISSED"


def python_table(results: dict[int, dict[str, float]]) -> str:
    rows = ["| leaf target edit, Python side | result | target | | protocol v1, same run | "
            "ratio |", "|---|---|---|---|---|---|"]
    for n, r in results.items():
        rows.append(f"| time, {r['metrics']:,.0f} metrics | {r['ms']:.1f} ms | "
                    f"<= {TARGETS[f'python_{n}']:.0f} ms | {verdict(r['ms'], f'python_{n}')} | "
                    f"{r['v1_ms']:,.0f} ms | {r['v1_ms'] / r['ms']:,.0f}x less |")
        kb, v1_kb = r["bytes"] / 1000, r["v1_bytes"] / 1000
        rows.append(f"| bytes sent, {r['metrics']:,.0f} metrics | {kb:.1f} kB | "
                    f"<= {TARGETS[f'bytes_{n}']:.0f} kB | {verdict(kb, f'bytes_{n}')} | "
                    f"{v1_kb:,.0f} kB | {v1_kb / kb:,.0f}x less |")
    return "\n".join(rows)


def browser_table(results: dict[str, dict[str, Any]]) -> str:
    def line(what: str, ms: float, target_key: str, detail: str) -> str:
        return (f"| {what} | {ms:,.0f} ms | < {TARGETS[target_key]:,.0f} ms | "
                f"{verdict(ms, target_key)} | {detail} |")

    def edits(times: list[float]) -> str:
        return f"median of {len(times)}; min {min(times):.0f}, max {max(times):.0f} ms"

    arch = results["archetype"]
    rows = ["| in the browser | result | target | | detail |", "|---|---|---|---|---|",
            line(f"edit -> root updated, b2b_saas ({arch['metrics']} metrics)",
                 statistics.median(arch["edits"]), "edit_archetype", edits(arch["edits"]))]
    for n in SIZES:
        big = results[f"big_{n}"]
        rows.append(line(f"edit -> root updated, generated tree ({big['metrics']:,} metrics)",
                         statistics.median(big["edits"]), f"edit_{n}", edits(big["edits"])))
    for n in SIZES:
        big = results[f"big_{n}"]
        rows.append(line(f"first render, generated tree ({big['metrics']:,} metrics)",
                         float(big["render"]), f"render_{n}",
                         "run of `w = kt.TreeWidget(tree); w` -> root card in the DOM"))
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
    sys.path.insert(0, str(REPO / "src"))
    python = {n: python_side(n) for n in SIZES}
    print(python_table(python) + "\n", flush=True)
    results: dict[str, dict[str, Any]] = {}
    with jupyterlab() as lab, chromium() as browser:
        results["archetype"] = measure_tree(
            new_page(browser), lab, "archetype",
            "import kpitree_widget as kt\ntree = kt.archetype('b2b_saas')\n"
            "leaf = tree.inputs()[0]\n", "tree.root")
        for n in SIZES:
            results[f"big_{n}"] = measure_tree(
                new_page(browser), lab, f"big_{n}",
                f"import e2e_trees, kpitree_widget as kt\nspec = e2e_trees.big_spec({n})\n"
                "tree = kt.KPITree.from_dict(spec)\nleaf = e2e_trees.deepest_input(spec)\n",
                "tree.root")
    text = python_table(python) + "\n\n" + browser_table(results)
    from importlib.metadata import version

    setup = (f"Measured {time.strftime('%Y-%m-%d')} by `benchmarks/widget.py` (JupyterLab, "
             f"headless Chromium, Python {platform.python_version()}, "
             f"Playwright {version('playwright')}, JupyterLab {version('jupyterlab')}, "
             f"{platform.machine()}, {_cores()} cores); browser timings taken inside the page.")
    print(browser_table(results))
    print(f"\n({time.monotonic() - started:.0f} s)")
    if args.write_docs:
        write_docs(setup + "\n\n" + text + "\n\n" + NOTES)
        print("docs/performance.md updated")


def _cores() -> int:
    import os

    return os.cpu_count() or 1


NOTES = """\
How: `.venv/bin/python benchmarks/widget.py [--write-docs]`. Protocol v2
([widget-protocol.md](widget-protocol.md)): the structure goes to the page when it changes (with
a snapshot of the numbers); an edit recomputes the edited input and its ancestors from the
engine's arrays, brings the health findings up to date with `IncrementalCheck`, and sends only
the metrics whose numbers or findings changed (with Python's text of each number), then the
answer to that request. The view merges the delta into the cards it names and lays nothing out
again. The v1 column is the same edit answered as protocol v1 did, with the whole `tree_data`
(a fresh rollup, a full health check and every row), measured in the same run.
Edit latency in the browser runs from the Enter keydown on the target editor to a
MutationObserver seeing the root card's target `data-raw` change. First render runs from the
cell that makes and displays the widget to the root card being in the DOM: building the
structure and its snapshot, sending the widget's state (bundle and structure) to the page, and
the view's first layout and drawing. The generated trees (`tests/e2e/e2e_trees.py`) are sums
with a product every fifth node, four children per computed metric. The machine is shared with
other jobs: browser timings move between runs."""


if __name__ == "__main__":
    main()
