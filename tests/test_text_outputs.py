"""Text stays text in every text output: a hostile or unlucky name in a tree file cannot become
a spreadsheet formula, steer the terminal, be typeset as math or flood the view."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

import kpitree_widget as kt
from kpitree_widget.cli import main
from test_widget import make

FORMULAS = ['=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0", "-2+3",
            "@SUM(1)", "\tTAB", "\rCR", "＝1+1"]
ESCAPES = "\x1b]0;owned\x07\x1b[2J\x9b31m\u202e"  # title, clear screen, C1 CSI, bidi override


def hostile_file(tmp_path: Path, names: list[str], owner: str = "@owner") -> Path:
    metrics: dict[str, Any] = {"root": {"name": names[0], "owner": owner,
                                        "formula": " + ".join(f"m{i}" for i in
                                                              range(1, len(names)))}}
    for i, name in enumerate(names[1:], start=1):
        metrics[f"m{i}"] = {"name": name, "owner": names[-i], "value": -i, "target": i}
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps({"name": names[0], "metrics": metrics}), encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


# ---------------------------------------------------------------------------- CSV


def test_rollup_csv_cells_that_look_like_formulas_stay_text(capsys, tmp_path):
    path = hostile_file(tmp_path, [*FORMULAS, "Plain name"])
    code, out, _ = run(capsys, "rollup", str(path), "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    for row in rows:
        for column in ("name", "owner"):
            cell = row[column]
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r", "＝")), (column, cell)
        float(row["value"]), float(row["target"])  # numbers stay numbers, signs and all
    names = {row["metric"]: row["name"] for row in rows}
    assert names["root"] == "'" + FORMULAS[0]  # the apostrophe a spreadsheet shows as text
    assert names["m2"] == "'-2+3" and names[f"m{len(FORMULAS)}"] == "Plain name"
    assert [float(r["value"]) for r in rows[1:]] == [-i for i in range(1, len(FORMULAS) + 1)]
    assert CONTROL.search(out.replace("\r\n", "\n")) is None


def test_excel_and_csv_share_the_rule_for_what_starts_a_formula():
    from kpitree_widget.export.excel import RISKY_START
    from kpitree_widget.plaintext import FORMULA_START, spreadsheet_text

    assert RISKY_START == FORMULA_START
    assert all(spreadsheet_text(f).startswith("'") for f in FORMULAS)
    assert spreadsheet_text("Revenue 2026") == "Revenue 2026"


# ---------------------------------------------------------------------------- terminal


def test_print_tree_shows_control_characters_as_escapes(tmp_path, capsys):
    tree = kt.load(hostile_file(tmp_path, ["Root" + ESCAPES, "child\x1b[31m", "x"],
                                owner="CEO\x9b2J"))
    print(tree)
    out = capsys.readouterr().out
    assert CONTROL.search(out) is None
    assert "Root\\x1b]0;owned\\x07\\x1b[2J\\x9b31m\\u202e" in out  # shown, not obeyed
    assert "child\\x1b[31m" in out and "(CEO\\x9b2J)" in out


def test_cli_tables_and_messages_show_control_characters_as_escapes(capsys, tmp_path):
    path = hostile_file(tmp_path, ["Root" + ESCAPES, "child\x1b[31m", "x"], owner="CEO\x9b2J")
    for argv in (["rollup", str(path)], ["check", str(path)],
                 ["rollup", str(path), "--format", "csv"]):
        _, out, err = run(capsys, *argv)
        assert CONTROL.search(out.replace("\r\n", "\n")) is None, argv
        assert CONTROL.search(err) is None, argv
        assert "\\x1b" in out, argv
    _, _, err = run(capsys, "rollup", str(path), "--period", "nope\x1b[2J")
    assert "\x1b" not in err and "\\x1b[2J" in err


# ---------------------------------------------------------------------------- JSON


def test_json_outputs_escape_c1_controls_and_keep_the_text(capsys, tmp_path):
    name = "C1 \x9b2J \x85 \u202eevil\u2028 ok é"
    path = hostile_file(tmp_path, ["Root", name, "x"])
    _, out, _ = run(capsys, "rollup", str(path), "--format", "json")
    assert CONTROL.search(out.replace("\n", "")) is None and "\u2028" not in out
    assert "\\u009b" in out and "é" in out  # letters stay readable
    assert json.loads(out)["m1"]["name"] == name  # the same value, escaped
    _, out, _ = run(capsys, "check", str(path), "--format", "json")
    assert CONTROL.search(out.replace("\n", "")) is None
    json.loads(out)


# ---------------------------------------------------------------------------- Markdown math

# Jupyter lifts math out of the Markdown source first ($, $$, \\( and \\[ outside an escape),
# then MathJax typesets $...$, \(...\), \[...\] and \begin{..} in each run of rendered text
# (a run ends at any element).
SOURCE_MATH = re.compile(r"(?<!\\)\$|\\\\[(\[]|\\begin\{")
TEXT_MATH = re.compile(r"(?<!\\)\$[^$]*(?<!\\)\$|(?<!\\)\\[(\[]|(?<!\\)\\begin\{")
MATH_NAMES = ["$x^2$ growth", r"\(E=mc^2\) energy", r"\[a+b\] block", "$$y$$",
              r"\begin{equation}z\end{equation}", "cost $5 and $6"]


def math_jupyter_would_typeset(markdown: str) -> list[str]:
    mistune = pytest.importorskip("mistune")
    found = [m.group() for m in SOURCE_MATH.finditer(markdown)]
    html = str(mistune.create_markdown(escape=False, plugins=["table"])(markdown))
    root = ET.fromstring("<root>" + html.replace("<br>", "<br/>") + "</root>")
    for element in root.iter():
        if element.tag == "code":
            continue
        for run_ in (element.text, *(child.tail for child in element)):
            found += [m.group() for m in TEXT_MATH.finditer(run_ or "")]
    return found


@pytest.mark.parametrize("table", [False, True])
def test_markdown_names_that_look_like_math_are_not_typeset(table):
    spec: dict[str, Any] = {"name": "$T$ tree", "metrics": {
        "root": {"name": MATH_NAMES[0], "formula": " + ".join(f"m{i}" for i in
                                                              range(1, len(MATH_NAMES))),
                 "owner": r"\(owner\)", "unit": "currency"}}}
    for i, name in enumerate(MATH_NAMES[1:], start=1):
        spec["metrics"][f"m{i}"] = {"name": name, "value": i, "target": i + 1,
                                    "unit": "currency"}
    tree = kt.KPITree.from_dict(spec)
    md = tree.to_markdown(table=table, title=tree.name)
    assert math_jupyter_would_typeset(md) == []
    mistune = pytest.importorskip("mistune")
    html = str(mistune.create_markdown(escape=False, plugins=["table"])(md))
    text = "".join(ET.fromstring("<root>" + html + "</root>").itertext())
    for name in MATH_NAMES:
        assert name in text  # shown as typed


def test_notebook_markdown_cells_do_not_typeset_names_as_math():
    tree = kt.KPITree.from_dict({"name": r"\(E=mc^2\) plan", "description": "$x^2$ and $y$",
                                 "metrics": {"a": {"name": "$a$", "value": 1, "target": 2}}})
    nb = tree.to_notebook()
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            assert math_jupyter_would_typeset(cell.source) == [], cell.source


def test_mermaid_labels_hold_no_dollar_math():
    tree = kt.KPITree.from_dict({"metrics": {"a": {"name": "$$x^2$$", "value": 1}}})
    assert "$" not in tree.to_mermaid()


# ---------------------------------------------------------------------------- widget echo


def test_a_rejected_megabyte_is_not_echoed_back_to_the_view():
    tree, rec = make()
    before = tree.to_dict()
    typed = "x" * 1_000_000
    answer = rec.request("edit", {"metric": "arpc", "field": "target", "text": typed})
    assert answer["ok"] is False
    error = answer["error"]
    assert error["metric"] == "arpc" and error["field"] == "target"
    assert "at most 100 characters" in error["message"]
    assert len(error["text"]) <= 100 and error["text"].endswith("…")
    assert len(json.dumps(rec.widget.error)) < 1_000
    assert tree.to_dict() == before


def test_every_echoed_field_of_a_rejected_request_is_capped():
    _, rec = make()
    long = "x" * 100_000
    answer = rec.request("edit", {"metric": long, "field": "target", "text": "1",
                                  "period": long})
    assert answer["ok"] is False
    assert len(json.dumps(answer["error"])) < 1_000


@pytest.mark.parametrize("chunk", ["\x1b[", "\x9b", "  \t\n", "$\\(", "=" , "é\u202e"])
def test_a_megabyte_of_hostile_text_is_made_safe_in_well_under_a_second(chunk):
    import time

    from kpitree_widget.export.text import escape_markdown
    from kpitree_widget.plaintext import json_text, visible, visible_line

    text = chunk * (1_000_000 // len(chunk))
    for make_safe in (visible, visible_line, json_text, escape_markdown):
        start = time.perf_counter()
        make_safe(text)
        assert time.perf_counter() - start < 1.0, make_safe.__name__  # linear: ~0.1 s here
