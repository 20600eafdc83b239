"""The built-in business-model archetypes: one YAML tree per model in ``archetypes/``."""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING, overload

from .errors import KPITreeError, did_you_mean

if TYPE_CHECKING:
    from .tree import Tree, TreeT

FOLDER = "archetypes"
ORDER = ("b2b_saas", "b2b_plg", "b2c_subscription", "ecommerce", "marketplace", "media",
         "fintech", "healthcare")


def names() -> list[str]:
    """The archetype names, the common ones first."""
    folder = resources.files(__package__).joinpath(FOLDER)
    found = {p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml")}
    return [n for n in ORDER if n in found] + sorted(found - set(ORDER))


def check_name(name: str, field: str = "archetype") -> None:
    """Raise a KPITreeError (``field: unknown archetype 'name'``, with a suggestion and the
    list) unless ``name`` is an archetype."""
    known = names()
    if name not in known:
        raise KPITreeError(f"{field}: unknown archetype {name!r}{did_you_mean(name, known)} "
                           f"(archetypes: {', '.join(known)})")


def source(name: str) -> str:
    """The YAML text of an archetype."""
    check_name(name)
    path = resources.files(__package__).joinpath(FOLDER, f"{name}.yaml")
    return path.read_text(encoding="utf-8")


@overload
def load_archetype(name: str) -> Tree: ...
@overload
def load_archetype(name: str, cls: type[TreeT]) -> TreeT: ...
def load_archetype(name: str, cls: type[Tree] | None = None) -> Tree:
    """A fresh tree for the archetype ``name``, an instance of ``cls`` (default: the core
    :class:`~kpitree_widget.tree.Tree`; ``kt.archetype`` passes the facade)."""
    from .io import loads, tree_from_dict
    from .tree import Tree

    try:
        return tree_from_dict(loads(source(name)), cls=cls or Tree)
    except KPITreeError as exc:
        if str(exc).startswith("archetype:"):
            raise
        raise KPITreeError(f"archetype {name}: {exc}") from None
