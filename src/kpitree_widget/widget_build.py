"""The view's building requests carried out on the tree: one function per request of
:mod:`kpitree_widget.protocol` that changes the structure (``update``, ``set_formula``,
``add_driver``, ``remove``, ``hypothesis``), steps through the history (``undo``, ``redo``) or
writes the file (``save``).

Each calls the tree's own building API (``update_metric``, ``set_formula``, ``add_driver``,
``remove_driver``, ``remove_metric``, ``add_hypothesis``, ``remove_hypothesis``, ``undo``,
``redo``, and the save ``tree.save()`` makes), so a change made in the view is checked exactly
as the same call made from Python; a refusal is the :class:`KPITreeError` that call raises,
with the tree unchanged.

>>> from kpitree_widget.tree import Tree
>>> tree = Tree.new("revenue")
>>> carry_out(tree, "add_driver", protocol.AddDriverRequest(parent="revenue", metric="customers"))
>>> tree.metrics["revenue"].formula
'customers'
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from . import protocol
from .errors import KPITreeError
from .roundtrip import save
from .tree import Tree

__all__ = ["BUILD_REQUESTS", "carry_out", "error_field", "history"]

# the requests this module carries out, by name
BUILD_REQUESTS = frozenset({"update", "set_formula", "add_driver", "remove", "hypothesis",
                            "undo", "redo", "save"})


def error_field(name: str, request: BaseModel) -> str | None:
    """The field a refused request is about (the panel shows its message there).

    >>> error_field("set_formula", protocol.FormulaRequest(metric="a", text="b +"))
    'formula'
    """
    if isinstance(request, protocol.UpdateRequest):
        return request.field
    return {"set_formula": "formula", "add_driver": "id", "hypothesis": "hypothesis",
            "remove": "metric"}.get(name)


def carry_out(t: Tree, name: str, request: BaseModel) -> str | None:
    """Carry out one building request on ``tree``; for ``save`` the file written, else None.

    A refused request raises the :class:`KPITreeError` of the tree call it made, and the tree
    is as it was.
    """
    if isinstance(request, protocol.UpdateRequest):
        text = (request.text or "").strip()
        t.update_metric(request.metric, **{request.field: text or None})
    elif isinstance(request, protocol.FormulaRequest):
        t.set_formula(request.metric, request.text.strip() or None,
                      create_missing=request.create_missing)
    elif isinstance(request, protocol.AddDriverRequest):
        fields: dict[str, Any] = {}
        name_text = (request.name or "").strip()
        if name_text:
            fields["name"] = name_text
        if request.link == "hypothesis":
            t.require(request.parent, "add_driver")
            with t.batch():  # one step for undo
                t.add_metric(request.metric.strip(), **fields)
                t.add_hypothesis(request.metric.strip(), request.parent, sign="+")
        else:
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
        t.undo()
    elif isinstance(request, protocol.RedoRequest):
        t.redo()
    elif isinstance(request, protocol.SaveRequest):
        if t.path is None:
            raise KPITreeError("save: this tree has no file yet; save it from Python first "
                               "(tree.save('tree.yaml'))")
        return str(save(t))
    else:  # pragma: no cover - the widget sends only the requests named above
        raise KPITreeError(f"message: {name!r} is not a building request")
    return None


def history(tree: Tree) -> tuple[bool, bool, str]:
    """What the toolbar shows of ``tree``: can it undo, redo, and the file it saves to ("" for
    none).

    >>> history(Tree.new("revenue"))
    (False, False, '')
    """
    return tree.can_undo, tree.can_redo, str(tree.path) if tree.path is not None else ""
