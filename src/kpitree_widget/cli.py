"""The ``kpitree`` command line: make, draw, lint and roll up KPI trees from the shell and CI.

Exit codes (see ``docs/cli.md``):

- 0: done (``check``: no errors; with ``--strict``, no warnings either)
- 1: ``check`` found errors (or warnings, with ``--strict``); ``diff``: the trees differ
- 2: usage error, or bad input: unknown command or archetype, wrong file type, a missing or
  malformed tree file, an output file that exists (``new`` without ``--force``)
- 3: Graphviz's ``dot`` program is missing (``render`` to ``.svg``, ``.png``, ``.pdf``)
- 4: the command itself failed (a bug in the package), never mistaken for findings
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .io import SUFFIXES as TREE_SUFFIXES

OK, FINDINGS, USAGE, NO_GRAPHVIZ, CRASHED = 0, 1, 2, 3, 4
NEW_SUFFIXES = (*TREE_SUFFIXES, ".ipynb")
PICTURE_SUFFIXES = (".svg", ".png", ".pdf", ".dot")
RENDER_SUFFIXES = (*PICTURE_SUFFIXES, ".md", ".mmd", ".xlsx")


class UsageError(Exception):
    """Bad arguments: printed with the command's usage line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    """argparse with a did-you-mean for mistyped commands and choices."""

    def error(self, message: str) -> Any:
        from .errors import did_you_mean

        match = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if match:
            choices = re.findall(r"'([^']*)'", match.group(2)) or [
                c.strip() for c in match.group(2).split(",")]
            message += did_you_mean(match.group(1), choices)
        self.print_usage(sys.stderr)
        self.exit(USAGE, f"{self.prog}: error: {message}\n")


class _Once(argparse.Action):
    """An option that takes one file: giving it twice is a usage error, never a silent load of
    the second file in place of the first (a plan given as ``--data``)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        if getattr(namespace, self.dest, None) is not None:
            hint = " (give the plan with --plan FILE)" if self.dest == "data" else ""
            parser.error(f"argument {option_string}: given twice ({getattr(namespace, self.dest)}"
                         f" and {values}); it takes one file{hint}")
        setattr(namespace, self.dest, values)


def _data_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", metavar="FILE.csv", action=_Once,
                        help="actuals per period: one row per period, one column per metric id "
                             "(or a long table: metric, period, value)")
    parser.add_argument("--plan", metavar="FILE.csv", action=_Once,
                        help="the plan (targets of inputs) per period, in the same shape as "
                             "--data")


def _positive_level(text: str) -> int:
    try:
        level = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}") from None
    if level < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}")
    return level


def build_parser() -> argparse.ArgumentParser:
    """The ``kpitree`` argument parser."""
    from . import __version__

    parser = _Parser(
        prog="kpitree",
        description="KPI trees from the shell: make one from an archetype, draw it, check it "
                    "against the KPI-tree rules (in CI too) and roll its numbers up.",
        epilog="Exit codes: 0 done; 1 'check' found errors (or warnings with --strict), "
               "'diff' found differences; "
               "2 usage error or bad input (missing or malformed file, unknown archetype, "
               "wrong suffix); 3 Graphviz's 'dot' program is missing; 4 the command "
               "itself failed.")
    parser.add_argument("--version", action="version", version=f"kpitree {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    new = sub.add_parser("new", help="start a tree file or workshop notebook from an archetype",
                         description="Write an archetype as a tree file (.yaml, .yml, .json) "
                                     "or as its workshop notebook (.ipynb).")
    new.add_argument("archetype", metavar="ARCHETYPE", help="e.g. b2b_saas (see 'archetypes')")
    new.add_argument("-o", "--output", required=True, metavar="FILE",
                     help="where to write: .yaml, .yml, .json or .ipynb")
    new.add_argument("-f", "--force", action="store_true", help="overwrite FILE if it exists")

    render = sub.add_parser("render", help="draw a tree (.svg .png .pdf .dot .md .mmd .xlsx)",
                            description="Draw a tree as a picture with Graphviz (.svg, .png, "
                                        ".pdf; .dot writes the DOT source), as Markdown (.md) "
                                        "or a Mermaid flowchart (.mmd), or write an Excel "
                                        "workbook with live formulas (.xlsx).")
    render.add_argument("tree", metavar="TREE", help="tree file (.yaml, .yml, .json)")
    render.add_argument("-o", "--output", required=True, metavar="FILE",
                        help="output file; its suffix picks the format")
    render.add_argument("--direction", type=str.upper, default="TB",
                        choices=("TB", "LR", "BT", "RL"),
                        help="TB: root on top (default); LR: root on the left")
    render.add_argument("--max-level", type=_positive_level, metavar="N",
                        help="draw levels 0..N only; collapsed cards say '+N more' (pictures)")
    render.add_argument("--fields", metavar="LIST", default="value,target,owner",
                        help="what each card shows, comma-separated, from value, target, "
                             "variance, status, owner, formula, team, cadence "
                             "(default: value,target,owner; pictures)")
    render.add_argument("--legend", action="store_true", help="add a colour key (pictures)")
    render.add_argument("--findings", action="store_true",
                        help="mark the metrics the health check has findings on (pictures)")
    render.add_argument("--table", action="store_true", help="Markdown as a table (.md)")
    _numbers_options(render)

    check = sub.add_parser("check", help="lint a tree against the KPI-tree rules (for CI)",
                           description="Run the health check. Exit 1 when it finds errors "
                                       "(with --strict, warnings too), 0 otherwise. With "
                                       "several files (as a pre-commit hook passes them), "
                                       "each is checked; the exit code is the worst.")
    check.add_argument("tree", metavar="TREE", nargs="+",
                       help="tree file(s) (.yaml, .yml, .json)")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    _data_options(check)
    check.add_argument("--format", choices=("text", "json"), default="text",
                       help="text for people (default), json for tools")

    diff = sub.add_parser("diff", help="what changed between two tree files (exit 1 if any)",
                          description="List the differences between two tree files in words: "
                                      "metrics added, removed or renamed, formulas, owners "
                                      "and other fields, values and targets per period, "
                                      "hypotheses, scenarios. Exit 0 when both hold the same "
                                      "tree, 1 when they differ (as diff does).")
    diff.add_argument("old", metavar="OLD", help="tree file (.yaml, .yml, .json)")
    diff.add_argument("new", metavar="NEW", help="tree file (.yaml, .yml, .json)")
    diff.add_argument("--format", choices=("text", "json"), default="text",
                      help="text for people (default), json for tools")

    rollup = sub.add_parser("rollup", help="the tree's numbers as a table",
                            description="Roll the numbers up and print one row per metric.")
    rollup.add_argument("tree", metavar="TREE", help="tree file (.yaml, .yml, .json)")
    _data_options(rollup)
    rollup.add_argument("--refresh", action="store_true",
                        help="refresh the numbers from the tree's sources first")
    _numbers_options(rollup)
    rollup.add_argument("--format", choices=("table", "csv", "json"), default="table",
                        help="table for people (default), csv or json for tools")

    refresh = sub.add_parser("refresh", help="load the numbers from the tree's data sources",
                             description="Run every metric's source (all or nothing) and print "
                                         "the report; --save writes the numbers into TREE.")
    refresh.add_argument("tree", metavar="TREE", help="tree file (.yaml, .yml, .json)")
    refresh.add_argument("--save", action="store_true",
                         help="write the refreshed numbers back into TREE")
    refresh.add_argument("--partial", action="store_true",
                         help="load what succeeded even when a source fails (exit 1 then)")

    dbt = sub.add_parser("import-dbt", help="a tree file from a dbt project's semantic layer",
                         description="Read a dbt project's semantic_models: and metrics: (its "
                                     "models/ YAML files, or target/semantic_manifest.json) "
                                     "and write a tree file: simple metrics as inputs with "
                                     "sources, ratio and derived metrics as formulas.")
    dbt.add_argument("path", metavar="PATH",
                     help="a dbt project folder, a YAML file or a semantic_manifest.json")
    dbt.add_argument("-o", "--output", required=True, metavar="FILE",
                     help="the tree file to write: .yaml, .yml or .json")
    dbt.add_argument("--root", metavar="METRIC",
                     help="the tree's root (default: the one metric no other uses)")
    dbt.add_argument("--duckdb-dir", metavar="DIR",
                     help="read each table from DIR/<table>.parquet (or .csv, .json) with DuckDB")
    dbt.add_argument("--table", action="append", default=[], metavar="NAME=FILE",
                     help="read table NAME from FILE with DuckDB (repeatable)")
    dbt.add_argument("--url", metavar="URL",
                     help="the warehouse the tables live in, e.g. "
                          "'postgresql://${PGUSER}:${PGPASSWORD}@host/db'")
    dbt.add_argument("--grain", default="month",
                     choices=("day", "week", "month", "quarter", "year"),
                     help="the length of the tree's periods (default: month)")
    dbt.add_argument("-f", "--force", action="store_true", help="overwrite FILE if it exists")

    demo = sub.add_parser("demo", help="a tour of a built-in sample tree")
    demo.add_argument("archetype", nargs="?", default="b2b_saas",
                      help="the archetype to tour (default: b2b_saas)")
    demo.add_argument("-o", "--out", type=Path, default=None,
                      help="folder for the tree's SVG and Markdown")
    sub.add_parser("archetypes", help="list the built-in business-model archetypes")
    sub.add_parser("schema", help="print the JSON Schema of tree files (for editors)")
    return parser


def _numbers_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--period", metavar="P", help="which period (default: the last)")
    parser.add_argument("--scenario", metavar="S", help="show a scenario's targets")


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``kpitree`` with ``argv`` (default: the command line); returns the exit code."""
    from .errors import KPITreeError

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors: argparse has printed them
        return exc.code if isinstance(exc.code, int) else (OK if exc.code is None else USAGE)
    commands = {"new": cmd_new, "render": cmd_render, "check": cmd_check, "diff": cmd_diff,
                "rollup": cmd_rollup, "refresh": cmd_refresh, "import-dbt": cmd_import_dbt,
                "archetypes": cmd_archetypes, "schema": cmd_schema}
    try:
        if args.command == "demo":
            from .demo import run_demo

            return run_demo(args.archetype, args.out)
        return commands[args.command](args)
    except UsageError as exc:
        return _fail(f"{exc} (see 'kpitree {args.command} --help')")
    except KPITreeError as exc:
        return _fail(str(exc))
    except _GraphvizMissing as exc:
        return _fail(str(exc), NO_GRAPHVIZ)
    except BrokenPipeError:  # pragma: no cover - `kpitree schema | head`
        return OK
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        return _fail(f"{where}{exc.strerror or exc}")
    except Exception as exc:  # a bug, not a finding: exit 1 must keep meaning "found errors"
        return _fail(f"internal error in 'kpitree {args.command}' ({type(exc).__name__}: "
                     f"{exc}); please report it", CRASHED)


def _fail(message: str, code: int = USAGE) -> int:
    from .plaintext import visible_line

    print(f"kpitree: error: {visible_line(message)}", file=sys.stderr)
    return code


class _GraphvizMissing(Exception):
    pass


# ---------------------------------------------------------------------------- helpers


def _load(path: str) -> Any:
    """A tree from a file; errors say which file."""
    from . import load

    suffix = Path(path).suffix.lower()
    if suffix not in TREE_SUFFIXES:
        raise UsageError(f"{path}: a tree file ends in .yaml, .yml or .json, "
                         f"not {suffix or '(no suffix)'!r}")
    return load(path)


def _output(path: str, suffixes: Sequence[str], force: bool) -> Path:
    out = Path(path)
    suffix = out.suffix.lower()
    if suffix not in suffixes:
        raise UsageError(f"{path}: cannot write {suffix or 'a file without a suffix'}; "
                         f"use {', '.join(suffixes)}")
    if out.exists() and not force:
        raise UsageError(f"{path}: the file exists; pass --force to overwrite it")
    if out.is_dir():
        raise UsageError(f"{path}: is a directory")
    return out


def _say(text: str) -> None:
    """Print text that may hold names from a file: control characters shown as escapes."""
    from .plaintext import visible

    print(visible(text))


# ---------------------------------------------------------------------------- commands


def cmd_new(args: argparse.Namespace) -> int:
    """``kpitree new ARCHETYPE -o FILE``."""
    import kpitree_widget as kt

    out = _output(args.output, NEW_SUFFIXES, args.force)
    if out.suffix.lower() == ".ipynb":
        import nbformat

        nbformat.write(kt.template(args.archetype), str(out))
        _say(f"wrote the {args.archetype} workshop notebook to {out}")
        return OK
    tree = kt.archetype(args.archetype)
    tree.save(out)
    _say(f"wrote the {args.archetype} tree ({len(tree)} metrics) to {out}")
    return OK


def cmd_render(args: argparse.Namespace) -> int:
    """``kpitree render TREE -o FILE``."""
    out = _output(args.output, RENDER_SUFFIXES, force=True)
    suffix = out.suffix.lower()
    picture_only = [flag for flag, used in (("--max-level", args.max_level is not None),
                                            ("--legend", args.legend),
                                            ("--findings", args.findings),
                                            ("--fields", args.fields != "value,target,owner"))
                    if used]
    if suffix not in PICTURE_SUFFIXES and picture_only:
        raise UsageError(f"{picture_only[0]} applies to pictures "
                         f"({', '.join(PICTURE_SUFFIXES)}), not {suffix}")
    if args.table and suffix != ".md":
        raise UsageError(f"--table applies to Markdown (.md), not {suffix}")
    tree = _load(args.tree)
    if suffix == ".md":
        out.write_text(tree.to_markdown(table=args.table, period=args.period,
                                        scenario=args.scenario, title=tree.name or None) + "\n",
                       encoding="utf-8")
    elif suffix == ".mmd":
        direction = "TD" if args.direction == "TB" else args.direction
        out.write_text(tree.to_mermaid(direction=direction, period=args.period,
                                       scenario=args.scenario) + "\n", encoding="utf-8")
    elif suffix == ".xlsx":
        if args.scenario is not None:
            raise UsageError("--scenario does not apply to .xlsx: the workbook's Scenarios "
                             "sheet holds every scenario")
        try:
            tree.to_excel(out, period=args.period)
        except ImportError as exc:
            raise UsageError(str(exc)) from None
    else:
        from .export.graphviz import GraphvizMissing, render

        fields = tuple(f.strip() for f in args.fields.split(",") if f.strip())
        try:
            render(tree, out, direction=args.direction, fields=fields, max_level=args.max_level,
                   period=args.period, scenario=args.scenario, findings=args.findings,
                   legend=args.legend)
        except GraphvizMissing as exc:
            raise _GraphvizMissing(f"{exc} (or write .dot, .md or .mmd, which need no "
                                   "Graphviz)") from None
    _say(f"wrote {out}")
    return OK


def cmd_check(args: argparse.Namespace) -> int:
    """``kpitree check TREE...``: exit 1 on errors (``--strict``: on warnings too); with
    several files, each is checked and the worst exit code is returned (2 when one of them
    cannot be read)."""
    from .errors import KPITreeError
    from .plaintext import json_text

    if len(args.tree) == 1:
        code, report = _check_one(args.tree[0], args)
        if report is not None:
            print(json_text(report))
        return code
    codes, reports = [], []
    for path in args.tree:
        try:
            code, report = _check_one(path, args)
        except (KPITreeError, UsageError) as exc:
            message = str(exc).removeprefix(f"{Path(path).name}: ")
            message = message if message.startswith(path) else f"{path}: {message}"
            _fail(message)
            code, report = USAGE, {"tree": path, "ok": False, "error": message}
        codes.append(code)
        reports.append(report)
    if args.format == "json":
        print(json_text(reports))
    return USAGE if USAGE in codes else max(codes)


def _check_one(path: str, args: argparse.Namespace) -> tuple[int, dict[str, Any] | None]:
    """Check one file (with the --data/--plan files loaded into it): print its findings
    (text) or return its report (json)."""
    from .plaintext import visible_line

    strict, fmt = args.strict, args.format
    tree = _load(path)
    _load_files(tree, args)
    findings = tree.check()
    severities = [f.severity for f in findings]
    errors, warnings = severities.count("error"), severities.count("warning")
    failed = errors > 0 or (strict and warnings > 0)
    if fmt == "json":
        rows = [{"rule": f.rule, "severity": f.severity, "metric": f.metric,
                 "message": f.message} for f in findings]
        return (FINDINGS if failed else OK), {"tree": path, "ok": not failed, "errors": errors,
                                               "warnings": warnings, "findings": rows}
    for f in findings:
        _say(f"{f.severity:<8} {f.rule:<24} {visible_line(f.metric or '(tree)')}: "
             f"{visible_line(f.message)}")
    others = len(findings) - errors - warnings
    summary = (f"{path}: {errors} error{'s' * (errors != 1)}, "
               f"{warnings} warning{'s' * (warnings != 1)}"
               + (f", {others} note{'s' * (others != 1)}" if others else ""))
    verdict = "FAIL" if failed else "OK"
    _say(f"{summary}: {verdict}" + (" (--strict: warnings fail)" if strict and failed
                                     and not errors else ""))
    return (FINDINGS if failed else OK), None


def cmd_diff(args: argparse.Namespace) -> int:
    """``kpitree diff OLD NEW``: the changes in words; exit 1 when there are any."""
    from .plaintext import json_text, visible_line
    from .treediff import diff_trees

    changes = diff_trees(_load(args.old), _load(args.new))
    if args.format == "json":
        print(json_text({"old": args.old, "new": args.new, "same": not changes,
                         "changes": [c.as_dict() for c in changes]}))
    else:
        for change in changes:
            _say(visible_line(change.text))
    return FINDINGS if changes else OK


def cmd_rollup(args: argparse.Namespace) -> int:
    """``kpitree rollup TREE``: the numbers as a table, CSV or JSON."""
    from .plaintext import escape_json_controls

    tree = _load(args.tree)
    if args.refresh:
        tree.refresh()
    _load_files(tree, args)
    if args.format in ("csv", "json"):
        df = tree.rollup(period=args.period, scenario=args.scenario)
        if args.format == "csv":
            sys.stdout.write(csv_text(df))
        else:
            print(escape_json_controls(df.to_json(orient="index", indent=2, force_ascii=False)))
    else:
        print(rollup_table(tree, period=args.period, scenario=args.scenario))
    return OK


def cmd_refresh(args: argparse.Namespace) -> int:
    """``kpitree refresh TREE [--save]``: refresh from the sources and print the report."""
    tree = _load(args.tree)
    report = tree.refresh(partial=args.partial)
    columns = ["layer", "source", "rows", "first", "last", "seconds", "status"]
    print(report[columns].to_string())
    failed = report[report["status"] != "ok"]
    for metric, row in failed.iterrows():
        print(f"{metric}: {row['message']}", file=sys.stderr)
    if args.save:
        tree.save(args.tree)
        _say(f"saved {args.tree}")
    return FINDINGS if len(failed) else OK


def cmd_import_dbt(args: argparse.Namespace) -> int:
    """``kpitree import-dbt PATH -o TREE``: a tree file from a dbt project's metrics; table
    files are written relative to the tree file."""
    import os

    from .model import KPITree
    from .sources.dbt import tree_spec

    out = _output(args.output, TREE_SUFFIXES, args.force)
    here = out.resolve().parent

    def relative(file: str) -> str:
        return os.path.relpath(Path(file).resolve(), here)

    tables = None
    if args.table:
        tables = {}
        for item in args.table:
            name, sep, file = item.partition("=")
            if not sep or not name or not file:
                raise UsageError(f"--table {item!r}: write NAME=FILE")
            tables[name] = file
    spec = tree_spec(args.path, args.root, url=args.url, tables=tables,
                     duckdb_dir=args.duckdb_dir, grain=args.grain)
    for config in spec["sources"].values():
        if "tables" in config:
            config["tables"] = {t: relative(f) for t, f in config["tables"].items()}
    tree = KPITree.from_dict(spec)
    tree.save(out)
    wired = sum(1 for m in tree.metrics.values() if m.source is not None)
    _say(f"wrote {out}: {len(tree.metrics)} metrics ({wired} with a source), root "
         f"{spec['metrics'] and next(iter(spec['metrics']))}")
    return OK


def csv_text(df: Any, sep: str = ",") -> str:
    """A frame as CSV (``sep="\\t"``: TSV) that a spreadsheet opens as data: every text cell
    (and index label) has its control characters shown as escapes, and one that would start a
    formula (``=``, ``+``, ``-``, ``@``, a tab or CR) gets a leading apostrophe; numbers stay
    numbers.

    >>> import pandas as pd
    >>> print(csv_text(pd.DataFrame({"name": ["=1+2", "Revenue"], "value": [-5.0, 3.0]})))
    ,name,value
    0,'=1+2,-5.0
    1,Revenue,3.0
    <BLANKLINE>
    """
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    from .plaintext import spreadsheet_text, visible

    def cell(x: Any) -> Any:
        return spreadsheet_text(visible(x)) if isinstance(x, str) else x

    def is_text(dtype: Any) -> bool:
        return not (is_numeric_dtype(dtype) or is_bool_dtype(dtype))

    out = df.copy()
    for column in out.columns:
        if is_text(out[column].dtype):
            out[column] = out[column].map(cell)
    if is_text(out.index.dtype):
        out.index = out.index.map(cell)
    text: str = out.to_csv(sep=sep)
    return text


def _load_files(tree: Any, args: argparse.Namespace) -> None:
    """``--data`` (actuals) and ``--plan`` (targets), each checked whole before it loads."""
    if args.data:
        _load_data(tree, args.data)
    if args.plan:
        _load_data(tree, args.plan, layer="target", option="--plan")


def _load_data(tree: Any, path: str, layer: str = "value", option: str = "--data") -> None:
    """Numbers from a CSV (wide: a period column and one column per metric id; or long:
    ``metric``, ``period``, ``value``) through ``tree.load_data`` into ``layer``."""
    if Path(path).suffix.lower() != ".csv":
        raise UsageError(f"{path}: {option} takes a .csv file (one row per period, one column "
                         "per metric id)")
    from .errors import KPITreeError

    try:
        tree.load_data(path, layer=layer)
    except KPITreeError as exc:
        raise KPITreeError(f"{option} {path}: {exc}") from None


def rollup_table(tree: Any, period: Any = None, scenario: str | None = None) -> str:
    """The rollup as an aligned text table: indented names, numbers as every picture shows
    them (one row model, one formatter)."""
    from .engine import STATUS_LABELS
    from .export._common import text_or_none
    from .plaintext import visible_line
    from .rows import tree_rows

    rows = [("metric", "value", "target", "variance", "status", "owner")]
    for row in tree_rows(tree, period=period, scenario=scenario):
        name = "  " * row.level + visible_line(row.name)
        if len(name) > 44:
            name = name[:43] + "…"
        rows.append((
            name,
            row.value_text,
            row.target_text,
            row.variance_pct_text,
            STATUS_LABELS.get(row.status, row.status),
            visible_line(text_or_none(row.owner) or ""),
        ))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for r in rows:
        cells = [r[0].ljust(widths[0]), *(c.rjust(w) for c, w in zip(r[1:4], widths[1:4])),
                 r[4].ljust(widths[4]), r[5]]
        lines.append("  ".join(cells).rstrip())
    head = [visible_line(tree.name)] if tree.name else []
    return "\n".join(head + lines)


def cmd_archetypes(args: argparse.Namespace) -> int:
    """``kpitree archetypes``: name, title and size of each built-in archetype."""
    import kpitree_widget as kt

    from .errors import KPITreeError

    names = kt.archetypes()
    width = max((len(n) for n in names), default=0)
    for name in names:
        try:
            tree = kt.archetype(name)
        except KPITreeError as exc:
            _say(f"{name:<{width}}  (does not load: {exc})")
            continue
        root = tree.metrics[tree.root].name
        _say(f"{name:<{width}}  {tree.name or name} — North Star: {root} "
             f"({len(tree)} metrics)")
    return OK


def cmd_schema(args: argparse.Namespace) -> int:
    """``kpitree schema``: the JSON Schema of tree files."""
    import kpitree_widget as kt

    from .plaintext import json_text

    print(json_text(kt.json_schema()))
    return OK


if __name__ == "__main__":
    sys.exit(main())
