"""Safe formulas: an allow-listed walk of Python's ``ast`` into a small intermediate form (IR).

A formula is an arithmetic expression over metric ids. It is parsed, never executed: the parser
keeps numbers, names, ``+ - * / **``, unary minus, parentheses, ``min``, ``max``, ``abs`` and the
conditional ``a if test else b`` (with comparisons, ``and``, ``or``, ``not`` inside the test).
Everything else is refused with a :class:`KPITreeError` naming the metric and the piece.

Everything the package does with a formula is derived from the IR: the children, a vectorised
numpy evaluator, local derivatives, inversion for one child, display text and Excel text.

>>> f = parse("customers * arpu * (1 - churn)", metric="revenue")
>>> f.children
('customers', 'arpu', 'churn')
>>> f.relation
'formula'
>>> float(f.evaluate({"customers": 10, "arpu": 5.0, "churn": 0.1}))
45.0
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Union

import numpy as np

from .errors import KPITreeError

MAX_LENGTH = 1000
MAX_NODES = 200
MAX_DEPTH = 40

FUNCTIONS = ("min", "max", "abs")

# --------------------------------------------------------------------------- the IR


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Ref:
    name: str


@dataclass(frozen=True)
class Bin:
    op: str  # + - * / **
    left: Node
    right: Node


@dataclass(frozen=True)
class Neg:
    operand: Node


@dataclass(frozen=True)
class Call:
    func: str  # min, max, abs
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Cond:
    test: Node
    then: Node
    otherwise: Node


@dataclass(frozen=True)
class Cmp:
    op: str  # < <= > >= == !=
    left: Node
    right: Node


@dataclass(frozen=True)
class Logic:
    op: str  # and, or
    values: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    operand: Node


Node = Union[Num, Ref, Bin, Neg, Call, Cond, Cmp, Logic, Not]

_BIN_OPS: dict[type, str] = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_CMP_OPS: dict[type, str] = {
    ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=",
}
_NP_BIN: dict[str, Callable[[Any, Any], Any]] = {
    "+": np.add, "-": np.subtract, "*": np.multiply, "/": np.true_divide, "**": np.power,
}
_NP_CMP: dict[str, Callable[[Any, Any], Any]] = {
    "<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
    "==": np.equal, "!=": np.not_equal,
}
_PRECEDENCE = {"if": 0, "or": 1, "and": 2, "not": 3, "cmp": 4, "+": 5, "-": 5, "*": 6, "/": 6,
               "neg": 7, "**": 8, "atom": 9}

# --------------------------------------------------------------------------- parsing


class _Refused(Exception):
    """Internal: a piece of the formula that is not allowed (turned into KPITreeError)."""

    def __init__(self, node: ast.AST, why: str):
        super().__init__(why)
        self.node = node
        self.why = why


def _where(metric: str | None) -> str:
    return f"metrics.{metric}.formula" if metric else "formula"


def parse(text: object, metric: str | None = None) -> Formula:
    """Parse a formula string into a :class:`Formula`, refusing anything but arithmetic.

    ``metric`` names the metric the formula belongs to, for error messages.

    >>> parse("new_arr + retained_arr").relation
    'sum'
    >>> parse("__import__('os')", metric="arr")
    Traceback (most recent call last):
    ...
    kpitree_widget.errors.KPITreeError: metrics.arr.formula: "__import__('os')" is not allowed \
(only min, max and abs can be called)
    """
    where = _where(metric)
    if not isinstance(text, str):
        raise KPITreeError(f"{where}: expected a formula string, got {type(text).__name__}")
    source = text.strip()
    if not source:
        raise KPITreeError(f"{where}: the formula is empty")
    if len(source) > MAX_LENGTH:
        raise KPITreeError(f"{where}: the formula is {len(source)} characters long; "
                           f"the limit is {MAX_LENGTH}")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise KPITreeError(f"{where}: cannot read {_clip(source)!r}: {exc.msg}") from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise KPITreeError(f"{where}: cannot read {_clip(source)!r}: {exc}") from None
    _check_names(tree, source, where)
    counter = [0]
    try:
        ir = _convert(tree.body, counter, 0)
        if _is_boolean(ir):
            raise _Refused(tree.body, "a comparison can only be the test of 'a if test else b'")
    except _Refused as exc:
        piece = ast.get_source_segment(source, exc.node) or source
        raise KPITreeError(f"{where}: {_clip(piece)!r} is not allowed ({exc.why})") from None
    except RecursionError:
        raise KPITreeError(f"{where}: the formula is nested too deeply") from None
    return Formula(source, ir)


def _check_names(tree: ast.AST, source: str, where: str) -> None:
    """Refuse a name written other than as it reads: Python folds ``ａ`` (fullwidth) into ``a``
    (NFKC), so a name must be plain ASCII and stand in the source as it was parsed."""
    if source.isascii():
        return  # nothing to fold
    lines = source.encode("utf-8").split(b"\n")
    stack = [tree]  # ast.walk would import at call time; a stack walks the same nodes
    while stack:
        node = stack.pop()
        stack.extend(ast.iter_child_nodes(node))
        if isinstance(node, ast.Name):
            # offsets are in UTF-8 bytes; a name is on one line
            line = lines[node.lineno - 1] if node.lineno <= len(lines) else b""
            shown = line[node.col_offset:node.end_col_offset].decode("utf-8", "replace")
            if shown != node.id or not node.id.isascii():
                raise KPITreeError(f"{where}: the name {_clip(shown)!r} is not plain ASCII "
                                   f"(it would read as {node.id!r}); metric ids use a-z, 0-9 "
                                   "and _")


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_boolean(node: Node) -> bool:
    return isinstance(node, (Cmp, Logic, Not))


def _number(node: ast.AST, counter: list[int], depth: int) -> Node:
    ir = _convert(node, counter, depth)
    if _is_boolean(ir):
        raise _Refused(node, "a comparison can only be the test of 'a if test else b'")
    return ir


def _test(node: ast.AST, counter: list[int], depth: int) -> Node:
    ir = _convert(node, counter, depth)
    if not _is_boolean(ir):
        raise _Refused(node, "the test of 'a if test else b' must be a comparison")
    return ir


_CHAINS = ({"+", "-"}, {"*", "/"})


def _same_chain(op: str, left: ast.AST) -> bool:
    """True when ``left`` continues the flat chain of ``op`` (``a + b`` under ``... - c``)."""
    if not isinstance(left, ast.BinOp):
        return False
    inner = _BIN_OPS.get(type(left.op))
    return any(op in chain and inner in chain for chain in _CHAINS)


def _convert(node: ast.AST, counter: list[int], depth: int) -> Node:
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise _Refused(node, f"the formula has more than {MAX_NODES} parts")
    if depth > MAX_DEPTH:
        raise _Refused(node, f"the formula is nested more than {MAX_DEPTH} deep")
    d = depth + 1
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _Refused(node, "only numbers can be written in a formula")
        try:
            number = float(value)
        except OverflowError:  # a whole number too large for a float
            number = math.inf
        if not math.isfinite(number):
            raise _Refused(node, "the number is not finite")
        return Num(number)
    if isinstance(node, ast.Name):
        return Ref(node.id)
    if isinstance(node, ast.BinOp):
        op = _BIN_OPS.get(type(node.op))
        if op is None:
            raise _Refused(node, "operators allowed are + - * / **")
        # a flat chain (a + b - c + ..., a * b / c * ...) is one level as people read it: the
        # left operand continuing the same chain stays at this depth
        left_depth = depth if _same_chain(op, node.left) else d
        return Bin(op, _number(node.left, counter, left_depth), _number(node.right, counter, d))
    if isinstance(node, ast.UnaryOp):
        if isinstance(node.op, ast.USub):
            return Neg(_number(node.operand, counter, d))
        if isinstance(node.op, ast.UAdd):
            return _number(node.operand, counter, d)
        if isinstance(node.op, ast.Not):
            return Not(_test(node.operand, counter, d))
        raise _Refused(node, "operators allowed are + - * / **")
    if isinstance(node, ast.Call):
        func = node.func.id if isinstance(node.func, ast.Name) else None
        if func not in FUNCTIONS:
            raise _Refused(node, "only min, max and abs can be called")
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise _Refused(node, f"{func}() takes plain arguments")
        if func == "abs" and len(node.args) != 1:
            raise _Refused(node, "abs() takes one argument")
        if func in ("min", "max") and len(node.args) < 2:
            raise _Refused(node, f"{func}() takes two or more arguments")
        return Call(func, tuple(_number(a, counter, d) for a in node.args))
    if isinstance(node, ast.IfExp):
        return Cond(_test(node.test, counter, d), _number(node.body, counter, d),
                    _number(node.orelse, counter, d))
    if isinstance(node, ast.Compare):
        parts: list[Node] = []
        left = _number(node.left, counter, d)
        for op_node, right_node in zip(node.ops, node.comparators):
            op = _CMP_OPS.get(type(op_node))
            if op is None:
                raise _Refused(node, "comparisons allowed are < <= > >= == !=")
            right = _number(right_node, counter, d)
            parts.append(Cmp(op, left, right))
            left = right
        return parts[0] if len(parts) == 1 else Logic("and", tuple(parts))
    if isinstance(node, ast.BoolOp):
        op = "and" if isinstance(node.op, ast.And) else "or"
        return Logic(op, tuple(_test(v, counter, d) for v in node.values))
    kind = type(node).__name__
    described = {"Attribute": "attributes", "Subscript": "subscripts", "Lambda": "lambdas",
                 "JoinedStr": "strings", "List": "lists", "Tuple": "tuples", "Dict": "dicts",
                 "Set": "sets", "ListComp": "comprehensions", "GeneratorExp": "comprehensions",
                 "DictComp": "comprehensions", "SetComp": "comprehensions",
                 "NamedExpr": "assignments", "Await": "await", "Yield": "yield",
                 "Starred": "starred arguments"}.get(kind, kind)
    raise _Refused(node, f"{described} cannot be used in a formula")


# --------------------------------------------------------------------------- the Formula


class Formula:
    """A parsed formula: the source text and its IR, with everything derived from the IR."""

    __slots__ = ("_shown", "children", "ir", "relation", "text")

    def __init__(self, text: str, ir: Node):
        self.text = text
        self.ir = ir
        self.children: tuple[str, ...] = tuple(dict.fromkeys(_refs(ir)))
        self.relation: str = _relation(ir)
        self._shown: str | None = None

    def __repr__(self) -> str:
        return f"Formula({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Formula) and other.ir == self.ir

    def __hash__(self) -> int:
        return hash(self.ir)

    def display(self) -> str:
        """The formula as people read it, with only the parentheses it needs.

        >>> parse("(a+b) * ((c))").display()
        '(a + b) * c'
        """
        if self._shown is None:  # the IR never changes: work it out once (every rollup asks)
            self._shown = _display(self.ir)
        return self._shown

    def count(self, name: str) -> int:
        """How many times ``name`` appears in the formula."""
        return sum(1 for r in _refs(self.ir) if r == name)

    def evaluate(self, env: Mapping[str, Any]) -> Any:
        """Evaluate with numpy over the arrays (or numbers) in ``env``, keyed by metric id."""
        with np.errstate(all="ignore"):
            return _eval(self.ir, env)

    def compile(self, index: Mapping[str, int]) -> Callable[[Sequence[Any]], Any]:
        """A fast evaluator over a list of arrays, where ``index`` maps each child to its slot."""
        return _compile(self.ir, index)

    def partials(self, env: Mapping[str, Any]) -> dict[str, Any]:
        """Local derivatives of the formula with respect to each child, at ``env``.

        >>> d = parse("a * b").partials({"a": 2.0, "b": 5.0})
        >>> float(d["a"]), float(d["b"])
        (5.0, 2.0)
        """
        out: dict[str, Any] = {name: 0.0 for name in self.children}
        with np.errstate(all="ignore"):
            # a numpy seed keeps the arithmetic in numpy: x / 0 is inf, not ZeroDivisionError
            _grad(self.ir, np.float64(1.0), env, out)
        return out

    def invert(self, child: str, result: Any, env: Mapping[str, Any]) -> Any | None:
        """The value of ``child`` that makes the formula equal ``result``, other children fixed.

        Exact when ``child`` appears once, under ``+ - * /``, unary minus or a constant power;
        ``None`` when the formula cannot be inverted that way (the caller falls back to root
        finding).

        >>> float(parse("a * b + c").invert("b", 23.0, {"a": 4.0, "c": 3.0}))
        5.0
        """
        if self.count(child) != 1:
            return None
        with np.errstate(all="ignore"):
            y = result if isinstance(result, np.ndarray) else np.float64(result)
            return _invert(self.ir, child, y, env)

    def to_excel(self, cell: Callable[[str], str]) -> str:
        """Excel formula text (without the leading ``=``), fully parenthesised.

        >>> parse("-a ** 2 / b").to_excel(lambda n: n.upper())
        '((-(A^2))/B)'
        """
        return _excel(self.ir, cell)


def _refs(node: Node) -> list[str]:
    if isinstance(node, Ref):
        return [node.name]
    out: list[str] = []
    for child in _subnodes(node):
        out.extend(_refs(child))
    return out


def _subnodes(node: Node) -> tuple[Node, ...]:
    if isinstance(node, (Bin, Cmp)):
        return (node.left, node.right)
    if isinstance(node, (Neg, Not)):
        return (node.operand,)
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Cond):
        return (node.test, node.then, node.otherwise)
    if isinstance(node, Logic):
        return node.values
    return ()


def _only(node: Node, ops: set[str], leaves: tuple[type, ...]) -> bool:
    if isinstance(node, leaves):
        return True
    if isinstance(node, Bin) and node.op in ops:
        return _only(node.left, ops, leaves) and _only(node.right, ops, leaves)
    return False


def _relation(ir: Node) -> str:
    """The kind of link shown to people: sum, product, ratio or formula."""
    refs = _refs(ir)
    if len(refs) < 2:
        return "formula"
    if _only(ir, {"+", "-"}, (Ref,)):
        return "sum"
    if _only(ir, {"*"}, (Ref, Num)):
        return "product"
    if (isinstance(ir, Bin) and ir.op == "/" and _only(ir.left, {"*"}, (Ref, Num))
            and _only(ir.right, {"*"}, (Ref, Num))):
        return "ratio"
    return "formula"


# --------------------------------------------------------------------------- evaluation


def _eval(node: Node, env: Mapping[str, Any]) -> Any:
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Ref):
        return env[node.name]
    if isinstance(node, Bin):
        return _NP_BIN[node.op](_eval(node.left, env), _eval(node.right, env))
    if isinstance(node, Neg):
        return np.negative(_eval(node.operand, env))
    if isinstance(node, Call):
        values = [_eval(a, env) for a in node.args]
        if node.func == "abs":
            return np.abs(values[0])
        fold = np.minimum if node.func == "min" else np.maximum
        result = values[0]
        for v in values[1:]:
            result = fold(result, v)
        return result
    if isinstance(node, Cond):
        return np.where(_eval(node.test, env), _eval(node.then, env), _eval(node.otherwise, env))
    if isinstance(node, Cmp):
        return _NP_CMP[node.op](_eval(node.left, env), _eval(node.right, env))
    if isinstance(node, Logic):
        logic = np.logical_and if node.op == "and" else np.logical_or
        result = _eval(node.values[0], env)
        for v in node.values[1:]:
            result = logic(result, _eval(v, env))
        return result
    if isinstance(node, Not):
        return np.logical_not(_eval(node.operand, env))
    raise TypeError(node)  # pragma: no cover - the IR has no other nodes


def _compile(node: Node, index: Mapping[str, int]) -> Callable[[Sequence[Any]], Any]:
    """Closures over a list of arrays: the hot path of the engine."""
    if isinstance(node, Num):
        value = node.value
        return lambda v: value
    if isinstance(node, Ref):
        i = index[node.name]
        return operator.itemgetter(i)
    if isinstance(node, Bin):
        fn = _NP_BIN[node.op]
        if isinstance(node.left, Ref) and isinstance(node.right, Ref):
            i, j = index[node.left.name], index[node.right.name]
            return lambda v: fn(v[i], v[j])
        if isinstance(node.right, Ref):
            left, j = _compile(node.left, index), index[node.right.name]
            return lambda v: fn(left(v), v[j])
        if isinstance(node.left, Ref):
            i, right = index[node.left.name], _compile(node.right, index)
            return lambda v: fn(v[i], right(v))
        left, right = _compile(node.left, index), _compile(node.right, index)
        return lambda v: fn(left(v), right(v))
    if isinstance(node, Neg):
        inner = _compile(node.operand, index)
        return lambda v: np.negative(inner(v))
    if isinstance(node, Call):
        args = [_compile(a, index) for a in node.args]
        if node.func == "abs":
            only = args[0]
            return lambda v: np.abs(only(v))
        fold = np.minimum if node.func == "min" else np.maximum

        def reduce(v: Sequence[Any]) -> Any:
            result = args[0](v)
            for a in args[1:]:
                result = fold(result, a(v))
            return result
        return reduce
    if isinstance(node, Cond):
        test, then, otherwise = (_compile(node.test, index), _compile(node.then, index),
                                 _compile(node.otherwise, index))
        return lambda v: np.where(test(v), then(v), otherwise(v))
    if isinstance(node, Cmp):
        cmp = _NP_CMP[node.op]
        left, right = _compile(node.left, index), _compile(node.right, index)
        return lambda v: cmp(left(v), right(v))
    if isinstance(node, Logic):
        parts = [_compile(p, index) for p in node.values]
        logic = np.logical_and if node.op == "and" else np.logical_or

        def combine(v: Sequence[Any]) -> Any:
            result = parts[0](v)
            for p in parts[1:]:
                result = logic(result, p(v))
            return result
        return combine
    if isinstance(node, Not):
        inner = _compile(node.operand, index)
        return lambda v: np.logical_not(inner(v))
    raise TypeError(node)  # pragma: no cover


# --------------------------------------------------------------------------- derivatives


def _grad(node: Node, seed: Any, env: Mapping[str, Any], out: dict[str, Any]) -> None:
    """Reverse-mode derivatives of ``node`` times ``seed``, accumulated into ``out``."""
    if isinstance(node, Ref):
        out[node.name] = out[node.name] + seed
    elif isinstance(node, Bin):
        left, right = node.left, node.right
        if node.op == "+":
            _grad(left, seed, env, out)
            _grad(right, seed, env, out)
        elif node.op == "-":
            _grad(left, seed, env, out)
            _grad(right, np.negative(seed), env, out)
        elif node.op == "*":
            _grad(left, seed * _eval(right, env), env, out)
            _grad(right, seed * _eval(left, env), env, out)
        elif node.op == "/":
            a, b = _eval(left, env), _eval(right, env)
            _grad(left, seed / b, env, out)
            _grad(right, -seed * a / (b * b), env, out)
        else:  # **
            a, b = _eval(left, env), _eval(right, env)
            _grad(left, seed * b * np.power(a, b - 1), env, out)
            if _refs(right):
                _grad(right, seed * np.log(np.where(a > 0, a, np.nan)) * np.power(a, b), env, out)
    elif isinstance(node, Neg):
        _grad(node.operand, np.negative(seed), env, out)
    elif isinstance(node, Call):
        if node.func == "abs":
            _grad(node.args[0], seed * np.sign(_eval(node.args[0], env)), env, out)
            return
        values = [_eval(a, env) for a in node.args]
        pick = np.less_equal if node.func == "min" else np.greater_equal
        best = values[0]
        chosen = np.zeros(np.broadcast(*values).shape, dtype=int)
        for k, v in enumerate(values[1:], start=1):
            take = ~pick(best, v)
            chosen = np.where(take, k, chosen)
            best = np.where(take, v, best)
        for k, arg in enumerate(node.args):
            _grad(arg, seed * (chosen == k), env, out)
    elif isinstance(node, Cond):
        test = _eval(node.test, env)
        _grad(node.then, seed * np.where(test, 1.0, 0.0), env, out)
        _grad(node.otherwise, seed * np.where(test, 0.0, 1.0), env, out)
    # Num, comparisons and logic carry no derivative


# --------------------------------------------------------------------------- inversion


def _contains(node: Node, name: str) -> bool:
    return name in _refs(node)


def _invert(node: Node, child: str, y: Any, env: Mapping[str, Any]) -> Any | None:
    if isinstance(node, Ref):
        return y if node.name == child else None
    if isinstance(node, Neg):
        return _invert(node.operand, child, np.negative(y), env)
    if not isinstance(node, Bin):
        return None
    in_left = _contains(node.left, child)
    other = _eval(node.right if in_left else node.left, env)
    inner = node.left if in_left else node.right
    if node.op == "+":
        return _invert(inner, child, y - other, env)
    if node.op == "-":
        return _invert(inner, child, y + other if in_left else other - y, env)
    if node.op == "*":
        return _invert(inner, child, y / other, env)
    if node.op == "/":
        return _invert(inner, child, y * other if in_left else other / y, env)
    if node.op == "**" and in_left and not _refs(node.right):
        return _invert(inner, child, np.power(y, 1.0 / other), env)
    return None


# --------------------------------------------------------------------------- text


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def _level(node: Node) -> int:
    if isinstance(node, Cond):
        return _PRECEDENCE["if"]
    if isinstance(node, Logic):
        return _PRECEDENCE[node.op]
    if isinstance(node, Not):
        return _PRECEDENCE["not"]
    if isinstance(node, Cmp):
        return _PRECEDENCE["cmp"]
    if isinstance(node, Bin):
        return _PRECEDENCE[node.op]
    if isinstance(node, Neg):
        return _PRECEDENCE["neg"]
    return _PRECEDENCE["atom"]


def _wrap(node: Node, parent_level: int, strict: bool = False) -> str:
    text = _display(node)
    level = _level(node)
    return f"({text})" if level < parent_level or (strict and level == parent_level) else text


def _display(node: Node) -> str:
    if isinstance(node, Num):
        return _number_text(node.value)
    if isinstance(node, Ref):
        return node.name
    if isinstance(node, Bin):
        level = _PRECEDENCE[node.op]
        if node.op == "**":  # right-associative
            return f"{_wrap(node.left, level, strict=True)} ** {_wrap(node.right, level)}"
        # left-associative: a right operand of the same level keeps its parentheses, so that
        # the text reads back as the same IR (a + (b + c) is not (a + b) + c in floating point)
        return f"{_wrap(node.left, level)} {node.op} {_wrap(node.right, level, strict=True)}"
    if isinstance(node, Neg):
        return f"-{_wrap(node.operand, _PRECEDENCE['neg'])}"
    if isinstance(node, Call):
        return f"{node.func}({', '.join(_display(a) for a in node.args)})"
    if isinstance(node, Cond):
        level = _PRECEDENCE["if"]
        return (f"{_wrap(node.then, level, strict=True)} if {_wrap(node.test, level, strict=True)}"
                f" else {_wrap(node.otherwise, level)}")
    if isinstance(node, Cmp):
        level = _PRECEDENCE["cmp"]
        return f"{_wrap(node.left, level, True)} {node.op} {_wrap(node.right, level, True)}"
    if isinstance(node, Logic):
        level = _PRECEDENCE[node.op]
        return f" {node.op} ".join(_wrap(v, level, strict=True) for v in node.values)
    if isinstance(node, Not):
        return f"not {_wrap(node.operand, _PRECEDENCE['not'])}"
    raise TypeError(node)  # pragma: no cover


# --------------------------------------------------------------------------- editing text

JOIN_OPS = ("+", "-", "*", "/")


def renamed(text: str, old: str, new: str) -> str:
    """The formula text with every use of the name ``old`` written ``new``; everything else
    (spacing, parentheses, numbers) as it was.

    >>> renamed("customers * arpc + arpc_bonus", "arpc", "avg_price")
    'customers * avg_price + arpc_bonus'
    """
    source = text.strip()
    tree = ast.parse(source, mode="eval")
    lines = source.encode("utf-8").split(b"\n")
    spots = sorted(((n.lineno - 1, n.col_offset, n.end_col_offset) for n in ast.walk(tree)
                    if isinstance(n, ast.Name) and n.id == old), reverse=True)
    for line, start, end in spots:
        lines[line] = lines[line][:start] + new.encode() + lines[line][end:]
    return b"\n".join(lines).decode("utf-8")


def joined(text: str | None, op: str, name: str) -> str:
    """A formula with one more term: ``text op name``, with parentheses round ``text`` only
    where ``op`` binds tighter; no formula gives just ``name``.

    >>> joined("a + b", "+", "c"), joined("a + b", "*", "c"), joined(None, "*", "c")
    ('a + b + c', '(a + b) * c', 'c')
    """
    if op not in JOIN_OPS:
        raise KPITreeError(f"op: expected one of {', '.join(JOIN_OPS)}, got {op!r}")
    if text is None or not text.strip():
        return name
    source = text.strip()
    level = _level(parse(source).ir)
    left = f"({source})" if level < _PRECEDENCE[op] else source
    return f"{left} {op} {name}"


def without(formula: Formula, name: str, metric: str | None = None) -> str | None:
    """The formula with the term ``name`` taken out of a plain sum (``a + b - c``) or product
    (``a * b * 2``); ``None`` when nothing is left. Anything else is refused: edit such a
    formula as a whole.

    >>> without(parse("a + b - c"), "b"), without(parse("a * b"), "a"), without(parse("a"), "a")
    ('a - c', 'b', None)
    """
    where = _where(metric)
    ir = formula.ir
    if formula.count(name) != 1:
        what = "does not use" if not formula.count(name) else "uses more than once"
        raise KPITreeError(f"{where}: {formula.display()!r} {what} {name!r}; edit the formula "
                           "as a whole instead", metric=metric, field="formula")
    if isinstance(ir, Ref):
        return None
    if _only(ir, {"+", "-"}, (Ref,)):
        signs = _sum_terms(ir, 1)
        rest = [(sign, term) for sign, term in signs if term != name]
        text = "".join(
            ("-" if sign < 0 else "") + term if i == 0 else f" {'-' if sign < 0 else '+'} {term}"
            for i, (sign, term) in enumerate(rest))
        return text
    if _only(ir, {"*"}, (Ref, Num)):
        factors = [f for f in _factors(ir) if f != name]
        return " * ".join(factors)
    raise KPITreeError(f"{where}: {name!r} is not a plain term of {formula.display()!r} (only "
                       "a sum or a product can lose a term); edit the formula as a whole "
                       "instead", metric=metric, field="formula")


def _sum_terms(node: Node, sign: int) -> list[tuple[int, str]]:
    if isinstance(node, Ref):
        return [(sign, node.name)]
    assert isinstance(node, Bin)
    right = sign if node.op == "+" else -sign
    return _sum_terms(node.left, sign) + _sum_terms(node.right, right)


def _factors(node: Node) -> list[str]:
    if isinstance(node, Bin):
        return _factors(node.left) + _factors(node.right)
    return [_display(node)]


_EXCEL_CMP = {"==": "=", "!=": "<>"}


def _excel(node: Node, cell: Callable[[str], str]) -> str:
    if isinstance(node, Num):
        return _number_text(node.value)
    if isinstance(node, Ref):
        return cell(node.name)
    if isinstance(node, Bin):
        op = "^" if node.op == "**" else node.op
        return f"({_excel(node.left, cell)}{op}{_excel(node.right, cell)})"
    if isinstance(node, Neg):
        return f"(-{_excel(node.operand, cell)})"
    if isinstance(node, Call):
        return f"{node.func.upper()}({','.join(_excel(a, cell) for a in node.args)})"
    if isinstance(node, Cond):
        return (f"IF({_excel(node.test, cell)},{_excel(node.then, cell)},"
                f"{_excel(node.otherwise, cell)})")
    if isinstance(node, Cmp):
        op = _EXCEL_CMP.get(node.op, node.op)
        return f"({_excel(node.left, cell)}{op}{_excel(node.right, cell)})"
    if isinstance(node, Logic):
        return f"{node.op.upper()}({','.join(_excel(v, cell) for v in node.values)})"
    if isinstance(node, Not):
        return f"NOT({_excel(node.operand, cell)})"
    raise TypeError(node)  # pragma: no cover
