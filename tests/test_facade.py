"""The facade users call is typed and documented, and the core below it stands on its own."""

from __future__ import annotations

import inspect
import typing

import kpitree_widget as kt
from kpitree_widget.model import KPITree
from kpitree_widget.tree import Tree


def public_methods(cls: type) -> dict[str, typing.Any]:
    return {name: member for name, member in vars(cls).items()
            if not name.startswith("_") and callable(member)}


def test_every_facade_method_has_a_typed_return_and_a_docstring() -> None:
    methods = public_methods(KPITree)
    assert {"solve", "attribute", "simulate", "check", "review", "to_graphviz",
            "to_notebook", "load_data", "resample"} <= set(methods)
    for name, method in methods.items():
        function = method.__func__ if isinstance(method, classmethod) else method
        returns = function.__annotations__.get("return")  # text: annotations are postponed
        assert returns is not None, f"KPITree.{name} has no return annotation"
        alternatives = [part.strip() for part in str(returns).split("|")]
        assert "Any" not in alternatives, f"KPITree.{name} returns {returns}"
        assert inspect.getdoc(function), f"KPITree.{name} has no docstring"


def test_the_facade_adds_only_layers_above_the_core() -> None:
    # structure and numbers live in the core; the facade does not redefine them
    assert not set(public_methods(KPITree)) & set(public_methods(Tree))


def test_entry_points_return_the_facade(tmp_path: typing.Any) -> None:
    tree = kt.archetype("b2b_saas")
    path = tmp_path / "tree.yaml"
    tree.save(path)
    for made in (tree, tree.copy(), KPITree.from_dict(tree.to_dict()), kt.load(path),
                 kt.loads(path.read_text())):
        assert type(made) is KPITree
    monthly = KPITree.from_dict({"metrics": {
        "revenue": {"formula": "customers * arpc"},
        "customers": {"value": {"2026-01": 10, "2026-02": 12}},
        "arpc": {"value": 5}}})
    assert type(monthly.resample("Q")) is KPITree
