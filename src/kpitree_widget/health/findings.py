"""What the health check returns: findings, a list of them that prints well, and a table."""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
FRAME_COLUMNS = ["rule", "severity", "metric", "name", "message", "reason"]


@dataclass(frozen=True)
class Finding:
    """One thing the health check found.

    ``rule`` is the rule id (``owner.joint``), ``severity`` one of ``error``, ``warning``,
    ``info``; ``metric`` the id of the metric it is about (``None`` for the tree as a whole);
    ``message`` says what is wrong and what to do, naming the metric by its name; ``reason`` says
    why the rule exists. ``name`` is the metric's display name and ``related`` the ids of the
    other metrics the finding is about (the other half of a guard pair, say).

    >>> print(Finding("owner.missing", "error", "arpc", "ARPC has no owner.", "why"))
    error    owner.missing            ARPC has no owner.
    """

    rule: str
    severity: str
    metric: str | None
    message: str
    reason: str = ""
    name: str | None = None
    related: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.severity:<8} {self.rule:<24} {self.message}"


class Findings(list[Finding]):
    """The findings of a check: a plain ``list`` of :class:`Finding` that prints one line each
    and shows as a table in a notebook. ``frame()`` gives the DataFrame."""

    def __str__(self) -> str:
        if not self:
            return "No findings: the tree passes every health rule."
        counts = ", ".join(f"{n} {s}{'s' if n > 1 else ''}"
                           for s in SEVERITIES if (n := sum(f.severity == s for f in self)))
        head = f"{len(self)} finding{'s' if len(self) > 1 else ''} ({counts})"
        return "\n".join([head, *map(str, self)])

    def __repr__(self) -> str:
        return self.__str__()

    def _repr_html_(self) -> str:
        if not self:
            return f"<p>{html.escape(str(self))}</p>"
        rows = "".join(
            f"<tr><td>{html.escape(f.severity)}</td><td><code>{html.escape(f.rule)}</code></td>"
            f"<td>{html.escape(f.message)}</td><td>{html.escape(f.reason)}</td></tr>"
            for f in self)
        return ("<table><thead><tr><th>severity</th><th>rule</th><th>finding</th>"
                f"<th>why it matters</th></tr></thead><tbody>{rows}</tbody></table>")

    def frame(self) -> pd.DataFrame:
        """The findings as a DataFrame (see :func:`findings_frame`)."""
        return findings_frame(self)

    def by_severity(self, severity: str) -> Findings:
        """Only the findings of one severity."""
        return Findings(f for f in self if f.severity == severity)

    @property
    def errors(self) -> Findings:
        """Only the ``error`` findings."""
        return self.by_severity("error")


def sort_findings(findings: Iterable[Finding], order: dict[str | None, int]) -> Findings:
    """Errors first, then warnings, then info; within a severity, the tree-wide findings and
    then metrics in outline order, keeping the rules' order otherwise."""
    ranked = sorted(enumerate(findings), key=lambda item: (
        SEVERITY_RANK.get(item[1].severity, 9), order.get(item[1].metric, -1), item[0]))
    return Findings(f for _, f in ranked)


def findings_frame(findings: Iterable[Finding]) -> pd.DataFrame:
    """Findings as a DataFrame with columns ``rule, severity, metric, name, message, reason``,
    errors first, then warnings, then info (the order of ``check()`` within a severity)."""
    import pandas as pd

    items = list(findings)
    items.sort(key=lambda f: SEVERITY_RANK.get(f.severity, 9))
    rows: list[dict[str, Any]] = [
        {"rule": f.rule, "severity": f.severity, "metric": f.metric, "name": f.name,
         "message": f.message, "reason": f.reason} for f in items]
    return pd.DataFrame(rows, columns=FRAME_COLUMNS)
