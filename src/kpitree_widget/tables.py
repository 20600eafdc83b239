"""Tables that read well in a notebook and stay DataFrames people compute with.

``rollup()``, ``compare()``, ``sensitivity()`` and ``attribute()`` return a :class:`Table`: a
``pandas.DataFrame`` whose notebook (HTML) display shows each number in its unit through the
package's one formatter (``$1.31M``, ``2.5%``, ``−$117k``) instead of ``1.306517e+06``. The
numbers underneath stay floats: arithmetic, ``.loc``, ``to_csv`` and plots see the raw values,
and the text ``repr`` is pandas' own.

How each column is shown is kept in ``frame.attrs["display"]`` (so it survives slicing, sorting
and ``head``): ``{"columns": {column: how}, "units": {row id: unit}}`` where ``how`` is

- ``"row"`` / ``"row signed"``: in the unit of the row's metric (a variance: always signed);
- ``("unit", u)`` / ``("unit", u, "signed")``: in unit ``u`` (``None``: no unit);
- ``("rows", {row id: unit})`` / ``("rows", {...}, "signed")``: each row in its own unit;
- ``"change"``: a change already in percent (``-17.2`` -> ``−17%``);
- ``"share"``: a fraction shown as a percent.

Columns it does not name are shown as pandas shows them.

>>> import pandas as pd
>>> t = table(pd.DataFrame({"value": [1306517.0]}, index=["revenue"]),
...           {"value": "row"}, {"revenue": "currency"})
>>> "$1.31M" in t._repr_html_(), float(t["value"].iloc[0] * 2)
(True, 2613034.0)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from .numbers import Style, format_change, format_number


class Table(pd.DataFrame):
    """A DataFrame shown with units in a notebook (see the module text)."""

    @property
    def _constructor(self) -> type[Table]:
        return Table

    def _repr_html_(self) -> str | None:
        spec = self.attrs.get("display")
        if not isinstance(spec, Mapping):
            return super()._repr_html_()
        return pd.DataFrame._repr_html_(shown(self, spec))


def table(frame: pd.DataFrame, columns: Mapping[str, Any],
          units: Mapping[Any, str | None] | None = None) -> Table:
    """``frame`` as a :class:`Table` with ``columns`` shown as described in the module text;
    ``units`` gives the unit of each row's metric (by index label)."""
    out = Table(frame)
    out.attrs.update(frame.attrs)
    out.attrs["display"] = {"columns": dict(columns), "units": dict(units or {})}
    return out


def shown(frame: pd.DataFrame, spec: Mapping[str, Any]) -> pd.DataFrame:
    """A plain DataFrame of the text each cell of ``frame`` shows (columns ``spec`` does not
    name are left as they are)."""
    units: Mapping[Any, Any] = spec.get("units") or {}
    out = pd.DataFrame(frame, copy=True)
    out.attrs = {}
    for column, how in (spec.get("columns") or {}).items():
        if column not in out.columns:
            continue
        col = frame[column]
        if isinstance(col, pd.DataFrame):  # a repeated column name: leave it to pandas
            continue
        words = how.split() if isinstance(how, str) else list(how)
        if not words:
            continue
        signed: Style = "signed" if words[-1:] == ["signed"] else "compact"
        if words[0] == "row":
            cells = [format_number(x, _unit(units.get(i)), signed)
                     for i, x in zip(frame.index, col)]
        elif words[0] == "unit":
            unit = _unit(words[1]) if len(words) > 1 else None
            cells = [format_number(x, unit, signed) for x in col]
        elif words[0] == "rows" and len(words) > 1 and isinstance(words[1], Mapping):
            own = words[1]
            cells = [format_number(x, _unit(own.get(i)), signed)
                     for i, x in zip(frame.index, col)]
        elif words[0] == "change":
            cells = [format_change(x) for x in col]
        elif words[0] == "share":
            cells = [format_number(x, "percent") for x in col]
        else:
            continue
        out[column] = pd.Series(cells, index=out.index, dtype=object)
    return out


def _unit(unit: Any) -> str | None:
    return unit if isinstance(unit, str) else None


__all__ = ["Table", "shown", "table"]
