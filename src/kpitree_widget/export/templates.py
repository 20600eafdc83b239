"""Workshop notebooks: the notebook a teacher hands out for one business-model archetype.

Every archetype gets the same skeleton (why this North Star, the math, the live view, the
rollup, a what-if, a back-solve, which leaves matter, the health check, the picture, exercises);
the words and numbers that differ live in :mod:`.template_content`. The math table is built
from the archetype's tree when the notebook is made, so it always matches the YAML.

>>> nb = template("b2b_saas")                       # doctest: +SKIP
>>> nbformat.write(nb, "b2b_saas_workshop.ipynb")   # doctest: +SKIP
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..errors import KPITreeError
from .template_content import CRITERIA, METRIC_REF, WORKSHOPS, Workshop, render_refs

if TYPE_CHECKING:
    from nbformat import NotebookNode

    from ..tree import Tree

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
ROLLUP_COLUMNS = ["name", "level", "value", "target", "variance_pct", "status", "owner"]


def template(name: str) -> NotebookNode:
    """The workshop notebook (nbformat v4) for the archetype ``name``.

    Its code cells start from ``import kpitree_widget as kt`` and
    ``tree = kt.archetype(name)`` and run top to bottom in a fresh kernel.
    """
    from ..catalog import check_name, load_archetype

    check_name(name, "template")
    content = WORKSHOPS.get(name)
    if content is None:
        raise KPITreeError(f"template: no workshop content for archetype {name!r} yet "
                           f"(workshops: {', '.join(WORKSHOPS)})")
    tree = load_archetype(name)
    return _Builder(name, tree, content).build()


def workshops() -> list[str]:
    """Names of the archetypes that have a workshop notebook."""
    return list(WORKSHOPS)


# ------------------------------------------------------------------------------ formatting


def fmt(expr: str, unit: str | None, size: float = 0.0) -> str:
    """An f-string piece that shows ``expr`` in ``unit``: ``$16,000,000``, ``27.1%``, ``4,113``.
    ``size`` is a typical value: from 100 up, decimals are dropped.

    >>> fmt("x", "percent"), fmt("x", "currency"), fmt("x", "minutes"), fmt("x", "days", 300)
    ('{x:.1%}', '${x:,.0f}', '{x:,.1f} minutes', '{x:,.0f} days')
    """
    if unit == "percent":
        return f"{{{expr}:.1%}}"
    if unit == "currency":
        return f"${{{expr}:,.0f}}" if abs(size) >= 100 or not size else f"${{{expr}:,.2f}}"
    decimals = 0 if abs(size) >= 100 or unit == "count" else (2 if unit == "ratio" else 1)
    text = f"{{{expr}:,.{decimals}f}}"
    return f"{text} {unit}" if unit and unit not in ("count", "ratio") else text


def literal(x: float) -> str:
    """A number as Python source people read easily: ``16_000_000``, ``0.93``.

    >>> literal(16000000.0), literal(0.93), literal(4.5)
    ('16_000_000', '0.93', '4.5')
    """
    if float(x).is_integer():
        return f"{int(x):_}"
    return repr(float(x))


def shown(x: float, unit: str | None) -> str:
    """A number for prose, by unit.

    >>> shown(0.93, "percent"), shown(16e6, "currency"), shown(3.7, "ratio")
    ('93%', '$16,000,000', '3.7')
    """
    if unit == "percent":
        return f"{x * 100:.3g}%"
    if unit == "currency":
        return f"${x:,.0f}" if abs(x) >= 100 else f"${x:,.2f}"
    if float(x).is_integer():
        text = f"{int(x):,}"
    else:
        text = f"{x:,.3g}"
    return f"{text} {unit}" if unit and unit not in ("count", "ratio") else text


def _fs(text: str) -> str:
    r"""Text to put inside a double-quoted f-string of generated code.

    >>> print(_fs('Rate "A" {x}'))
    Rate \"A\" {{x}}
    """
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("{", "{{")
            .replace("}", "}}").replace("\n", " "))


def _cell_text(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


# ------------------------------------------------------------------------------ the builder


class _Builder:
    def __init__(self, name: str, tree: Tree, content: Workshop) -> None:
        import nbformat

        self.nbf = nbformat.v4
        self.name = name
        self.tree = tree
        self.w = content
        self.cells: list[Any] = []
        self.names = {m.id: m.name for m in tree.metrics.values()}
        self.plan = tree.rollup()["target"]  # the plan's targets (implied for computed metrics)

    # -- small helpers

    def md(self, *lines: str) -> None:
        text = "\n".join(lines).strip("\n")
        self.cells.append(self.nbf.new_markdown_cell(render_refs(text, self.names)))

    def code(self, *lines: str) -> None:
        self.cells.append(self.nbf.new_code_cell("\n".join(lines).strip("\n")))

    def metric(self, metric_id: str) -> Any:
        return self.tree.metrics[metric_id]

    def label(self, metric_id: str) -> str:
        return f"**{self.names[metric_id]}** (`{metric_id}`)"

    # -- the notebook

    def build(self) -> NotebookNode:
        self.intro()
        self.why()
        self.math()
        self.view()
        self.rollup()
        self.what_if()
        self.solve()
        self.sensitivity()
        self.health()
        self.picture()
        self.exercises()
        nb = self.nbf.new_notebook(cells=self.cells)
        nb.metadata["kernelspec"] = dict(KERNELSPEC)
        nb.metadata["language_info"] = {"name": "python"}
        nb.metadata["kpitree"] = {"archetype": self.name, "kind": "workshop"}
        for i, cell in enumerate(nb.cells):  # stable ids: regenerating gives the same file
            cell["id"] = f"{self.name.replace('_', '-')}-{i:02d}"
        return nb

    def intro(self) -> None:
        tree, w = self.tree, self.w
        root = self.metric(tree.root)
        self.md(
            f"# {w.title}",
            "",
            w.goal,
            "",
            f"**North Star:** {self.label(tree.root)}, owned by {root.owner or 'nobody yet'}.",
            "",
            "Run the cells from top to bottom (*Run → Run All Cells* works too). Every number "
            "below comes from the tree itself: change a target and the totals follow.",
        )
        self.code(
            "import kpitree_widget as kt",
            "",
            f'tree = kt.archetype("{self.name}")',
            "print(tree)",
        )
        if tree.description:
            self.md("## The business", "", tree.description)

    def why(self) -> None:
        w, root_id = self.w, self.tree.root
        rows = [f"| {title} | {_cell_text(render_refs(w.why[key], self.names))} |"
                for key, title in CRITERIA.items()]
        alternatives = [f"- **{a}**: {render_refs(reason, self.names)}"
                        for a, reason in w.alternatives]
        self.md(
            f"## Why {self.names[root_id]} is the North Star",
            "",
            "A North Star has to pass five tests. Here is how this one does:",
            "",
            "| Test | How it passes |",
            "|---|---|",
            *rows,
            "",
            "Candidates that were considered and set aside:",
            "",
            *alternatives,
            "",
            "*Discuss:* which of the five tests is weakest for this business? What would make "
            "you change the North Star?",
        )

    def math(self) -> None:
        tree = self.tree
        rows = []
        for metric_id, _parent, level, link in tree.outline():
            metric = self.metric(metric_id)
            if link not in ("root", "formula") or metric.parsed is None or level > 2:
                continue
            words = _in_words(metric.parsed.display(), self.names)
            rows.append(
                f"| {level} → {level + 1} | {_cell_text(metric.name)} | "
                f"`{metric_id} = {_cell_text(metric.parsed.display())}` | "
                f"{_cell_text(words)} | {metric.relation or ''} | "
                f"{_cell_text(metric.owner or '')} |")
        self.md(
            "## The math of the tree",
            "",
            "A KPI tree is a model: each metric below the North Star either *computes* its "
            "parent through a formula or is believed to *influence* it (a hypothesis, drawn "
            "dashed, never used in the arithmetic). These are the formulas of the top levels:",
            "",
            "| Levels | Metric | Formula | In words | Kind | Owner |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
            "*sum* adds and subtracts, *product* multiplies, *ratio* divides, *formula* is "
            "anything else (for example a rate that enters as `1 - rate`). The same table, "
            "straight from the tree:",
        )
        self.code(
            'tree.rollup().query("level <= 2 and not is_input")'
            '[["name", "level", "formula", "relation", "owner"]]',
        )

    def view(self) -> None:
        self.md(
            "## The tree, live",
            "",
            "Each card shows a metric's actual value against its target, coloured by status. "
            "Click a card to see its formula; type a new target into an input's card and the "
            "whole tree recomputes. Hypothesis links are dashed.",
        )
        self.code("view = kt.TreeWidget(tree)", "view")

    def rollup(self) -> None:
        self.md(
            "## The rollup table",
            "",
            "The same numbers as a table, root first. `variance_pct` is how far the actual is "
            "from target, in percent; `status` takes the metric's direction into account (for "
            "a cost or a churn rate, lower is better).",
        )
        cols = ", ".join(f'"{c}"' for c in ROLLUP_COLUMNS)
        self.code(
            "import pandas as pd",
            "",
            'pd.options.display.float_format = "{:,.2f}".format',
            "table = tree.rollup()",
            f"table[[{cols}]]",
        )

    def what_if(self) -> None:
        tree, wi = self.tree, self.w.what_if
        leaf = self.metric(wi.metric)
        root = self.metric(tree.root)
        planned = float(self.plan[wi.metric])
        root_size = float(self.plan[tree.root])
        self.md(
            "## What if? Change one leaf's target",
            "",
            wi.story,
            "",
            f"The plan has {self.label(wi.metric)} at {shown(planned, leaf.unit)}; "
            f"the cell below sets it to {shown(wi.target, leaf.unit)} and compares the North "
            "Star's target before and after. Scroll back up: the view has followed.",
        )
        self.code(
            f'leaf = "{wi.metric}"',
            "planned = tree.get_target(leaf)",
            "before = tree.rollup().loc[tree.root, \"target\"]",
            "",
            f"tree.set_target(leaf, {literal(wi.target)})",
            "after = tree.rollup().loc[tree.root, \"target\"]",
            "",
            f'print(f"{_fs(leaf.name)}: {fmt("planned", leaf.unit, wi.target)} -> '
            f'{fmt("tree.get_target(leaf)", leaf.unit, wi.target)}")',
            f'print(f"{_fs(root.name)}: {fmt("before", root.unit, root_size)} -> '
            f'{fmt("after", root.unit, root_size)} ({{after / before - 1:+.1%}})")',
        )
        self.md("Put the plan back before the next step:")
        self.code("tree.set_target(leaf, planned)")

    def solve(self) -> None:
        tree, s = self.tree, self.w.solve
        goal_metric, lever = self.metric(s.metric), self.metric(s.lever)
        path = _path(tree, s.metric, s.lever)
        lever_size = float(self.plan[s.lever])
        self.md(
            "## Back-solve: what does the goal take?",
            "",
            s.story,
            "",
            f"`tree.solve` inverts the formulas on the path from {self.label(s.metric)} down to "
            f"{self.label(s.lever)} ({' → '.join(f'`{m}`' for m in path)}) and sets the "
            "lever's target to the value that hits the goal, every other target unchanged.",
        )
        self.code(
            f'goal, lever = {literal(s.goal)}, "{s.lever}"',
            "planned = tree.get_target(lever)",
            "",
            f'needed = tree.solve("{s.metric}", goal, lever=lever)',
            "",
            f'print(f"To reach {_fs(goal_metric.name)} of {fmt("goal", goal_metric.unit, s.goal)}, '
            f'{_fs(lever.name)} needs a target of {fmt("needed", lever.unit, lever_size)} '
            f'(plan: {fmt("planned", lever.unit, lever_size)}).")',
            f'tree.rollup().loc[["{s.metric}", lever], ["name", "value", "target"]]',
        )
        self.md(
            "*Discuss:* is that number realistic for its owner "
            f"({lever.owner or 'no owner yet'}) within a quarter? If not, which second lever "
            "would you combine it with? Then put the plan back:",
        )
        self.code("tree.set_target(lever, planned)")

    def sensitivity(self) -> None:
        self.md(
            "## Which leaves matter most?",
            "",
            "The tornado table moves each input's target 10% down and 10% up and records the "
            "North Star's target each time (`low`, `high`); `impact` is the spread. The biggest "
            "impacts are where a point of improvement is worth most. Inputs linked only by a "
            "hypothesis show no impact: the math does not know about them until the hypothesis "
            "is proven and written as a formula.",
        )
        self.code(
            "tornado = tree.sensitivity(step=0.1)",
            'tornado[["name", "low", "high", "impact"]].head(10)',
        )

    def health(self) -> None:
        self.md(
            "## Health check",
            "",
            "`tree.check()` runs the rules a KPI-tree review would: one owner per metric, a "
            "target on every leaf, depth and breadth, a quality and a unit-economics metric, "
            "leaves that move within 90 days, vanity metrics, guards. Each finding names a "
            "metric and what to do about it.",
        )
        self.code(
            "findings = tree.check()",
            "for f in findings:",
            '    print(f"{f.severity:<8} {f.rule:<28} {f.metric or \'(tree)\':<28} {f.message}")',
            "if not findings:",
            '    print("No findings: the tree passes every rule.")',
        )

    def picture(self) -> None:
        svg = f"{self.name}_tree.svg"
        self.md(
            "## Export the picture",
            "",
            "`tree.to_graphviz()` draws the tree as a static picture for slides and documents "
            f"(it needs Graphviz's `dot` program). The cell below shows it and saves `{svg}` "
            "next to this notebook.",
        )
        self.code(
            "from pathlib import Path",
            "",
            "import graphviz",
            "from IPython.display import SVG, display",
            "",
            "dot = tree.to_graphviz()",
            "try:",
            '    svg = dot.pipe(format="svg")',
            "except graphviz.ExecutableNotFound:",
            '    print("Graphviz\'s dot program is not installed: "',
            '          "apt-get install graphviz, brew install graphviz or "',
            '          "conda install -c conda-forge graphviz")',
            "else:",
            f'    Path("{svg}").write_bytes(svg)',
            "    display(SVG(svg))",
        )

    def exercises(self) -> None:
        tree, w = self.tree, self.w
        q = w.quality_metric
        suggested = METRIC_REF.findall(w.own_leaf)
        example = suggested[0] if suggested else tree.inputs()[0]
        self.md(
            "## Exercises",
            "",
            "### 1. Pick a leaf you own and set its target",
            "",
            "Choose the input closest to your own job. " + w.own_leaf + " Set the target you "
            "would commit to for the next quarter and see what it does to the North Star. "
            "Is it a single number (not a range), and can you move it within 90 days?",
        )
        self.code(
            "# Your leaf and the target you would commit to:",
            f'my_leaf = "{example}"',
            "my_target = tree.get_target(my_leaf)  # replace with your number",
            "",
            "tree.set_target(my_leaf, my_target)",
            'tree.rollup().loc[[tree.root, my_leaf], ["name", "value", "target", "status"]]',
        )
        links = self.label(q.links_to)
        self.md(
            "### 2. Add a quality metric",
            "",
            "Growth numbers alone hide how customers experience the product. The tree already "
            "has some quality metrics (tag `quality`); here is how one more enters: "
            f"*{q.name}*, owned by {q.owner}, linked to {links} by a hypothesis "
            f"(\"{q.note}\"). It has no formula, so it does not change the math until the link "
            "is proven.",
            "",
            "Now add your own: which experience metric would warn you first that this business "
            "is in trouble? Give it one owner, a target and a cadence.",
        )
        spec_metric = {
            "name": q.name, "unit": q.unit, "direction": q.direction, "owner": q.owner,
            "cadence": q.cadence, "lag_days": q.lag_days, "tags": ["quality"],
            "value": q.value, "target": q.target,
        }
        link = {"from": q.id, "to": q.links_to, "sign": q.sign, "note": q.note}
        self.code(
            "spec = tree.to_dict()",
            f'spec["metrics"]["{q.id}"] = {_py(spec_metric)}',
            f'spec.setdefault("hypotheses", []).append({_py(link)})',
            "",
            "bigger = kt.KPITree.from_dict(spec)",
            'print(len(tree.metrics), "->", len(bigger.metrics), "metrics")',
            f'bigger.rollup().loc[["{q.links_to}", "{q.id}"], ["name", "level", "parent", '
            '"owner"]]',
        )
        first = w.first_hypothesis
        hypotheses = [
            f"- {self.label(h.driver)} → {self.label(h.outcome)} ({h.sign})"
            + (f": {h.note}" if h.note else "")
            for h in tree.hypotheses
        ]
        self.md(
            "### 3. Which hypothesis would you test first?",
            "",
            "The dashed links are beliefs, not math:",
            "",
            *hypotheses,
            "",
            w.hypothesis_prompt,
            "",
            f"*A starting point:* {self.label(first[0])} → {self.label(first[1])}. With a "
            "few months of actuals for both, check whether they move together, then look for "
            "an experiment that moves the first and watch the second.",
        )
        if w.exercises:
            more = [f"{i}. {text}" for i, text in enumerate(w.exercises, start=4)]
            self.md("### More to discuss", "", *more)
        self.code(
            "# Scratch space: try the exercises here.",
            "# tree.set_target(...), tree.solve(...), tree.sensitivity(), tree.check()",
        )


def _py(value: dict[str, Any]) -> str:
    """A dict as Python source, one key per line (numbers, strings, lists).

    >>> print(_py({"name": "CSAT", "target": 0.9}))
    {
        "name": "CSAT",
        "target": 0.9,
    }
    """
    lines = ["{"]
    for key, v in value.items():
        text = literal(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else (
            json.dumps(v))
        lines.append(f'    "{key}": {text},')
    return "\n".join([*lines, "}"])


def _in_words(formula: str, names: dict[str, str]) -> str:
    """A displayed formula with metric ids replaced by names."""
    import re

    text = re.sub(r"\b[a-z][a-z0-9_]*\b", lambda m: names.get(m.group(0), m.group(0)), formula)
    return text.replace(" * ", " × ").replace(" / ", " ÷ ")


def _path(tree: Tree, top: str, bottom: str) -> list[str]:
    """A formula path from ``top`` down to ``bottom`` (depth first, formula order)."""
    def walk(node: str) -> list[str] | None:
        if node == bottom:
            return [node]
        for child in tree.children(node):
            rest = walk(child)
            if rest is not None:
                return [node, *rest]
        return None

    return walk(top) or [top, bottom]


__all__ = ["template", "workshops"]
