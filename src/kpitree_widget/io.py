"""Trees as code: YAML and JSON files, ``from_dict`` and ``to_dict``.

Loading is safe (no tags, no aliases), refuses duplicate keys and unknown fields with their path,
and validates against the declared schema. Saving is stable: the same tree always writes the
same bytes, metrics in outline order and fields in a fixed order, so git diffs stay small.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from .args import file_path
from .errors import KPITreeError, did_you_mean, show
from .metric import Hypothesis, Metric
from .periods import Numbers, period_key
from .source_spec import MetricSource, grain_of
from .sourcefile import SourceFile
from .tree import DEFAULT_TOLERANCE, Tree, TreeT

if TYPE_CHECKING:
    import yaml

SCHEMA_VERSION = 1
MAX_FILE_BYTES = 20_000_000
MAX_NESTING = 50  # a tree file needs about five levels; deeper is refused with its path
METRIC_FIELDS = ("name", "formula", "unit", "min", "max", "direction", "owner", "team",
                 "cadence", "lag_days", "kind", "guards", "aggregation", "description", "tags",
                 "source", "target_source", "value", "target")
SUFFIXES = (".yaml", ".yml", ".json")


# ---------------------------------------------------------------------------- from_dict


@overload
def tree_from_dict(spec: Mapping[str, Any]) -> Tree: ...
@overload
def tree_from_dict(spec: Mapping[str, Any], cls: type[TreeT]) -> TreeT: ...
def tree_from_dict(spec: Mapping[str, Any], cls: type[Tree] = Tree) -> Tree:
    """Validate ``spec`` (the shape of the file) and build the tree, an instance of ``cls``
    (the facade passes :class:`~kpitree_widget.Tree`)."""
    from pydantic import ValidationError

    from .schema import TreeSpec

    if not isinstance(spec, Mapping):
        raise KPITreeError(f"tree: expected a mapping with 'metrics', got {type(spec).__name__}")
    try:
        parsed = TreeSpec.model_validate(_plain(spec))
    except ValidationError as exc:
        raise KPITreeError(_describe(exc)) from None
    _check_schema_version(parsed.schema_)
    for i, okr in enumerate(parsed.okrs):
        _check_due(okr.due, f"okrs.{i}.due")
    metrics: list[Metric] = []
    values: dict[str, Numbers] = {}
    targets: dict[str, Numbers] = {}
    for metric_id, m in parsed.metrics.items():
        fields = m.model_dump(exclude_none=True, exclude={"value", "target"}) if m else {}
        metrics.append(Metric(id=metric_id, **fields))
        if m is not None and m.value is not None:
            values[metric_id] = m.value
        if m is not None and m.target is not None:
            targets[metric_id] = m.target
    hypotheses = [Hypothesis(h.from_, h.to, h.sign, h.note) for h in parsed.hypotheses]
    okrs = [k.model_dump(by_alias=True, exclude_none=True) for k in parsed.okrs]
    if "grain" in parsed.config:
        grain_of(parsed.config)
    return cls(metrics, values=values, targets=targets, root=parsed.root, name=parsed.name,
                   description=parsed.description, hypotheses=hypotheses,
                   scenarios=parsed.scenarios, okrs=okrs, config=parsed.config,
                   sources=parsed.sources)


def _check_schema_version(version: int | str | None) -> None:
    """Files without ``schema`` or with ``schema: 1`` are read; another version is refused."""
    if version is None or str(version).strip() == str(SCHEMA_VERSION):
        return
    raise KPITreeError(f"schema: this file is schema version {show(version)}; this version of "
                       f"kpitree-widget reads schema {SCHEMA_VERSION} (upgrade the package, "
                       "or write schema: 1)")


def _check_due(due: str | None, where: str) -> None:
    """An OKR's ``due`` must read as a date or period (``2026-06-30``, ``2026Q2``)."""
    if due is None:
        return
    import pandas as pd

    try:
        pd.Period(due)
    except (ValueError, TypeError, OverflowError):
        raise KPITreeError(f"{where}: expected a date or period such as 2026-06-30 or 2026Q2, "
                           f"got {show(due)}") from None


class _Refused:
    """A value a tree file may not hold (a YAML ``!!binary``, ``!!set`` or an ambiguous
    number): kept as a reason until the walk over the data can name its path."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


_SURROGATE = re.compile("[\ud800-\udfff]")


def _plain(data: Any, path: str = "", depth: int = 0) -> Any:
    """The data checked and in plain form: dates (YAML reads ``2026-03-31`` as one) become ISO
    text, in keys and values; nesting deeper than :data:`MAX_NESTING`, text that is not valid
    Unicode (lone surrogates), numbers that are not finite, and values that are not text,
    numbers, lists or mappings (bytes, sets, complex numbers) are refused with their path.

    >>> _plain({"a": float("nan")})
    Traceback (most recent call last):
    ...
    kpitree_widget.errors.KPITreeError: a: expected a finite number, got nan
    """
    where = path or "tree"
    if depth > MAX_NESTING:
        raise KPITreeError(f"{where}: nested more than {MAX_NESTING} levels deep")
    if isinstance(data, Mapping):
        out: dict[Any, Any] = {}
        given: dict[Any, Any] = {}
        for k, v in data.items():
            key = _plain_key(k, path)
            if key in out:  # 2026-02-01 (a YAML date) and '2026-02' both name one period
                raise KPITreeError(f"{where}: the keys {given[key]!r} and {k!r} both name "
                                   f"{key!r}; keep one")
            given[key] = k
            out[key] = _plain(v, f"{path}.{key}" if path else str(key), depth + 1)
        return out
    if isinstance(data, (list, tuple)):
        return [_plain(v, f"{path}.{i}" if path else str(i), depth + 1)
                for i, v in enumerate(data)]
    if isinstance(data, str):
        _check_text(data, where)
        return data
    if isinstance(data, (dt.date, dt.datetime)):
        return data.isoformat()
    if isinstance(data, float) and not math.isfinite(data):
        raise KPITreeError(f"{where}: expected a finite number, got {data}")
    if isinstance(data, _Refused):
        raise KPITreeError(f"{where}: {data.reason}")
    if isinstance(data, (bytes, bytearray, set, frozenset, complex)):
        raise KPITreeError(f"{where}: a tree file holds text, numbers, lists and mappings, "
                           f"not {type(data).__name__}")
    return data


def _check_text(text: str, where: str) -> None:
    bad = _SURROGATE.search(text)
    if bad:
        raise KPITreeError(f"{where}: not valid Unicode text (a lone surrogate "
                           f"U+{ord(bad.group()):04X} at position {bad.start()})")


def _plain_key(key: Any, path: str = "") -> Any:
    if isinstance(key, (dt.date, dt.datetime)):
        return period_key(key)  # a date key is a period label: 2026-03-01 names 2026-03
    if isinstance(key, int) and not isinstance(key, bool):
        return str(key)
    if isinstance(key, str):
        _check_text(key, f"{path}.{key!a}" if path else f"{key!a}")
    if isinstance(key, _Refused):
        raise KPITreeError(f"{path or 'tree'}: a key: {key.reason}")
    return key


def _describe(exc: Any) -> str:
    """The first validation error as ``path: what is wrong``."""
    from pydantic import BaseModel

    from .schema import HypothesisSpec, KeyResultSpec, MetricSpec, TreeSpec

    lines = []
    for error in exc.errors()[:3]:
        loc = [str(part) for part in error["loc"]]
        path = ".".join(loc) or "tree"
        kind = error["type"]
        if kind == "extra_forbidden":
            field = loc[-1]
            model: dict[str, type[BaseModel]] = {
                "metrics": MetricSpec, "hypotheses": HypothesisSpec, "okrs": KeyResultSpec}
            spec: type[BaseModel] = model.get(loc[0], TreeSpec) if len(loc) > 1 else TreeSpec
            fields = spec.model_fields
            names = [f.alias or n for n, f in fields.items()]
            lines.append(f"{path}: unknown field{did_you_mean(field, names)}")
        elif kind == "missing":
            lines.append(f"{path}: required field is missing")
        else:
            lines.append(f"{path}: {error['msg'][0].lower()}{error['msg'][1:]}, "
                         f"got {show(error.get('input'))}")
    more = len(exc.errors()) - len(lines)
    return "; ".join(lines) + (f" (and {more} more)" if more > 0 else "")


# ---------------------------------------------------------------------------- to_dict


def tree_to_dict(tree: Tree) -> dict[str, Any]:
    """The canonical mapping of a tree: defaults left out, metrics in outline order."""
    out: dict[str, Any] = {"schema": SCHEMA_VERSION}
    if tree.name:
        out["name"] = tree.name
    if tree.description:
        out["description"] = tree.description
    out["root"] = tree.root
    if tree.sources:
        out["sources"] = {name: config.to_dict() for name, config in tree.sources.items()}
    metrics: dict[str, Any] = {}
    for metric_id, *_ in tree.outline():
        metrics[metric_id] = _metric_dict(tree, tree.metrics[metric_id])
    out["metrics"] = metrics
    if tree.hypotheses:
        out["hypotheses"] = [
            {"from": h.driver, "to": h.outcome, "sign": h.sign,
             **({"note": h.note} if h.note else {})}
            for h in tree.hypotheses
        ]
    if tree.scenarios:
        out["scenarios"] = {name: {m: _numbers(v) for m, v in overrides.items()}
                            for name, overrides in tree.scenarios.items()}
    if tree.okrs:
        out["okrs"] = [dict(o) for o in tree.okrs]
    config = dict(tree.config)
    if tree.tolerance != config.get("tolerance", DEFAULT_TOLERANCE):
        config["tolerance"] = tree.tolerance
    if config:
        out["config"] = config
    return out


def _metric_dict(tree: Tree, metric: Metric) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in METRIC_FIELDS:
        if field == "value":
            value = _numbers(tree.get_value(metric.id))
        elif field == "target":
            value = _numbers(tree.get_target(metric.id))
        else:
            value = getattr(metric, field)
        if field == "name" and value == metric.id:
            continue
        if field == "direction" and value == "up":
            continue
        if field == "tags":
            value = list(value) or None
        if isinstance(value, MetricSource):
            value = value.to_dict()
        if field in ("lag_days", "min", "max") and isinstance(value, float):
            value = _scalar(value)
        if value is not None:
            out[field] = value
    return out


def _numbers(numbers: Numbers) -> Any:
    if isinstance(numbers, dict):
        return {p: _scalar(x) for p, x in numbers.items()}
    return None if numbers is None else _scalar(numbers)


def _scalar(x: float) -> float | int:
    """Whole numbers are written without '.0' (files stay clean); the value is unchanged."""
    if math.isfinite(x) and float(x).is_integer() and abs(x) < 2**53 and (
            x != 0 or math.copysign(1.0, x) > 0):  # -0.0 stays -0.0: 1 / -0.0 is -inf
        return int(x)
    return float(x)


# ---------------------------------------------------------------------------- files


@overload
def load(path: str | Path) -> Tree: ...
@overload
def load(path: str | Path, cls: type[TreeT]) -> TreeT: ...
def load(path: str | Path, cls: type[Tree] = Tree) -> Tree:
    """Load a tree from ``.yaml``, ``.yml`` or ``.json``; the tree remembers the file and its
    text (``tree.path``) so that saving it back patches only what changed.

    >>> tree = load("tree.yaml")  # doctest: +SKIP
    """
    path = file_path("load", path)
    fmt = _format(path)
    try:
        text = _read_limited(path).decode("utf-8")
    except FileNotFoundError:
        raise KPITreeError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise KPITreeError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise KPITreeError(f"{path}: cannot read the file ({exc.strerror})") from None
    try:
        data = loads(text, fmt)
        tree = tree_from_dict(data, cls=cls)
    except KPITreeError as exc:
        raise KPITreeError(f"{path.name}: {exc}") from None
    tree._source_file = SourceFile(path.absolute(), fmt, text)
    tree.source_dir = str(path.resolve().parent)  # a source's files are read from here
    return tree


def _read_limited(path: Path) -> bytes:
    """The file's bytes; a file larger than :data:`MAX_FILE_BYTES` is refused after reading at
    most one byte more (a symlink to ``/dev/zero`` or a growing file cannot exhaust memory)."""
    with path.open("rb") as f:
        # a regular file's size is known at once; a device or pipe is read up to the limit
        too_big = os.fstat(f.fileno()).st_size > MAX_FILE_BYTES
        raw = b"" if too_big else f.read(MAX_FILE_BYTES + 1)
    if too_big or len(raw) > MAX_FILE_BYTES:
        raise KPITreeError(f"{path}: the file is larger than the limit of "
                           f"{MAX_FILE_BYTES:,} bytes")
    return raw


def loads(text: str, fmt: str = "yaml") -> Any:
    """Parse YAML or JSON text safely, refusing duplicate keys (and YAML tags and aliases)."""
    if fmt == "json":
        try:
            return json.loads(text, object_pairs_hook=_unique_pairs)
        except RecursionError:
            raise KPITreeError(f"nested more than {MAX_NESTING} levels deep") from None
        except json.JSONDecodeError as exc:
            raise KPITreeError(f"line {exc.lineno}, column {exc.colno}: not valid JSON "
                               f"({exc.msg})") from None
    import yaml

    try:
        return yaml.load(text, Loader=_loader_class())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {_line_column(text, mark)}: " if mark else ""
        raise KPITreeError(f"{where}{exc.problem or exc.context or 'not valid YAML'}") from None
    except yaml.YAMLError as exc:
        raise KPITreeError(f"not valid YAML ({exc})") from None


def _line_column(text: str, mark: Any) -> str:
    """``line L, column C`` of a YAML error mark, 1-based. libyaml places an error at the end of
    a text without a final newline on a line after it: that is the end of the last line."""
    last = text.count("\n")
    if mark.line > last:
        return f"{last + 1}, column {len(text) - (text.rfind(chr(10)) + 1) + 1}"
    return f"{mark.line + 1}, column {mark.column + 1}"


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise KPITreeError(f"duplicate key {key!r}")
        out[key] = value
    return out


# YAML numbers are read as YAML 1.2 (and JSON) read them. A form that YAML 1.1 reads as another
# number or as text (``017`` octal, ``3:1`` base 60, ``1_000``, ``0b101``) is refused with its
# path instead of being read silently one way or the other.
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_AMBIGUOUS = "tag:kpitree,2026:ambiguous"
_INT_12 = re.compile(r"^(?:[-+]?(?:0|[1-9][0-9]*)|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT_12 = re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                       r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")
_LEADING_ZERO = re.compile(r"^[-+]?0[0-9]")
_NUMBER_START = "-+0123456789."


def _number(text: str) -> int | float | _Refused:
    """A plain scalar read as YAML 1.2 reads a number, or refused when YAML 1.1 reads it
    differently.

    >>> _number("0x1F"), _number("1e3"), _number("017").reason[:27]
    (31, 1000.0, "'017' is a number that YAML")
    """
    if _LEADING_ZERO.match(text):  # 017: 15 in YAML 1.1, 17 in YAML 1.2
        pass
    elif _INT_12.match(text):
        if text.startswith(("0o", "0x")):
            return int(text[2:], 8 if text[1] == "o" else 16)
        return int(text)
    elif _FLOAT_12.match(text):
        lowered = text.lower()
        if lowered.endswith(".inf"):
            return -math.inf if lowered.startswith("-") else math.inf
        if lowered.endswith(".nan"):
            return math.nan
        return float(text)
    return _Refused(f"{text!r} is a number that YAML 1.1 and YAML 1.2 read differently (or "
                    "not at all); write it as plain digits such as 17, 1000 or 0.5, or quote "
                    "it to keep it as text")


_LOADER: type | None = None
_DUMPER: type | None = None


def _resolver_table(base: Any) -> dict[Any, list[tuple[str, Any]]]:
    """``base``'s implicit resolvers with the YAML 1.1 number forms replaced (see above)."""
    table = {key: [(tag, rx) for tag, rx in rules if tag not in (_INT, _FLOAT)]
             for key, rules in base.yaml_implicit_resolvers.items()}
    for first in _NUMBER_START:
        # YAML 1.1's own number patterns come last: what only they match is refused
        old = [rx for tag, rx in base.yaml_implicit_resolvers.get(first, [])
               if tag in (_INT, _FLOAT)]
        table[first] = [(_INT, _INT_12), (_FLOAT, _FLOAT_12),
                        *((_AMBIGUOUS, rx) for rx in old), *table.get(first, [])]
    return table


def _loader_class() -> type[yaml.SafeLoader]:
    """A safe loader (libyaml's when installed) that refuses duplicate keys and aliases, caps
    nesting, reads numbers as YAML 1.2 and keeps ``!!binary``, ``!!set``, ``!!omap`` and
    ``!!pairs`` as refusals for the check that names their path (built on first use)."""
    global _LOADER
    if _LOADER is not None:
        return _LOADER
    import yaml

    base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class StrictLoader(base):
        yaml_implicit_resolvers = _resolver_table(yaml.SafeLoader)

        def get_single_node(self) -> Any:
            return _compose(self)

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen: dict[Any, Any] = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.get(key)
                except TypeError:  # an unhashable key: let the constructor say so
                    continue
                if first is not None:
                    raise yaml.MarkedYAMLError(
                        problem=f"duplicate key {key!r} (first at line "
                        f"{first.start_mark.line + 1})", problem_mark=key_node.start_mark)
                seen[key] = key_node
            return super().construct_mapping(node, deep=deep)

    def number(loader: Any, node: Any) -> Any:
        return _number(loader.construct_scalar(node))

    def refused(what: str) -> Any:
        def construct(loader: Any, node: Any) -> Any:
            return _Refused(f"YAML {what} values are not supported in tree files")
        return construct

    for tag in (_INT, _FLOAT, _AMBIGUOUS):
        StrictLoader.add_constructor(tag, number)
    for name in ("binary", "set", "omap", "pairs"):
        StrictLoader.add_constructor(f"tag:yaml.org,2002:{name}", refused(f"!!{name}"))
    _LOADER = StrictLoader
    return StrictLoader


def _compose(loader: Any) -> Any:
    """The document's node tree, composed without recursion from the parser's events: aliases
    are refused, and so is nesting deeper than :data:`MAX_NESTING` (with its path)."""
    import yaml

    ev: Any = yaml.events  # typed loosely: libyaml's marks are not yaml.Mark
    nodes: Any = yaml.nodes

    scalar_event, alias_event = ev.ScalarEvent, ev.AliasEvent
    starts = {ev.SequenceStartEvent: nodes.SequenceNode, ev.MappingStartEvent: nodes.MappingNode}
    scalar_node, sequence_node = nodes.ScalarNode, nodes.SequenceNode
    get_event, resolve = loader.get_event, loader.resolve
    get_event()  # stream start
    root = None
    if not loader.check_event(ev.StreamEndEvent):
        get_event()  # document start
        stack: list[Any] = []
        keys: list[Any] = []
        while root is None:
            event: Any = get_event()
            kind = type(event)
            node: Any
            if kind is scalar_event:
                tag = event.tag
                if tag is None or tag == "!":
                    tag = resolve(scalar_node, event.value, event.implicit)
                node = scalar_node(tag, event.value, event.start_mark, event.end_mark,
                                   style=event.style)
            elif kind in starts:
                if len(stack) >= MAX_NESTING:
                    raise yaml.MarkedYAMLError(
                        problem=f"{_node_path(stack, keys)}: nested more than {MAX_NESTING} "
                        "levels deep", problem_mark=event.start_mark)
                node_kind = starts[kind]
                tag = event.tag
                if tag is None or tag == "!":
                    tag = resolve(node_kind, None, event.implicit)
                stack.append(node_kind(tag, [], event.start_mark, None,
                                       flow_style=event.flow_style))
                keys.append(None)
                continue
            elif kind is alias_event:
                raise yaml.MarkedYAMLError(problem="aliases (*name) are not supported in tree "
                                           "files", problem_mark=event.start_mark)
            else:  # the end of a sequence or mapping
                node = stack.pop()
                keys.pop()
                node.end_mark = event.end_mark
            if not stack:
                root = node
            elif type(stack[-1]) is sequence_node:
                stack[-1].value.append(node)
            elif keys[-1] is None:
                keys[-1] = node
            else:
                stack[-1].value.append((keys[-1], node))
                keys[-1] = None
        get_event()  # document end
    if not loader.check_event(ev.StreamEndEvent):
        event = get_event()
        raise yaml.MarkedYAMLError(problem="a tree file holds one YAML document; found another",
                                   problem_mark=event.start_mark)
    get_event()
    return root


def _node_path(stack: list[Any], keys: list[Any]) -> str:
    parts = []
    for node, key in zip(stack, keys):
        if isinstance(node.value, list) and key is None and node.tag.endswith(":seq"):
            parts.append(str(len(node.value)))
        elif key is not None:
            parts.append(str(getattr(key, "value", "?")))
    return ".".join(parts) or "tree"


def _dumper_class() -> type[yaml.SafeDumper]:
    """The dumper :func:`dumps` uses: no aliases; text quoted wherever the loader would read
    it as something else; text with a line-breaking character YAML folds (U+0085 NEL,
    U+2028, U+2029) written double-quoted with escapes so it comes back unchanged."""
    global _DUMPER
    if _DUMPER is not None:
        return _DUMPER
    import yaml

    class Dumper(yaml.SafeDumper):
        yaml_implicit_resolvers = _resolver_table(yaml.SafeDumper)

        def ignore_aliases(self, data: Any) -> bool:
            return True

    def text(dumper: Any, data: str) -> Any:
        style = '"' if any(ch in data for ch in "\x85\u2028\u2029") else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)

    Dumper.add_representer(str, text)
    _DUMPER = Dumper
    return Dumper


def dumps(tree: Tree, fmt: str = "yaml") -> str:
    """The tree as YAML or JSON text (what :func:`save` writes); what :func:`load` would
    refuse (text that is not valid Unicode, say) is refused here too, with its path."""
    return dumps_spec(tree_to_dict(tree), fmt)


def dumps_spec(data: Mapping[str, Any], fmt: str = "yaml") -> str:
    """A tree's mapping (:func:`tree_to_dict`) as canonical YAML or JSON text; what
    :func:`load` would refuse is refused here too, with its path."""
    _plain(data)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    import yaml

    return yaml.dump(data, Dumper=_dumper_class(), sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=100)


def save(tree: Tree, path: str | Path) -> None:
    """Write ``tree`` to ``path`` (``.yaml``, ``.yml`` or ``.json``).

    The write is atomic: the text is encoded first, written to a temporary file in the same
    folder, flushed to disk and then put in the place of the old file, so a failure (a full
    disk, text that cannot be encoded) leaves the previous file as it was.
    """
    path = file_path("save", path, writing=True)
    fmt = _format(path)
    try:
        data = dumps(tree, fmt).encode("utf-8")
    except KPITreeError as exc:
        raise KPITreeError(f"{path}: {exc}; nothing was written") from None
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise KPITreeError(f"{path}: cannot write the file ({exc.strerror or exc}); "
                           "the previous file is unchanged") from None


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder: flush, fsync,
    then replace. A symlink is followed (its target is replaced); the old file's permissions
    are kept. On failure the temporary file is removed and ``path`` is untouched."""
    target = Path(os.path.realpath(path))
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(FileNotFoundError):  # a new file keeps the umask's mode
            os.chmod(tmp, target.stat().st_mode & 0o7777)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if hasattr(os, "O_DIRECTORY"):  # make the rename itself durable (POSIX)
        folder = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(folder)
        except OSError:
            pass
        finally:
            os.close(folder)


def _format(path: Path) -> str:
    """``"json"`` or ``"yaml"`` by the file's suffix; any other suffix is a KPITreeError."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise KPITreeError(f"{path}: unknown file type {suffix or '(none)'!r}; "
                           "use .yaml, .yml or .json")
    return "json" if suffix == ".json" else "yaml"
