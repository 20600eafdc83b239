"""The view's building requests carried out on the tree: one function per request of
:mod:`kpitree_widget.protocol` that changes the structure (``update``, ``set_formula``,
``add_driver``, ``remove``, ``hypothesis``), steps through the history (``undo``, ``redo``) or
writes the file (``save``).

Each calls the tree's own building API (``update_metric``, ``set_formula``, ``add_driver``,
``remove_driver``, ``remove_metric``, ``add_hypothesis``, ``remove_hypothesis``, ``undo``,
``redo``, ``save``), so a change made in the view is validated exactly as the same call made
from Python; a refusal is the :class:`KPITreeError` that call raises, with the tree unchanged.

>>> import kpitree_widget as kt                                            # doctest: +SKIP
>>> tree = kt.KPITree.new("revenue")                                       # doctest: +SKIP
>>> carry_out(tree, protocol.AddDriverRequest(parent="revenue", metric="customers"))
...                                                                        # doctest: +SKIP
>>> tree.metrics["revenue"].formula                                        # doctest: +SKIP
'customers'
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol, cast

from pydantic import BaseModel

from . import protocol
from .errors import KPITreeError

__all__ = ["BUILD_REQUESTS", "BuildingTree", "carry_out", "error_field", "history"]

# the requests this module carries out, by name
BUILD_REQUESTS = frozenset({"update", "set_formula", "add_driver", "remove", "hypothesis",
                            "undo", "redo", "save"})


class BuildingTree(Protocol):
    """What the view needs of a tree to build it (a :class:`kpitree_widget.KPITree`)."""

    @property
    def path(self) -> Path | None: ...

    def update_metric(self, metric_id: str, **fields: Any) -> Any: ...
    def set_formula(self, metric_id: str, text: str, create_missing: bool = False) -> Any: ...
    def add_driver(self, parent: str, metric_id: str, op: str = "+", **fields: Any) -> Any: ...
    def remove_driver(self, parent: str, metric_id: str) -> Any: ...
    def remove_metric(self, metric_id: str, subtree: bool = False) -> Any: ...
    def add_hypothesis(self, source: str, target: str, sign: str = "+",
                       note: str = "") -> Any: ...
    def remove_hypothesis(self, source: str, target: str) -> Any: ...
    def undo(self) -> Any: ...
    def redo(self) -> Any: ...
    def save(self) -> Path: ...


def _building(tree: object, what: str) -> BuildingTree:
    if not callable(getattr(tree, "add_driver", None)):
        raise KPITreeError(f"{what}: this tree cannot be built in the view (it is a "
                           f"{type(tree).__name__}; show a KPITree)")
    return cast(BuildingTree, tree)


def error_field(name: str, request: BaseModel) -> str | None:
    """The field a refused request is about (the panel shows its message there).

    >>> error_field("set_formula", protocol.FormulaRequest(metric="a", text="b +"))
    'formula'
    """
    if isinstance(request, protocol.UpdateRequest):
        return request.field
    return {"set_formula": "formula", "add_driver": "id", "hypothesis": "hypothesis",
            "remove": "metric"}.get(name)


def carry_out(tree: object, name: str, request: BaseModel) -> str | None:
    """Carry out one building request on ``tree``; for ``save`` the file written, else None.

    A refused request raises the :class:`KPITreeError` of the tree call it made, and the tree
    is as it was.
    """
    t = _building(tree, name)
    if isinstance(request, protocol.UpdateRequest):
        text = (request.text or "").strip()
        t.update_metric(request.metric, **{request.field: text or None})
    elif isinstance(request, protocol.FormulaRequest):
        t.set_formula(request.metric, request.text.strip(),
                      create_missing=request.create_missing)
    elif isinstance(request, protocol.AddDriverRequest):
        fields: dict[str, Any] = {}
        name_text = (request.name or "").strip()
        if name_text:
            fields["name"] = name_text
        t.add_driver(request.parent, request.metric.strip(), request.op, **fields)
    elif isinstance(request, protocol.RemoveRequest):
        if request.parent:
            t.remove_driver(request.parent, request.metric)
        else:
            t.remove_metric(request.metric, subtree=request.subtree)
    elif isinstance(request, protocol.HypothesisRequest):
        if request.remove:
            t.remove_hypothesis(request.source, request.target)
        else:
            t.add_hypothesis(request.source, request.target, sign=request.sign,
                             note=request.note.strip())
    elif isinstance(request, protocol.UndoRequest):
        if not history(tree)[0]:
            raise KPITreeError("undo: nothing to undo")
        t.undo()
    elif isinstance(request, protocol.RedoRequest):
        if not history(tree)[1]:
            raise KPITreeError("redo: nothing to redo")
        t.redo()
    elif isinstance(request, protocol.SaveRequest):
        if t.path is None:
            raise KPITreeError("save: this tree has no file yet; save it from Python first "
                               "(tree.save('tree.yaml'))")
        return str(t.save())
    else:  # pragma: no cover - the widget sends only the requests named above
        raise KPITreeError(f"message: {name!r} is not a building request")
    return None


def history(tree: object) -> tuple[bool, bool, str]:
    """What the toolbar shows of ``tree``: can it undo, redo, and the file it saves to ("" for
    none).

    >>> history(object())
    (False, False, '')
    """
    can_undo = getattr(tree, "can_undo", False)
    can_redo = getattr(tree, "can_redo", False)
    path = getattr(tree, "path", None)
    return (bool(can_undo() if callable(can_undo) else can_undo),
            bool(can_redo() if callable(can_redo) else can_redo),
            str(path) if path else "")
