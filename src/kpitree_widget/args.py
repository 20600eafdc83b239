"""Argument checks for public entry points, driven by their type hints.

``@checked`` reads the function's parameter hints once (on the first call) and, on every call,
refuses an argument of the wrong type with a :class:`KPITreeError` that names the function and
the argument, before the function runs (so it changes nothing). It knows ``str``, ``int``
(not ``bool``), ``float`` (any real number, not ``bool``), ``bool``, ``None``, ``Path`` (also
a plain string), classes such as ``Mapping`` or ``Metric``, unions of those, and the items of
``Sequence[...]``/``Iterable[...]`` given as a list or tuple. ``Any``, ``object`` and hints it
cannot resolve accept anything; the function checks those values itself.

>>> @checked
... def archetype(name: str, top: int | None = None) -> str:
...     return name
>>> archetype("b2b_saas")
'b2b_saas'
>>> archetype(None)
Traceback (most recent call last):
...
kpitree_widget.errors.KPITreeError: archetype: name must be a string, got None
"""

from __future__ import annotations

import builtins
import functools
import inspect
import os
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from numbers import Integral, Real
from pathlib import Path
from typing import Any, TypeVar, overload

from .errors import KPITreeError, show

F = TypeVar("F", bound=Callable[..., Any])
Check = Callable[[Any], bool]

_WORDS = {str: "a string", int: "an integer", float: "a number", bool: "True or False",
          type(None): "None", os.PathLike: "a path"}
_CONTAINERS = (Sequence, Iterable, list, tuple, Set, set, frozenset)


@overload
def checked(fn: F) -> F: ...
@overload
def checked(*, own: tuple[str, ...] = ()) -> Callable[[F], F]: ...
def checked(fn: F | None = None, *, own: tuple[str, ...] = ()) -> Any:
    """Check ``fn``'s arguments against its type hints on every call (see the module doc);
    ``@checked(own=("n",))`` leaves the arguments named to the function's own, more telling
    checks."""
    if fn is None:
        return functools.partial(checked, own=own)
    specs: list[tuple[str, Check, str]] | None = None
    label = fn.__qualname__.removesuffix(".__init__")

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nonlocal specs
        if specs is None:
            specs = [(name, _anything if name in own else check, words)
                     for name, check, words in _specs(fn)]
        for (name, check, words), value in zip(specs, args, strict=False):
            if not check(value):
                raise wrong(label, name, words, value)
        if kwargs:
            by_name = {name: (check, words) for name, check, words in specs}
            for name, value in kwargs.items():
                spec = by_name.get(name)
                if spec is not None and not spec[0](value):
                    raise wrong(label, name, spec[1], value)
        return fn(*args, **kwargs)

    return wrapper


def wrong(label: str, name: str, words: str, value: Any) -> KPITreeError:
    """The error for argument ``name`` of ``label``: expected ``words``, got ``value``."""
    return KPITreeError(f"{label}: {name} must be {words}, got {show(value)}", field=name)


def _specs(fn: Callable[..., Any]) -> list[tuple[str, Check, str]]:
    """(name, check, what it expects) per parameter, in order; ``self``/``cls`` accept all."""
    specs: list[tuple[str, Check, str]] = []
    params = inspect.signature(fn).parameters.values()
    for p in params:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        hint = p.annotation
        if p.name in ("self", "cls") or hint is p.empty:
            specs.append((p.name, _anything, "anything"))
            continue
        check, words = _parse(hint if isinstance(hint, str) else str(hint.__name__),
                              inspect.unwrap(fn).__globals__)
        specs.append((p.name, check, words))
    return specs


def _anything(value: Any) -> bool:
    return True


def _split(text: str, sep: str) -> list[str]:
    """``text`` split on ``sep`` outside brackets."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch == "["
        depth -= ch == "]"
        if ch == sep and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return parts


def _parse(hint: str, namespace: Mapping[str, Any]) -> tuple[Check, str]:
    """A check and its words for one hint written as text, e.g. ``"str | Path | None"``."""
    checks: list[Check] = []
    words: list[str] = []
    for part in _split(hint, "|"):
        base, _, inner = part.partition("[")
        kind = _resolve(base.strip(), namespace)
        if kind is None:
            return _anything, "anything"
        check, word = _one(kind, inner[:-1] if inner else "", namespace)
        checks.append(check)
        words.append(word)
    if len(checks) == 1:
        return checks[0], words[0]
    return (lambda value: any(check(value) for check in checks)), " or ".join(words)


def _resolve(name: str, namespace: Mapping[str, Any]) -> type | None:
    """The class a hint names, or None for ``Any``/``object``/what cannot be checked."""
    if name == "None":
        return type(None)
    if name in ("Any", "object"):
        return None
    kind = namespace.get(name, getattr(builtins, name, None))
    if name == "Path":
        return os.PathLike
    if not isinstance(kind, type) or kind is object:
        return None
    if getattr(kind, "_is_protocol", False) and not getattr(kind, "_is_runtime_protocol", False):
        return None
    return kind


def _one(kind: type, inner: str, namespace: Mapping[str, Any]) -> tuple[Check, str]:
    if kind is float:
        return (lambda v: isinstance(v, Real) and not isinstance(v, bool)), _WORDS[float]
    if kind is int:
        return (lambda v: isinstance(v, Integral) and not isinstance(v, bool)), _WORDS[int]
    if kind is bool:
        return (lambda v: isinstance(v, bool) or type(v).__name__ == "bool_"), _WORDS[bool]
    if kind is os.PathLike:
        return (lambda v: isinstance(v, (str, os.PathLike))), _WORDS[os.PathLike]
    word = _WORDS.get(kind, f"a {kind.__name__}")
    if kind in _CONTAINERS and inner:
        item, item_word = _parse(_split(inner, ",")[0], namespace)
        if item is not _anything:
            def items(v: Any) -> bool:
                if not isinstance(v, kind) or isinstance(v, (str, bytes, Mapping)):
                    return False
                return not isinstance(v, (list, tuple)) or all(item(x) for x in v)

            return items, f"{word} of {item_word.removeprefix('a ').removeprefix('an ')}s"
        return (lambda v: isinstance(v, kind) and not isinstance(v, (str, bytes))), word
    return (lambda v: isinstance(v, kind)), word


def value_check(hint: str, namespace: Mapping[str, Any]) -> tuple[Check, str]:
    """A check for values of the type ``hint`` (type-hint text as in a dataclass field, read
    in ``namespace``) and the words for what it expects, as ``@checked`` uses them.

    >>> check, words = value_check("float | None", {})
    >>> check(2), check("2"), words
    (True, False, 'a number or None')
    """
    return _parse(hint, namespace)


def file_path(label: str, path: str | os.PathLike[str], *, writing: bool = False) -> Path:
    """``path`` as a :class:`~pathlib.Path`; a NUL byte in it, or (``writing``) a folder that
    does not exist, is a :class:`KPITreeError` naming the argument.

    >>> file_path("save", "/no/such/folder/tree.yaml", writing=True)
    Traceback (most recent call last):
    ...
    kpitree_widget.errors.KPITreeError: save: path: the folder '/no/such/folder' does not exist
    """
    if "\0" in os.fspath(path):
        raise KPITreeError(f"{label}: path: a path cannot hold a NUL character, got "
                           f"{show(path)}", field="path")
    path = Path(path)
    if writing and not path.parent.is_dir():
        raise KPITreeError(f"{label}: path: the folder '{path.parent}' does not exist",
                           field="path")
    return path
