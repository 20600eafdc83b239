"""Every public entry point answers a wrong-typed argument with a KPITreeError that names the
argument, and leaves the tree as it was.

The entry points are enumerated, not listed by hand: ``kt.__all__``, the public methods of
``kt.KPITree`` and of ``kt.TreeWidget`` (and its synced traits), and the public functions the
docs show (``plots``, ``workshops``). Each gets a valid call; the property test then swaps one
argument for a value of the wrong type (None, numbers, NaN, strings, lists, dicts, objects).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kpitree_widget as kt
from kpitree_widget import plots, workshops
from kpitree_widget.source_spec import SourceConfig
from kpitree_widget.widget import BUNDLE

SPEC: dict[str, Any] = {
    "name": "Acme",
    "metrics": {
        "revenue": {"formula": "customers * arpc", "unit": "currency"},
        "customers": {"value": {"2026-01": 100, "2026-02": 110}, "target": 120},
        "arpc": {"value": {"2026-01": 10, "2026-02": 11}, "target": 12, "unit": "currency"},
    },
    "scenarios": {"upside": {"arpc": 13}},
}

# A valid value for each parameter name (the entry point's own default when it has one).
VALID: dict[str, Any] = {
    "metric_id": "customers", "lever": "customers", "target": 2000.0, "x": 5.0,
    "name": "b2b_saas", "text": "metrics:\n  a:\n    value: 1\n", "fmt": "yaml",
    "spec": SPEC, "cadence": "monthly", "freq": "Q", "layer": "target", "field": "target",
    "distributions": {"arpc": ("normal", 12, 1)}, "n": 50, "overrides": {"arpc": 14},
    "numbers": 5.0, "updates": {"customers": 130.0}, "data": None, "callback": print,
    "source": "workshop", "sync_data": {},
    "parent": "revenue", "old": "arpc", "new": "price", "root_id": "revenue",
    "attr": "source", "config": SourceConfig("shop"),
}

WRONG = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 10**6), st.floats(allow_nan=True),
    st.just(math.nan), st.text(max_size=8), st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2), st.builds(object),
    st.just(b"bytes"),
)


def _tree() -> kt.KPITree:
    return kt.KPITree.from_dict(SPEC)


def _entry_points() -> list[tuple[str, Callable[[kt.KPITree, Any], Callable[..., Any]]]]:
    """(name, how to get the callable from a tree and a widget) for every public entry point."""
    points: list[tuple[str, Callable[[kt.KPITree, Any], Callable[..., Any]]]] = []
    for name in kt.__all__:
        obj = getattr(kt, name)
        if callable(obj) and not isinstance(obj, type):
            points.append((f"kt.{name}", lambda tree, w, obj=obj: obj))
    points.append(("kt.KPITree", lambda tree, w: kt.KPITree))
    points.append(("kt.TreeWidget", lambda tree, w: kt.TreeWidget))
    for cls, key in ((kt.KPITree, "tree"), (kt.TreeWidget, "widget")):
        for attr in sorted(dir(cls)):
            owner = next(c for c in cls.__mro__ if attr in vars(c))
            if attr.startswith("_") or not owner.__module__.startswith("kpitree_widget"):
                continue
            if callable(inspect.getattr_static(cls, attr)) or isinstance(
                    inspect.getattr_static(cls, attr), classmethod):
                points.append((f"{cls.__name__}.{attr}", lambda tree, w, attr=attr, key=key:
                               getattr(tree if key == "tree" else w, attr)))
    for module in (plots, workshops):
        for attr in getattr(module, "__all__", dir(module)):
            obj = getattr(module, attr)
            if (inspect.isfunction(obj) and not attr.startswith("_")
                    and obj.__module__.startswith(module.__name__)):
                points.append((f"{module.__name__.rsplit('.', 1)[1]}.{attr}",
                               lambda tree, w, obj=obj: obj))
    return points


ENTRY_POINTS = _entry_points()
TRAITS = ["selected", "period", "scenario", "focus"]


def _params(fn: Callable[..., Any]) -> list[inspect.Parameter]:
    return [p for p in inspect.signature(fn).parameters.values()
            if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL) and p.name != "self"]


def _valid_call(fn: Callable[..., Any], name: str, tree: kt.KPITree, tmp: Path) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    for p in _params(fn):
        if p.default is not p.empty:
            continue
        if p.name == "path":
            kwargs["path"] = tmp / "tree.yaml"
        elif p.name == "tree":
            kwargs["tree"] = tree
        elif p.name == "metrics":
            kwargs["metrics"] = list(tree.metrics.values())
        elif p.name in ("table", "df"):
            kwargs[p.name] = tree.sensitivity() if name == "plots.tornado" else (
                tree.attribute() if name == "plots.waterfall" else tree.rollup())
        elif p.name == "sim":
            kwargs["sim"] = tree.simulate({"arpc": ("normal", 12, 1)}, n=20)
        else:
            kwargs[p.name] = VALID[p.name]
    return kwargs


@pytest.fixture(scope="module")
def has_bundle() -> bool:
    return BUNDLE.is_file()


def test_every_entry_point_is_found() -> None:
    names = {name for name, _ in ENTRY_POINTS}
    assert {"kt.archetype", "kt.load", "KPITree.save", "KPITree.solve", "TreeWidget.refresh",
            "plots.tornado", "workshops.load_file", "kt.TreeWidget"} <= names
    assert len(ENTRY_POINTS) > 60


@pytest.mark.parametrize(("name", "get"), ENTRY_POINTS, ids=[n for n, _ in ENTRY_POINTS])
@settings(max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_wrong_typed_argument_is_a_kpitree_error_and_changes_nothing(
        name: str, get: Callable[..., Any], data: st.DataObject, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, has_bundle: bool) -> None:
    """A user passes one argument of the wrong type: a KPITreeError naming it, nothing changed."""
    if ("TreeWidget" in name) and not has_bundle:
        pytest.skip("the widget bundle is not built")
    monkeypatch.chdir(tmp_path)  # a stray string used as a path lands here
    tree = _tree()
    widget = kt.TreeWidget(tree) if "TreeWidget." in name else None
    fn = get(tree, widget)
    params = _params(fn)
    if not params:
        return
    kwargs = _valid_call(fn, name, tree, tmp_path)
    param = data.draw(st.sampled_from(params), label="argument")
    bad = data.draw(WRONG, label="value")
    kwargs[param.name] = bad
    before, rollup = tree.to_dict(), tree.rollup()
    try:
        fn(**kwargs)
    except kt.KPITreeError as exc:
        assert str(exc)
        assert tree.to_dict() == before
        pd.testing.assert_frame_equal(tree.rollup(), rollup)
    finally:
        if widget is not None:
            widget.close()


@pytest.mark.parametrize("trait", TRAITS)
@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bad=WRONG)
def test_wrong_typed_widget_trait_is_a_kpitree_error(trait: str, bad: Any,
                                                     has_bundle: bool) -> None:
    """Setting a synced trait to a wrong-typed value is refused with the trait's name."""
    if not has_bundle:
        pytest.skip("the widget bundle is not built")
    tree = _tree()
    widget = kt.TreeWidget(tree)
    try:
        setattr(widget, trait, bad)
    except kt.KPITreeError as exc:
        assert trait in str(exc)
    finally:
        widget.close()


def test_a_wrong_typed_argument_is_named_in_the_message() -> None:
    """``kt.archetype(None)`` says which argument is wrong and what it should be."""
    with pytest.raises(kt.KPITreeError, match=r"archetype: name must be a string, got None"):
        kt.archetype(None)  # type: ignore[arg-type]
    tree = _tree()
    with pytest.raises(kt.KPITreeError, match=r"to_graphviz: max_level must be an integer"):
        tree.to_graphviz(max_level="2")  # type: ignore[arg-type]


@pytest.mark.parametrize("save", [
    lambda tree, path: tree.save(path / "no-such-folder" / "tree.yaml"),
    lambda tree, path: tree.save(path / "no-such-folder" / "tree.json"),
    lambda tree, path: tree.to_excel(path / "no-such-folder" / "tree.xlsx"),
], ids=["yaml", "json", "xlsx"])
def test_saving_into_a_missing_folder_names_the_folder(save: Callable[..., Any],
                                                       tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    tree = _tree()
    with pytest.raises(kt.KPITreeError, match="no-such-folder' does not exist"):
        save(tree, tmp_path)
    assert not (tmp_path / "no-such-folder").exists()


@pytest.mark.parametrize("call", [
    lambda tree, path: tree.save(str(path / "a\0b.yaml")),
    lambda tree, path: kt.load(str(path / "a\0b.yaml")),
    lambda tree, path: workshops.load_file(str(path / "a\0b.yaml")),
], ids=["save", "load", "workshops.load_file"])
def test_a_nul_character_in_a_path_is_refused(call: Callable[..., Any], tmp_path: Path) -> None:
    with pytest.raises(kt.KPITreeError, match="path: a path cannot hold a NUL character"):
        call(_tree(), tmp_path)
