"""Undo and redo: a bounded list of steps, each the parts of a tree a change touched, before
and after.

A *part* is one piece of a tree's state under a key the tree chooses: the numbers of one
metric in one layer (``("target", "arpc")``), the scenarios, the reported actuals, or a snapshot
of the structure. A number edit records only the old and new numbers of the one metric it
changed, so keeping history costs the same on a tree of ten or ten thousand metrics; a
structural edit records a snapshot of the structure. The values kept are never changed in
place by the tree (it replaces them), so a step may hold them by reference.

One public call is one step. :meth:`History.begin` / :meth:`History.end` group every change
in between into one step (``tree.batch()``), and a change recorded while :meth:`paused`
(undo and redo applying a step) is not recorded at all.

>>> h = History(limit=2)
>>> h.record({("target", "a"): 1.0}, {("target", "a"): 2.0})
>>> h.record({("target", "a"): 2.0}, {("target", "a"): 3.0})
>>> h.can_undo, h.can_redo
(True, False)
>>> h.undo().before
{('target', 'a'): 2.0}
>>> h.can_redo
True
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from .errors import KPITreeError

HISTORY_LIMIT = 200
Parts = dict[Hashable, Any]


@dataclass
class Step:
    """One undoable step: each part it touched as it was ``before`` and is ``after``."""

    before: Parts = field(default_factory=dict)
    after: Parts = field(default_factory=dict)

    def merge(self, before: Mapping[Hashable, Any], after: Mapping[Hashable, Any]) -> None:
        """Fold a later change into this step: a part keeps its first ``before`` and takes
        the latest ``after``."""
        for key, value in before.items():
            self.before.setdefault(key, value)
        self.after.update(after)


class History:
    """Undo and redo stacks of :class:`Step` (at most ``limit`` undo steps; the oldest go)."""

    def __init__(self, limit: int = HISTORY_LIMIT) -> None:
        self._undo: deque[Step] = deque(maxlen=limit)
        self._redo: list[Step] = []
        self._group: Step | None = None
        self._depth = 0
        self._paused = 0

    @property
    def can_undo(self) -> bool:
        """Whether there is a step to undo."""
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        """Whether there is an undone step to redo."""
        return bool(self._redo)

    @property
    def grouping(self) -> bool:
        """Whether a group (``tree.batch()``) is open."""
        return self._depth > 0

    def __len__(self) -> int:
        return len(self._undo)

    def record(self, before: Mapping[Hashable, Any], after: Mapping[Hashable, Any]) -> None:
        """A change was made: the parts it touched, before and after. A new step (or part of
        the open group); any redo steps are forgotten."""
        if self._paused:
            return
        if self._group is not None:
            self._group.merge(before, after)
            return
        self._undo.append(Step(dict(before), dict(after)))
        self._redo.clear()

    def begin(self) -> None:
        """Open a group: every change until the matching :meth:`end` is one step."""
        if self._depth == 0:
            self._group = Step()
        self._depth += 1

    def end(self, keep: bool = True) -> Step | None:
        """Close a group. At the outermost level the group becomes one step (``keep``) or is
        returned for the caller to roll back (``keep=False``); inner levels return None."""
        self._depth -= 1
        if self._depth > 0:
            return None
        group, self._group = self._group, None
        if group is None or not (group.before or group.after):
            return None
        if not keep:
            return group
        self._undo.append(group)
        self._redo.clear()
        return None

    def undo(self) -> Step:
        """The step to undo (moved to the redo stack); the caller applies ``step.before``."""
        self._check_free("undo")
        if not self._undo:
            raise KPITreeError("undo: nothing to undo")
        step = self._undo.pop()
        self._redo.append(step)
        return step

    def redo(self) -> Step:
        """The step to redo (moved back to the undo stack); the caller applies
        ``step.after``."""
        self._check_free("redo")
        if not self._redo:
            raise KPITreeError("redo: nothing to redo")
        step = self._redo.pop()
        self._undo.append(step)
        return step

    def clear(self) -> None:
        """Forget every step."""
        self._undo.clear()
        self._redo.clear()

    def _check_free(self, what: str) -> None:
        if self._depth:
            raise KPITreeError(f"{what}: not inside a batch (finish the batch first)")

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Changes made inside are not recorded (undo and redo applying a step)."""
        self._paused += 1
        try:
            yield
        finally:
            self._paused -= 1


__all__ = ["HISTORY_LIMIT", "History", "Parts", "Step"]
