"""The `kpitree` command line: every subcommand, its errors and its exit codes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
import yaml

import kpitree_widget as kt
from kpitree_widget.cli import main

SCRIPT = Path(sys.executable).parent / "kpitree"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz 'dot' is not installed")


@pytest.fixture
def tree_file(tmp_path: Path, revenue_spec: dict[str, Any]) -> Path:
    path = tmp_path / "revenue.yaml"
    path.write_text(yaml.safe_dump(revenue_spec), encoding="utf-8")
    return path


@pytest.fixture
def broken_file(tmp_path: Path, revenue_spec: dict[str, Any]) -> Path:
    """A tree with an error finding: a leaf without an owner."""
    del revenue_spec["metrics"]["arpc"]["owner"]
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(revenue_spec), encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------------------- general


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.strip() == f"kpitree {kt.__version__}"
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "render" in out and "Exit codes" in out


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], tree_file: Path) -> None:
    code, _, err = run(capsys)
    assert code == 2 and "required" in err
    code, _, err = run(capsys, "rendr", str(tree_file))
    assert code == 2 and "did you mean 'render'?" in err
    code, _, err = run(capsys, "render", str(tree_file))
    assert code == 2 and "-o/--output" in err
    code, _, err = run(capsys, "render", str(tree_file), "-o", "x.svg", "--max-level", "two")
    assert code == 2 and "--max-level" in err
    code, _, err = run(capsys, "render", str(tree_file), "-o", "x.svg", "--direction", "up")
    assert code == 2 and "--direction" in err
    code, _, err = run(capsys, "check", str(tree_file), "--format", "xml")
    assert code == 2


def test_demo_tours_the_sample_tree_and_writes_its_picture(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "demo", "--out", str(tmp_path))
    assert code == 0
    for heading in ("Why did ARR miss plan?", "Which levers matter most?", "Back-solve",
                    "Health check"):
        assert heading in out
    assert "add up to the miss exactly" in out
    assert (tmp_path / "b2b_saas.svg").read_text().lstrip().startswith("<?xml")
    assert "ARR" in (tmp_path / "b2b_saas.md").read_text()


def test_demo_of_an_unknown_archetype_is_a_usage_error(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "demo", "b2b_sas")
    assert code == 2 and "did you mean 'b2b_saas'" in err


def test_archetypes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "archetypes")
    assert code == 0
    names = [line.split()[0] for line in out.splitlines()]
    assert names == kt.archetypes() and "b2b_saas" in names


def test_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema")
    assert code == 0
    schema = json.loads(out)
    assert schema == kt.json_schema() and "metrics" in schema["properties"]


# ---------------------------------------------------------------------------- new


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".json"])
def test_new_tree_file(capsys: pytest.CaptureFixture[str], tmp_path: Path, suffix: str) -> None:
    out_file = tmp_path / f"saas{suffix}"
    code, out, _ = run(capsys, "new", "b2b_saas", "-o", str(out_file))
    assert code == 0 and str(out_file) in out
    assert kt.load(out_file).to_dict() == kt.archetype("b2b_saas").to_dict()


def test_new_refuses_to_overwrite(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_file = tmp_path / "saas.yaml"
    out_file.write_text("keep me")
    code, _, err = run(capsys, "new", "b2b_saas", "-o", str(out_file))
    assert code == 2 and "--force" in err and out_file.read_text() == "keep me"
    code, _, _ = run(capsys, "new", "b2b_saas", "-o", str(out_file), "--force")
    assert code == 0 and kt.load(out_file).root == kt.archetype("b2b_saas").root


def test_new_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "new", "b2b_sass", "-o", str(tmp_path / "x.yaml"))
    assert code == 2 and "did you mean 'b2b_saas'?" in err and "Traceback" not in err
    code, _, err = run(capsys, "new", "b2b_saas", "-o", str(tmp_path / "x.txt"))
    assert code == 2 and ".ipynb" in err
    assert not list(tmp_path.iterdir())


def test_new_workshop_notebook(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Needs the workshop templates (kt.template)."""
    out_file = tmp_path / "workshop.ipynb"
    code, _, err = run(capsys, "new", "b2b_saas", "-o", str(out_file))
    assert code == 0, err
    nb = nbformat.read(out_file, as_version=4)
    nbformat.validate(nb)
    assert any(c.cell_type == "markdown" for c in nb.cells)


# ---------------------------------------------------------------------------- render


@needs_dot
@pytest.mark.parametrize("suffix,magic", [(".svg", b"<"), (".png", b"\x89PNG"),
                                          (".pdf", b"%PDF"), (".dot", b"digraph")])
def test_render_pictures(capsys: pytest.CaptureFixture[str], tree_file: Path, tmp_path: Path,
                         suffix: str, magic: bytes) -> None:
    out_file = tmp_path / f"tree{suffix}"
    code, _, err = run(capsys, "render", str(tree_file), "-o", str(out_file), "--direction",
                       "lr", "--max-level", "1", "--legend", "--findings")
    assert code == 0, err
    assert out_file.read_bytes().lstrip().startswith(magic)


def test_render_text(capsys: pytest.CaptureFixture[str], tree_file: Path,
                     tmp_path: Path) -> None:
    md, mmd = tmp_path / "tree.md", tmp_path / "tree.mmd"
    assert run(capsys, "render", str(tree_file), "-o", str(md))[0] == 0
    assert md.read_text().startswith("# Acme revenue\n\n- **Revenue**")
    assert run(capsys, "render", str(tree_file), "-o", str(md), "--table")[0] == 0
    assert "| Metric |" in md.read_text()
    assert run(capsys, "render", str(tree_file), "-o", str(mmd), "--direction", "LR")[0] == 0
    assert "flowchart LR" in mmd.read_text()
    code, _, err = run(capsys, "render", str(tree_file), "-o", str(md), "--max-level", "1")
    assert code == 2 and "pictures" in err
    code, _, err = run(capsys, "render", str(tree_file), "-o", str(mmd), "--table")
    assert code == 2 and "--table" in err


def test_render_errors(capsys: pytest.CaptureFixture[str], tree_file: Path,
                       tmp_path: Path) -> None:
    code, _, err = run(capsys, "render", str(tree_file), "-o", str(tmp_path / "t.gif"))
    assert code == 2 and ".svg" in err
    code, _, err = run(capsys, "render", str(tmp_path / "missing.yaml"), "-o",
                       str(tmp_path / "t.svg"))
    assert code == 2 and "missing.yaml: no such file" in err
    code, _, err = run(capsys, "render", str(tree_file), "-o", str(tmp_path / "t.svg"),
                       "--fields", "value,colour")
    assert code == 2 and "colour" in err
    code, _, err = run(capsys, "render", str(tree_file), "-o", str(tmp_path / "t.svg"),
                       "--scenario", "nope")
    assert code == 2 and "unknown scenario" in err
    code, _, err = run(capsys, "render", str(tree_file), "-o",
                       str(tmp_path / "no" / "dir" / "t.dot"))
    assert code == 2 and "No such file or directory" in err


def test_render_without_graphviz(capsys: pytest.CaptureFixture[str], tree_file: Path,
                                 tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    code, _, err = run(capsys, "render", str(tree_file), "-o", str(tmp_path / "t.png"))
    assert code == 3
    assert "apt-get install graphviz" in err and "brew install graphviz" in err
    assert "Traceback" not in err and not (tmp_path / "t.png").exists()
    assert run(capsys, "render", str(tree_file), "-o", str(tmp_path / "t.dot"))[0] == 0


# ---------------------------------------------------------------------------- check


def test_check_exit_codes(capsys: pytest.CaptureFixture[str], tree_file: Path,
                          broken_file: Path) -> None:
    code, out, _ = run(capsys, "check", str(tree_file))  # warnings only
    assert code == 0 and "warning" in out and out.strip().endswith("OK")
    code, out, _ = run(capsys, "check", str(tree_file), "--strict")
    assert code == 1 and "FAIL" in out
    code, out, _ = run(capsys, "check", str(broken_file))
    assert code == 1 and "owner.missing" in out and "arpc" in out


def test_check_clean_tree_passes_strict(capsys: pytest.CaptureFixture[str], tree_file: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kt.KPITree, "check", lambda self, **kw: [])
    code, out, _ = run(capsys, "check", str(tree_file), "--strict")
    assert code == 0 and "0 errors, 0 warnings: OK" in out


def test_check_json(capsys: pytest.CaptureFixture[str], broken_file: Path) -> None:
    code, out, _ = run(capsys, "check", str(broken_file), "--format", "json")
    report = json.loads(out)
    assert code == 1 and report["ok"] is False and report["errors"] >= 1
    finding = next(f for f in report["findings"] if f["rule"] == "owner.missing")
    assert finding == {"rule": "owner.missing", "severity": "error", "metric": "arpc",
                       "message": finding["message"]}


def test_malformed_trees(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                         revenue_spec: dict[str, Any]) -> None:
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("metrics: [unclosed\n")
    code, _, err = run(capsys, "check", str(bad_yaml))
    assert code == 2 and err.startswith("kpitree: error: bad.yaml: line")
    revenue_spec["metrics"]["arpc"]["formla"] = "x"
    typo = tmp_path / "typo.json"
    typo.write_text(json.dumps(revenue_spec))
    code, _, err = run(capsys, "rollup", str(typo))
    assert code == 2 and "did you mean 'formula'?" in err
    revenue_spec["metrics"]["arpc"].pop("formla")
    revenue_spec["metrics"]["revenue"]["formula"] = "customers * __import__('os')"
    evil = tmp_path / "evil.yaml"
    evil.write_text(yaml.safe_dump(revenue_spec))
    code, _, err = run(capsys, "render", str(evil), "-o", str(tmp_path / "e.dot"))
    assert code == 2 and "revenue" in err and "Traceback" not in err
    code, _, err = run(capsys, "check", str(tmp_path / "tree.txt"))
    assert code == 2 and ".yaml, .yml or .json" in err


# ---------------------------------------------------------------------------- rollup


def test_rollup_table(capsys: pytest.CaptureFixture[str], tree_file: Path) -> None:
    code, out, _ = run(capsys, "rollup", str(tree_file))
    lines = out.splitlines()
    assert code == 0 and lines[0] == "Acme revenue"
    assert lines[1].split() == ["metric", "value", "target", "variance", "status", "owner"]
    assert lines[2].startswith("Revenue") and "$564k" in lines[2] and "$681k" in lines[2]
    assert lines[4].startswith("    New customers")


def test_rollup_formats_and_scenario(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                     revenue_spec: dict[str, Any]) -> None:
    revenue_spec["scenarios"] = {"upside": {"signup_rate": 0.04}}
    path = tmp_path / "t.json"
    path.write_text(json.dumps(revenue_spec))
    code, out, _ = run(capsys, "rollup", str(path), "--format", "json", "--scenario", "upside")
    assert code == 0
    assert json.loads(out)["new_customers"]["target"] == pytest.approx(60000 * 0.04)
    code, out, _ = run(capsys, "rollup", str(path), "--format", "csv")
    assert code == 0 and out.splitlines()[0].startswith("metric,name,level")
    code, _, err = run(capsys, "rollup", str(path), "--scenario", "downside")
    assert code == 2 and "unknown scenario" in err


def test_rollup_with_data(capsys: pytest.CaptureFixture[str], tree_file: Path,
                          tmp_path: Path) -> None:
    data = tmp_path / "actuals.csv"
    data.write_text("period,website_visitors,signup_rate\n2026-01,40000,0.02\n"
                    "2026-02,55000,0.03\n")
    code, out, err = run(capsys, "rollup", str(tree_file), "--data", str(data), "--period",
                         "2026-01", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["new_customers"]["value"] == pytest.approx(40000 * 0.02)
    code, out, _ = run(capsys, "rollup", str(tree_file), "--data", str(data))
    assert code == 0 and "1,650" in out  # the last period: 55000 * 0.03
    code, _, err = run(capsys, "rollup", str(tree_file), "--data", str(tmp_path / "none.csv"))
    assert code == 2 and "none.csv" in err
    code, _, err = run(capsys, "rollup", str(tree_file), "--data", str(tree_file))
    assert code == 2 and ".csv" in err


def test_hostile_names_do_not_reach_the_terminal_raw(capsys: pytest.CaptureFixture[str],
                                                     tmp_path: Path,
                                                     revenue_spec: dict[str, Any]) -> None:
    revenue_spec["metrics"]["arpc"]["name"] = "ARPC \x1b[31mred\x1b[0m\nsecond line"
    path = tmp_path / "t.json"
    path.write_text(json.dumps(revenue_spec))
    code, out, _ = run(capsys, "rollup", str(path))
    assert code == 0 and "\x1b" not in out and "ARPC \\x1b[31mred\\x1b[0m second line" in out


# ---------------------------------------------------------------------------- the script


def test_installed_script(tree_file: Path, broken_file: Path, tmp_path: Path) -> None:
    assert SCRIPT.exists(), SCRIPT
    result = subprocess.run([str(SCRIPT), "check", str(broken_file)], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 1 and "owner.missing" in result.stdout
    env = {**os.environ, "PATH": "/nonexistent"}
    result = subprocess.run([str(SCRIPT), "render", str(tree_file), "-o",
                             str(tmp_path / "t.svg")], capture_output=True, text=True,
                            timeout=120, env=env)
    assert result.returncode == 3, result.stderr
    assert "apt-get install graphviz" in result.stderr and "Traceback" not in result.stderr
    result = subprocess.run([str(SCRIPT), "new", "nope", "-o", str(tmp_path / "x.yaml")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "unknown archetype" in result.stderr
