#!/usr/bin/env bash
# Set up everything kpitree-widget needs on a fresh Debian machine, then run one job.
#
#   scripts/bootstrap.sh demo    set up, then run the demo on a built-in sample tree
#   scripts/bootstrap.sh test    set up, then run every check and test (what CI runs)
#   scripts/bootstrap.sh dist    set up, then build the wheel and the sdist into dist/
#   scripts/bootstrap.sh setup   set up only
#
# Needs Python 3.11+ and node/npm. Installs the system packages it is missing (graphviz; for the
# tests also chromium, for the browser tests, LibreOffice Calc, to recalculate exported
# workbooks, and PostgreSQL and a Java runtime, for the live-data tests that start a database
# server and Spark) with apt-get, as root or through sudo.
set -euo pipefail
cd "$(dirname "$0")/.."
job=${1:-demo}

say() { printf '\n== %s\n' "$*"; }
# pip's notes about package-index folders a machine does not have are noise here
quiet() { "$@" 2>&1 | { grep -v "is ignored: it is neither a file nor a directory" || true; }; }

python=${PYTHON:-python3}
"$python" - <<'PY' || { echo "Python 3.11 or newer is needed (set PYTHON=...)"; exit 1; }
import sys; sys.exit(sys.version_info < (3, 11))
PY
command -v npm >/dev/null || { echo "node and npm are needed to build the widget's JavaScript"; exit 1; }

missing=()
command -v dot >/dev/null || missing+=(graphviz)
if [[ $job == test ]]; then
  command -v chromium >/dev/null || [[ -x /usr/bin/chromium ]] || missing+=(chromium)
  command -v soffice >/dev/null || missing+=(libreoffice-calc-nogui)
  # the live-data tests start a PostgreSQL server and run Spark (a Java runtime) themselves
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
  command -v java >/dev/null || missing+=(default-jre-headless)
fi
if ((${#missing[@]})); then
  say "installing system packages: ${missing[*]}"
  sudo=""; [[ $(id -u) == 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ ! -x .venv/bin/python ]]; then
  say "creating .venv"
  "$python" -m venv .venv
fi
say "installing the package and its development tools into .venv"
quiet .venv/bin/python -m pip install -q --upgrade pip
quiet .venv/bin/python -m pip install -q -e ".[dev]"

case $job in
  setup) ;;
  demo)
    say "demo: a tour of the B2B SaaS sample tree"
    .venv/bin/kpitree demo b2b_saas --out demo-output
    say "demo: running examples/quickstart.ipynb in a real kernel"
    .venv/bin/python - <<'PY'
import nbformat
from nbclient import NotebookClient

nb = nbformat.read("examples/quickstart.ipynb", as_version=4)
NotebookClient(nb, kernel_name="python3", timeout=300,
               resources={"metadata": {"path": "demo-output"}}).execute()
nbformat.write(nb, "demo-output/quickstart.ipynb")
print("  executed notebook with its outputs: demo-output/quickstart.ipynb")
PY
    echo
    echo "Explore the live widget:  .venv/bin/jupyter lab examples/quickstart.ipynb"
    ;;
  test)
    say "lint (ruff), types (mypy) and the package's layers (lint-imports)"
    .venv/bin/ruff check src tests benchmarks
    .venv/bin/mypy
    .venv/bin/lint-imports --no-cache
    if [[ -f js/package.json ]]; then
      say "JavaScript: types and unit tests"
      (cd js && npm ci --no-audit --no-fund --loglevel=error && npm run --silent typecheck && npm test --silent)
    fi
    say "Python tests (unit, notebooks, browser end-to-end)"
    .venv/bin/python -m pytest
    ;;
  dist)
    out=${DIST_DIR:-dist}
    say "building the sdist, then the wheel from it, into $out/"
    rm -rf "$out"
    quiet .venv/bin/python -m build --outdir "$out" .
    .venv/bin/twine check --strict "$out"/*
    .venv/bin/python - "$out" <<'PY'
import sys, zipfile
from pathlib import Path

(wheel,) = Path(sys.argv[1]).glob("*.whl")
names = zipfile.ZipFile(wheel).namelist()
for name in names:
    print("  ", name)
needed = ["kpitree_widget/static/widget.js", "kpitree_widget/static/widget.css",
          "kpitree_widget/protocol.schema.json"]
missing = [n for n in needed if n not in names]
if missing or not any(n.startswith("kpitree_widget/archetypes/") for n in names):
    sys.exit(f"{wheel.name} lacks {missing or 'the archetypes'}")
print(f"{wheel.name}: {len(names)} files, the view's bundle included")
PY
    ;;
  *) echo "usage: $0 demo|test|dist|setup"; exit 2 ;;
esac
