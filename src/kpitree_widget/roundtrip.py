"""Saving a tree back to its file as a small patch of the text people wrote.

``kt.load`` keeps the file's text (:class:`~kpitree_widget.sourcefile.SourceFile`); saving
compares the tree's mapping (:func:`~kpitree_widget.io.tree_to_dict`) with the mapping that
text gives and changes the document only where the two differ: one new target is one changed
line, a new metric adds its lines, a removed metric takes its lines away, and every comment,
key order, quoting, flow mapping (``{value: 4700, target: 5000}``) and number spelling
(``0.40``, ``1.5e3``) of what did not change stays as written. A JSON file keeps its key order
and indentation.

How: the YAML text is read once more with ruamel.yaml's round-trip mode (only text that has
already passed the strict loader in :mod:`kpitree_widget.io` is read this way), the document is
updated in place where values differ, and the lines ruamel.yaml writes differently from the
original even where nothing changed are kept as the original has them (a three-way merge of
the original, ruamel.yaml's rendering of it, and its rendering of the patched document). The
result is read back with the strict loader and must give exactly the tree being saved; if it
ever does not, the canonical text of :func:`~kpitree_widget.io.dumps` is written instead.

>>> import kpitree_widget as kt
>>> text = ("metrics:\\n  revenue: {formula: a * b}   # the North Star\\n"
...         "  a: {value: 0.40}\\n  b: {}\\n")
>>> spec = kt.loads(text).to_dict()
>>> spec["metrics"]["a"]["target"] = 0.5
>>> print(patch_text(text, "yaml", spec), end="")
metrics:
  revenue: {formula: a * b}   # the North Star
  a: {value: 0.40, target: 0.5}
  b: {}
"""

from __future__ import annotations

import difflib
import io as _stdio
import json
import math
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString
from ruamel.yaml.tokens import CommentToken

from . import io
from .args import file_path
from .errors import KPITreeError
from .sourcefile import SourceFile
from .tree import Tree

# ---------------------------------------------------------------------------- saving


def save(tree: Tree, path: str | os.PathLike[str] | None = None, *, force: bool = False) -> Path:
    """Write ``tree`` to ``path``, or back to the file it was loaded from (``tree.path``) when
    ``path`` is None; returns the path written, which becomes ``tree.path``.

    Saving to the tree's own file, or to another file of the same format, writes the text the
    tree was loaded from with only what changed patched in. The tree's own file is checked
    first: if it was changed on disk since it was loaded (or last saved), nothing is written
    and a :class:`KPITreeError` says so; ``force=True`` writes anyway (this tree's content
    wins; the file's current comments and layout are kept where it still reads as a tree).
    The write is atomic (:func:`kpitree_widget.io.write_atomic`).

    >>> save(tree)                  # doctest: +SKIP
    >>> save(tree, "copy.yaml")     # doctest: +SKIP
    """
    source = tree._source_file
    if path is None:
        if source is None:
            raise KPITreeError("save: path: this tree has no file yet (it was not loaded from "
                               "one); give one, e.g. tree.save('tree.yaml'), and later saves "
                               "write there", field="path")
        target = source.path
    else:
        target = file_path("save", path, writing=True)
    fmt = io._format(target)
    spec = io.tree_to_dict(tree)
    base: str | None = None
    if source is not None and source.fmt == fmt:
        base = source.text
        if _same_file(target, source.path):
            current = _current_text(target)
            if current is not None and current != source.text:
                if not force:
                    raise KPITreeError(
                        f"{target}: the file was changed on disk since this tree was loaded "
                        "(or last saved); nothing was written. Load it again to see the other "
                        "changes, save to another path, or pass force=True to overwrite it "
                        "with this tree")
                base = current if _reads(current, fmt) else source.text
    try:
        text = io.dumps_spec(spec, fmt) if base is None else patch_text(base, fmt, spec)
        data = text.encode("utf-8")
    except KPITreeError as exc:
        raise KPITreeError(f"{target}: {exc}; nothing was written") from None
    try:
        io.write_atomic(target, data)
    except OSError as exc:
        raise KPITreeError(f"{target}: cannot write the file ({exc.strerror or exc}); "
                           "the previous file is unchanged") from None
    tree._source_file = SourceFile(target.absolute(), fmt, text)
    return tree._source_file.path


def _same_file(a: Path, b: Path) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


_UNREADABLE = "\0unreadable"


def _current_text(path: Path) -> str | None:
    """The file's text now; None when it no longer exists (saving writes it anew); a file
    that cannot be read counts as changed."""
    try:
        return io._read_limited(path).decode("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, KPITreeError):
        return _UNREADABLE


def _reads(text: str, fmt: str) -> bool:
    try:
        io.tree_from_dict(io.loads(text, fmt))
    except KPITreeError:
        return False
    return True


# ---------------------------------------------------------------------------- patching


def patch_text(text: str, fmt: str, spec: Mapping[str, Any]) -> str:
    """``text`` (a tree file's YAML or JSON) changed as little as possible so that it reads as
    ``spec`` (a tree's :func:`~kpitree_widget.io.tree_to_dict`); what did not change keeps its
    comments, order, quoting and spelling. Text that is not a valid tree gives the canonical
    text of ``spec``.

    >>> patch_text('{"metrics": {"t": {"formula": "a"}, "a": {"value": 1}}}', "json",
    ...            {"metrics": {"t": {"formula": "a"}, "a": {"value": 2}}})
    '{"metrics": {"t": {"formula": "a"}, "a": {"value": 2}}}'
    """
    spec = io.tree_to_dict(io.tree_from_dict(spec))  # the canonical mapping, checked
    io._plain(spec)
    try:
        old = io.tree_to_dict(io.tree_from_dict(io.loads(text, fmt)))
    except KPITreeError:
        return io.dumps_spec(spec, fmt)
    if same(old, spec):
        return text
    newline = "\r\n" if "\r\n" in text else "\n"
    plain = text.replace("\r\n", "\n") if newline != "\n" else text
    quick = _respell_numbers(plain, fmt, old, spec)
    if quick is not None:
        out = quick.replace("\n", newline) if newline != "\n" else quick
        if _reads_as(out, fmt, spec):
            return out
    for candidate in _candidates(plain, fmt, old, spec):
        out = candidate.replace("\n", newline) if newline != "\n" else candidate
        if _reads_as(out, fmt, spec):
            return out
    return io.dumps_spec(spec, fmt)


def _candidates(text: str, fmt: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> Any:
    """Patched texts, best first: the original merged with the patch, then the round-trip
    library's own rendering of the patched document."""
    try:
        render, doc = (_json_renderer if fmt == "json" else _yaml_renderer)(text)
        before = render(doc)
        _patch_node(doc, old, new)
        after = render(doc)
    except KPITreeError:
        raise
    except Exception:
        return
    yield merge_lines(text, before, after)
    yield after


def _reads_as(text: str, fmt: str, spec: Mapping[str, Any]) -> bool:
    try:
        return same(io.tree_to_dict(io.tree_from_dict(io.loads(text, fmt))), spec)
    except KPITreeError:
        return False


def same(a: Any, b: Any) -> bool:
    """Whether two plain values are the same, number types and the sign of zero included
    (``1 == 1.0 == True`` in Python, but not in a tree file); the order of a mapping's keys
    is the file's to choose.

    >>> same({"a": [1, 0.5]}, {"a": [1, 0.5]}), same(0.0, -0.0), same(1, True)
    (True, False, False)
    """
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    return bool(a == b)


# ---------------------------------------------------------------------------- numbers only
# The common save (targets and values typed in the view) changes numbers that the file already
# spells somewhere: those are rewritten where they stand, found by the strict loader's own
# positions, without the slower round-trip reading.


def _respell_numbers(text: str, fmt: str, old: Any, new: Any) -> str | None:
    """``text`` with the numbers that differ between ``old`` and ``new`` rewritten in place,
    or None when anything else changed (a key, a text, a list's length, a number the file does
    not spell as a plain scalar)."""
    changes: list[tuple[tuple[Any, ...], float | int]] = []
    if fmt != "yaml" or not _number_changes(old, new, (), changes) or not changes:
        return None
    loader = io._loader_class()(text)
    try:
        root = loader.get_single_node()
    except Exception:
        return None
    finally:
        loader.dispose()
    spans: list[tuple[int, int, int, int, str]] = []
    for path, value in changes:
        node = _node_at(root, path)
        if node is None or getattr(node, "style", None) or not isinstance(node.value, str):
            return None
        start, end = node.start_mark, node.end_mark
        if start.line != end.line:
            return None
        spans.append((start.line, start.column, end.column, len(node.value),
                      _spell(value, node.value)))
    lines = text.split("\n")
    for line, begin, finish, width, spelled in sorted(spans, reverse=True):
        row = lines[line]
        if finish - begin != width:
            return None
        lines[line] = row[:begin] + spelled + row[finish:]
    return "\n".join(lines)


def _number_changes(old: Any, new: Any, path: tuple[Any, ...],
                    out: list[tuple[tuple[Any, ...], float | int]]) -> bool:
    """Collect the paths where only a number changed; False when anything else differs."""
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        if list(old) != list(new):
            return False
        return all(_number_changes(old[k], new[k], (*path, k), out) for k in old)
    if isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new):
            return False
        return all(_number_changes(a, b, (*path, i), out) for i, (a, b) in
                   enumerate(zip(old, new)))
    if same(old, new):
        return True
    numbers = all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (old, new))
    if numbers and math.isfinite(new):
        out.append((path, new))
        return True
    return False


def _node_at(root: Any, path: tuple[Any, ...]) -> Any:
    """The composed node at ``path`` (mapping keys matched by their text), or None."""
    import yaml

    node = root
    for key in path:
        if isinstance(node, yaml.MappingNode):
            found = [v for k, v in node.value if isinstance(k, yaml.ScalarNode)
                     and k.value == str(key)]
            if len(found) != 1:
                return None
            node = found[0]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            if key >= len(node.value):
                return None
            node = node.value[key]
        else:
            return None
    return node if isinstance(node, yaml.ScalarNode) else None


def _spell(value: float | int, was: str) -> str:
    """A number spelled as the file would: whole numbers without ``.0`` unless the old
    spelling had a decimal point, otherwise the shortest text that reads back the same."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        whole = str(int(value))
        return whole + ".0" if ("." in was and "e" not in was.lower()) else whole
    return repr(value)


# ---------------------------------------------------------------------------- documents


def _yaml_renderer(text: str) -> tuple[Any, Any]:
    """A round-trip reading of ``text`` and a writer with the text's own indentation: the
    layout read from the text (:func:`_layout`), or, when its rendering of the untouched
    document differs from the text on many lines, the usual layout that matches most lines."""

    def make(mapping: int, offset: int) -> Any:
        yaml = YAML(typ="rt")
        yaml.preserve_quotes = True
        yaml.width = 4096  # never fold a long line that was not folded
        yaml.indent(mapping=mapping, sequence=offset + 2, offset=offset)
        return yaml

    def render_with(yaml: Any) -> Any:
        def render(data: Any) -> str:
            out = _stdio.StringIO()
            yaml.dump(data, out)
            return out.getvalue()
        return render

    guess = _layout(text)
    yaml = make(*guess)
    doc = yaml.load(text)
    lines = set(text.splitlines())
    total = max(1, text.count("\n"))

    def score(render: Any) -> int:
        return sum(line in lines for line in render(doc).splitlines())

    render = render_with(yaml)
    best = score(render)
    if best < 0.9 * total:
        for layout in _LAYOUTS:
            if layout != guess and _uses(text, *layout):
                other = render_with(make(*layout))
                points = score(other)
                if points > best:
                    best, render = points, other
    return render, doc


_LAYOUTS = ((2, 0), (2, 2), (4, 0), (4, 2), (4, 4), (3, 0), (3, 2))


def _layout(text: str) -> tuple[int, int]:
    """(mapping indent, list-dash offset) as the text writes them: the indent of the first key
    nested under another, and how far the first block list's dash sits inside its key."""
    mapping, offset = 0, None
    previous: tuple[int, str] | None = None
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(stripped)
        if previous is not None and previous[1].rstrip().endswith(":"):
            step = indent - previous[0]
            if stripped.startswith("- ") and offset is None and step >= 0:
                offset = step
            elif not stripped.startswith("- ") and not mapping and step > 0:
                mapping = step
        if mapping and offset is not None:
            break
        previous = (indent, stripped.split(" #")[0])
    return mapping or 2, offset or 0


def _uses(text: str, mapping: int, offset: int) -> bool:
    """Whether ``text`` has a line indented as this layout would indent it (a cheap test
    before rendering the document with it)."""
    return bool(re.search(rf"^{' ' * mapping}\\S", text, re.M)) and (
        offset == 0 or bool(re.search(rf"^ *{' ' * offset}- ", text, re.M)))


def _json_renderer(text: str) -> tuple[Any, Any]:
    doc = json.loads(text, object_pairs_hook=CommentedMap)  # ordered, and takes insert()
    indent = _json_indent(text)

    def render(data: Any) -> str:
        out = json.dumps(data, indent=indent, ensure_ascii=False)
        return out + "\n" if text.endswith("\n") else out

    return render, doc


def _json_indent(text: str) -> int | str | None:
    """The indentation of a JSON text's first indented line (None: all on one line)."""
    match = re.search(r"\n([ \t]+)\S", text)
    if not match:
        return None
    lead = match.group(1)
    return len(lead) if set(lead) == {" "} else lead


def _norm(key: Any) -> Any:
    """A document's key as the tree's mapping spells it (a YAML date key names its period)."""
    return io._plain_key(key)


def _patch_node(node: Any, old: Any, new: Any) -> None:
    """Change ``node`` (a document's mapping or list) so that it reads as ``new`` where ``old``
    (what it read as) differs."""
    if isinstance(node, dict) and isinstance(old, Mapping) and isinstance(new, Mapping):
        _patch_mapping(node, old, new)
    elif isinstance(node, list) and isinstance(old, list) and isinstance(new, list):
        _patch_list(node, old, new)
    else:  # pragma: no cover - callers replace what is not of the same shape
        raise KPITreeError("cannot patch a value of another shape")


def _patch_mapping(node: Any, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
    keys: dict[Any, Any] = {}
    for key in node:
        keys.setdefault(_norm(key), key)
    for key in old:
        if key not in new and key in keys:
            _delete(node, keys.pop(key))
    for key, value in new.items():
        if key in old and same(old[key], value):
            continue
        if key in keys:
            here = keys[key]
            current = node[here]
            was = old.get(key)
            if _fits(current, was, value):
                _patch_node(current, was, value)
            else:
                node[here] = _like(value, current)
            continue
        order = list(new)
        position = len(node)
        before = [k for k in order[:order.index(key)] if k in keys]
        after = [k for k in order[order.index(key) + 1:] if k in keys]
        if before:
            position = list(node).index(keys[before[-1]]) + 1
        elif after:
            position = list(node).index(keys[after[0]])
        _insert(node, position, _like(value, None), key)
        keys[key] = key


def _fits(current: Any, was: Any, value: Any) -> bool:
    """Whether ``current`` can be patched in place: a mapping or list read as ``was``, of the
    same shape as ``value``."""
    if isinstance(current, dict):
        return isinstance(was, Mapping) and isinstance(value, Mapping)
    if isinstance(current, list):
        return (isinstance(was, list) and isinstance(value, list)
                and len(current) == len(was))
    return False


def _patch_list(node: Any, old: list[Any], new: list[Any]) -> None:
    def key(x: Any) -> str:
        return json.dumps(x, sort_keys=True, default=str)

    ops = difflib.SequenceMatcher(None, [key(x) for x in old], [key(x) for x in new],
                                  autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in reversed(ops):  # from the end: indices stay valid
        if tag == "equal":
            continue
        if tag == "replace" and i2 - i1 == j2 - j1:
            for k in range(i2 - i1):
                if _fits(node[i1 + k], old[i1 + k], new[j1 + k]):
                    _patch_node(node[i1 + k], old[i1 + k], new[j1 + k])
                else:
                    node[i1 + k] = _like(new[j1 + k], node[i1 + k])
            continue
        for i in reversed(range(i1, i2)):
            _delete(node, i)
        for offset, value in enumerate(new[j1:j2]):
            _insert(node, i1 + offset, _like(value, None))


# ---------------------------------------------------------------------------- values


def _like(value: Any, current: Any) -> Any:
    """``value`` as a document value: text quoted the way ``current`` was (and always where
    the tree's loader would read it as something other than text), mappings and lists as the
    round-trip library's own types (block style), in the flow style of ``current`` when it
    was a flow mapping."""
    if isinstance(value, Mapping):
        mapping = CommentedMap()
        for k, v in value.items():
            mapping[k] = _like(v, None)
        if getattr(getattr(current, "fa", None), "flow_style", False):
            mapping.fa.set_flow_style()
        return mapping
    if isinstance(value, list):
        seq = CommentedSeq(_like(v, None) for v in value)
        if getattr(getattr(current, "fa", None), "flow_style", False):
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, str):
        if isinstance(current, SingleQuotedScalarString) and "\n" not in value:
            return SingleQuotedScalarString(value)
        if isinstance(current, (SingleQuotedScalarString, DoubleQuotedScalarString)):
            return DoubleQuotedScalarString(value)
        if not _reads_as_text(value):
            return DoubleQuotedScalarString(value)
    return value


def _reads_as_text(value: str) -> bool:
    """Whether the tree's own YAML loader reads ``value``, written plain, as this text (not
    ``yes`` as true, ``~`` as null, ``017`` as a number or ``2026-01-01`` as a date)."""
    import yaml

    loader = io._loader_class()("")
    try:
        tag = loader.resolve(yaml.ScalarNode, value, (True, False))
    finally:
        loader.dispose()
    return bool(tag == "tag:yaml.org,2002:str")


# ---------------------------------------------------------------------------- comments
# ruamel.yaml keeps the comment lines and blank lines that follow an entry on that entry (on
# the last scalar inside it): a section comment written above the next metric belongs, for the
# library, to the end of the metric before it. Deleting or inserting an entry moves those lines
# so that they stay above what they were written above.


def _tail(node: Any, key: Any) -> tuple[Any, int, Any] | None:
    """Where the comment after the entry ``key`` of ``node`` is kept: (list, index, token)."""
    value = node[key]
    if isinstance(value, (CommentedMap, CommentedSeq)) and len(value) and not (
            value.fa.flow_style()):
        last = list(value)[-1] if isinstance(value, CommentedMap) else len(value) - 1
        return _tail(value, last)
    slot = 0 if isinstance(node, CommentedSeq) else 2
    entry = node.ca.items.get(key)
    if entry is None:
        entry = [None, None, None, None]
        node.ca.items[key] = entry
    return entry, slot, entry[slot]


def _split(token: Any) -> tuple[str, str]:
    """A tail comment's text as (its end-of-line part, the whole lines after it)."""
    value = token.value if token is not None else ""
    if "\n" not in value:
        return value, ""
    cut = value.index("\n") + 1
    return value[:cut], value[cut:]


def _set_tail(where: tuple[Any, int, Any], value: str) -> None:
    entry, slot, token = where
    if not value:
        entry[slot] = None
    elif token is not None:
        token.value = value
    else:
        entry[slot] = CommentToken(value, CommentMark(0), None)


def _keys(node: Any) -> list[Any]:
    return list(node) if isinstance(node, dict) else list(range(len(node)))


def _delete(node: Any, key: Any) -> None:
    """Delete an entry; the lines after it (a blank line, a section comment for what follows)
    move to the entry before it."""
    keys = _keys(node)
    if hasattr(node, "ca"):
        where = _tail(node, key)
        rest = _split(where[2])[1] if where else ""
        position = keys.index(key)
        if rest and position > 0:
            previous = _tail(node, keys[position - 1])
            if previous is not None:
                head, own = _split(previous[2])
                _set_tail(previous, (head or "\n") + _strip_blank(own) + rest)
    del node[key]  # a list's comments, kept by index, move up with its entries


def _strip_blank(text: str) -> str:
    return text if text.strip() else ""


def _insert(node: Any, position: int, value: Any, key: Any = None) -> None:
    """Insert an entry (``key``: of a mapping) at ``position``; the lines that followed the
    entry before it now follow the new entry (blank lines stay on both, as the file separates
    its entries)."""
    if isinstance(node, list):
        node.insert(position, value)
        key = position
    else:
        node.insert(position, key, value)
    if not hasattr(node, "ca") or position == 0:
        return
    previous = _tail(node, _keys(node)[position - 1])
    if previous is None:
        return
    head, rest = _split(previous[2])
    if not rest:
        return
    blank = rest[:len(rest) - len(rest.lstrip("\n"))]
    _set_tail(previous, (head or "\n") + blank)
    mine = _tail(node, key)
    if mine is not None:
        _set_tail(mine, "\n" + rest)


# ---------------------------------------------------------------------------- merging lines


def merge_lines(original: str, before: str, after: str) -> str:
    """Apply the change from ``before`` to ``after`` to ``original``, where ``before`` is a
    rendering of ``original`` that may spell some untouched lines differently: those keep
    the original's spelling; a region the change touches takes the rendering's.

    >>> merge_lines("a:  1\\nb: 2\\n", "a: 1\\nb: 2\\n", "a: 1\\nb: 3\\n")
    'a:  1\\nb: 3\\n'
    """
    orig = original.splitlines(keepends=True)
    old = before.splitlines(keepends=True)
    new = after.splitlines(keepends=True)
    changes = [op for op in difflib.SequenceMatcher(None, old, new, autojunk=False)
               .get_opcodes() if op[0] != "equal"]
    if not changes:
        return original

    def touched(d1: int, d2: int) -> bool:
        for _, a1, a2, _, _ in changes:
            if a1 < a2 and a1 < d2 and a2 > d1 and d1 < d2:
                return True
            if (a1 == a2 or d1 == d2) and d1 < a1 < d2:
                return True
            if d1 == d2 and a1 < d1 < a2:  # original-only lines inside a replaced region
                return True
        return False

    # the original with every region the change touches spelled as the rendering spells it,
    # and where each line of the rendering is in it
    merged: list[str] = []
    at: dict[int, int] = {}
    for tag, d1, d2, o1, o2 in difflib.SequenceMatcher(None, old, orig, autojunk=False) \
            .get_opcodes():
        if tag == "equal" or touched(d1, d2):
            for k in range(d1, d2):
                at[k] = len(merged) + (k - d1)
            merged.extend(old[d1:d2])
        else:
            at.setdefault(d1, len(merged))
            merged.extend(orig[o1:o2])
    at.setdefault(len(old), len(merged))
    for _, a1, a2, b1, b2 in reversed(changes):
        start = at[a1]
        end = at[a2 - 1] + 1 if a2 > a1 else start
        lines = new[b1:b2]
        if end - start == len(lines):
            lines = [_comment_gap(was, now) for was, now in zip(merged[start:end], lines)]
        merged[start:end] = lines
    return "".join(merged)


_COMMENT = re.compile(r"^(.*\S)( +)(# [^'\"#]*\n?)$")


def _comment_gap(was: str, now: str) -> str:
    """``now`` with the space before its end-of-line comment that ``was`` had, where the
    edit made the value longer than the comment's column."""
    old, new = _COMMENT.match(was), _COMMENT.match(now)
    if old and new and old.group(3) == new.group(3) and len(new.group(2)) < len(old.group(2)):
        return new.group(1) + old.group(2) + new.group(3)
    return now
