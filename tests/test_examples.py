"""The example notebooks: committed clean (valid v4, no outputs), and they run without errors."""

from __future__ import annotations

import copy
import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

import kpitree_widget as kt
from notebooks import errors_of, execute, text_of

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NOTEBOOKS = ["quickstart.ipynb", "fpa_scenarios.ipynb", "workshop.ipynb", "live_data.ipynb"]


def read(name):
    return nbformat.read(str(EXAMPLES / name), as_version=nbformat.NO_CONVERT)


def without_ids(nb):
    plain = copy.deepcopy(dict(nb))
    plain["cells"] = [{k: v for k, v in cell.items() if k != "id"} for cell in nb.cells]
    return plain


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_example_is_committed_clean(name):
    nb = read(name)
    assert nb.nbformat == 4
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{name}: commit the notebook without outputs"
            assert cell.execution_count is None
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")


def test_workshop_is_the_generated_template():
    """examples/workshop.ipynb is kt.template("b2b_saas"); regenerate it with
    `python examples/make_workshop.py` after changing the template."""
    committed = read("workshop.ipynb")
    assert without_ids(committed) == without_ids(kt.template("b2b_saas"))


def test_make_workshop_script_writes_the_same_notebook(tmp_path):
    spec = importlib.util.spec_from_file_location("make_workshop", EXAMPLES / "make_workshop.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "workshop.ipynb"
    assert module.main(["b2b_saas", str(out)]) == 0
    written = nbformat.read(str(out), as_version=nbformat.NO_CONVERT)
    assert without_ids(written) == without_ids(read("workshop.ipynb"))


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """Each example run once in a fresh kernel (in a folder of its own), shared by the tests."""
    cache = {}

    def run(name):
        if name not in cache:
            cache[name] = execute(read(name), tmp_path_factory.mktemp(name.split(".")[0]))
        return cache[name]

    return run


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_example_runs_without_errors(name, executed):
    nb = executed(name)
    assert not errors_of(nb), errors_of(nb)


def test_quickstart_round_trips_and_the_view_follows(executed):
    nb = executed("quickstart.ipynb")
    widget_cells = [c for c in nb.cells if c.cell_type == "code"
                    and "kt.TreeWidget(tree)" in c.source]
    mimes = {m for c in widget_cells for o in c.outputs for m in o.get("data", {})}
    assert "application/vnd.jupyter.widget-view+json" in mimes
    follow = next(c for c in nb.cells if c.cell_type == "code" and "set_target" in c.source)
    assert text_of([follow]).startswith("True")  # view.tree is tree
    reload = next(c for c in nb.cells if c.cell_type == "code" and "kt.load(" in c.source)
    assert text_of([reload]).split() == ["True", "0.27"]


def test_fpa_numbers_add_up(executed):
    nb = executed("fpa_scenarios.ipynb")
    text = text_of(nb.cells)
    miss = re.search(r"ARR miss: (-?[\d,]+); sum of contributions: (-?[\d,]+)", text)
    assert miss and miss.group(1) == miss.group(2)
    assert int(miss.group(1).replace(",", "")) < 0  # the year missed plan
    needed = re.search(r"Win rate needed: ([\d.]+)% \(base plan ([\d.]+)%\)", text)
    assert needed and float(needed.group(2)) < float(needed.group(1)) < 30
    assert "p10" in text and "p50" in text and "p90" in text
    chance = re.search(r"Chance of reaching \$20M: ([\d.]+)%", text)
    assert chance and 0 < float(chance.group(1)) < 100


def test_live_data_refreshes_to_the_pandas_numbers_and_refuses_a_write(executed):
    nb = executed("live_data.ipynb")
    text = text_of(nb.cells)
    signups = re.search(r"Signups in 2026-03: (\d+) \(pandas: (\d+)\)", text)
    assert signups and signups.group(1) == signups.group(2) and int(signups.group(1)) > 100
    assert "only a read-only SELECT query is allowed" in text
    assert "unchanged: True | file written: False" in text
    assert "conversion has no source and no data" in text.replace("Conversion", "conversion")


# ------------------------------------------------------------------------ examples in the docs

DOCS = EXAMPLES.parent / "docs"


def test_file_format_example_is_complete_and_loads():
    from kpitree_widget.schema import MetricSpec, TreeSpec

    text = (DOCS / "file-format.md").read_text()
    example = re.findall(r"```yaml\n(.*?)```", text, re.S)[0]
    tree = kt.loads(example)
    assert tree.root == "revenue" and tree.periods and tree.scenarios and tree.hypotheses
    for name in TreeSpec.model_fields:
        key = TreeSpec.model_fields[name].alias or name
        assert re.search(rf"^{key}:", example, re.M), f"top-level key {key!r} is not shown"
    for name in MetricSpec.model_fields:
        assert re.search(rf"^    {name}:", example, re.M), f"metric field {name!r} is not shown"


def _code_spans(cell):
    return re.findall(r"`([^`]+)`", cell)


def test_formula_docs_match_the_parser():
    from kpitree_widget.formula import parse

    text = (DOCS / "formulas.md").read_text()
    kinds = text.split("## How the kind of link is read")[1].split("##")[0]
    checked = 0
    for row in re.findall(r"^\| `(sum|product|ratio|formula)` \|.*\| (.*) \|$", kinds, re.M):
        kind, examples = row
        for formula in _code_spans(examples):
            assert parse(formula).relation == kind, (formula, kind)
            checked += 1
    assert checked >= 8
    domain = text.split("## Examples from the domain")[1].split("##")[0]
    formulas = [_code_spans(line)[-1] for line in domain.splitlines()
                if line.startswith("| ") and "`" in line]
    assert len(formulas) >= 10
    for formula in formulas:
        parse(formula)
    refused = text.split("## What is refused")[1].split("Formula strings come")[0]
    bad = [span for line in refused.splitlines() if line.startswith("| `")
           for span in _code_spans(line.split(" | ")[0])]
    assert len(bad) >= 10
    for formula in bad:
        with pytest.raises(kt.KPITreeError):
            parse(formula, metric="m")


def test_fpa_ends_on_a_view_with_a_year_of_actuals_and_the_period_picker(executed):
    nb = executed("fpa_scenarios.ipynb")
    last = nb.cells[-1]
    view = next(o for o in last.outputs
                if "application/vnd.jupyter.widget-view+json" in o.get("data", {}))
    model = view["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
    state = nb.metadata.widgets["application/vnd.jupyter.widget-state+json"]["state"][model]
    structure = state["state"]["structure"]
    assert structure["periods"] == [f"2026-{m:02d}" for m in range(1, 13)]  # the picker's list
    assert structure["period"] == "2026-12"
    numbers = structure["numbers"]["metrics"]
    assert numbers["arr"]["value"] is not None and numbers["arr"]["target"] is not None
    assert sum(1 for m in numbers.values() if m["value"] is not None) == len(numbers)
