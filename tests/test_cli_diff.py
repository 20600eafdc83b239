"""Trees in git: `kpitree diff OLD NEW` in words people review, and the pre-commit hook."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from kpitree_widget.cli import main

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = Path(sys.executable).parent / "kpitree"

OLD = """\
name: Acme
metrics:
  revenue: {formula: customers * arpc, owner: CEO}
  customers: {value: 4700, target: 5000, owner: COO}
  arpc: {value: {2026-01: 120, 2026-02: 121}, target: 125, owner: CFO}
  churn: {value: 0.04, owner: CS, direction: down}
hypotheses:
  - {from: churn, to: customers, sign: "-"}
scenarios:
  upside: {arpc: 130}
"""
NEW = """\
name: Acme plan
metrics:
  revenue: {formula: clients * arpc * share, owner: CEO}
  clients: {value: 4700, target: 5000, owner: COO}
  arpc: {value: {2026-01: 120, 2026-02: 122, 2026-03: 124}, target: 130, unit: currency}
  share: {name: Share of wallet, value: 0.5, owner: Sales Lead}
hypotheses:
  - {from: share, to: clients}
scenarios:
  upside: {arpc: 135}
  downside: {share: 0.4}
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(OLD)
    new.write_text(NEW)
    return old, new


def test_diff_lists_each_change_in_words(files: tuple[Path, Path],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "diff", *map(str, files))
    assert code == 1
    assert out.splitlines() == [
        "name Acme -> Acme plan",
        "~ metric customers renamed to clients",
        "+ metric share (Share of wallet): owner Sales Lead; value 0.5",
        "- metric churn: owner CS; value 0.04",
        "revenue: formula clients * arpc -> clients * arpc * share",
        "arpc: unit set to currency",
        "arpc: owner removed (was CFO)",
        "arpc: value 2026-02 121 -> 122",
        "arpc: value 2026-03 set to 124",
        "arpc: target 125 -> 130",
        "+ hypothesis share -> clients (+)",
        "- hypothesis churn -> clients (-)",
        "scenario upside: arpc target 130 -> 135",
        "+ scenario downside: share 0.4",
    ]


def test_diff_of_the_same_tree_in_another_layout_is_empty(files: tuple[Path, Path],
                                                          tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    old, _ = files
    same = tmp_path / "same.json"
    import kpitree_widget as kt

    kt.loads(OLD).save(same)  # JSON, canonical order: the same tree
    assert run(capsys, "diff", str(old), str(same)) == (0, "", "")


def test_diff_as_json_for_tools(files: tuple[Path, Path],
                                capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "diff", *map(str, files), "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["same"] is False
    target = next(c for c in data["changes"] if c["field"] == "target")
    assert (target["metric"], target["old"], target["new"]) == ("arpc", 125, 130)
    assert {"kind": "metric renamed", "old": "customers", "new": "clients"}.items() <= \
        next(c for c in data["changes"] if c["kind"] == "metric renamed").items()


def test_diff_errors_use_the_usual_exit_codes(files: tuple[Path, Path], tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    old, _ = files
    code, _, err = run(capsys, "diff", str(old), str(tmp_path / "missing.yaml"))
    assert code == 2 and "missing.yaml: no such file" in err
    broken = tmp_path / "broken.yaml"
    broken.write_text("metrics:\n  a: {formula: b +}\n")
    code, _, err = run(capsys, "diff", str(old), str(broken))
    assert code == 2 and "broken.yaml" in err
    code, _, err = run(capsys, "diff", str(old))
    assert code == 2 and "NEW" in err


def test_many_period_changes_are_summarised(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    months = [f"2026-{m:02d}" for m in range(1, 13)] + [f"2027-{m:02d}" for m in range(1, 13)]
    old, new = tmp_path / "a.yaml", tmp_path / "b.yaml"
    numbers = ", ".join(f"{p}: {i}" for i, p in enumerate(months))
    old.write_text(f"metrics:\n  t: {{formula: a}}\n  a: {{value: {{{numbers}}}}}\n")
    numbers = ", ".join(f"{p}: {i + 1}" for i, p in enumerate(months))
    new.write_text(f"metrics:\n  t: {{formula: a}}\n  a: {{value: {{{numbers}}}}}\n")
    code, out, _ = run(capsys, "diff", str(old), str(new))
    assert code == 1
    assert out.splitlines()[0] == "a: value 2026-01 0 -> 1"
    assert out.splitlines()[-1] == "a: value: ... and 12 more periods"


# ---------------------------------------------------------------------------- pre-commit


def test_the_pre_commit_hook_file_is_a_valid_manifest() -> None:
    clientlib = pytest.importorskip("pre_commit.clientlib")
    hooks = clientlib.load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    ids = {h["id"]: h for h in hooks}
    assert set(ids) == {"kpitree-check", "kpitree-check-strict"}
    assert ids["kpitree-check"]["entry"] == "kpitree check"
    assert ids["kpitree-check"]["language"] == "python"


def test_the_hooks_entry_runs_on_the_files_it_matches(tmp_path: Path) -> None:
    """What pre-commit does: match the staged files against `files`, then run the entry with
    them as arguments."""
    import yaml

    import kpitree_widget as kt

    hook = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())[0]
    (tmp_path / "kpi").mkdir()
    good = tmp_path / "kpi" / "tree.yaml"
    kt.archetype("b2b_saas").save(good)
    plan = tmp_path / "plan.kpi.json"
    kt.archetype("b2b_saas").save(plan)
    staged = ["kpi/tree.yaml", "plan.kpi.json", ".github/workflows/ci.yml", "README.md"]
    matched = [f for f in staged if re.search(hook["files"], f)]
    assert matched == ["kpi/tree.yaml", "plan.kpi.json"]
    command = shlex.split(hook["entry"])
    assert command[0] == "kpitree"
    result = subprocess.run([str(SCRIPT), *command[1:], *matched], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "kpi/tree.yaml: 0 errors" in result.stdout and "plan.kpi.json: 0 errors" in \
        result.stdout
    broken = tmp_path / "kpi" / "broken.yaml"
    broken.write_text("metrics:\n  a: {formula: b}\n")
    result = subprocess.run([str(SCRIPT), *command[1:], *matched, "kpi/broken.yaml"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2  # a malformed file fails the commit, after the others ran
    assert "kpi/broken.yaml" in result.stderr and "plan.kpi.json: 0 errors" in result.stdout
