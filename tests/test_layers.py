"""The package's layers hold: the core imports nothing above it, the facade sits on top.

The contract is declared in pyproject.toml (``[tool.importlinter]``) and checked by
``lint-imports``; these tests run it, and show that a wrong-way import breaks it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import kpitree_widget as kt

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")


def lint(config: Path, cwd: Path, src: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT), "--config", str(config), "--no-cache"], cwd=cwd,
                          env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=120)


def test_the_package_keeps_its_layers() -> None:
    done = lint(ROOT / "pyproject.toml", ROOT, ROOT / "src")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "KEPT" in done.stdout


def test_a_wrong_way_import_breaks_the_contract(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(Path(kt.__file__).parent, src / "kpitree_widget",
                    ignore=shutil.ignore_patterns("static", "__pycache__"))
    tree_module = src / "kpitree_widget" / "tree.py"
    tree_module.write_text(tree_module.read_text() + "\nfrom .analysis import solve  # noqa\n")
    config = tmp_path / "pyproject.toml"
    config.write_text((ROOT / "pyproject.toml").read_text())
    done = lint(config, tmp_path, src)
    assert done.returncode != 0
    assert "kpitree_widget.tree is not allowed to import kpitree_widget.analysis" in done.stdout


def test_every_module_of_the_package_has_a_layer() -> None:
    layers = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
        "contracts"][0]["layers"]
    named = {name.strip().removeprefix("kpitree_widget.")
             for layer in layers for name in layer.replace(":", "|").split("|")}
    package = Path(kt.__file__).parent
    top = {p.stem for p in package.glob("*.py") if p.stem != "__init__"}
    top |= {p.name for p in package.iterdir() if (p / "__init__.py").is_file()}
    assert top <= named, f"modules without a layer: {sorted(top - named)}"
