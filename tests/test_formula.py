"""The formula language: a safe allow-listed parser into a small IR, and what is derived from it."""

from __future__ import annotations

import builtins
import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

import kpitree_widget as kt
from kpitree_widget import KPITreeError
from kpitree_widget.formula import MAX_DEPTH, MAX_LENGTH, MAX_NODES, Formula, parse

ENV = {"a": 3.0, "b": 4.0, "c": -2.5, "d": 0.5}
PROPERTY = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

# --------------------------------------------------------------------------- every construct


CONSTRUCTS: list[tuple[str, Callable[..., float]]] = [
    ("42", lambda a, b, c, d: 42),
    ("2.5", lambda a, b, c, d: 2.5),
    ("1_000 * d", lambda a, b, c, d: 1000 * d),
    ("1e3 * d", lambda a, b, c, d: 1000 * d),
    ("0x10 + a", lambda a, b, c, d: 16 + a),
    ("a", lambda a, b, c, d: a),
    ("a + b", lambda a, b, c, d: a + b),
    ("a - b", lambda a, b, c, d: a - b),
    ("a * b", lambda a, b, c, d: a * b),
    ("a / b", lambda a, b, c, d: a / b),
    ("a ** 2", lambda a, b, c, d: a**2),
    ("b ** d", lambda a, b, c, d: b**d),
    ("-a", lambda a, b, c, d: -a),
    ("+a", lambda a, b, c, d: a),
    ("- -a", lambda a, b, c, d: a),
    ("a - b - c", lambda a, b, c, d: (a - b) - c),
    ("a / b / d", lambda a, b, c, d: (a / b) / d),
    ("2 ** 3 ** 2", lambda a, b, c, d: 2 ** (3**2)),
    ("-2 ** 2", lambda a, b, c, d: -(2**2)),
    ("a + b * c", lambda a, b, c, d: a + (b * c)),
    ("(a + b) * c", lambda a, b, c, d: (a + b) * c),
    ("-(a + b) * c", lambda a, b, c, d: (-(a + b)) * c),
    ("((a))", lambda a, b, c, d: a),
    ("a * (1 - d) + b ** 2 / c", lambda a, b, c, d: a * (1 - d) + b**2 / c),
    ("min(a, b)", lambda a, b, c, d: min(a, b)),
    ("max(a, b, c)", lambda a, b, c, d: max(a, b, c)),
    ("abs(c)", lambda a, b, c, d: abs(c)),
    ("min(a, b) + max(c, d) * abs(c - a)", lambda a, b, c, d: min(a, b) + max(c, d) * abs(c - a)),
    ("a if a > b else b", lambda a, b, c, d: a if a > b else b),
    ("a if a < b else b", lambda a, b, c, d: a if a < b else b),
    ("1 if a >= 3 and b <= 4 else 0", lambda a, b, c, d: 1 if a >= 3 and b <= 4 else 0),
    ("1 if a == 3 or b != 4 else 0", lambda a, b, c, d: 1 if a == 3 or b != 4 else 0),
    ("1 if not a > b else 0", lambda a, b, c, d: 1 if not a > b else 0),
    ("1 if 0 < d < 1 else 0", lambda a, b, c, d: 1 if 0 < d < 1 else 0),
    ("1 if a > 5 or not (b > 1 and c > 0) else 2",
     lambda a, b, c, d: 1 if a > 5 or not (b > 1 and c > 0) else 2),
    ("(a if c > 0 else b) * 2 + (c if c < 0 else 0)",
     lambda a, b, c, d: (a if c > 0 else b) * 2 + (c if c < 0 else 0)),
]


@pytest.mark.parametrize(("text", "by_hand"), CONSTRUCTS, ids=[t for t, _ in CONSTRUCTS])
def test_every_allowed_construct_computes_like_python_arithmetic(text, by_hand):
    formula = parse(text, metric="m")
    assert float(formula.evaluate(ENV)) == pytest.approx(by_hand(**ENV), rel=1e-12)


@pytest.mark.parametrize(("text", "by_hand"), CONSTRUCTS, ids=[t for t, _ in CONSTRUCTS])
def test_a_formula_computes_whole_arrays_at_once(text, by_hand):
    rng = np.random.default_rng(7)
    env = {name: rng.uniform(-5, 5, size=(4, 3)) for name in "abcd"}
    env["d"] = np.abs(env["d"]) + 0.1  # b ** d needs b >= 0 or a whole d; keep d positive
    env["b"] = np.abs(env["b"])
    result = np.broadcast_to(parse(text).evaluate(env), (4, 3))
    for i in range(4):
        for j in range(3):
            cell = {name: float(env[name][i, j]) for name in "abcd"}
            assert result[i, j] == pytest.approx(by_hand(**cell), rel=1e-12)


def test_the_children_are_the_names_a_formula_uses_in_order_without_repeats():
    formula = parse("customers * arpu * (1 - churn) + churn / customers")
    assert formula.children == ("customers", "arpu", "churn")
    assert formula.count("churn") == 2
    assert parse("2 * 3").children == ()


@pytest.mark.parametrize(("text", "relation"), [
    ("new_arr + retained_arr", "sum"),
    ("new + returning - lost", "sum"),
    ("opps * win_rate", "product"),
    ("12 * mrr * seats", "product"),
    ("revenue / customers", "ratio"),
    ("arpu * margin / (churn * 12)", "ratio"),
    ("customers * arpu * (1 - churn)", "formula"),
    ("min(a, b)", "formula"),
    ("a if a > b else b", "formula"),
    ("a + 1", "formula"),
    ("a ** b", "formula"),
])
def test_the_relation_shown_to_people_is_read_off_the_formula(text, relation):
    assert parse(text).relation == relation


# --------------------------------------------------------------------------- display text

ROUND_TRIP = [
    "a + b", "a + (b + c)", "a - (b - c)", "a - (b + c)", "(a - b) - c", "a * (b / c)",
    "a / (b * c)", "a / (b / c)", "(a * b) / c", "a * (b * c)", "(a ** b) ** c", "a ** b ** c",
    "-a ** 2", "(-a) ** 2", "2 ** -a", "-(a * b)", "-(-a)", "a - -b", "a * -b", "1e-7 * a",
    "1e20 * a", "0.1 * a", "123456789012345678 * a", "(a if a > b else b) + 1",
    "a if a > b else (b if b > c else c)", "(a if a > b else b) if c > 0 else d",
    "1 if not (a > b and b > c) else 0", "1 if (a > b or b > c) and c > d else 0",
    "1 if (a > b and b > c) and c > d else 0", "1 if not not a > b else 0",
    "1 if (a if a > 0 else b) > c else 0", "max(a if a > b else b, c, -d)",
    "abs(a - b) / (1 + abs(b))", "1 if a < b < c else 0", "(a + b) * ((c))",
]


@pytest.mark.parametrize("text", ROUND_TRIP)
def test_display_text_reads_back_as_the_same_formula(text):
    formula = parse(text)
    shown = formula.display()
    assert parse(shown).ir == formula.ir, shown
    assert parse(shown).display() == shown


def test_display_keeps_only_the_parentheses_the_math_needs():
    assert parse("(a+b) * ((c))").display() == "(a + b) * c"
    assert parse("(a * b) + (c / d)").display() == "a * b + c / d"
    assert parse("a-(b-c)").display() == "a - (b - c)"
    assert parse("a * (b / c)").display() == "a * (b / c)"
    assert parse("a if a>b else b").display() == "a if a > b else b"


# --------------------------------------------------------------------------- derivatives

PARTIALS = ["a * b + c", "a / b", "a ** 2 * b", "b ** d", "d ** a", "min(a, b) * c",
            "max(a, b, c)", "abs(c) * a", "a if a > b else b * c", "a * (1 - d) / b",
            "-(a - b) ** 3", "a * a"]


@pytest.mark.parametrize("text", PARTIALS)
def test_local_derivatives_match_finite_differences(text):
    formula = parse(text)
    partials = formula.partials(ENV)
    assert set(partials) == set(formula.children)
    for name in formula.children:
        h = 1e-6 * max(1.0, abs(ENV[name]))
        up = float(formula.evaluate({**ENV, name: ENV[name] + h}))
        down = float(formula.evaluate({**ENV, name: ENV[name] - h}))
        assert float(partials[name]) == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-7)


def test_derivatives_are_computed_for_whole_arrays():
    env = {"a": np.array([1.0, 2.0, 3.0]), "b": np.array([4.0, 5.0, 6.0])}
    partials = parse("a * b + a ** 2").partials(env)
    np.testing.assert_allclose(partials["a"], env["b"] + 2 * env["a"])
    np.testing.assert_allclose(partials["b"], env["a"])


# --------------------------------------------------------------------------- inversion

INVERT = [("a + b", "a"), ("a + b", "b"), ("a - b", "a"), ("a - b", "b"), ("a * b + c", "b"),
          ("a * b", "a"), ("a / b", "a"), ("a / b", "b"), ("-a + c", "a"), ("a ** 2", "a"),
          ("a ** 3 * b - c / d", "a"), ("(a + b) * c / d", "b"), ("a * (1 - d)", "d")]


@pytest.mark.parametrize(("text", "child"), INVERT)
def test_inversion_finds_the_child_value_that_gives_the_result(text, child):
    formula = parse(text)
    env = {"a": 3.0, "b": 4.0, "c": 2.5, "d": 0.5}
    wanted = 17.0
    x = formula.invert(child, wanted, {k: v for k, v in env.items() if k != child})
    assert x is not None
    assert float(formula.evaluate({**env, child: x})) == pytest.approx(wanted, rel=1e-12)


def test_inversion_of_sums_and_products_is_exact():
    assert parse("a + b + c").invert("b", 10.0, {"a": 1.0, "c": 2.0}) == 7.0
    assert parse("a * b").invert("b", 12.0, {"a": 4.0}) == 3.0
    assert parse("a / b").invert("b", 2.0, {"a": 8.0}) == 4.0
    assert parse("a - b").invert("b", 2.0, {"a": 8.0}) == 6.0


@pytest.mark.parametrize(("text", "child"), [("a * a", "a"), ("min(a, b)", "a"),
                                             ("a if a > b else b", "b"), ("2 ** a", "a"),
                                             ("abs(a) + b", "a"), ("a + b", "zzz")])
def test_inversion_declines_when_there_is_no_single_path(text, child):
    assert parse(text).invert(child, 5.0, {"a": 1.0, "b": 2.0}) is None


def test_a_zero_divisor_gives_inf_or_nan_in_derivatives_and_inversions_not_an_exception():
    partials = parse("a / b").partials({"a": 1.0, "b": 0.0})
    assert partials["a"] == math.inf and partials["b"] == -math.inf
    assert parse("0 / 0 + a").partials({"a": 1.0})["a"] == 1.0
    assert parse("a * b").invert("b", 12.0, {"a": 0.0}) == math.inf
    assert parse("a / b").invert("b", 0.0, {"a": 1.0}) == math.inf
    assert math.isnan(parse("a * b").invert("b", 0.0, {"a": 0.0}))


# --------------------------------------------------------------------------- Excel


@pytest.mark.parametrize(("text", "excel"), [
    ("-a ** 2 / b", "((-(A1^2))/B1)"),
    ("a + b * c", "(A1+(B1*C1))"),
    ("(a + b) * c", "((A1+B1)*C1)"),
    ("a - (b - c)", "(A1-(B1-C1))"),
    ("min(a, b, 2) + abs(c)", "(MIN(A1,B1,2)+ABS(C1))"),
    ("a if a > b and not b == c else b", "IF(AND((A1>B1),NOT((B1=C1))),A1,B1)"),
    ("a if a != b or a <= 0.5 else b", "IF(OR((A1<>B1),(A1<=0.5)),A1,B1)"),
    ("1 if 0 < a < 1 else 0", "IF(AND((0<A1),(A1<1)),1,0)"),
])
def test_excel_formulas_are_fully_parenthesised(text, excel):
    assert parse(text).to_excel(lambda name: f"{name.upper()}1") == excel


# --------------------------------------------------------------------------- refusals

REFUSED: list[tuple[object, str]] = [
    ("a.b", "'a.b'"),
    ("win + rate.real", "'rate.real'"),
    ("a[0]", "'a[0]'"),
    ("__import__('os').system('touch /tmp/x')", "__import__"),
    ("open('/etc/passwd')", "open("),
    ("eval('1 + 1')", "eval("),
    ("exec('x = 1')", "exec("),
    ("getattr(a, 'b')", "getattr("),
    ("().__class__.__bases__[0].__subclasses__()", "__subclasses__"),
    ("lambda: 1", "lambda"),
    ("(lambda x: x)(a)", "lambda"),
    ("[x for x in a]", "for x in a"),
    ("sum(x for x in a)", "sum("),
    ("{x: 1 for x in a}", "for x in a"),
    ("'abc'", "'abc'"),
    ("a + 'abc'", "'abc'"),
    ("f'{a}'", "f'{a}'"),
    ("b'x'", "b'x'"),
    ("(a := 1)", "a := 1"),
    ("max(*a)", "max(*a)"),
    ("max(a, key=b)", "key=b"),
    ("abs(a, b)", "abs(a, b)"),
    ("min(a)", "min(a)"),
    ("1e999", "1e999"),
    ("a * 1e999", "1e999"),
    ("9" * 400, "99999"),
    ("True", "True"),
    ("a + False", "False"),
    ("None", "None"),
    ("1j", "1j"),
    ("...", "..."),
    ("[a, b]", "[a, b]"),
    ("(a, b)", "a, b"),
    ("{a}", "{a}"),
    ("a // b", "a // b"),
    ("a % b", "a % b"),
    ("a @ b", "a @ b"),
    ("~a", "~a"),
    ("a << 2", "a << 2"),
    ("1 if a is b else 0", "a is b"),
    ("1 if a in b else 0", "a in b"),
    ("a if b else c", "'b'"),
    ("a > b", "a > b"),
    ("a > b and b > c", "a > b and b > c"),
    ("not a", "'a'"),
    ("(a > b) + 1", "a > b"),
    ("await a", "await"),
    ("a +", "a +"),
    ("(a", "(a"),
    ("a = 1", "a = 1"),
    ("import os", "import os"),
    ("a; b", "a; b"),
    ("a\x00b", "null"),
    ("", "empty"),
    ("   ", "empty"),
    ("a + " * 300 + "a", "limit"),
    ("-" * (MAX_DEPTH + 5) + "a", f"more than {MAX_DEPTH} deep"),
    ("min(" + ", ".join(["a"] * (MAX_NODES + 20)) + ")", f"more than {MAX_NODES} parts"),
    (42, "int"),
    (None, "NoneType"),
    (b"a + b", "bytes"),
    (["a"], "list"),
]


@pytest.mark.parametrize(("text", "piece"), REFUSED, ids=[repr(t)[:40] for t, _ in REFUSED])
def test_anything_but_arithmetic_is_refused_naming_the_metric_and_the_piece(text, piece):
    with pytest.raises(KPITreeError) as err:
        parse(text, metric="win_rate")
    message = str(err.value)
    assert message.startswith("metrics.win_rate.formula: "), message
    assert piece in message, message


def test_a_refusal_without_a_metric_still_says_it_is_a_formula():
    with pytest.raises(KPITreeError, match=r"^formula: .*'a\.b'"):
        parse("a.b")


def test_the_length_cap_counts_characters():
    ok = "a" * MAX_LENGTH
    assert parse(ok).children == (ok,)
    with pytest.raises(KPITreeError, match=f"the limit is {MAX_LENGTH}"):
        parse("a" * (MAX_LENGTH + 1), metric="m")


def test_the_nesting_cap_allows_reasonable_formulas():
    parse("-" * (MAX_DEPTH - 2) + "a")
    parse(" + ".join(["a"] * 30))


def test_refusing_code_never_runs_it(tmp_path):
    marker = tmp_path / "pwned"
    for text in (f"__import__('os').system('touch {marker}')",
                 f"open('{marker}', 'w')",
                 f"eval(\"open('{marker}', 'w')\")",
                 f"[open('{marker}', 'w') for _ in (1,)]",
                 f"(lambda: open('{marker}', 'w'))()"):
        with pytest.raises(KPITreeError):
            parse(text, metric="arpc")
        assert not marker.exists()


# --------------------------------------------------------------------------- properties


class _Forbidden:
    """Replaces builtins that parsing and evaluating must never call; records any call."""

    NAMES = ("eval", "exec", "open", "breakpoint", "input", "__import__")  # __import__ last
    # CPython's own parser imports unicodedata to normalise non-ASCII identifiers
    INTERPRETER = ("unicodedata",)

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.saved: dict[str, Any] = {}

    def __enter__(self) -> _Forbidden:
        self.saved = {name: getattr(builtins, name) for name in self.NAMES}
        for name in self.NAMES:
            setattr(builtins, name, self._refuse(name))
        return self

    def _refuse(self, name: str) -> Callable[..., Any]:
        def refused(*args: Any, **kwargs: Any) -> Any:
            if name == "__import__" and args and args[0] in self.INTERPRETER:
                return self.saved[name](*args, **kwargs)
            self.calls.append(name)
            raise AssertionError(f"{name} was called while handling a formula")
        return refused

    def __exit__(self, *exc: object) -> None:
        for name, original in self.saved.items():
            setattr(builtins, name, original)


def _parse_and_use(text: object, marker: Any) -> Formula | None:
    """Parse; on success, evaluate, differentiate, display and export. Only KPITreeError may
    come out, and nothing outside the formula is touched."""
    try:
        formula = parse(text, metric="m")
    except KPITreeError as exc:
        assert "metrics.m.formula" in str(exc)
        return None
    for env in ({name: np.array([-1.5, 0.0, 2.0]) for name in formula.children},
                {name: [-1.5, 0.0, 2.0][i % 3] for i, name in enumerate(formula.children)}):
        formula.evaluate(env)
        formula.partials(env)
        for child in formula.children:
            formula.invert(child, 1.0, {k: v for k, v in env.items() if k != child})
    formula.to_excel(str.upper)
    assert parse(formula.display()) == formula
    assert not marker.exists()
    return formula


@pytest.fixture(scope="module")
def marker(tmp_path_factory):
    return tmp_path_factory.mktemp("formula") / "pwned"


def _guarded(marker: Any, text: object) -> None:
    np.where(True, 1.0, 2.0)  # warm up numpy paths before the builtins go away
    with warnings.catch_warnings(), _Forbidden() as guard:
        warnings.simplefilter("ignore")  # Python's own SyntaxWarnings for odd text
        _parse_and_use(text, marker)
    assert guard.calls == []
    assert not marker.exists()


@PROPERTY
@given(text=st.text(max_size=200))
def test_arbitrary_text_is_either_a_formula_or_a_kpitree_error(marker, text):
    _guarded(marker, text)


def _tokens(marker: Any) -> list[str]:
    return [
        "a", "b", "win_rate", "1", "2.5", "0", "1e999", "1e308", "9" * 320, "0x1F", "1j", "True",
        "None", "+", "-", "*", "/", "**", "//", "%", "@", "~", "(", ")", "[", "]", "{", "}", ",",
        ":", ".", "=", ":=", "<", ">=", "==", "!=", " is ", " in ", " not ", " and ", " or ",
        " if ", " else ", " for ", " lambda ", "min", "max", "abs", "sum", "open", "eval", "exec",
        "__import__", "__class__", "__subclasses__", "'os'", '"x"', "f'{a}'", "*a", "**a",
        "key=", f"__import__('os').system('touch {marker}')", f"open('{marker}','w')",
        "\x00", "\n", "\t", "#", "\\", ";", " ", "yield", "await", "...",
    ]


@PROPERTY
@given(data=st.data())
def test_text_built_from_python_tokens_never_escapes_the_parser(marker, data):
    tokens = data.draw(st.lists(st.sampled_from(_tokens(marker)), max_size=25))
    joiner = data.draw(st.sampled_from(["", " "]))
    _guarded(marker, joiner.join(tokens))


@PROPERTY
@given(value=st.one_of(st.none(), st.integers(), st.floats(), st.binary(),
                       st.lists(st.text(max_size=3), max_size=3), st.booleans()))
def test_anything_that_is_not_text_is_refused(value):
    with pytest.raises(KPITreeError, match="expected a formula string"):
        parse(value, metric="m")


# A random formula, as an expression tree: rendered as text for the parser and evaluated by an
# independent reference written here with plain Python floats.

NAMES = ("a", "b", "c", "d")


@st.composite
def expressions(draw: st.DrawFn, depth: int = 4) -> tuple:
    """A numeric expression tree at most ``depth`` deep."""
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        if draw(st.booleans()):
            return ("ref", draw(st.sampled_from(NAMES)))
        return ("num", draw(st.floats(0, 10, allow_nan=False)))
    inner = expressions(depth - 1)
    kind = draw(st.sampled_from(["bin", "bin", "pow", "neg", "pos", "min", "max", "abs", "cond"]))
    if kind == "bin":
        return ("bin", draw(st.sampled_from("+-*/")), draw(inner), draw(inner))
    if kind == "pow":
        return ("pow", draw(inner), draw(st.integers(0, 3)))
    if kind in ("neg", "pos", "abs"):
        return (kind, draw(inner))
    if kind in ("min", "max"):
        return (kind, draw(st.lists(inner, min_size=2, max_size=3)))
    return ("cond", draw(conditions(depth - 1)), draw(inner), draw(inner))


@st.composite
def conditions(draw: st.DrawFn, depth: int) -> tuple:
    """A test for ``a if test else b``: comparisons joined by and, or, not."""
    kind = draw(st.sampled_from(["cmp", "cmp", "and", "or", "not"])) if depth > 0 else "cmp"
    if kind == "cmp":
        op = draw(st.sampled_from(["<", "<=", ">", ">=", "==", "!="]))
        return ("cmp", op, draw(expressions(min(depth, 1))), draw(expressions(min(depth, 1))))
    if kind == "not":
        return ("not", draw(conditions(depth - 1)))
    return (kind, draw(st.lists(conditions(depth - 1), min_size=2, max_size=3)))


def render(node: tuple) -> str:
    """Source text, parenthesised everywhere (the parser and display decide what is kept)."""
    kind = node[0]
    if kind == "num":
        return repr(node[1])
    if kind == "ref":
        return node[1]
    if kind == "bin":
        return f"({render(node[2])}) {node[1]} ({render(node[3])})"
    if kind == "pow":
        return f"({render(node[1])}) ** {node[2]}"
    if kind == "neg":
        return f"-({render(node[1])})"
    if kind == "pos":
        return f"+({render(node[1])})"
    if kind in ("min", "max"):
        return f"{kind}({', '.join(render(n) for n in node[1])})"
    if kind == "abs":
        return f"abs({render(node[1])})"
    if kind == "cond":
        return f"({render(node[2])}) if ({render(node[1])}) else ({render(node[3])})"
    if kind == "cmp":
        return f"({render(node[2])}) {node[1]} ({render(node[3])})"
    if kind in ("and", "or"):
        return f" {kind} ".join(f"({render(n)})" for n in node[1])
    if kind == "not":
        return f"not ({render(node[1])})"
    raise AssertionError(node)


def reference(node: tuple, env: dict[str, float]) -> Any:
    """IEEE-754 arithmetic on Python floats, written independently of the package."""
    kind = node[0]
    if kind == "num":
        return float(node[1])
    if kind == "ref":
        return env[node[1]]
    if kind == "bin":
        x, y = reference(node[2], env), reference(node[3], env)
        if node[1] == "+":
            return x + y
        if node[1] == "-":
            return x - y
        if node[1] == "*":
            return x * y
        if y == 0:  # Python raises; IEEE gives a signed infinity or NaN
            if x == 0 or math.isnan(x):
                return math.nan
            return math.copysign(math.inf, x) * math.copysign(1.0, y)
        return x / y
    if kind == "pow":
        x, k = reference(node[1], env), node[2]
        try:
            return x ** float(k)
        except OverflowError:
            return math.copysign(math.inf, x) if k % 2 else math.inf
    if kind == "neg":
        return -reference(node[1], env)
    if kind == "pos":
        return reference(node[1], env)
    if kind in ("min", "max"):
        values = [reference(n, env) for n in node[1]]
        result = values[0]
        for v in values[1:]:  # NaN wins, as in numpy's minimum/maximum
            if math.isnan(result) or math.isnan(v):
                result = math.nan
            elif (v < result) if kind == "min" else (v > result):
                result = v
        return result
    if kind == "abs":
        return abs(reference(node[1], env))
    if kind == "cond":
        return reference(node[2] if reference(node[1], env) else node[3], env)
    if kind == "cmp":
        x, y = reference(node[2], env), reference(node[3], env)
        return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y, "==": x == y,
                "!=": x != y}[node[1]]
    if kind == "and":
        return all(reference(n, env) for n in node[1])
    if kind == "or":
        return any(reference(n, env) for n in node[1])
    if kind == "not":
        return not reference(node[1], env)
    raise AssertionError(node)


def _same(got: float, want: float) -> bool:
    if math.isnan(want):
        return math.isnan(got)
    if math.isinf(want) or want == 0:
        return got == want
    return math.isclose(got, want, rel_tol=1e-9)


@PROPERTY
@given(node=expressions(),
       values=st.tuples(*[st.floats(-10, 10, allow_nan=False)] * 4))
def test_a_random_formula_computes_what_a_reference_evaluator_computes(node, values):
    text = render(node)
    event(f"text length < {100 * (len(text) // 100 + 1)}")
    assume(len(text) <= MAX_LENGTH)
    try:
        formula = parse(text, metric="m")
    except KPITreeError as exc:  # only the size caps may refuse a generated formula
        assert "parts" in str(exc) or "deep" in str(exc), exc
        return
    env = dict(zip(NAMES, values))
    want = reference(node, env)
    got = float(formula.evaluate(env))
    assert _same(got, float(want)), (text, env, got, want)
    # the engine's compiled evaluator and the display text agree with it
    index = {name: i for i, name in enumerate(NAMES)}
    with np.errstate(all="ignore"):
        compiled = float(np.asarray(formula.compile(index)([env[n] for n in NAMES])))
    assert _same(compiled, got) or (math.isnan(compiled) and math.isnan(got))
    shown = parse(formula.display())
    assert shown == formula, (text, formula.display())
    assert _same(float(shown.evaluate(env)), got)


# --------------------------------------------------------------------------- hostile formulas


def test_a_flat_sum_or_product_of_many_terms_is_one_level_deep():
    terms = [f"m{i}" for i in range(MAX_DEPTH + 20)]
    assert parse(" + ".join(terms)).relation == "sum"
    assert parse(" - ".join(terms)).children == tuple(terms)
    assert parse(" * ".join(terms)).relation == "product"
    assert float(parse(" * ".join(terms[:50]) + " / m0").evaluate(dict.fromkeys(terms, 2.0))) \
        == 2.0 ** 49


def test_real_nesting_is_still_capped():
    nested = "a"
    for _ in range(MAX_DEPTH + 1):
        nested = f"a - ({nested})"
    with pytest.raises(KPITreeError, match=f"nested more than {MAX_DEPTH} deep"):
        parse(nested, metric="r")


@pytest.mark.parametrize(("text", "written"), [
    ("\uff41 + b", "\uff41"),          # fullwidth a: Python would read it as 'a'
    ("a + \U0001d41b", "\U0001d41b"),  # mathematical bold b
    ("\uff4d\uff49\uff4e(a, b)", "\uff4d\uff49\uff4e"),  # fullwidth min
    ("caf\u00e9 + a", "caf\u00e9"),
])
def test_a_name_that_is_not_plain_ascii_is_refused_not_folded(text, written):
    with pytest.raises(KPITreeError, match=r"^metrics\.r\.formula: the name ") as info:
        parse(text, metric="r")
    assert repr(written) in str(info.value)


def test_a_fullwidth_name_in_a_tree_does_not_silently_use_the_ascii_metric():
    spec = {"metrics": {"r": {"formula": "\uff41 + b"}, "a": {"value": 1}, "b": {"value": 2}}}
    with pytest.raises(KPITreeError, match=r"^metrics\.r\.formula: the name"):
        kt.KPITree.from_dict(spec)


_FORMULA_PIECES = ("(", ")", "a", "b1", "+", "-", "*", "/", "**", " ", "1", "1e9", ".", ",",
                   "min(", "abs(", " if ", " else ", "<", "not ", " and ", "[", "'", "\uff41",
                   "\\", "\n", "#")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(runs=st.lists(st.tuples(st.sampled_from(_FORMULA_PIECES), st.integers(0, 200_000)),
                     min_size=1, max_size=6), tail=st.text(max_size=50))
def test_any_text_up_to_a_megabyte_gets_an_answer_from_the_parser_at_once(runs, tail):
    import time

    text = ("".join(piece * count for piece, count in runs) + tail)[: 1 << 20]
    start = time.perf_counter()
    try:
        parse(text, metric="r")
    except KPITreeError as exc:
        assert str(exc).startswith("metrics.r.formula")
    assert time.perf_counter() - start < 0.5  # the bound is 1 s
