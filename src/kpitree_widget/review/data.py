"""Period data handed in by users: a DataFrame indexed by period with one column per metric."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import engine
from ..errors import KPITreeError, hint
from ..periods import order_periods

if TYPE_CHECKING:
    import pandas as pd

    from ..tree import Tree


def period_frame(tree: Tree, data: Any, where: str) -> pd.DataFrame:
    """``data`` checked and cleaned: columns are metric ids of the tree, the index is period
    labels (text, unique, in time order), the numbers are floats (NaN where missing).

    Unknown columns, duplicate periods and text where numbers belong are a
    :class:`KPITreeError` that names them.
    """
    import pandas as pd

    if isinstance(data, Mapping) and not isinstance(data, pd.DataFrame):
        try:
            data = pd.DataFrame(data)
        except (TypeError, ValueError) as exc:
            raise KPITreeError(f"{where}: data: cannot read the mapping as a table "
                               f"({exc})") from None
    if not isinstance(data, pd.DataFrame):
        raise KPITreeError(f"{where}: expected a DataFrame with one row per period and one "
                           f"column per metric id, got {type(data).__name__}")
    columns = [str(c) for c in data.columns]
    unknown = [c for c in columns if c not in tree.metrics]
    if unknown:
        listed = ", ".join(f"{c!r}{hint(c, tree.metrics)}" for c in unknown[:6])
        more = f" and {len(unknown) - 6} more" if len(unknown) > 6 else ""
        raise KPITreeError(f"{where}: unknown metric{'s' if len(unknown) > 1 else ''} "
                           f"{listed}{more} in the data's columns (columns are metric ids)")
    if len(set(columns)) != len(columns):
        twice = sorted({c for c in columns if columns.count(c) > 1})
        raise KPITreeError(f"{where}: the column {twice[0]!r} appears more than once")
    from ..data import period_labels  # the same reading of period labels as load_data

    labels = period_labels(list(data.index), where, None)
    if len(set(labels)) != len(labels):
        twice = sorted({p for p in labels if labels.count(p) > 1})
        raise KPITreeError(f"{where}: the period {twice[0]!r} appears more than once; give one "
                           "row per period")
    out = pd.DataFrame(index=pd.Index(labels, name="period"))
    for column, label in zip(data.columns, columns):
        series = data[column]
        numbers = pd.to_numeric(series, errors="coerce")
        bad = numbers.isna() & series.notna()
        if bad.any():
            raise KPITreeError(f"{where}: {label!r} holds {series[bad].iloc[0]!r}, not a number "
                               f"(period {labels[int(np.argmax(bad.to_numpy()))]})")
        values = numbers.to_numpy(dtype=float)
        out[label] = np.where(np.isfinite(values), values, np.nan)
    return out.loc[order_periods(labels)]


def tree_values(tree: Tree) -> pd.DataFrame:
    """The tree's own actuals per period (computed metrics rolled up), as a period frame."""
    import pandas as pd

    if not tree.periods:
        raise KPITreeError("data: the tree has no periods of its own; pass a DataFrame with one "
                           "row per period and one column per metric id")
    arrays, index = tree.arrays()
    return pd.DataFrame({m: arrays[index[m]][:, engine.VALUE] for m in tree.metrics},
                        index=pd.Index(tree.periods, name="period"))
