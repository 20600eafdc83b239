"""What the rules share: the tree, the thresholds and facts computed once per check."""

from __future__ import annotations

from collections.abc import Collection
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ..numbers import format_number

if TYPE_CHECKING:
    from ..metric import Metric
    from ..tree import Tree


class Context:
    """The tree under check, its thresholds, and derived facts the rules read."""

    def __init__(self, tree: Tree, thresholds: dict[str, float]) -> None:
        self.tree = tree
        self.th = thresholds
        self.metrics = tree.metrics
        self.root = tree.root
        self.outline = tree.outline()
        self.level = {m: lvl for m, _, lvl, _ in self.outline}
        self.parent = {m: par for m, par, _, _ in self.outline}
        self.link = {m: lnk for m, _, _, lnk in self.outline}
        self.order = {m: i for i, (m, *_) in enumerate(self.outline)}
        self.leaves = [m for m, *_ in self.outline if self.metrics[m].is_input]

    def scope(self, only: Collection[str]) -> list[str]:
        """The metrics of ``only`` that are on the tree, in outline order: what a rule run for
        some metrics only looks at."""
        order = self.order
        return sorted((m for m in set(only) if m in order), key=order.__getitem__)

    def metric(self, metric_id: str) -> Metric:
        return self.metrics[metric_id]

    def name(self, metric_id: str) -> str:
        """The display name of a metric."""
        return self.metrics[metric_id].name

    def number(self, metric_id: str, x: Any) -> str:
        """``x`` formatted in the metric's unit."""
        return format_number(x, self.metrics[metric_id].unit)

    @cached_property
    def attached(self) -> list[str]:
        """Metrics that reach the root (by formula or hypothesis), in outline order."""
        return [m for m in self.order if self._top(m) == self.root]

    def _top(self, metric_id: str) -> str:
        while (parent := self.parent[metric_id]) is not None:
            metric_id = parent
        return metric_id

    @cached_property
    def height(self) -> dict[str, int]:
        """Levels of formulas from each metric down to its deepest input (an input is 1).

        One pass in the engine's order (children before parents), so any depth is fine."""
        out: dict[str, int] = {}
        for metric_id in self.tree.compiled_plan.order:
            children = self.metrics[metric_id].children
            out[metric_id] = 1 + max((out[c] for c in children), default=0)
        return out

    def deepest_path(self, start: str) -> list[str]:
        """The longest chain of formulas below ``start`` (start included)."""
        path = [start]
        while children := self.metrics[path[-1]].children:
            path.append(max(children, key=lambda c: self.height[c]))
        return path

    @cached_property
    def formula_level(self) -> dict[str, int]:
        """Fewest formula steps from the root to each metric it reaches by formulas."""
        out = {self.root: 0}
        frontier = [self.root]
        while frontier:
            nxt = []
            for metric_id in frontier:
                for child in self.metrics[metric_id].children:
                    if child not in out:
                        out[child] = out[metric_id] + 1
                        nxt.append(child)
            frontier = nxt
        return out
