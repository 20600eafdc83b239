"""The README's examples run as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import kpitree_widget as kt

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_the_python_example_runs_in_a_fresh_interpreter():
    (code,) = blocks("python")
    done = subprocess.run([sys.executable, "-c", code + "\nprint('README-OK')"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "README-OK" in done.stdout


def test_the_yaml_example_is_the_worked_revenue_tree():
    (text,) = blocks("yaml")
    tree = kt.loads(text)
    table = tree.rollup()
    assert table.loc["revenue", "value"] == (50000 * 0.02 + 4000 - 300) * 120
    assert table.loc["revenue", "target"] == (60000 * 0.025 + 4200 - 250) * 125
    assert tree.check() is not None


def test_the_two_commands_are_the_bootstrap_script_and_ci_runs_the_second():
    (commands,) = [b for b in blocks("bash") if "bootstrap.sh" in b]
    assert "bash scripts/bootstrap.sh demo" in commands
    assert "bash scripts/bootstrap.sh test" in commands
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text()
    assert "scripts/bootstrap.sh test" in ci


def test_the_install_names_the_wheel_of_this_version_and_no_doc_promises_pypi():
    import tomllib

    root = Path(__file__).resolve().parent.parent
    version = tomllib.loads((root / "pyproject.toml").read_text())["project"]["version"]
    (install,) = [b for b in blocks("bash") if "pip install" in b]
    assert f"kpitree_widget-{version}-py3-none-any.whl" in install
    # until the package is published, no page tells people to install it by name from PyPI
    pages = [root / "README.md", *(root / "docs").glob("*.md"), *(root / "examples").glob("*"),
             *(root / "src" / "kpitree_widget").rglob("*.py")]
    by_name = re.compile(r"pip install [\\'\"]*kpitree-widget(\[\w+\])?['\"]?(?![\w./-])")
    claims = [f"{p.relative_to(root)}: {m.group(0)}" for p in pages if p.is_file()
              for m in by_name.finditer(p.read_text(encoding="utf-8", errors="replace"))]
    assert not claims
