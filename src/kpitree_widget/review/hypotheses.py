"""Testing the tree's hypothesis links (``driver`` is believed to move ``outcome``) on period
data: correlation at the same period and with the driver leading by 1..``max_lag`` periods.

A verdict is ``supported`` when the strongest correlation reaches ``min_r`` in the expected
direction over at least ``min_periods`` periods, ``contradicted`` when it reaches ``min_r`` the
other way, and ``inconclusive`` otherwise (weak, too few periods, no data, no variation).

Correlation is not causation: a supported link is a reason to run an experiment, and only when
that holds should the link be hardened into math (write the driver into the outcome's formula).
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import KPITreeError
from .data import period_frame, tree_values

if TYPE_CHECKING:
    from ..tree import Tree

CAVEAT = ("Correlation is not causation: a supported link is a lead to test with an experiment, "
          "not proof that the driver moves the outcome.")
COLUMNS = ["driver", "outcome", "expected_sign", "n", "r", "best_lag", "best_lag_r",
           "sign_matches", "verdict", "note", "caveat"]


class HypothesisTests(pd.DataFrame):
    """The result table of :func:`test_hypotheses`; prints its caveat under the table.
    Anything derived from it (a slice, a copy) is a plain DataFrame."""

    @property
    def _constructor(self) -> Any:
        return pd.DataFrame

    def __repr__(self) -> str:
        return f"{super().__repr__()}\n\n{self.attrs.get('caveat', CAVEAT)}"

    def __str__(self) -> str:
        return self.__repr__()

    def _repr_html_(self) -> str:
        table = super()._repr_html_() or ""
        return f"{table}<p><em>{html.escape(self.attrs.get('caveat', CAVEAT))}</em></p>"


def _pearson(x: np.ndarray, y: np.ndarray) -> tuple[int, float]:
    """Pairs where both are numbers, and their correlation (NaN without variation)."""
    both = np.isfinite(x) & np.isfinite(y)
    n = int(both.sum())
    if n < 3:
        return n, math.nan
    a, b = x[both] - x[both].mean(), y[both] - y[both].mean()
    denom = math.sqrt(float((a * a).sum()) * float((b * b).sum()))
    if denom <= 1e-300:
        return n, math.nan
    return n, max(-1.0, min(1.0, float((a * b).sum()) / denom))


def _positive_int(value: Any, name: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise KPITreeError(f"test_hypotheses: {name} must be a whole number >= {low}, "
                           f"got {value!r}")
    return int(value)


def test_hypotheses(tree: Tree, data: Any = None, max_lag: int = 3, min_periods: int = 6,
                    min_r: float = 0.5) -> pd.DataFrame:
    """Each hypothesis link tested on ``data`` (rows: periods in time order; columns: metric
    ids). Without ``data``, the tree's own actuals per period are used.

    Columns: ``driver, outcome, expected_sign, n, r`` (same-period correlation over ``n``
    periods), ``best_lag, best_lag_r`` (the strongest correlation with the driver leading by 1
    to ``max_lag`` periods), ``sign_matches, verdict, note, caveat``. The caveat is also in
    ``result.attrs["caveat"]`` and printed under the table.
    """
    max_lag = _positive_int(max_lag, "max_lag", 0)
    min_periods = _positive_int(min_periods, "min_periods", 3)
    if isinstance(min_r, bool) or not isinstance(min_r, (int, float)) or not 0 < min_r <= 1:
        raise KPITreeError(f"test_hypotheses: min_r must be between 0 and 1, got {min_r!r}")
    frame = tree_values(tree) if data is None else period_frame(tree, data, "test_hypotheses")
    rows = [_test_one(tree, frame, h.driver, h.outcome, str(h.sign), max_lag, min_periods,
                      float(min_r)) for h in tree.hypotheses]
    table = pd.DataFrame(rows, columns=COLUMNS)
    table["best_lag"] = table["best_lag"].astype("Int64")
    table["n"] = table["n"].astype(int)
    result = HypothesisTests(table)
    result.attrs["caveat"] = CAVEAT
    result.attrs["thresholds"] = {"min_r": float(min_r), "min_periods": min_periods,
                                  "max_lag": max_lag}
    return result


def _test_one(tree: Tree, frame: pd.DataFrame, driver: str, outcome: str, sign: str,
              max_lag: int, min_periods: int, min_r: float) -> dict[str, Any]:
    names = {m: tree.metrics[m].name for m in (driver, outcome)}
    row: dict[str, Any] = {"driver": driver, "outcome": outcome, "expected_sign": sign,
                           "n": 0, "r": math.nan, "best_lag": None, "best_lag_r": math.nan,
                           "sign_matches": None, "verdict": "inconclusive", "caveat": CAVEAT}
    absent = [names[m] for m in (driver, outcome)
              if m not in frame.columns or not frame[m].notna().any()]
    if absent:
        row["note"] = f"no data for {' and '.join(absent)}"
        return row
    x = frame[driver].to_numpy(dtype=float)
    y = frame[outcome].to_numpy(dtype=float)
    n, r = _pearson(x, y)
    row["n"], row["r"] = n, r
    best: tuple[int, int, float] | None = None
    for lag in range(1, max_lag + 1):
        if lag >= len(x):
            break
        n_lag, r_lag = _pearson(x[:-lag], y[lag:])
        if n_lag >= min_periods and math.isfinite(r_lag) and (
                best is None or abs(r_lag) > abs(best[2])):
            best = (lag, n_lag, r_lag)
    if best is not None:
        row["best_lag"], row["best_lag_r"] = best[0], best[2]
    candidates = [(0, n, r)] if n >= min_periods and math.isfinite(r) else []
    if best is not None:
        candidates.append(best)
    if not candidates:
        if n < min_periods:
            row["note"] = (f"only {n} period{'s' if n != 1 else ''} with both numbers; "
                           f"need {min_periods}")
        else:
            flat = [names[m] for m, v in ((driver, x), (outcome, y))
                    if np.nanstd(v[np.isfinite(x) & np.isfinite(y)]) == 0]
            row["note"] = f"{' and '.join(flat) or 'the data'} does not vary in the data"
        return row
    lag, n_used, strongest = max(candidates, key=lambda c: abs(c[2]))
    want = 1 if sign == "+" else -1
    matches = (strongest > 0) == (want > 0)
    row["sign_matches"] = bool(matches)
    lead = "in the same period" if lag == 0 else (
        f"with {names[driver]} leading by {lag} period{'s' if lag > 1 else ''}")
    found = f"r = {strongest:+.2f} over {n_used} periods {lead}"
    if abs(strongest) < min_r:
        row["note"] = f"{found}: weaker than {min_r:g}"
    elif matches:
        row["verdict"] = "supported"
        row["note"] = f"{found}, the expected direction"
    else:
        row["verdict"] = "contradicted"
        row["note"] = f"{found}, the opposite of the expected direction"
    return row


test_hypotheses.__test__ = False  # type: ignore[attr-defined]  # not a pytest test
