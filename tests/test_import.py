"""Importing the package stays light: notebook, plotting and table libraries load on first use."""

import subprocess
import sys

HEAVY = ["pandas", "ipywidgets", "anywidget", "matplotlib", "graphviz", "nbformat", "pydantic",
         "yaml", "scipy", "IPython", "traitlets", "nbclient"]


def test_importing_the_package_loads_no_notebook_or_plotting_library():
    code = ("import sys, kpitree_widget\n"
            f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_widget_loads_when_first_asked_for():
    code = ("import sys, kpitree_widget as kt\n"
            "assert 'anywidget' not in sys.modules\n"
            "kt.TreeWidget\n"
            "print('anywidget' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True"
