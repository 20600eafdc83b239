"""Workshop notebooks: the notebook a teacher hands out for one business-model archetype.

Every archetype gets the same skeleton (why this North Star, the math, the live view, the
rollup, a what-if, a back-solve, which leaves matter, the health check, the picture, exercises);
the words and numbers that differ live in the archetype's content file
(``workshops/content/<name>.yaml``, read by :mod:`.loader`). The math table is built from the
archetype's tree when the notebook is made, so it always matches the tree's YAML. Numbers are
shown by :func:`kpitree_widget.numbers.format_number`, in the prose and in the code cells.

>>> nb = template("b2b_saas")                       # doctest: +SKIP
>>> nbformat.write(nb, "b2b_saas_workshop.ipynb")   # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..args import checked
from ..numbers import format_number
from .loader import content, names
from .refs import METRIC_REF, render_refs
from .schema import CRITERIA, Workshop
from .source import cell_text, in_fstring, in_words, literal, shown_in_code

if TYPE_CHECKING:
    from nbformat import NotebookNode

    from ..tree import Tree

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
ROLLUP_COLUMNS = ["name", "level", "value", "target", "variance_pct", "status", "owner"]


@checked
def template(name: str) -> NotebookNode:
    """The workshop notebook (nbformat v4) for the archetype ``name``.

    Its code cells start from ``import kpitree_widget as kt`` and
    ``tree = kt.archetype(name)`` and run top to bottom in a fresh kernel.
    """
    from ..catalog import check_name, load_archetype

    check_name(name, "template")
    workshop = content(name)
    tree = load_archetype(name)
    return _Builder(name, tree, workshop).build()


def workshops() -> list[str]:
    """Names of the archetypes that have a workshop notebook."""
    return names()


# ------------------------------------------------------------------------------ the builder


class _Builder:
    """Writes the cells of one workshop notebook, section by section."""

    def __init__(self, name: str, tree: Tree, workshop: Workshop) -> None:
        import nbformat

        self.nbf = nbformat.v4
        self.name = name
        self.tree = tree
        self.w = workshop
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
            "from kpitree_widget.numbers import format_number",
            "",
            f'tree = kt.archetype("{self.name}")',
            "print(tree)",
        )
        if tree.description:
            self.md("## The business", "", tree.description)

    def why(self) -> None:
        w, root_id = self.w, self.tree.root
        rows = [f"| {title} | {cell_text(render_refs(getattr(w.why, key), self.names))} |"
                for key, title in CRITERIA.items()]
        alternatives = [f"- **{a.candidate}**: {render_refs(a.reason, self.names)}"
                        for a in w.alternatives]
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
            words = in_words(metric.parsed.display(), self.names)
            rows.append(
                f"| {level} → {level + 1} | {cell_text(metric.name)} | "
                f"`{metric_id} = {cell_text(metric.parsed.display())}` | "
                f"{cell_text(words)} | {metric.relation or ''} | "
                f"{cell_text(metric.owner or '')} |")
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
            "pd.options.display.float_format = format_number",
            "table = tree.rollup()",
            f"table[[{cols}]]",
        )

    def what_if(self) -> None:
        tree, wi = self.tree, self.w.what_if
        leaf = self.metric(wi.metric)
        root = self.metric(tree.root)
        planned = float(self.plan[wi.metric])
        self.md(
            "## What if? Change one leaf's target",
            "",
            wi.story,
            "",
            f"The plan has {self.label(wi.metric)} at {format_number(planned, leaf.unit)}; "
            f"the cell below sets it to {format_number(wi.target, leaf.unit)} and compares the "
            "North Star's target before and after. Scroll back up: the view has followed.",
        )
        self.code(
            f'leaf = "{wi.metric}"',
            "planned = tree.get_target(leaf)",
            "before = tree.rollup().loc[tree.root, \"target\"]",
            "",
            f"tree.set_target(leaf, {literal(wi.target)})",
            "after = tree.rollup().loc[tree.root, \"target\"]",
            "",
            f'print(f"{in_fstring(leaf.name)}: {shown_in_code("planned", leaf.unit, leaf.id)}'
            f' -> {shown_in_code("tree.get_target(leaf)", leaf.unit, leaf.id)}")',
            f'print(f"{in_fstring(root.name)}: {shown_in_code("before", root.unit, root.id)} -> '
            f'{shown_in_code("after", root.unit, root.id)} '
            f'({shown_in_code("after / before - 1", "percent", root.id)})")',
        )
        self.md("Put the plan back before the next step:")
        self.code("tree.set_target(leaf, planned)")

    def solve(self) -> None:
        tree, s = self.tree, self.w.solve
        goal_metric, lever = self.metric(s.metric), self.metric(s.lever)
        path = _path(tree, s.metric, s.lever)
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
            f'print(f"To reach {in_fstring(goal_metric.name)} of '
            f'{shown_in_code("goal", goal_metric.unit, goal_metric.id)}, '
            f'{in_fstring(lever.name)} needs a target of '
            f'{shown_in_code("needed", lever.unit, lever.id)} '
            f'(plan: {shown_in_code("planned", lever.unit, lever.id)}).")',
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
        file = f"{self.name}_workshop_tree.yaml"
        self.md(
            "### 2. Add a quality metric, in the view",
            "",
            "Growth numbers alone hide how customers experience the product. The tree already "
            "has some quality metrics (tag `quality`); here is how one more enters: "
            f"*{q.name}*, owned by {q.owner}, linked to {links} by a hypothesis "
            f"(\"{q.note}\"). It has no formula, so it does not change the math until the link "
            "is proven.",
            "",
            "The cell below saves the tree to a file of your own and opens a view of it. Build "
            "there, with the mouse and the keyboard:",
            "",
            f"1. On the card of {links}, press **+** (add a driver). In the form, type the id "
            f"`{q.id}` and the name *{q.name}*, pick **influences (hypothesis)** and press "
            "Enter.",
            f"2. Click the new card. In the panel, type the owner (*{q.owner}*) and the unit "
            f"(`{q.unit}`), choose which way is better, each with Enter. Until it has an "
            "owner its card is flagged.",
            "3. Now add your own: which experience metric would warn you first that this "
            "business is in trouble? Add it the same way, give it one owner, and type its "
            "target on its card.",
            f"4. Press **Save** in the view's toolbar: it writes `{file}` and says so. "
            "**Undo** (Ctrl/Cmd+Z) takes back any step.",
        )
        self.code(
            f'tree.save("{file}")  # the file the view\'s Save button writes back to',
            "building = kt.TreeWidget(tree)",
            "building",
        )
        self.code(
            "# What the view added, read back from the file it saved:",
            f'saved = kt.load("{file}")',
            f'added = [m for m in saved.metrics if m not in kt.archetype("{self.name}").metrics]',
            'print(len(saved.metrics), "metrics;", "added:", added or "none yet")',
            'saved.rollup().loc[[saved.root, *added], ["name", "level", "parent", "owner"]]',
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
            f"*A starting point:* {self.label(first.driver)} → {self.label(first.outcome)}. With a "
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
