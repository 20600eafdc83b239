"""The Excel export: live formulas recalculated by a real spreadsheet (LibreOffice headless).

Every workbook is written with formulas only (openpyxl stores no cached results), then
LibreOffice recalculates them all in one ``soffice --convert-to xlsx`` run per batch, with a
private profile whose ``OOXMLRecalcMode`` is 0 (always recalculate, never trust cached values).
The recalculated numbers are compared with ``tree.rollup()`` to 1e-9 relative.

Needs LibreOffice's ``soffice`` (Debian: ``apt-get install --no-install-recommends
libreoffice-calc-nogui``); the tests fail, not skip, without it.
"""

from __future__ import annotations

import io
import math
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import kpitree_widget as kt
from kpitree_widget.cli import main
from kpitree_widget.export import excel as xl
from treegen import REVENUE_SPEC, make_tree

REL = 1e-9
RECALC_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode"
 oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode"
 oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""
ERRORS = ("#DIV/0!", "#NUM!", "#VALUE!", "#N/A")

HOSTILE = ['=HYPERLINK("http://x","click")', '+cmd|" /C calc"!A0', "-2+3", "@SUM(1)",
           "it's \"quoted\"", "Ünïcödé ✓ 売上 🚀", "two\nlines", "#DIV/0!", "=1+1",
           "\t=tab", "bell\x07char", "<b>&amp;</b>"]


# ---------------------------------------------------------------------------- trees


def revenue() -> kt.KPITree:
    return kt.KPITree.from_dict(REVENUE_SPEC)


def revenue_periods() -> kt.KPITree:
    """The revenue tree over three months, two scenarios (one per period), an explicit target
    on a computed metric, a missing input value in one month, a tolerance of 10%."""
    spec: dict[str, Any] = {**REVENUE_SPEC, "config": {"tolerance": 0.1}}
    metrics = {m: dict(x) for m, x in REVENUE_SPEC["metrics"].items()}
    months = ("2026-01", "2026-02", "2026-03")
    for m in ("website_visitors", "returning_customers", "arpc"):
        metrics[m]["value"] = {p: metrics[m]["value"] * (1 + 0.03 * i)
                               for i, p in enumerate(months)}
        metrics[m]["target"] = {p: metrics[m]["target"] * (1 + 0.02 * i)
                                for i, p in enumerate(months)}
    metrics["lost_customers"]["value"] = {"2026-01": 310, "2026-03": 290}  # no February
    metrics["customers"]["target"] = {"2026-03": 5000}
    spec["metrics"] = metrics
    spec["scenarios"] = {"upside": {"signup_rate": 0.03, "arpc": {"2026-02": 140}},
                         "downside": {"website_visitors": 45000}}
    return kt.KPITree.from_dict(spec)


def math_tree() -> kt.KPITree:
    """Precedence traps, every function, conditionals, scientific constants, 0/0 and x/0."""
    return kt.KPITree.from_dict({"name": "math", "metrics": {
        "root": {"formula": "neg_square + tower + folds + choice + chain + consts + guarded",
                 "target": 1000},
        "neg_square": {"formula": "-a ** 2"},            # Excel's -a^2 would be +9
        "tower": {"formula": "2 ** 3 ** 2 + b ** a ** 2"},  # Excel's 2^3^2 would be 64
        "folds": {"formula": "min(a, b, c) + max(a, c) * abs(c)"},
        "choice": {"formula": "a if a > b else -b"},
        "chain": {"formula": "(c if (a >= 0 and not b < 0) or c == 4 else a - c) - a - b / c / a"},
        "consts": {"formula": "0.1 * a + 1e-05 * b + 2.5e+20 / 1e+20 * c"},
        "guarded": {"formula": "ratio if den != 0 else 0"},
        "ratio": {"formula": "num / den"},                 # 5/0 (value), 0/0 (target)
        "a": {"value": 3, "target": -3},
        "b": {"value": 2, "target": 0.5},
        "c": {"value": -4, "target": 4},
        "num": {"value": 5, "target": 0},
        "den": {"value": 0, "target": 0},
    }})


def gaps_tree() -> kt.KPITree:
    """An input with no value: #N/A in the sheet, 'missing' in the rollup."""
    return kt.KPITree.from_dict({"metrics": {
        "total": {"formula": "known + unknown"},
        "known": {"value": 1, "target": 2},
        "unknown": {"target": 3},
    }})


def hostile_tree() -> kt.KPITree:
    metrics: dict[str, Any] = {
        "root": {"name": HOSTILE[0], "formula": "-first + second", "owner": HOSTILE[1],
                 "unit": "=A1"}}
    for i, text in enumerate(HOSTILE[1:]):
        metric_id = "first" if i == 0 else "second" if i == 1 else f"m{i}"
        metrics[metric_id] = {"name": text, "owner": HOSTILE[-1 - i], "value": i + 1,
                              "target": {"=SUM(1)": i + 2, "+2026": i + 3}}
    metrics["second"] = {**metrics["second"], "formula": " + ".join(
        f"m{i}" for i in range(2, len(HOSTILE) - 1))}
    del metrics["second"]["value"], metrics["second"]["target"]
    return kt.KPITree.from_dict({"name": "=cmd()", "metrics": metrics,
                                 "scenarios": {"=evil()": {"first": 10}, "@x": {"m2": 7}}})


STRICT = {"revenue": revenue, "revenue_periods": revenue_periods, "math": math_tree,
          "gaps": gaps_tree, "hostile": hostile_tree,
          **{f"archetype_{name}": (lambda name=name: kt.archetype(name))
             for name in kt.archetypes()}}
RANDOM_SEEDS = range(12)


# ---------------------------------------------------------------------------- LibreOffice


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        pytest.fail("LibreOffice is needed to recalculate the exported workbooks: "
                    "apt-get install --no-install-recommends libreoffice-calc-nogui")
    return found


@pytest.fixture(scope="session")
def recalc(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """``recalc(paths)``: recalculated copies, made by one LibreOffice run."""
    profile = tmp_path_factory.mktemp("lo-profile")
    (profile / "user").mkdir()
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_PROFILE)
    program = soffice()
    runs = [0]

    def run(paths: list[Path]) -> list[Path]:
        runs[0] += 1
        outdir = tmp_path_factory.mktemp(f"recalculated{runs[0]}")
        cmd = [program, f"-env:UserInstallation={profile.as_uri()}", "--headless",
               "--norestore", "--convert-to", "xlsx", "--outdir", str(outdir),
               *map(str, paths)]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=240)
        out = [outdir / p.name for p in paths]
        missing = [p.name for p in out if not p.exists()]
        assert not missing, f"LibreOffice did not convert {missing}: {done.stdout}{done.stderr}"
        return out

    return run


@pytest.fixture(scope="session")
def exported(tmp_path_factory: pytest.TempPathFactory, recalc: Any) -> dict[str, Any]:
    """Every test tree written to .xlsx and recalculated in one LibreOffice run:
    name -> (tree, written file, recalculated file)."""
    folder = tmp_path_factory.mktemp("xlsx")
    trees = {name: make() for name, make in STRICT.items()}
    trees.update({f"random_{seed}": make_tree(20, seed=seed) for seed in RANDOM_SEEDS})
    paths = {}
    for name, tree in trees.items():
        paths[name] = folder / f"{name}.xlsx"
        tree.to_excel(paths[name])
    done = recalc(list(paths.values()))
    return {name: (trees[name], paths[name], out) for name, out in zip(trees, done)}


# ---------------------------------------------------------------------------- comparing


def agrees(got: Any, want: float, status: str, strict: bool) -> bool:
    """A recalculated cell against the rollup's number (see docs/exports.md, 'Excel').

    A finite number must come back equal to 1e-9 relative; inf/NaN (status ``undefined``) must
    come back as a spreadsheet error, not #N/A. Status ``missing`` (an input below has no
    number) comes back as #N/A, or as the same number; ``strict=False`` (random trees) also
    allows another error there: where a missing number and a division by zero meet, the
    spreadsheet reports whichever it meets first.
    """
    number = isinstance(got, (int, float)) and not isinstance(got, bool)
    if status == "missing":
        if number:
            return math.isfinite(want) and math.isclose(got, want, rel_tol=REL, abs_tol=1e-300)
        return got == "#N/A" or (not strict and got in ERRORS)
    if math.isfinite(want):
        return number and math.isclose(got, want, rel_tol=REL, abs_tol=1e-300)
    return got in ERRORS and got != "#N/A"


def on_the_edge(row: Any, tolerance: float) -> bool:
    """Spreadsheets compare numbers to about 15 significant digits, Python exactly: a value
    worse than target by exactly the tolerance up to float noise (38% vs 40% at 5%: Python's
    shortfall is 0.05000000000000004) or equal to its target up to float noise may get the
    neighbouring status."""
    value, target = float(row.value), float(row.target)
    if not (math.isfinite(value) and math.isfinite(target)):
        return False
    gap = abs(value - target)
    return (math.isclose(gap, tolerance * abs(target), rel_tol=1e-12, abs_tol=1e-300)
            or math.isclose(value, target, rel_tol=1e-12, abs_tol=1e-300))


def compare(tree: kt.KPITree, recalculated: Path, strict: bool = True) -> int:
    """Every number of every sheet against the rollup; returns how many were compared."""
    book = openpyxl.load_workbook(recalculated, data_only=True)
    bad: list[Any] = []
    checked = 0

    def check(where: Any, got: Any, want: float, status: str) -> None:
        nonlocal checked
        checked += 1
        if not agrees(got, float(want), status, strict):
            bad.append((where, got, float(want), status))

    ws = book[xl.TREE_SHEET]
    table = tree.rollup()
    for i, (metric, row) in enumerate(table.iterrows()):
        r = xl.FIRST_ROW + i
        assert ws.cell(r, xl.COL["Id"]).value == metric
        check((metric, "value"), ws.cell(r, xl.COL["Value"]).value, row.value, row.status)
        check((metric, "target"), ws.cell(r, xl.COL["Target"]).value, row.target, row.status)
        if not row.is_input:
            check((metric, "implied"), ws.cell(r, xl.COL["Implied target"]).value,
                  row.implied_target, row.status)
        status = ws.cell(r, xl.COL["Status"]).value
        if status != xl.STATUS_LABELS[row.status] and not on_the_edge(row, tree.tolerance):
            bad.append(((metric, "status"), status, row.status, (row.value, row.target)))
    if tree.scenarios:
        ws = book[xl.SCENARIO_SHEET]
        for j, scenario in enumerate(tree.scenarios):
            assert ws.cell(xl.HEADER_ROW, 5 + j).value == kt_clean(scenario)
            for i, (metric, row) in enumerate(tree.rollup(scenario=scenario).iterrows()):
                check((scenario, metric), ws.cell(xl.FIRST_ROW + i, 5 + j).value, row.target,
                      row.status)
    if tree.periods:
        ws = book[xl.PERIOD_SHEET]
        for p, label in enumerate(tree.periods):
            assert ws.cell(xl.HEADER_ROW - 1, 4 + 2 * p).value == kt_clean(label)
            for i, (metric, row) in enumerate(tree.rollup(period=label).iterrows()):
                r = xl.FIRST_ROW + i
                plan = row.target if row.is_input else row.implied_target
                check((label, metric, "value"), ws.cell(r, 4 + 2 * p).value, row.value,
                      row.status)
                check((label, metric, "target"), ws.cell(r, 5 + 2 * p).value, plan,
                      row.status)
    assert not bad, f"{len(bad)} of {checked} cells differ from the rollup: {bad[:10]}"
    return checked


def kt_clean(text: str) -> str:
    from kpitree_widget.export._common import clean

    return clean(text)


def tree_cell(ws: Any, tree: kt.KPITree, metric: str, column: str) -> Any:
    row = xl.FIRST_ROW + [m for m, *_ in tree.outline()].index(metric)
    return ws.cell(row, xl.COL[column])


# ---------------------------------------------------------------------------- the workbook


def test_inputs_are_numbers_and_computed_metrics_live_formulas(tmp_path: Path) -> None:
    tree = revenue()
    path = tree.to_excel(tmp_path / "revenue.xlsx")
    assert path == tmp_path / "revenue.xlsx"
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [xl.TREE_SHEET]  # no scenarios, no periods: one sheet
    ws = book[xl.TREE_SHEET]
    assert [c.value for c in ws[xl.HEADER_ROW]] == list(xl.TREE_COLUMNS)
    ids = [ws.cell(r, xl.COL["Id"]).value for r in range(xl.FIRST_ROW, xl.FIRST_ROW + len(tree))]
    assert ids == [m for m, *_ in tree.outline()]
    row = {m: xl.FIRST_ROW + i for i, m in enumerate(ids)}
    for metric_id in ids:
        value = tree_cell(ws, tree, metric_id, "Value")
        target = tree_cell(ws, tree, metric_id, "Target")
        if tree.metrics[metric_id].is_input:
            assert value.data_type == target.data_type == "n"
            assert value.value == tree.get_value(metric_id)
            assert target.value == tree.get_target(metric_id)
        else:
            assert value.data_type == target.data_type == "f"
            assert target.value == f"=J{row[metric_id]}"  # the implied target
    # the root's formula, built from the IR with cell references
    revenue_row, customers_row, arpc_row = row["revenue"], row["customers"], row["arpc"]
    assert tree_cell(ws, tree, "revenue", "Value").value == f"=(H{customers_row}*H{arpc_row})"
    assert tree_cell(ws, tree, "revenue", "Implied target").value == \
        f"=(J{customers_row}*I{arpc_row})"  # computed child: implied; input: target
    assert tree_cell(ws, tree, "revenue", "Formula").value == "customers * arpc"
    assert tree_cell(ws, tree, "revenue", "Variance").value == \
        f"=H{revenue_row}-I{revenue_row}"
    status = tree_cell(ws, tree, "revenue", "Status").value
    assert status.startswith("=IF(") and "Tolerance" in status and f"E{revenue_row}" in status
    # number formats by unit
    assert tree_cell(ws, tree, "revenue", "Value").number_format == "$#,##0"
    assert tree_cell(ws, tree, "signup_rate", "Target").number_format == "0.0%"
    assert tree_cell(ws, tree, "customers", "Value").number_format == "#,##0"
    assert tree_cell(ws, tree, "signup_rate", "Variance %").number_format == "0.0%"
    # indentation by level, tolerance as a named cell
    assert tree_cell(ws, tree, "website_visitors", "Metric").alignment.indent == 3
    assert book.defined_names["Tolerance"].attr_text == "Tree!$B$3"
    assert ws["B3"].value == tree.tolerance


def test_days_and_ratio_formats_and_hypothesis_links(tmp_path: Path) -> None:
    tree = kt.archetype("b2b_saas")
    book = openpyxl.load_workbook(tree.to_excel(tmp_path / "saas.xlsx"))
    ws = book[xl.TREE_SHEET]
    assert tree_cell(ws, tree, "sales_cycle_days", "Value").number_format == '0 "d"'
    # a metric linked only by a hypothesis: listed, a number, no formula, marked
    assert tree_cell(ws, tree, "sales_cycle_days", "Link").value == "hypothesis −"
    assert tree_cell(ws, tree, "sales_cycle_days", "Formula").value is None
    assert tree_cell(ws, tree, "sales_cycle_days", "Value").data_type == "n"
    assert tree_cell(ws, tree, tree.root, "Link").value == "North Star"
    ratio = kt.KPITree.from_dict({"metrics": {"x": {"formula": "2 * y", "unit": "ratio"},
                                              "y": {"value": 1, "target": 1, "unit": "weeks"}}})
    ws = openpyxl.load_workbook(ratio.to_excel(tmp_path / "ratio.xlsx"))[xl.TREE_SHEET]
    assert tree_cell(ws, ratio, "x", "Value").number_format == '0.00"x"'
    assert tree_cell(ws, ratio, "y", "Value").number_format == "General"


def test_scenarios_and_periods_sheets(tmp_path: Path) -> None:
    tree = revenue_periods()
    book = openpyxl.load_workbook(tree.to_excel(tmp_path / "p.xlsx", period="2026-02"))
    assert book.sheetnames == [xl.TREE_SHEET, xl.SCENARIO_SHEET, xl.PERIOD_SHEET]
    ws = book[xl.TREE_SHEET]
    assert ws["B2"].value == "2026-02"
    # February has no lost_customers value: =NA(), and no explicit target on customers
    assert tree_cell(ws, tree, "lost_customers", "Value").value == "=NA()"
    assert tree_cell(ws, tree, "customers", "Target").data_type == "f"
    march = openpyxl.load_workbook(tree.to_excel(tmp_path / "m.xlsx"))[xl.TREE_SHEET]
    assert march["B2"].value == "2026-03"  # default: the last period, as rollup()
    assert tree_cell(march, tree, "customers", "Target").value == 5000  # explicit, typed
    scenarios = book[xl.SCENARIO_SHEET]
    assert [c.value for c in scenarios[xl.HEADER_ROW]] == ["Metric", "Id", "Unit", "Plan",
                                                          "upside", "downside"]
    rows = {m: xl.FIRST_ROW + i for i, (m, *_) in enumerate(tree.outline())}
    assert scenarios.cell(rows["signup_rate"], 5).value == 0.03        # overridden: a number
    assert scenarios.cell(rows["arpc"], 5).value == 140                # February's override
    assert scenarios.cell(rows["arpc"], 6).value == f"=D{rows['arpc']}"   # not overridden
    assert scenarios.cell(rows["arpc"], 4).value == f"=Tree!I{rows['arpc']}"
    assert scenarios.cell(rows["revenue"], 4).value == f"=Tree!J{rows['revenue']}"
    assert scenarios.cell(rows["revenue"], 5).data_type == "f"
    periods = book[xl.PERIOD_SHEET]
    assert [periods.cell(xl.HEADER_ROW - 1, c).value for c in (4, 6, 8)] == tree.periods
    assert [c.value for c in periods[xl.HEADER_ROW]][3:] == ["Value", "Target"] * 3
    assert periods.cell(rows["arpc"], 4).value == pytest.approx(120)
    assert periods.cell(rows["arpc"], 9).value == pytest.approx(125 * 1.04)
    assert periods.cell(rows["revenue"], 8).value == \
        f"=(H{rows['customers']}*H{rows['arpc']})"


def test_hostile_text_is_stored_as_text_never_as_a_formula(tmp_path: Path) -> None:
    tree = hostile_tree()
    book = openpyxl.load_workbook(tree.to_excel(tmp_path / "hostile.xlsx"))
    texts = set()
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":  # formulas only in the number columns
                    first_number = xl.COL["Value"] if ws.title == xl.TREE_SHEET else 4
                    assert cell.column >= first_number and cell.row >= xl.FIRST_ROW, \
                        (ws.title, cell.coordinate, cell.value)
                elif isinstance(cell.value, str):
                    assert cell.data_type == "s"
                    texts.add(cell.value)
                    if cell.value.startswith(("=", "+", "-", "@", "#", "\t")):
                        assert cell.quotePrefix, (ws.title, cell.coordinate, cell.value)
    expected = {kt_clean(t) for t in HOSTILE} | {"=cmd()", "=A1", "=evil()", "@x", "=SUM(1)",
                                                  "+2026", "-first + second"}
    assert expected <= texts
    assert "bell char" in texts and "two\nlines" in texts  # control characters cleaned
    ws = book[xl.TREE_SHEET]
    assert ws["A1"].value == "=cmd()" and ws["A1"].data_type == "s"
    assert tree_cell(ws, tree, "root", "Metric").value == HOSTILE[0]


def test_hostile_text_stays_text_after_libreoffice(exported: dict[str, Any]) -> None:
    tree, _, recalculated = exported["hostile"]
    ws = openpyxl.load_workbook(recalculated)[xl.TREE_SHEET]
    for metric_id in tree.metrics:
        cell = tree_cell(ws, tree, metric_id, "Metric")
        assert cell.data_type == "s" and cell.value == kt_clean(tree.metrics[metric_id].name)
    values = openpyxl.load_workbook(recalculated, data_only=True)[xl.TREE_SHEET]
    assert tree_cell(values, tree, "root", "Metric").value == HOSTILE[0]  # not a hyperlink


def test_to_excel_errors_and_file_objects(tmp_path: Path) -> None:
    tree = revenue()
    with pytest.raises(kt.KPITreeError, match=r"\.xlsx"):
        tree.to_excel(tmp_path / "tree.xls")
    with pytest.raises(kt.KPITreeError, match="unknown period"):
        revenue_periods().to_excel(tmp_path / "t.xlsx", period="2031-01")
    assert not (tmp_path / "t.xlsx").exists()
    buffer = io.BytesIO()
    assert tree.to_excel(buffer) is None
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert book.sheetnames == [xl.TREE_SHEET]


def test_openpyxl_is_imported_on_first_use_only() -> None:
    code = ("import sys, kpitree_widget as kt\n"
            "assert 'openpyxl' not in sys.modules\n"
            "kt.archetype('b2b_saas').rollup()\n"
            "assert 'openpyxl' not in sys.modules\n"
            "from kpitree_widget.export import excel\n"
            "assert 'openpyxl' not in sys.modules\n"
            "excel.workbook(kt.archetype('b2b_saas'))\n"
            "print('openpyxl' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True"


# ---------------------------------------------------------------------------- recalculated


@pytest.mark.parametrize("name", list(STRICT))
def test_libreoffice_recalculates_the_rollup(exported: dict[str, Any], name: str) -> None:
    tree, written, recalculated = exported[name]
    ws = openpyxl.load_workbook(written)[xl.TREE_SHEET]
    for metric_id, metric in tree.metrics.items():  # inputs hold numbers, the rest formulas
        value = tree_cell(ws, tree, metric_id, "Value")
        if metric.is_input:
            assert value.data_type == "n" or value.value == "=NA()", (metric_id, value.value)
        else:
            assert value.value == "=" + metric.parsed.to_excel(lambda m: tree_cell(
                ws, tree, m, "Value").coordinate)
    # written without cached results: only a recalculation gives numbers
    assert openpyxl.load_workbook(written, data_only=True)[xl.TREE_SHEET].cell(
        xl.FIRST_ROW, xl.COL["Value"]).value is None
    assert compare(tree, recalculated) >= 2 * len(tree)


def test_libreoffice_recalculates_random_trees(exported: dict[str, Any]) -> None:
    """Random trees (treegen): DAGs, every formula kind, gaps, explicit targets, periods,
    scenarios, awkward numbers and text."""
    checked = sum(compare(*exported[f"random_{seed}"][::2], strict=False)
                  for seed in RANDOM_SEEDS)
    assert checked > 500


def test_precedence_errors_and_gaps_in_numbers(exported: dict[str, Any]) -> None:
    tree, _, recalculated = exported["math"]
    ws = openpyxl.load_workbook(recalculated, data_only=True)[xl.TREE_SHEET]

    def cell(metric: str, column: str = "Value") -> Any:
        return tree_cell(ws, tree, metric, column).value

    assert cell("neg_square") == -9                       # -(3^2), not (-3)^2
    assert cell("tower") == 2 ** 3 ** 2 + 2 ** 3 ** 2 == 1024  # 2^(3^2), not (2^3)^2
    assert cell("folds") == -4 + 3 * 4
    assert cell("choice") == 3 and cell("choice", "Implied target") == -0.5
    assert cell("consts") == pytest.approx(0.3 + 2e-5 - 10, rel=REL)
    # x/0 and 0/0: inf and NaN in Python, #DIV/0! in the sheet; status 'undefined' in both
    table = tree.rollup()
    assert math.isinf(table.loc["ratio", "value"]) and math.isnan(table.loc["ratio", "target"])
    assert cell("ratio") == cell("ratio", "Implied target") == "#DIV/0!"
    assert cell("ratio", "Status") == "undefined" == table.loc["ratio", "status"]
    # a conditional that avoids the division keeps its parents finite, as in Python
    assert cell("guarded") == 0 and cell("root", "Status") == xl.STATUS_LABELS[
        table.loc["root", "status"]]
    tree, _, recalculated = exported["gaps"]
    ws = openpyxl.load_workbook(recalculated, data_only=True)[xl.TREE_SHEET]
    assert cell("unknown") == cell("total") == "#N/A"
    assert cell("total", "Status") == "no data" and tree.rollup().loc["total",
                                                                      "status"] == "missing"
    assert cell("total", "Data gap") is True and cell("known", "Data gap") is False


def test_editing_the_sheet_moves_the_root_as_python_does(exported: dict[str, Any],
                                                         recalc: Any, tmp_path: Path) -> None:
    """Edit inputs in the workbook (openpyxl), recalculate in LibreOffice, and compare with the
    same edits made in Python. A second file proves the profile forces recalculation: cached
    results written by LibreOffice itself, with an input changed under them."""
    tree, written, recalculated = exported["revenue"]
    book = openpyxl.load_workbook(written)
    ws = book[xl.TREE_SHEET]
    tree_cell(ws, tree, "signup_rate", "Target").value = 0.03
    tree_cell(ws, tree, "arpc", "Value").value = 131
    ws["B3"].value = 0.2  # the tolerance
    edited = tmp_path / "edited.xlsx"
    book.save(edited)

    row = xl.FIRST_ROW + [m for m, *_ in tree.outline()].index("signup_rate")
    stale = tmp_path / "stale.xlsx"
    with zipfile.ZipFile(recalculated) as source, zipfile.ZipFile(stale, "w") as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text, count = re.subn(rf'(<c r="I{row}"[^>]*><v>)[^<]*(</v>)', r"\g<1>0.03\2",
                                      data.decode())
                assert count == 1
                data = text.encode()
            out.writestr(item, data)
    before = openpyxl.load_workbook(stale, data_only=True)[xl.TREE_SHEET]
    assert tree_cell(before, tree, "revenue", "Target").value == pytest.approx(681250)

    edited_out, stale_out = recalc([edited, stale])
    python = revenue()
    python.set_target("signup_rate", 0.03)
    python.set_value("arpc", 131)
    python.tolerance = 0.2
    compare(python, edited_out)
    root = python.rollup().loc["revenue"]
    assert root.target == (60000 * 0.03 + 4200 - 250) * 125 != 681250
    ws = openpyxl.load_workbook(edited_out, data_only=True)[xl.TREE_SHEET]
    assert tree_cell(ws, tree, "revenue", "Target").value == pytest.approx(root.target, rel=REL)
    assert tree_cell(ws, tree, "revenue", "Value").value == pytest.approx(root.value, rel=REL)
    stale_ws = openpyxl.load_workbook(stale_out, data_only=True)[xl.TREE_SHEET]
    assert tree_cell(stale_ws, tree, "revenue", "Target").value == pytest.approx(root.target,
                                                                                 rel=REL)


# ---------------------------------------------------------------------------- command line


def test_kpitree_render_writes_a_workbook(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                          ) -> None:
    tree_file = tmp_path / "tree.yaml"
    revenue_periods().save(tree_file)
    out = tmp_path / "model.xlsx"
    assert main(["render", str(tree_file), "-o", str(out), "--period", "2026-01"]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == [xl.TREE_SHEET, xl.SCENARIO_SHEET, xl.PERIOD_SHEET]
    assert book[xl.TREE_SHEET]["B2"].value == "2026-01"
    assert main(["render", str(tree_file), "-o", str(out), "--scenario", "upside"]) == 2
    assert "Scenarios sheet" in capsys.readouterr().err
    assert main(["render", str(tree_file), "-o", str(out), "--max-level", "1"]) == 2
    assert main(["render", str(tree_file), "-o", str(out), "--period", "1999-01"]) == 2
    assert "unknown period" in capsys.readouterr().err
