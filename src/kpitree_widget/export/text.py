"""The tree as text: a Markdown outline (or table) and a Mermaid flowchart.

Both take names, owners and notes as untrusted text: Markdown gets every character that could
start emphasis, a link, a table cell, raw HTML or (in Jupyter and GitHub) math escaped (``$`` and
``\\`` as character references in a ``<span>`` of their own, which MathJax cannot match);
Mermaid gets its own entity codes (``#quot;``, ``#lt;``, ``#35;``...), so no name can end a
label early or add markup.

>>> import kpitree_widget as kt
>>> tree = kt.KPITree.from_dict({"metrics": {
...     "revenue": {"formula": "customers * arpc"},
...     "customers": {"value": 4700, "target": 5000},
...     "arpc": {"name": "Avg *revenue* per customer", "value": 120, "target": 125}}})
>>> print(to_markdown(tree))
- **revenue** = `customers * arpc` — 564k vs 625k, off track (−9.8%)
  - **customers** — 4,700 vs 5,000, off track (−6%)
  - **Avg \\*revenue\\* per customer** — 120 vs 125, at risk (−4%)
>>> print(to_mermaid(tree).splitlines()[0])
flowchart TD
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import KPITreeError
from ..rows import tree_rows
from ._common import GUARD_COLOUR, STATUS_STYLE, edge_symbols, one_line, text_or_none

if TYPE_CHECKING:
    from ..rows import Row
    from ..tree import Tree

# ---------------------------------------------------------------------------- Markdown

_MD_BACKSLASH = set("`*_[]|~#!")
_MD_ENTITY = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
# Math: Jupyter finds ``$``, ``$$``, ``\\(`` and ``\\[`` in the Markdown source, then MathJax
# looks for ``$...$``, ``\(...\)``, ``\[...\]`` and ``\begin{...}`` again in the rendered text,
# where a Markdown escape (``\$``) is already gone. So ``$`` and ``\`` are written as character
# references (no delimiter in the source) inside their own ``<span>`` (MathJax never matches
# across an element), which every renderer shows as the plain character.
_MD_MATH = {"$": "<span>&#36;</span>", "\\": "<span>&#92;</span>"}


def escape_markdown(text: object) -> str:
    """Untrusted text as literal Markdown on one line.

    >>> escape_markdown("a_b *c* [d](e) <b>x</b> | 5")
    'a\\\\_b \\\\*c\\\\* \\\\[d\\\\](e) &lt;b&gt;x&lt;/b&gt; \\\\| 5'

    Dollars and backslashes cannot open math (``$x^2$``, ``\\(E=mc^2\\)``):

    >>> escape_markdown("$5")
    '<span>&#36;</span>5'
    """
    line = one_line(text)
    if _PLACEHOLDERS[0] in line or _PLACEHOLDERS[1] in line:
        return line.translate(_md_table())  # the rare text that holds the placeholders
    # one C-speed pass per special character: math signs set aside, entities, backslashes,
    # then the math signs written as the spans that cannot open math
    line = line.replace("$", _PLACEHOLDERS[0]).replace("\\", _PLACEHOLDERS[1])
    for ch in sorted(_MD_ENTITY, key=lambda c: c != "&"):  # "&" first: entities hold one
        line = line.replace(ch, _MD_ENTITY[ch])
    for ch in _MD_BACKSLASH:
        line = line.replace(ch, "\\" + ch)
    return line.replace(_PLACEHOLDERS[0], _MD_MATH["$"]).replace(_PLACEHOLDERS[1],
                                                                 _MD_MATH["\\"])


_PLACEHOLDERS = ("\ue000", "\ue001")  # private-use characters, for the math signs


def _md_table() -> dict[int, str]:
    """One character table for :func:`escape_markdown` (math first, then backslashes, then
    entities)."""
    global _MD_TABLE
    if _MD_TABLE is None:
        table = {ord(ch): rep for ch, rep in _MD_ENTITY.items()}
        table.update({ord(ch): "\\" + ch for ch in _MD_BACKSLASH})
        table.update({ord(ch): rep for ch, rep in _MD_MATH.items()})
        _MD_TABLE = table
    return _MD_TABLE


_MD_TABLE: dict[int, str] | None = None


def _code(text: str) -> str:
    """A code span (formulas hold no backticks; guard anyway)."""
    text = one_line(text).replace("`", "'").replace("|", "\\|")
    return f"`{text}`"


def _status(row: Row) -> str:
    style = STATUS_STYLE.get(row.status, STATUS_STYLE["undefined"])
    text = style["label"]
    if row.variance_pct_text and row.status in ("on_track", "at_risk", "off_track"):
        text += f" ({row.variance_pct_text})"
    return text


def to_markdown(tree: Tree, table: bool = False, period: Any = None,
                scenario: str | None = None, title: str | None = None) -> str:
    """The tree as Markdown.

    By default a nested bullet outline, one bullet per metric: the name, its formula, value vs
    target with the status, and the owner; hypothesis links are marked. With ``table=True``,
    a table with one row per metric (name indented by level). ``title`` (if given) becomes a
    heading.
    """
    rows = tree_rows(tree, period=period, scenario=scenario)
    lines: list[str] = []
    if title:
        lines += [f"# {escape_markdown(title)}", ""]
    if table:
        lines += ["| Metric | Formula | Value | Target | Status | Owner |",
                  "| --- | --- | ---: | ---: | --- | --- |"]
    for row in rows:
        metric_id, parent, level, link = row.id, row.parent, row.level, row.link
        value, target = row.value_text, row.target_text
        formula = text_or_none(row.formula)
        owner = text_or_none(row.owner)
        name = escape_markdown(row.name)
        note = {"hypothesis": _hypothesis_note(tree, metric_id, parent),
                "detached": "not linked to the root"}.get(link)
        if table:
            indent = "&emsp;" * level
            cells = [indent + name + (f" *({escape_markdown(note)})*" if note else ""),
                     _code(formula) if formula else "",
                     escape_markdown(value), escape_markdown(target),
                     escape_markdown(_status(row)), escape_markdown(owner or "")]
            lines.append("| " + " | ".join(cells) + " |")
            continue
        text = f"**{name}**"
        if note:
            text = f"*({escape_markdown(note)})* " + text
        if formula:
            text += f" = {_code(formula)}"
        text += (f" — {escape_markdown(value)} vs {escape_markdown(target)}, "
                 f"{escape_markdown(_status(row))}")
        if owner:
            text += f" · {escape_markdown(owner)}"
        lines.append("  " * level + "- " + text)
    return "\n".join(lines)


def _hypothesis_note(tree: Tree, driver: str, outcome: str | None) -> str:
    for h in tree.hypotheses:
        if h.driver == driver and h.outcome == outcome:
            sign = "+" if h.sign == "+" else "−"
            return f"hypothesis {sign}"
    return "hypothesis"


# ---------------------------------------------------------------------------- Mermaid

_MERMAID_SAFE = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                    " .,:!?()+-*/=%€£@'_")
_MERMAID_NAMED = {'"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "#": "#35;"}
DIRECTIONS = ("TD", "TB", "LR", "BT", "RL")


def escape_mermaid(text: object) -> str:
    """Untrusted text for inside a quoted Mermaid label, on one line: quotes, angle brackets,
    ``&``, ``#``, ``%%``, ``$`` (``$$`` starts math in Mermaid labels) and every other ASCII symbol
    but ``.,:!?()+-*/=%@'_`` become Mermaid entity codes.

    >>> escape_mermaid('say "hi" <b>#1</b>; {x}')
    'say #quot;hi#quot; #lt;b#gt;#35;1#lt;/b#gt;#59; #123;x#125;'
    """
    out = []
    line = one_line(text)
    for i, ch in enumerate(line):
        if ch == "%" and "%%" in line[max(0, i - 1): i + 2]:
            out.append("#37;")  # "%%" starts a comment or a directive
        elif ch in _MERMAID_SAFE or ord(ch) > 127:
            out.append(ch)
        elif ch in _MERMAID_NAMED:
            out.append(_MERMAID_NAMED[ch])
        else:
            out.append(f"#{ord(ch)};")
    return "".join(out)


def mermaid_id(metric_id: str) -> str:
    """A Mermaid node id: prefixed so that no metric id collides with a keyword (``end``)."""
    return "m_" + metric_id


def to_mermaid(tree: Tree, direction: str = "TD", period: Any = None,
               scenario: str | None = None) -> str:
    """The tree as a Mermaid ``flowchart``: a node per metric (name, value vs target, status,
    owner), edges labelled by how the child enters the formula (an input shared by two
    formulas has an edge from each), hypotheses dashed from the driver to the metric it is
    believed to move (``driver -.-> outcome``), guards dotted and indigo without an arrow
    (``guarded -.-|"guard"| guard``), and one class per status for the colours."""
    direction = str(direction).upper()
    if direction not in DIRECTIONS:
        raise KPITreeError(f"direction: expected one of {', '.join(DIRECTIONS)}, "
                           f"got {direction!r}")
    rows = tree_rows(tree, period=period, scenario=scenario)
    lines: list[str] = []
    if tree.name:
        import json

        lines += ["---", f"title: {json.dumps(one_line(tree.name), ensure_ascii=False)}",
                  "---"]
    lines.append(f"flowchart {direction}")
    by_status: dict[str, list[str]] = {}
    for row in rows:
        parts = [escape_mermaid(row.name),
                 f"{escape_mermaid(row.value_text)} vs {escape_mermaid(row.target_text)}",
                 escape_mermaid(_status(row))]
        owner = text_or_none(row.owner)
        if owner:
            parts.append(escape_mermaid(owner))
        lines.append(f'    {mermaid_id(row.id)}["{"<br>".join(parts)}"]')
        status = row.status if row.status in STATUS_STYLE else "undefined"
        by_status.setdefault(status, []).append(mermaid_id(row.id))
    edges = 0  # Mermaid numbers links in the order they are written (for linkStyle)
    for row in rows:
        metric = row.metric
        metric_id = row.id
        symbols = edge_symbols(metric)
        for child in metric.children:
            symbol = escape_mermaid(symbols.get(child, "f"))
            lines.append(f'    {mermaid_id(metric_id)} -->|"{symbol}"| {mermaid_id(child)}')
            edges += 1
    for link in rows.links_of("hypothesis"):  # from the driver to the metric it moves
        sign = "+" if link.sign == "+" else "−"
        lines.append(f'    {mermaid_id(link.source)} -.->|"hypothesis {sign}"| '
                     f"{mermaid_id(link.target)}")
        edges += 1
    guards = []
    for link in rows.links_of("guard"):  # no arrow: a guard is kept in check beside its metric
        lines.append(f'    {mermaid_id(link.target)} -.-|"guard"| {mermaid_id(link.source)}')
        guards.append(str(edges))
        edges += 1
    if guards:
        lines.append(f"    linkStyle {','.join(guards)} stroke:{GUARD_COLOUR},"
                     "stroke-width:2px,stroke-dasharray:2 4,color:" + GUARD_COLOUR)
    for status, style in STATUS_STYLE.items():
        lines.append(f"    classDef st_{status} fill:{style['fill']},stroke:{style['border']},"
                     f"color:{style['text']},stroke-width:2px")
    for status, ids in by_status.items():
        lines.append(f"    class {','.join(ids)} st_{status}")
    return "\n".join(lines)
