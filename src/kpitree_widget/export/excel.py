"""The tree as an Excel workbook an analyst can keep working in: live formulas, not numbers.

``tree.to_excel("model.xlsx")`` writes (see ``docs/exports.md``):

- **Tree**: one row per metric in outline order (name indented by level, id, owner, unit,
  direction, formula as text, link, Value, Target, Implied target, Variance, Variance %,
  Status). Inputs hold numbers (blue on yellow: type over them); every computed metric holds a
  live Excel formula built from the formula's IR, so changing an input's target in Excel
  recomputes the root. The status is a formula too (direction and the ``Tolerance`` cell).
- **Scenarios** (when the tree has scenarios): the plan and one column per scenario, the
  scenario's input overrides as numbers, every other cell a formula.
- **Periods** (when the tree has periods): one Value/Target column block per period, inputs as
  numbers, computed metrics as formulas. The Tree and Scenarios sheets show one period
  (``period=``, default the last, as in ``rollup()``).

Every metric is on the same row of every sheet. Formulas are fully parenthesised (Excel reads
``-2^2`` as 4 and ``2^3^2`` as 64; Python reads them as -4 and 512). An input with no number
holds ``=NA()``, so ``#N/A`` flows up to what depends on it (status ``no data``), where the
rollup has NaN and status ``missing``; a division by zero shows ``#DIV/0!`` (status
``undefined``) where the rollup has inf/NaN and status ``undefined``.

Text from the tree (names, owners, units, period and scenario names) is always written as text,
never as a formula: a name such as ``=HYPERLINK(...)``, ``+cmd`` or ``@SUM(1)`` is a string cell
(with Excel's quote prefix, so editing the cell keeps it text).

openpyxl is imported when a workbook is made, not with the package
(``pip install openpyxl``, the ``excel`` extra).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .. import engine
from ..args import file_path
from ..errors import KPITreeError
from ..plaintext import FORMULA_START
from ._common import STATUS_STYLE, clean

if TYPE_CHECKING:
    from ..tree import Tree

INSTALL_HINT = "the Excel export needs openpyxl: pip install openpyxl"

# number formats by unit; other units show as General (the Unit column says what they are)
NUMBER_FORMATS = {
    "currency": "$#,##0",
    "percent": "0.0%",
    "count": "#,##0",
    "days": '0 "d"',
    "ratio": '0.00"x"',
}
GENERAL = "General"
PERCENT = "0.0%"

STATUS_LABELS = engine.STATUS_LABELS  # the status words shown in the sheet


HEADER_ROW = 4
FIRST_ROW = HEADER_ROW + 1
TOLERANCE_NAME = "Tolerance"
TOLERANCE_CELL = "$B$3"
TREE_SHEET, SCENARIO_SHEET, PERIOD_SHEET = "Tree", "Scenarios", "Periods"

# Tree sheet columns
TREE_COLUMNS = ("Metric", "Id", "Owner", "Unit", "Direction", "Formula", "Link", "Value",
                "Target", "Implied target", "Variance", "Variance %", "Status", "Data gap")
COL = {name: i + 1 for i, name in enumerate(TREE_COLUMNS)}
WIDTHS = {"Metric": 34, "Id": 20, "Owner": 18, "Unit": 10, "Direction": 9, "Formula": 36,
          "Link": 13, "Value": 14, "Target": 14, "Implied target": 14, "Variance": 13,
          "Variance %": 11, "Status": 11, "Data gap": 9}

MAX_TEXT = 32_767  # characters Excel keeps in one cell
RISKY_START = FORMULA_START  # the same rule as every CSV the package writes
INPUT_FONT_COLOR = "0000FF"   # the FP&A convention: blue = typed input, black = formula
INPUT_FILL = "FFF2CC"
HEADER_FILL = "E7E6E6"


# ---------------------------------------------------------------------------- entry points


def to_excel(tree: Tree, path: str | Path | IO[bytes], period: Any = None) -> Path | None:
    """Write the tree to an ``.xlsx`` workbook with live formulas; returns the path written
    (``None`` when ``path`` is an open binary file).

    ``period`` picks the period of the Tree and Scenarios sheets (default: the last); the
    Periods sheet holds every period.
    """
    target: Path | None = None
    if isinstance(path, (str, Path)):
        target = file_path("to_excel", path, writing=True)
        if target.suffix.lower() != ".xlsx":
            raise KPITreeError(f"to_excel: {str(path)!r} must end in .xlsx")
    book = workbook(tree, period=period)
    book.save(target if target is not None else path)
    return target


def workbook(tree: Tree, period: Any = None) -> Any:
    """The workbook as an ``openpyxl.Workbook`` (to adjust before saving it yourself)."""
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover - openpyxl is a dev dependency
        raise ImportError(f"{INSTALL_HINT} ({exc})") from None
    p = tree.period_index(period)  # checks the period
    book = openpyxl.Workbook()
    _Writer(tree, p, book).write()
    return book


# ---------------------------------------------------------------------------- cells


def put_text(cell: Any, text: object) -> None:
    """``text`` in ``cell`` as a string, never a formula, error code or number.

    openpyxl turns a string starting with ``=`` into a formula and ``#N/A`` into an error:
    the data type is set back to string, and text starting with a character a spreadsheet reads
    as a formula gets the quote prefix (Excel's leading apostrophe), so editing it keeps it
    text.
    """
    value = clean(text)[:MAX_TEXT]
    cell.value = value
    cell.data_type = "s"
    if value.startswith(RISKY_START) or value.startswith("#"):
        cell.quotePrefix = True


def _number(x: float) -> float | None:
    """A finite float for a cell, or None for a gap."""
    x = float(x)
    return x if math.isfinite(x) else None


def _present(x: Any) -> float | None:
    """A stored number as a float, or None when there is none (None or NaN)."""
    if x is None or math.isnan(float(x)):
        return None
    return float(x)


class _Writer:
    def __init__(self, tree: Tree, p: int, book: Any) -> None:
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        self.tree = tree
        self.p = p
        self.label: str | None = tree.periods[p] if tree.periods else None
        self.explicit = tree.explicit_targets(self.label)  # targets typed on computed metrics
        self.book = book
        self.arrays, self.index = tree.arrays()
        self.outline = tree.outline()
        self.row = {m: FIRST_ROW + i for i, (m, *_) in enumerate(self.outline)}
        self.metrics = tree.metrics
        self.Alignment = Alignment
        self.input_font = Font(color=INPUT_FONT_COLOR)
        self.input_fill = PatternFill("solid", start_color=INPUT_FILL, end_color=INPUT_FILL)
        self.header_font = Font(bold=True)
        self.header_fill = PatternFill("solid", start_color=HEADER_FILL, end_color=HEADER_FILL)
        self.header_border = Border(bottom=Side(style="thin"))
        self.title_font = Font(bold=True, size=14)
        self.note_font = Font(italic=True, color="595959")

    # ------------------------------------------------------------------ helpers

    def number_format(self, metric_id: str) -> str:
        unit = self.metrics[metric_id].unit
        return NUMBER_FORMATS.get(unit or "", GENERAL)

    def put_input(self, cell: Any, x: float, metric_id: str) -> None:
        """A typed number (or ``=NA()`` for a gap) styled as an input."""
        number = _number(x)
        cell.value = number if number is not None else "=NA()"
        cell.number_format = self.number_format(metric_id)
        cell.font = self.input_font
        cell.fill = self.input_fill

    def put_formula(self, cell: Any, metric_id: str, ref: Callable[[str], str]) -> None:
        parsed = self.metrics[metric_id].parsed
        assert parsed is not None
        cell.value = "=" + parsed.to_excel(ref)
        cell.number_format = self.number_format(metric_id)

    def header(self, ws: Any, row: int, titles: list[str], start: int = 1) -> None:
        for offset, title in enumerate(titles):
            cell = ws.cell(row=row, column=start + offset)
            put_text(cell, title)
            cell.font = self.header_font
            cell.fill = self.header_fill
            cell.border = self.header_border

    def title(self, ws: Any, text: str, note: str) -> None:
        cell = ws.cell(row=1, column=1)
        put_text(cell, text)
        cell.font = self.title_font
        note_cell = ws.cell(row=2, column=3)
        put_text(note_cell, note)
        note_cell.font = self.note_font

    def names(self, ws: Any, columns: dict[str, int]) -> None:
        """The Metric (indented by level), Id and Unit columns of a sheet."""
        for metric_id, _parent, level, _link in self.outline:
            r = self.row[metric_id]
            metric = self.metrics[metric_id]
            cell = ws.cell(row=r, column=columns["Metric"])
            put_text(cell, metric.name)
            cell.alignment = self.Alignment(indent=min(level, 15))
            put_text(ws.cell(row=r, column=columns["Id"]), metric_id)
            if metric.unit:
                put_text(ws.cell(row=r, column=columns["Unit"]), metric.unit)

    def period_cells(self, ws: Any) -> None:
        put_text(ws.cell(row=2, column=1), "Period")
        put_text(ws.cell(row=2, column=2), self.label if self.label is not None else "(no periods)")

    def layer(self, metric_id: str, k: int, p: int | None = None) -> float:
        return float(self.arrays[self.index[metric_id]][self.p if p is None else p, k])

    # ------------------------------------------------------------------ sheets

    def write(self) -> None:
        ws = self.book.active
        ws.title = TREE_SHEET
        self.tree_sheet(ws)
        if self.tree.scenarios:
            self.scenario_sheet(self.book.create_sheet(SCENARIO_SHEET))
        if self.tree.periods:
            self.period_sheet(self.book.create_sheet(PERIOD_SHEET))

    def tree_sheet(self, ws: Any) -> None:
        from openpyxl.formatting.rule import CellIsRule
        from openpyxl.styles import Font, PatternFill
        from openpyxl.utils import get_column_letter
        from openpyxl.workbook.defined_name import DefinedName

        tree = self.tree
        letter = {name: get_column_letter(i) for name, i in COL.items()}
        self.title(ws, tree.name or "KPI tree",
                   "Blue cells on yellow are inputs: type over them. Every other number is a "
                   "formula. #N/A: no data; #DIV/0!: a division by zero (undefined).")
        self.period_cells(ws)
        put_text(ws.cell(row=3, column=1), TOLERANCE_NAME)
        tolerance = ws.cell(row=3, column=2)
        tolerance.value = float(tree.tolerance)
        tolerance.number_format = PERCENT
        tolerance.font = self.input_font
        tolerance.fill = self.input_fill
        hint = ws.cell(row=3, column=3)
        put_text(hint, "at risk: worse than target by at most this share of the target; "
                       "off track: by more")
        hint.font = self.note_font
        self.book.defined_names[TOLERANCE_NAME] = DefinedName(
            TOLERANCE_NAME, attr_text=f"{TREE_SHEET}!{TOLERANCE_CELL}")
        self.header(ws, HEADER_ROW, list(TREE_COLUMNS))
        self.names(ws, COL)

        signs = {(h.driver, h.outcome): h.sign for h in tree.hypotheses}

        def value_ref(m: str) -> str:
            return f"{letter['Value']}{self.row[m]}"

        def plan_ref(m: str) -> str:  # what a metric's target contributes to its parents
            column = "Target" if self.metrics[m].is_input else "Implied target"
            return f"{letter[column]}{self.row[m]}"

        for metric_id, parent, _level, link in self.outline:
            r = self.row[metric_id]
            metric = self.metrics[metric_id]
            if metric.owner:
                put_text(ws.cell(row=r, column=COL["Owner"]), metric.owner)
            put_text(ws.cell(row=r, column=COL["Direction"]), metric.direction)
            if metric.parsed is not None:
                put_text(ws.cell(row=r, column=COL["Formula"]), metric.parsed.display())
            link_text = {"root": "North Star", "guard": "guard", "detached": "detached"}.get(link)
            if link == "hypothesis":
                sign = "−" if signs.get((metric_id, parent or "")) == "-" else "+"
                link_text = f"hypothesis {sign}"
            if link_text:
                put_text(ws.cell(row=r, column=COL["Link"]), link_text)
            value = ws.cell(row=r, column=COL["Value"])
            target = ws.cell(row=r, column=COL["Target"])
            if metric.is_input:
                self.put_input(value, self.layer(metric_id, engine.VALUE), metric_id)
                self.put_input(target, self.layer(metric_id, engine.TARGET), metric_id)
            else:
                self.put_formula(value, metric_id, value_ref)
                implied = ws.cell(row=r, column=COL["Implied target"])
                self.put_formula(implied, metric_id, plan_ref)
                explicit = self.explicit.get(metric_id)
                if explicit is not None:
                    self.put_input(target, explicit, metric_id)
                else:
                    target.value = f"={implied.coordinate}"
                    target.number_format = self.number_format(metric_id)
            v, t = value.coordinate, target.coordinate
            variance = ws.cell(row=r, column=COL["Variance"])
            variance.value = f"={v}-{t}"
            variance.number_format = self.number_format(metric_id)
            pct = ws.cell(row=r, column=COL["Variance %"])
            pct.value = f'=IFERROR({variance.coordinate}/ABS({t}),"")'
            pct.number_format = PERCENT
            d, g = f"{letter['Direction']}{r}", f"{letter['Data gap']}{r}"
            gap = ws.cell(row=r, column=COL["Data gap"])
            if metric.is_input:
                gap.value = f"=OR(ISNA({v}),ISNA({t}),ISBLANK({v}),ISBLANK({t}))"
            else:  # as the rollup's 'missing': some input below has no value or no target
                below = ",".join(f"{letter['Data gap']}{self.row[c]}" for c in metric.children)
                gap.value = f"=OR({below or 'FALSE'})"
            labels = STATUS_LABELS
            ws.cell(row=r, column=COL["Status"]).value = (
                f'=IF({g},"{labels["missing"]}",'
                f'IF(OR(ISERROR({v}),ISERROR({t})),"{labels["undefined"]}",'
                f'IF(IF({d}="down",{v}<={t},{v}>={t}),"{labels["on_track"]}",'
                f'IF({t}=0,"{labels["off_track"]}",'
                f'IF(ABS({v}-{t})/ABS({t})<={TOLERANCE_NAME},"{labels["at_risk"]}",'
                f'"{labels["off_track"]}")))))')

        last = FIRST_ROW + len(self.outline) - 1
        status_range = f"{letter['Status']}{FIRST_ROW}:{letter['Status']}{last}"
        for code, style in STATUS_STYLE.items():
            fill = PatternFill("solid", start_color=style["fill"][1:], end_color=style["fill"][1:])
            ws.conditional_formatting.add(status_range, CellIsRule(
                operator="equal", formula=[f'"{STATUS_LABELS[code]}"'], fill=fill,
                font=Font(color=style["text"][1:])))
        for name, width in WIDTHS.items():
            ws.column_dimensions[letter[name]].width = width
        ws.freeze_panes = ws.cell(row=FIRST_ROW, column=2)
        ws.auto_filter.ref = f"A{HEADER_ROW}:{letter['Data gap']}{last}"

    def scenario_sheet(self, ws: Any) -> None:
        from openpyxl.utils import get_column_letter

        tree = self.tree
        scenarios = tree.scenarios
        self.title(ws, "Scenarios",
                   "Each column: the targets rolled up with the scenario's inputs (blue on "
                   "yellow); other inputs follow the Plan column, which follows the Tree sheet.")
        self.period_cells(ws)
        columns = {"Metric": 1, "Id": 2, "Unit": 3, "Plan": 4}
        self.header(ws, HEADER_ROW, [*columns, *scenarios])
        self.names(ws, columns)
        tree_target = get_column_letter(COL["Target"])
        tree_implied = get_column_letter(COL["Implied target"])
        plan = get_column_letter(columns["Plan"])
        for metric_id, *_ in self.outline:
            r = self.row[metric_id]
            cell = ws.cell(row=r, column=columns["Plan"])
            source = tree_target if self.metrics[metric_id].is_input else tree_implied
            cell.value = f"={TREE_SHEET}!{source}{r}"
            cell.number_format = self.number_format(metric_id)
        for offset, overrides in enumerate(scenarios.values()):
            col = columns["Plan"] + 1 + offset
            letter = get_column_letter(col)

            def ref(m: str, letter: str = letter) -> str:
                return f"{letter}{self.row[m]}"

            for metric_id, *_ in self.outline:
                r = self.row[metric_id]
                cell = ws.cell(row=r, column=col)
                if self.metrics[metric_id].is_input:
                    override = self.override(overrides.get(metric_id))
                    if override is not None:
                        self.put_input(cell, override, metric_id)
                    else:
                        cell.value = f"={plan}{r}"
                        cell.number_format = self.number_format(metric_id)
                else:
                    self.put_formula(cell, metric_id, ref)
            ws.column_dimensions[letter].width = 16
        ws.column_dimensions["A"].width = WIDTHS["Metric"]
        ws.column_dimensions["B"].width = WIDTHS["Id"]
        ws.column_dimensions[plan].width = 16
        ws.freeze_panes = ws.cell(row=FIRST_ROW, column=2)

    def override(self, numbers: Any) -> float | None:
        """A scenario's number for this period (None: the scenario keeps the plan)."""
        if isinstance(numbers, dict):
            numbers = numbers.get(self.label) if self.label is not None else None
        return _present(numbers)

    def period_sheet(self, ws: Any) -> None:
        from openpyxl.utils import get_column_letter

        self.title(ws, "Periods",
                   "One Value/Target block per period; Target is what the inputs' targets "
                   "imply (a target typed on a computed metric is on the Tree sheet).")
        columns = {"Metric": 1, "Id": 2, "Unit": 3}
        self.header(ws, HEADER_ROW, list(columns))
        self.names(ws, columns)
        first = len(columns) + 1
        for p, label in enumerate(self.tree.periods):
            value_col, target_col = first + 2 * p, first + 2 * p + 1
            block = {engine.VALUE: get_column_letter(value_col),
                     engine.TARGET: get_column_letter(target_col)}
            top = ws.cell(row=HEADER_ROW - 1, column=value_col)
            put_text(top, label)
            top.font = self.header_font
            ws.merge_cells(start_row=HEADER_ROW - 1, start_column=value_col,
                           end_row=HEADER_ROW - 1, end_column=target_col)
            self.header(ws, HEADER_ROW, ["Value", "Target"], start=value_col)
            for k, letter in block.items():
                def ref(m: str, letter: str = letter) -> str:
                    return f"{letter}{self.row[m]}"

                for metric_id, *_ in self.outline:
                    cell = ws[f"{letter}{self.row[metric_id]}"]
                    if self.metrics[metric_id].is_input:
                        self.put_input(cell, self.layer(metric_id, k, p), metric_id)
                    else:
                        self.put_formula(cell, metric_id, ref)
                ws.column_dimensions[letter].width = 14
        ws.column_dimensions["A"].width = WIDTHS["Metric"]
        ws.column_dimensions["B"].width = WIDTHS["Id"]
        ws.freeze_panes = ws.cell(row=FIRST_ROW, column=first)
