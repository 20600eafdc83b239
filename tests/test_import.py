"""Importing the package stays light: notebook, plotting and table libraries load on first use."""

import subprocess
import sys

HEAVY = ["pandas", "ipywidgets", "anywidget", "matplotlib", "graphviz", "nbformat", "pydantic",
         "yaml", "scipy", "IPython", "traitlets", "nbclient"]


def fresh(code: str) -> str:
    """What ``code`` prints in a fresh interpreter (nothing imported yet)."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_importing_the_package_loads_no_notebook_or_plotting_library():
    assert fresh("import sys, kpitree_widget\n"
                 f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))"
                 ) == "[]"


def test_the_widget_loads_when_first_asked_for():
    assert fresh("import sys, kpitree_widget as kt\n"
                 "assert 'anywidget' not in sys.modules\n"
                 "kt.TreeWidget\n"
                 "print('anywidget' in sys.modules)") == "True"


def test_the_health_check_loads_no_review_code():
    assert fresh("import sys, kpitree_widget as kt\n"
                 "kt.archetype('b2b_saas').check()\n"
                 "print(sorted(m for m in sys.modules if m.startswith('kpitree_widget.review')))"
                 ) == "[]"


def test_review_names_load_on_first_use():
    import kpitree_widget.review as review

    assert set(review.__all__) <= set(dir(review))
    for name in review.__all__:
        assert getattr(review, name) is not None
