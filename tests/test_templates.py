"""Workshop templates: one notebook per archetype, valid, consistent with its tree, and runnable."""

from __future__ import annotations

import math
import sys

import nbformat
import pytest

import kpitree_widget as kt
from kpitree_widget.workshops import CRITERIA, content, template, workshops
from kpitree_widget.workshops.refs import METRIC_REF
from notebooks import errors_of, execute, text_of

ARCHETYPES = ["b2b_saas", "b2b_plg", "b2c_subscription", "ecommerce", "marketplace",
              "media", "fintech", "healthcare"]


def test_every_archetype_has_a_workshop():
    assert set(kt.archetypes()) == set(workshops())
    assert set(ARCHETYPES) <= set(workshops())


def test_the_kernel_is_this_python(tmp_path):
    """nbclient's ``python3`` kernel must run this environment, or templates test another one."""
    cell = nbformat.v4.new_code_cell("import sys; print(sys.prefix)")
    nb = nbformat.v4.new_notebook(cells=[cell])
    execute(nb, tmp_path)
    assert text_of(nb.cells[0]).strip() == sys.prefix, (
        "the python3 kernelspec runs another Python: "
        "run `python -m ipykernel install --sys-prefix` with this environment's python")


def test_unknown_archetype_is_refused_with_a_suggestion():
    with pytest.raises(kt.KPITreeError, match="b2b_saas"):
        kt.template("b2b_sas")


@pytest.mark.parametrize("name", ARCHETYPES)
def test_template_is_a_valid_notebook(name):
    nb = kt.template(name)
    nbformat.validate(nb)
    assert nb.nbformat == 4
    assert nb.metadata.kernelspec.name == "python3"
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert code[0].startswith("import kpitree_widget as kt\n")
    assert f'\n\ntree = kt.archetype("{name}")\n' in code[0]
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for heading in ("## Why", "## The math of the tree", "## The tree, live", "## The rollup",
                    "## What if?", "## Back-solve", "## Which leaves matter most?",
                    "## Health check", "## Export the picture", "## Exercises",
                    "Pick a leaf you own", "Add a quality metric",
                    "Which hypothesis would you test first?"):
        assert heading in markdown, heading
    assert "[[" not in markdown  # every metric reference was rendered
    for title in CRITERIA.values():
        assert title in markdown
    # the same notebook every time, so the committed example can be compared
    assert kt.template(name) == nb
    assert template(name) == nb


@pytest.mark.parametrize("name", ARCHETYPES)
def test_content_refers_to_real_metrics(name):
    tree = kt.archetype(name)
    w = content(name)
    missing = w.metric_ids() - set(tree.metrics)
    assert not missing, f"{name}: content names metrics the tree lacks: {sorted(missing)}"
    assert set(w.why.model_dump()) == set(CRITERIA)
    # the what-if leaf is an input that enters the math, and the new target is a change
    wi = w.what_if
    assert tree.metrics[wi.metric].is_input and tree.parents(wi.metric)
    assert not math.isclose(wi.target, tree.get_target(wi.metric))
    # the solve lever sits under the metric it solves for
    s = w.solve
    assert tree.metrics[s.lever].is_input
    assert s.lever in tree.descendants(s.metric)
    # the quality metric to add is new, and its link lands on a real metric
    q = w.quality_metric
    assert q.id not in tree.metrics and q.links_to in tree.metrics
    # the first hypothesis to test is one the tree declares
    first = (w.first_hypothesis.driver, w.first_hypothesis.outcome)
    assert first in {(h.driver, h.outcome) for h in tree.hypotheses}
    for text in w.texts():
        assert "[[" not in METRIC_REF.sub("", text), text  # no half-written references


@pytest.mark.parametrize("name", ARCHETYPES)
def test_what_if_moves_the_root_and_the_goal_is_reachable(name):
    w = content(name)
    tree = kt.archetype(name)
    before = tree.rollup().loc[tree.root, "target"]
    tree.set_target(w.what_if.metric, w.what_if.target)
    assert tree.rollup().loc[tree.root, "target"] != pytest.approx(before)

    tree = kt.archetype(name)
    s = w.solve
    planned = tree.get_target(s.lever)
    current = tree.rollup().loc[s.metric, "target"]
    assert s.goal != pytest.approx(current, rel=0.01), "a back-solve should ask for a change"
    needed = tree.solve(s.metric, s.goal, lever=s.lever)
    assert math.isfinite(needed) and needed > 0
    assert tree.rollup().loc[s.metric, "target"] == pytest.approx(s.goal)
    # realistic: the lever moves by less than half its planned value, and a rate stays a rate
    assert abs(needed / planned - 1) < 0.5, (s.lever, planned, needed)
    if tree.metrics[s.lever].unit == "percent":
        assert 0 < needed < 1


@pytest.mark.parametrize("name", ARCHETYPES)
def test_math_table_is_built_from_the_tree(name):
    tree = kt.archetype(name)
    nb = kt.template(name)
    math_cell = next(c.source for c in nb.cells if c.source.startswith("## The math"))
    for metric_id, _parent, level, link in tree.outline():
        metric = tree.metrics[metric_id]
        if metric.parsed is not None and level <= 1 and link in ("root", "formula"):
            assert f"`{metric_id} = {metric.parsed.display()}`" in math_cell


@pytest.mark.parametrize("name", ARCHETYPES)
def test_template_executes_without_errors(name, tmp_path):
    nb = execute(kt.template(name), tmp_path)
    assert not errors_of(nb), errors_of(nb)
    what_if = next(c for c in nb.cells if c.cell_type == "code"
                   and c.source.startswith("leaf = "))
    assert " -> " in text_of(what_if)
    solve = next(c for c in nb.cells if c.cell_type == "code" and "tree.solve(" in c.source)
    assert "needs a target of" in text_of(solve)
    assert (tmp_path / f"{name}_tree.svg").read_text().lstrip().startswith(("<?xml", "<svg"))
    # the quality-metric exercise builds in a view of a tree saved to its own file
    saved = kt.load(tmp_path / f"{name}_workshop_tree.yaml")
    assert set(saved.metrics) == set(kt.archetype(name).metrics)
    added = next(c for c in nb.cells if c.cell_type == "code" and "added = " in c.source)
    assert "added: none yet" in text_of(added)


def _archetype_page_module():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "docs" / "make_archetype_svgs.py"
    spec = importlib.util.spec_from_file_location("make_archetype_svgs", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_archetypes_page_is_current():
    """docs/archetypes.md is generated: run `python docs/make_archetype_svgs.py` after changing
    an archetype YAML or the workshop content."""
    module = _archetype_page_module()
    assert module.PAGE.read_text(encoding="utf-8") == module.page()
    for name in kt.archetypes():
        svg = module.SVG_DIR / f"{name}.svg"
        assert svg.exists(), f"{svg} is missing: run docs/make_archetype_svgs.py"
        assert f"archetypes/{name}.svg" in module.page()
