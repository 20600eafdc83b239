"""Plan versus actual from the command line: `kpitree rollup` and `kpitree check` take the
actuals with --data and the plan with --plan; a second --data is refused, never loaded as the
actuals in place of the first."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from kpitree_widget.cli import main


@pytest.fixture
def files(tmp_path: Path, revenue_spec: dict[str, Any]) -> dict[str, Path]:
    tree = tmp_path / "revenue.yaml"
    tree.write_text(yaml.safe_dump(revenue_spec), encoding="utf-8")
    actuals = tmp_path / "actuals.csv"
    actuals.write_text("period,website_visitors\n2026-01,50000\n2026-02,52000\n")
    plan = tmp_path / "plan.csv"
    plan.write_text("period,website_visitors\n2026-01,60000\n2026-02,62000\n")
    return {"tree": tree, "actuals": actuals, "plan": plan}


def run(capsys: pytest.CaptureFixture[str], *argv: Any) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def rollup_json(capsys: pytest.CaptureFixture[str], *argv: Any) -> dict[str, Any]:
    code, out, err = run(capsys, "rollup", *argv, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def test_rollup_shows_the_actuals_against_the_plan_loaded_beside_them(capsys, files):
    rows = rollup_json(capsys, files["tree"], "--data", files["actuals"], "--plan",
                       files["plan"], "--period", "2026-01")
    assert rows["website_visitors"]["value"] == 50000
    assert rows["website_visitors"]["target"] == 60000
    last = rollup_json(capsys, files["tree"], "--data", files["actuals"], "--plan",
                       files["plan"])
    assert (last["website_visitors"]["value"], last["website_visitors"]["target"]) == (
        52000, 62000)
    code, out, _ = run(capsys, "rollup", files["tree"], "--plan", files["plan"])
    assert code == 0 and "62k" in out  # a plan alone: the tree's actuals stay as they are


def test_giving_data_twice_is_a_usage_error_not_a_plan_loaded_as_actuals(capsys, files):
    for command in ("rollup", "check"):
        code, out, err = run(capsys, command, files["tree"], "--data", files["actuals"],
                             "--data", files["plan"])
        assert code == 2
        assert out == ""
        assert "--data: given twice" in err and "--plan" in err
    code, _, err = run(capsys, "rollup", files["tree"], "--plan", files["plan"], "--plan",
                       files["actuals"])
    assert code == 2 and "--plan: given twice" in err


def test_check_reads_the_plan_and_the_actuals(capsys, files, tmp_path):
    code, out, err = run(capsys, "check", files["tree"], "--data", files["actuals"], "--plan",
                         files["plan"], "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    rules = {f["rule"] for f in report["findings"]}
    assert "aggregation.missing" in rules  # the tree has months now: flows need a rule
    # without the files the same tree is scalar: no such warning
    code, out, _ = run(capsys, "check", files["tree"], "--format", "json")
    assert "aggregation.missing" not in {f["rule"] for f in json.loads(out)["findings"]}


def test_a_bad_plan_file_names_the_option_the_metric_and_the_period(capsys, files, tmp_path):
    bad = tmp_path / "bad_plan.csv"
    bad.write_text("period,revenue\n2026-01,600000\n")
    code, out, err = run(capsys, "rollup", files["tree"], "--plan", bad)
    assert code == 2 and out == ""
    assert "--plan" in err and "metrics.revenue.target (period 2026-01)" in err
    code, _, err = run(capsys, "check", files["tree"], "--plan", files["tree"])
    assert code == 2 and "--plan takes a .csv file" in err
