"""Refresh benchmark: ``tree.refresh()`` over a generated 10,000,000-row Parquet event table
against one hand-written DuckDB ``GROUP BY`` query and against pandas ``read_parquet`` +
``groupby`` on the same file, measured in the same run.

Run: ``.venv/bin/python benchmarks/sources.py`` (about a minute; ``--rows`` for another size).
The table has a timestamp over 36 months, an event name (10 kinds) and an amount. The tree
has 20 input metrics, a count and a sum of the amount for each kind of event, each a
declarative source (``count(*)`` / ``sum(amount)`` with ``where: event = 'eN'``), under one
root that adds them up. ``refresh`` compiles them into one grouped query, runs it in a locked
down DuckDB, and loads the 720 numbers with the checks of ``load_data``. The hand-written query
is the GROUP BY month and event a data engineer would write for these numbers (the floor:
DuckDB's own work; the same numbers as one FILTER column per metric are timed too); pandas
reads the three columns and groups by month and event. Best of 3 runs each.

Targets: refresh within 1.5x of the hand-written query; at least 10x faster than pandas.
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd

from kpitree_widget import KPITree

KINDS = 10
MONTHS = 36


def make_table(path: Path, rows: int) -> None:
    """A Parquet file of ``rows`` events spread over 36 months, written by DuckDB."""
    con = duckdb.connect()
    con.execute(f"""
        COPY (SELECT TIMESTAMP '2023-01-01' + to_microseconds(
                     (hash(i) % ({MONTHS} * 30 * 86400))::BIGINT * 1000000) AS ts,
                     'e' || (hash(i * 7) % {KINDS})::VARCHAR AS event,
                     ((hash(i * 13) % 10000) / 100.0)::DOUBLE AS amount
              FROM range({rows}) t(i))
        TO '{path}' (FORMAT PARQUET)""")
    con.close()


def make_tree(path: Path) -> KPITree:
    metrics: dict[str, dict] = {}
    names = []
    for k in range(KINDS):
        for what, measure in (("count", "count(*)"), ("amount", "sum(amount)")):
            name = f"{what}_e{k}"
            names.append(name)
            metrics[name] = {"source": {"from": "events", "table": "events", "time": "ts",
                                        "measure": measure, "where": f"event = 'e{k}'"}}
    spec = {"sources": {"events": {"tables": {"events": str(path)}}},
            "metrics": {"total": {"formula": " + ".join(names)}, **metrics}}
    return KPITree.from_dict(spec)


HAND = """
SELECT date_trunc('month', ts) AS period, event, count(*) AS n, sum(amount) AS amount
FROM read_parquet('{path}') GROUP BY 1, 2
"""
FILTERED = """
SELECT date_trunc('month', ts) AS period,
       {columns}
FROM read_parquet('{path}') GROUP BY 1
"""


def hand_written(path: Path) -> pd.DataFrame:
    """The query a data engineer writes for these 20 numbers: one GROUP BY month and event."""
    con = duckdb.connect()
    try:
        return con.execute(HAND.format(path=path)).df()
    finally:
        con.close()


def hand_filtered(path: Path) -> pd.DataFrame:
    """The same numbers as one column each (``FILTER (WHERE ...)``), for comparison."""
    columns = ",\n       ".join(
        f"count(*) FILTER (WHERE event = 'e{k}') AS count_e{k}, "
        f"sum(amount) FILTER (WHERE event = 'e{k}') AS amount_e{k}" for k in range(KINDS))
    con = duckdb.connect()
    try:
        return con.execute(FILTERED.format(columns=columns, path=path)).df()
    finally:
        con.close()


def with_pandas(path: Path) -> pd.DataFrame:
    frame = pd.read_parquet(path, columns=["ts", "event", "amount"])
    month = frame["ts"].dt.to_period("M")
    return frame.groupby([month, "event"])["amount"].agg(["count", "sum"])


def best(fn: Callable[[], object], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.parquet"
        start = time.perf_counter()
        make_table(path, args.rows)
        print(f"{platform.python_version()} duckdb {duckdb.__version__}, {args.rows:,} rows, "
              f"{path.stat().st_size / 1e6:.0f} MB Parquet (written in "
              f"{time.perf_counter() - start:.1f}s)")
        tree = make_tree(path)
        report = tree.refresh()
        assert (report["status"] == "ok").all()
        assert report["rows"].eq(MONTHS).all(), report["rows"].tolist()
        # the same numbers three ways
        hand = hand_written(path)
        hand = hand[hand["event"] == "e3"].set_index("period").sort_index()
        ours = tree.get_value("amount_e3")
        first = hand.index[0].strftime("%Y-%m")
        assert abs(ours[first] - hand["amount"].iloc[0]) < 1e-6 * max(1, ours[first])
        pandas_frame = with_pandas(path)
        assert pandas_frame.loc[(pd.Period(first, "M"), "e3"), "count"] == \
            tree.get_value("count_e3")[first]

        t_refresh = best(lambda: make_tree(path).refresh())
        t_hand = best(lambda: hand_written(path))
        t_filtered = best(lambda: hand_filtered(path), runs=1)
        t_pandas = best(lambda: with_pandas(path), runs=2)
        print(f"{'refresh (20 metrics, 36 months)':40s} {t_refresh * 1000:9.0f} ms")
        print(f"{'hand-written DuckDB GROUP BY':40s} {t_hand * 1000:9.0f} ms")
        print(f"{'hand-written, FILTER per metric':40s} {t_filtered * 1000:9.0f} ms")
        print(f"{'pandas read_parquet + groupby':40s} {t_pandas * 1000:9.0f} ms")
        print(f"refresh / hand-written: {t_refresh / t_hand:.2f}x (target <= 1.5x)")
        print(f"pandas / refresh:       {t_pandas / t_refresh:.1f}x (target >= 10x)")


if __name__ == "__main__":
    main()
