"""Reading workshop content files: YAML validated against :mod:`.schema`, errors with paths.

One file per archetype in ``workshops/content/`` (shipped in the wheel). A file with an unknown
or a missing field is refused with a :class:`~kpitree_widget.errors.KPITreeError` naming the
file and the field path, with a did-you-mean, as tree files are:

>>> names()[:2]
['b2b_saas', 'b2b_plg']
>>> content("b2b_saas").solve.lever
'win_rate'
>>> parse("title: T\\ngoal: G\\nwhy: {}\\n", source="mine.yaml")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
kpitree_widget.errors.KPITreeError: mine.yaml: why.customer_value: required field is missing; ...
"""

from __future__ import annotations

import difflib
import functools
import types
import typing
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..args import checked, file_path
from ..catalog import ORDER
from ..errors import KPITreeError, did_you_mean, show
from ..io import loads
from .schema import Workshop

FOLDER = "content"


def names() -> list[str]:
    """The archetypes that have workshop content, the common ones first."""
    folder = resources.files(__package__).joinpath(FOLDER)
    found = {p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml")}
    return [n for n in ORDER if n in found] + sorted(found - set(ORDER))


@checked
@functools.cache
def content(name: str) -> Workshop:
    """The validated workshop content of the archetype ``name`` (read once, then shared: the
    models are frozen)."""
    known = names()
    if name not in known:
        raise KPITreeError(f"template: no workshop content for archetype {name!r}"
                           f"{did_you_mean(name, known)} (workshops: {', '.join(known)})")
    path = resources.files(__package__).joinpath(FOLDER, f"{name}.yaml")
    return parse(path.read_text(encoding="utf-8"), source=f"{name}.yaml")


@checked
def load_file(path: str | Path) -> Workshop:
    """Read and validate a workshop content file of your own.

    >>> load_file("my_workshop.yaml")  # doctest: +SKIP
    """
    path = file_path("load_file", path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KPITreeError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise KPITreeError(f"{path}: cannot read the file ({exc})") from None
    return parse(text, source=path.name)


@checked
def parse(text: str, source: str = "workshop") -> Workshop:
    """Validate YAML ``text``; errors start with ``source`` (the file's name)."""
    try:
        data = loads(text)
    except KPITreeError as exc:
        raise KPITreeError(f"{source}: {exc}") from None
    if not isinstance(data, dict):
        raise KPITreeError(f"{source}: expected a mapping of fields (title, goal, why, ...), "
                           f"got {type(data).__name__}")
    try:
        return Workshop.model_validate(data)
    except ValidationError as exc:
        raise KPITreeError(f"{source}: {describe(exc)}") from None


def describe(exc: ValidationError) -> str:
    """The first validation errors as ``path: what is wrong``, with a did-you-mean for an
    unknown field. A misspelt field is one error, not two: the required field it was meant to
    be is not reported missing as well."""
    errors = exc.errors()
    meant = set()  # the paths of required fields that a misspelt field stands for
    for error in errors:
        if error["type"] == "extra_forbidden":
            close = _closest(error["loc"])
            if close:
                meant.add((*error["loc"][:-1], close))
    lines = []
    for error in errors:
        loc = error["loc"]
        path = ".".join(str(part) for part in loc) or "workshop"
        kind = error["type"]
        if kind == "extra_forbidden":
            close = _closest(loc)
            lines.append(f"{path}: unknown field" + (f", did you mean {close!r}?" if close else ""))
        elif kind == "missing":
            if tuple(loc) not in meant:
                lines.append(f"{path}: required field is missing")
        else:
            lines.append(f"{path}: {error['msg'][0].lower()}{error['msg'][1:]}, "
                         f"got {show(error.get('input'))}")
    more = len(lines) - 3
    return "; ".join(lines[:3]) + (f" (and {more} more)" if more > 0 else "")


def _closest(loc: tuple[Any, ...]) -> str | None:
    """The field of the model at ``loc[:-1]`` closest to the unknown field ``loc[-1]``."""
    model = model_at(Workshop, loc[:-1])
    known = list(model.model_fields) if model is not None else []
    close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
    return close[0] if close else None


def model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model that holds the fields at ``loc`` (list indices skipped), or None.

    >>> model_at(Workshop, ("alternatives", 0)).__name__
    'Alternative'
    """
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(str(part))
        if field is None:
            return None
        current = _item_model(field.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _item_model(annotation: Any) -> Any:
    """``Alternative`` for ``tuple[Alternative, ...]`` or ``Alternative | None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (tuple, list, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _item_model(arg)
            if found is not None:
                return found
    return None
