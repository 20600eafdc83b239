"""The demo: a tour of one built-in tree in the terminal, with its picture written to a folder.

Run it with ``kpitree demo`` (or ``python -m kpitree_widget demo``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .numbers import format_number

if TYPE_CHECKING:
    from .model import KPITree


def _money(tree: KPITree, metric: str, x: float) -> str:
    return format_number(x, tree.metrics[metric].unit)


def run_demo(name: str = "b2b_saas", out: Path | None = None) -> int:
    """Print the tour of archetype ``name``; write its SVG and Markdown into ``out``."""
    from .catalog import load_archetype
    from .model import KPITree

    tree = load_archetype(name, cls=KPITree)
    root = tree.root
    root_name = tree.metrics[root].name
    rows = tree.rollup()

    def section(title: str) -> None:
        print(f"\n== {title}")

    section(f"The {tree.name} tree: value (actual) vs target (plan)")
    print(tree)

    value, target = rows.loc[root, "value"], rows.loc[root, "target"]
    section(f"Why did {root_name} miss plan? Exact attribution, the five biggest drivers")
    why = tree.attribute(start="target", end="value")
    print(f"{root_name}: {_money(tree, root, value)} against a plan of "
          f"{_money(tree, root, target)} ({_money(tree, root, value - target)})")
    top = why.reindex(why["contribution"].abs().sort_values(ascending=False).index).head(5)
    for metric, row in top.iterrows():
        amount = _money(tree, root, row["contribution"])
        print(f"  {tree.metrics[str(metric)].name:<40} {amount:>10}")
    print(f"  (the contributions of all {len(why)} inputs add up to the miss exactly: "
          f"{_money(tree, root, why['contribution'].sum())})")

    section("Which levers matter most? Plan moved by -10% / +10%, one input at a time")
    levers = tree.sensitivity(step=0.1).head(5)
    for metric, row in levers.iterrows():
        print(f"  {tree.metrics[str(metric)].name:<40} {_money(tree, root, row['low']):>10} .. "
              f"{_money(tree, root, row['high']):>10}")

    section("Health check")
    findings = tree.check()
    if not findings:
        print("  no findings")
    for finding in findings:
        print(f"  {finding.severity:<8} {finding.message}")

    from .export.template_content import WORKSHOPS

    plan = WORKSHOPS[name].solve if name in WORKSHOPS else None
    lever = plan.lever if plan else str(levers.index[0])
    goal = float(plan.goal) if plan and plan.metric == root else float(target) * 1.1
    section(f"Back-solve: what {tree.metrics[lever].name} does a {_money(tree, root, goal)} "
            f"{root_name} need?")
    before = tree.get_target(lever)
    needed = tree.solve(root, goal, lever=lever)
    print(f"  {tree.metrics[lever].name}: {format_number(before, tree.metrics[lever].unit)} "  # type: ignore[arg-type]
          f"-> {format_number(needed, tree.metrics[lever].unit)}; {root_name} target is now "
          f"{_money(tree, root, tree.rollup().loc[root, 'target'])}")

    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{name}.md").write_text(tree.to_markdown(), encoding="utf-8")
        written = [out / f"{name}.md"]
        try:
            (out / f"{name}.svg").write_bytes(tree.to_graphviz().pipe(format="svg"))
            written.append(out / f"{name}.svg")
        except Exception as exc:  # the picture is a bonus: say why it is missing
            print(f"\n(no SVG: {exc})")
        section("Written")
        for path in written:
            print(f"  {path}")
    print("\nFor the interactive view, open examples/quickstart.ipynb in JupyterLab.")
    return 0
