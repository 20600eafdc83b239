"""Trees far deeper than anyone draws them (thousands of levels, past Python's recursion limit)
are checked, solved and analysed like shallow ones, and a command that fails anyway never exits
with the code that means "found errors"."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

import kpitree_widget as kt
from kpitree_widget.cli import CRASHED, FINDINGS, main

DEPTH = sys.getrecursionlimit() * 3  # well past what a recursive walk survives


def chain_spec(depth: int = DEPTH) -> dict[str, Any]:
    """A chain m0 = m1 * 1, m1 = m2 * 1, ... down to one input."""
    metrics: dict[str, Any] = {f"m{i}": {"formula": f"m{i + 1} * 1", "owner": "CEO"}
                               for i in range(depth)}
    metrics[f"m{depth}"] = {"value": 2.0, "target": 2.0, "owner": "CEO"}
    return {"root": "m0", "metrics": metrics}


@pytest.fixture(scope="module")
def deep() -> kt.KPITree:
    return kt.KPITree.from_dict(chain_spec())


def test_a_very_deep_tree_is_checked_and_its_depth_reported(deep: kt.KPITree) -> None:
    found = deep.check()
    depth = [f for f in found if f.rule == "structure.depth"]
    assert depth and f"{DEPTH + 1} levels deep" in depth[0].message


def test_a_very_deep_tree_is_solved_through_its_one_path() -> None:
    tree = kt.KPITree.from_dict(chain_spec())
    assert tree.solve("m0", 5.0, lever=f"m{DEPTH}") == pytest.approx(5.0)
    assert tree.rollup().loc["m0", "implied_target"] == pytest.approx(5.0)


def test_a_very_deep_tree_is_analysed(deep: kt.KPITree) -> None:
    assert len(deep.sensitivity()) > 0
    assert len(deep.attribute()) > 0


def test_kpitree_check_of_a_deep_tree_reports_findings(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(yaml.safe_dump(chain_spec(1200)), encoding="utf-8")
    code = main(["check", str(path)])
    out, err = capsys.readouterr()
    assert code in (0, FINDINGS) and "structure.depth" in out, err


def test_a_crash_in_kpitree_check_is_not_read_as_findings(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "tree.yaml"
    path.write_text(yaml.safe_dump(chain_spec(3)), encoding="utf-8")

    def broken(self: Any, **_: Any) -> Any:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(kt.KPITree, "check", broken)
    code = main(["check", str(path)])
    _, err = capsys.readouterr()
    assert code == CRASHED != FINDINGS
    assert err.startswith("kpitree: error: internal error") and "RecursionError" in err
