"""Workshop content as data: one YAML file per archetype, checked against a declared schema,
and notebooks whose numbers read as the package's one formatter writes them."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml

import kpitree_widget as kt
from kpitree_widget import workshops
from kpitree_widget.numbers import format_number
from notebooks import execute, text_of

CONTENT = resources.files("kpitree_widget.workshops").joinpath("content")
SHIPPED = sorted(p.name for p in CONTENT.iterdir() if p.name.endswith(".yaml"))
PACKAGE = Path(kt.__file__).resolve().parent


def shipped_data(name: str = "b2b_saas") -> dict:
    return yaml.safe_load(CONTENT.joinpath(f"{name}.yaml").read_text(encoding="utf-8"))


def write(tmp_path: Path, data: dict, name: str = "my_workshop.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


# ------------------------------------------------------------------------------ the content


def test_every_archetype_has_content_and_every_content_file_an_archetype():
    assert set(workshops.workshops()) == set(kt.archetypes())
    assert sorted(f"{name}.yaml" for name in kt.archetypes()) == SHIPPED


@pytest.mark.parametrize("filename", SHIPPED)
def test_every_shipped_content_file_validates(filename, tmp_path):
    path = tmp_path / filename
    path.write_text(CONTENT.joinpath(filename).read_text(encoding="utf-8"), encoding="utf-8")
    w = workshops.load_file(path)
    assert w == workshops.content(filename[:-5])
    assert w.title and w.goal and w.alternatives
    # the exported JSON Schema says the same as the models
    jsonschema.validate(yaml.safe_load(path.read_text()), workshops.json_schema())


def test_a_typo_in_a_nested_field_is_refused_with_the_file_the_path_and_a_suggestion(tmp_path):
    data = shipped_data()
    data["solve"]["levr"] = data["solve"].pop("lever")
    path = write(tmp_path, data)
    with pytest.raises(kt.KPITreeError) as info:
        workshops.load_file(path)
    message = str(info.value)
    assert message.startswith("my_workshop.yaml: ")
    assert "solve.levr: unknown field, did you mean 'lever'?" in message
    assert "missing" not in message  # one mistake, one error: the typo stands for 'lever'
    with pytest.raises(jsonschema.ValidationError, match="levr"):
        jsonschema.validate(data, workshops.json_schema())


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda d: d.update(exercizes=d.pop("exercises")),
     "exercizes: unknown field, did you mean 'exercises'?"),
    (lambda d: d["alternatives"][1].update(reasn=d["alternatives"][1].pop("reason")),
     "alternatives.1.reasn: unknown field, did you mean 'reason'?"),
    (lambda d: d["why"].pop("stable"), "why.stable: required field is missing"),
    (lambda d: d["quality_metric"].update(cadense="weekly"),
     "quality_metric.cadense: unknown field, did you mean 'cadence'?"),
    (lambda d: d["what_if"].update(target="a lot"),
     "what_if.target: input should be a valid number, unable to parse string as a number, "
     "got 'a lot'"),
    (lambda d: d["quality_metric"].update(sign="up"), "quality_metric.sign: input should be"),
])
def test_a_broken_content_file_is_refused_with_the_field_path(tmp_path, edit, expected):
    data = shipped_data("ecommerce")
    edit(data)
    with pytest.raises(kt.KPITreeError) as info:
        workshops.load_file(write(tmp_path, data, "ecommerce.yaml"))
    assert str(info.value).startswith("ecommerce.yaml: ")
    assert expected in str(info.value)


def test_content_that_is_not_yaml_or_not_a_mapping_is_refused_with_the_file_name():
    with pytest.raises(kt.KPITreeError, match=r"^x\.yaml: line 1, column \d+: "):
        workshops.parse("title: [unclosed", source="x.yaml")
    with pytest.raises(kt.KPITreeError, match=r"^x\.yaml: expected a mapping of fields"):
        workshops.parse("- a list", source="x.yaml")
    with pytest.raises(kt.KPITreeError, match="no such file"):
        workshops.load_file("/nonexistent/workshop.yaml")


def test_the_json_schema_describes_the_content_file():
    schema = workshops.json_schema()
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert set(schema["required"]) >= {"title", "goal", "why", "what_if", "solve"}
    assert schema["additionalProperties"] is False
    why = schema["$defs"]["Why"]["properties"]
    assert [why[key]["title"] for key in workshops.CRITERIA] == list(workshops.CRITERIA.values())


# ------------------------------------------------------------------------------ the numbers

OWN_FORMAT = re.compile(r"\{[^{}]*:[+ ]?,?(\.\d+)?[f%]\}")  # {x:,.0f}, {x:.1%}, {x:+.1%}


@pytest.mark.parametrize("name", kt.archetypes())
def test_the_prose_shows_numbers_as_format_number_does(name):
    tree, w = kt.archetype(name), workshops.content(name)
    nb = kt.template(name)
    leaf = tree.metrics[w.what_if.metric]
    planned = format_number(tree.get_target(leaf.id), leaf.unit)
    proposed = format_number(w.what_if.target, leaf.unit)
    what_if = next(c.source for c in nb.cells if c.source.startswith("## What if?"))
    assert f"at {planned}; the cell below sets it to {proposed} and" in what_if
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not OWN_FORMAT.search(cell.source), cell.source  # format_number does it


@pytest.mark.parametrize("name", ["b2b_saas", "media"])  # currency and percent; free-text units
def test_the_printed_numbers_read_as_format_number_gives(name, tmp_path):
    nb = execute(kt.template(name), tmp_path)
    w = workshops.content(name)
    tree = kt.archetype(name)
    leaf, root = tree.metrics[w.what_if.metric], tree.metrics[tree.root]
    before = tree.rollup().loc[tree.root, "target"]
    planned = tree.get_target(leaf.id)
    tree.set_target(leaf.id, w.what_if.target)
    after = tree.rollup().loc[tree.root, "target"]
    what_if = text_of(next(c for c in nb.cells if c.source.startswith(f'leaf = "{leaf.id}"')))
    assert what_if.splitlines() == [
        f"{leaf.name}: {format_number(planned, leaf.unit)} -> "
        f"{format_number(w.what_if.target, leaf.unit)}",
        f"{root.name}: {format_number(before, root.unit)} -> {format_number(after, root.unit)} "
        f"({format_number(after / before - 1, 'percent')})",
    ]

    tree = kt.archetype(name)
    s = w.solve
    lever, goal_metric = tree.metrics[s.lever], tree.metrics[s.metric]
    plan = tree.get_target(s.lever)
    needed = tree.solve(s.metric, s.goal, lever=s.lever)
    solve = text_of(next(c for c in nb.cells
                         if c.cell_type == "code" and "tree.solve(" in c.source))
    assert solve.startswith(
        f"To reach {goal_metric.name} of {format_number(s.goal, goal_metric.unit)}, "
        f"{lever.name} needs a target of {format_number(needed, lever.unit)} "
        f"(plan: {format_number(plan, lever.unit)}).\n")


# The layering of the workshops package is part of the package contract (tests/test_layers.py).


def test_the_errors_shown_in_the_docs_are_the_ones_a_user_gets(tmp_path):
    page = (PACKAGE.parent.parent / "docs" / "workshops.md").read_text(encoding="utf-8")
    shown = re.search(r"## The schema.*?```text\n(.*?)```", page, re.S).group(1).splitlines()
    edits = {
        "b2b_saas.yaml": lambda d: d["solve"].update(levr=d["solve"].pop("lever")),
        "ecommerce.yaml": lambda d: (
            d["alternatives"][1].update(reasn=d["alternatives"][1].pop("reason"))
            if "reasn" in line else d["what_if"].update(target="a lot")),
    }
    assert len(shown) == 3
    for line in shown:
        filename = line.split(":")[0]
        data = shipped_data(filename[:-5])
        edits[filename](data)
        with pytest.raises(kt.KPITreeError) as info:
            workshops.load_file(write(tmp_path, data, filename))
        assert str(info.value) == line
