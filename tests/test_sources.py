"""Live data: a growth lead wires a tree to event files and a DuckDB database and refreshes it.

Every test runs the real DuckDB engine over real Parquet, CSV and database files written by the
test, and checks the numbers against pandas on the same rows.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

import kpitree_widget as kt
from kpitree_widget.source_spec import SourceConfig
from kpitree_widget.sources import engines
from kpitree_widget.sources.engines.duckdb import DuckDBEngine
from kpitree_widget.sources.spec import resolve

EVENTS = ("visit", "signup", "purchase")


def make_events(n: int = 3000, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2025-10-01").value
    span = pd.Timestamp("2026-04-01").value - start
    return pd.DataFrame({
        "ts": pd.to_datetime(start + rng.integers(0, span, n)),
        "event": rng.choice(EVENTS, n, p=[0.7, 0.2, 0.1]),
        "amount": np.round(rng.gamma(2.0, 30.0, n), 2),
        "user_id": rng.integers(0, 400, n),
    })


def write(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` with DuckDB itself (Parquet, CSV or a database file's table)."""
    con = duckdb.connect()
    con.register("frame", frame)
    if path.suffix == ".duckdb":
        con.close()
        con = duckdb.connect(str(path))
        con.register("frame", frame)
        con.execute("CREATE TABLE events AS SELECT * FROM frame")
    else:
        fmt = "PARQUET" if path.suffix == ".parquet" else "CSV, HEADER"
        con.execute(f"COPY frame TO '{path}' (FORMAT {fmt})")
    con.close()


def expected(events: pd.DataFrame, freq: str = "M") -> pd.DataFrame:
    """The numbers by hand: pandas on the same rows."""
    period = events["ts"].dt.to_period(freq).astype(str)
    g = events.assign(period=period).groupby("period")
    return pd.DataFrame({
        "visits": g.apply(lambda d: (d["event"] == "visit").sum(), include_groups=False),
        "signups": g.apply(lambda d: (d["event"] == "signup").sum(), include_groups=False),
        "revenue": g.apply(lambda d: d.loc[d["event"] == "purchase", "amount"].sum(),
                           include_groups=False),
        "buyers": g.apply(lambda d: d.loc[d["event"] == "purchase", "user_id"].nunique(),
                          include_groups=False),
    })


def growth_tree(url: str = "duckdb://", tables: dict | None = None,
                table: str = "events") -> dict:
    src = {"url": url}
    if tables is not None:
        src["tables"] = tables

    def on(measure: str, where: str | None = None) -> dict:
        out = {"from": "product", "table": table, "time": "ts", "measure": measure}
        if where:
            out["where"] = where
        return out

    return {
        "name": "Growth",
        "sources": {"product": src},
        "metrics": {
            "revenue": {"formula": "buyers * revenue_per_buyer", "unit": "currency",
                        "source": on("sum(amount)", "event = 'purchase'")},
            "buyers": {"formula": "signups * conversion",
                       "source": on("count(DISTINCT user_id)", "event = 'purchase'")},
            "signups": {"formula": "visits * signup_rate"},
            "visits": {"source": on("count(*)", "event = 'visit'")},
            "signup_rate": {"unit": "percent", "value": 0.25},
            "conversion": {"unit": "percent", "value": 0.3},
            "revenue_per_buyer": {"unit": "currency", "value": 60},
        },
    }


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return make_events()


@pytest.fixture
def files(tmp_path: Path, events: pd.DataFrame) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    write(events, data / "events.parquet")
    write(events, data / "events.csv")
    write(events, data / "warehouse.duckdb")
    return tmp_path


def saved(tree_spec: dict, folder: Path, name: str = "tree.yaml") -> Path:
    path = folder / name
    kt.KPITree.from_dict(tree_spec).save(path)
    return path


def snapshot(tree: kt.KPITree) -> dict:
    """Every number of the tree: values, targets, reported actuals, periods."""
    numbers = {m: (tree.get_value(m), tree.get_target(m)) for m in tree.metrics}
    return {"numbers": numbers, "reported": {
        m: dict(v) for m, v in tree.reported_numbers.items()}, "periods": list(tree.periods)}


def listing(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*")}


# ------------------------------------------------------------------ the same numbers everywhere


@pytest.mark.parametrize("kind", ["parquet", "csv", "database", "filtered"])
def test_the_tree_refreshes_to_the_numbers_pandas_computes(files, events, kind):
    if kind == "database":
        spec = growth_tree(url="duckdb:///data/warehouse.duckdb")
    else:
        suffix = "parquet" if kind == "filtered" else kind
        spec = growth_tree(tables={"events": f"data/events.{suffix}"})
    if kind == "filtered":  # filters other than column = value: FILTER (WHERE ...) per metric
        for metric in spec["metrics"].values():
            if "source" in metric:
                metric["source"]["where"] = metric["source"]["where"].replace(" = ", " IN (") + ")"
    tree = kt.load(saved(spec, files))
    report = tree.refresh()
    want = expected(events)
    assert list(report.index) == ["revenue", "buyers", "visits"]
    assert (report["status"] == "ok").all(), report["message"].tolist()
    assert report.loc["visits", "rows"] == 6
    assert (report.loc["visits", "first"], report.loc["visits", "last"]) == ("2025-10", "2026-03")
    assert tree.periods == list(want.index)
    for period in want.index:
        assert tree.get_value("visits")[period] == want.loc[period, "visits"]
        # sources on computed metrics are their reported actuals, for reconciliation
        assert tree.reported_numbers["revenue"][period] == pytest.approx(
            want.loc[period, "revenue"])
        assert tree.reported_numbers["buyers"][period] == want.loc[period, "buyers"]
    rollup = tree.rollup(period="2026-01")
    assert rollup.loc["signups", "value"] == pytest.approx(want.loc["2026-01", "visits"] * 0.25)
    reported = tree.reported()  # what reconciliation reads
    assert reported.loc["2026-01", "revenue"] == pytest.approx(want.loc["2026-01", "revenue"])


def test_metrics_on_one_table_and_grain_are_fetched_in_one_grouped_query(files, monkeypatch):
    queries: list[str] = []

    class Counting(DuckDBEngine):
        def execute(self, sql):
            queries.append(sql)
            return super().execute(sql)

    monkeypatch.setitem(engines._ENGINES, "duckdb", Counting)
    tree = kt.load(saved(growth_tree(tables={"events": "data/events.parquet"}), files))
    tree.refresh()
    assert len(queries) == 1
    assert "GROUP BY" in queries[0] and "event IN ('purchase', 'visit')" in queries[0]


@pytest.mark.parametrize(("grain", "freq"), [("week", "W"), ("quarter", "Q"), ("day", "D"),
                                             ("year", "Y")])
def test_the_grain_comes_from_the_config(files, events, grain, freq):
    spec = growth_tree(tables={"events": "data/events.parquet"})
    spec["config"] = {"grain": grain}
    tree = kt.load(saved(spec, files))
    tree.refresh(metrics=["visits"])
    want = expected(events, freq)["visits"]
    got = tree.get_value("visits")
    assert sorted(got) == sorted(want.index)
    assert all(got[p] == want[p] for p in want.index)


def test_an_unknown_grain_is_refused_when_the_file_is_read():
    spec = growth_tree()
    spec["config"] = {"grain": "monthly"}
    with pytest.raises(kt.KPITreeError, match=r"config.grain: 'monthly' is not one of .*did "
                       r"you mean 'month'"):
        kt.KPITree.from_dict(spec)


def test_a_sql_source_and_a_target_source(files, events):
    plan = pd.DataFrame({"month": pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01"]),
                         "visits": [500.0, 520.0, 540.0]})
    plan.to_csv(files / "data" / "plan.csv", index=False)
    spec = growth_tree(tables={"events": "data/events.parquet", "plan": "data/plan.csv"})
    spec["metrics"]["visits"]["target_source"] = {
        "from": "product", "table": "plan", "time": "month", "measure": "max(visits)"}
    spec["metrics"]["visits"]["source"] = {"from": "product", "sql": (
        "WITH v AS (SELECT date_trunc('month', ts) AS period, count(*) AS value FROM events "
        "WHERE event = 'visit' GROUP BY 1) SELECT period, value FROM v")}
    tree = kt.load(saved(spec, files))
    report = tree.refresh()
    assert report.loc["visits", "layer"].tolist() == ["value", "target"]
    assert tree.get_target("visits") == {"2026-01": 500, "2026-02": 520, "2026-03": 540}
    want = expected(events)["visits"]
    assert tree.get_value("visits") == {p: float(want[p]) for p in want.index}


def test_refresh_limited_to_metrics_and_periods(files, events):
    tree = kt.load(saved(growth_tree(tables={"events": "data/events.parquet"}), files))
    report = tree.refresh(metrics="visits", periods=["2026-01", "2026-02"])
    assert list(report.index) == ["visits"]
    assert sorted(tree.get_value("visits")) == ["2026-01", "2026-02"]
    assert not tree.reported_numbers
    with pytest.raises(kt.KPITreeError, match=r"refresh.metrics: 'signup_rate' has no source"):
        tree.refresh(metrics=["signup_rate"])
    with pytest.raises(kt.KPITreeError, match="did you mean 'visits'"):
        tree.refresh(metrics=["visit"])


# ------------------------------------------------------------------ building it from Python


def test_sources_through_the_api_round_trip_through_the_file(files, events):
    tree = kt.KPITree.from_dict({"metrics": {
        "revenue": {"formula": "orders * aov"}, "orders": {}, "aov": {"value": 50}}})
    tree.add_source("shop", tables={"events": str(files / "data" / "events.parquet")})
    tree.set_source("orders", {"from": "shop", "table": "events", "time": "ts",
                               "measure": "count(*)", "where": "event = 'purchase'"})
    assert tree.metrics["orders"].source.measure == "count(*)"
    path = files / "api.yaml"
    tree.save(path)
    text = path.read_text()
    assert "sources:" in text and "measure: count(*)" in text
    again = kt.load(path)
    assert again.to_dict() == tree.to_dict()
    again.refresh()
    purchases = events[events["event"] == "purchase"]
    assert again.get_value("orders")["2026-01"] == (
        purchases["ts"].dt.to_period("M").astype(str) == "2026-01").sum()
    with pytest.raises(kt.KPITreeError, match=r"sources.shop: orders read from it"):
        tree.remove_source("shop")
    with pytest.raises(kt.KPITreeError, match=r"metrics.orders.source.from: unknown source "
                       r"'shp', did you mean 'shop'"):
        tree.set_source("orders", {"from": "shp", "table": "events", "time": "ts",
                                   "measure": "count(*)"})
    with pytest.raises(kt.KPITreeError, match=r"metrics.revenue.target_source: 'revenue' is "
                       "computed"):
        tree.set_source("revenue", {"from": "shop", "table": "events", "time": "ts",
                                    "measure": "sum(amount)"}, target=True)
    assert tree.metrics["orders"].source.from_ == "shop"
    tree.set_source("orders", None)
    tree.remove_source("shop")
    assert not tree.sources and "sources" not in tree.to_dict()


# ------------------------------------------------------------------ refusals change nothing

HOSTILE = [
    ("DROP TABLE events", "DROP statement"),
    ("DELETE FROM events", "DELETE statement"),
    ("INSERT INTO events VALUES (1)", "INSERT statement"),
    ("UPDATE events SET amount = 0", "UPDATE statement"),
    ("CREATE TABLE x AS SELECT 1", "CREATE statement"),
    ("COPY events TO 'stolen.csv'", "COPY statement"),
    ("ATTACH 'other.duckdb'", "ATTACH statement"),
    ("INSTALL httpfs", "INSTALL statement"),
    ("LOAD httpfs", "LOAD statement"),
    ("PRAGMA database_list", "PRAGMA statement"),
    ("SET enable_external_access = true", "SET statement"),
    ("CALL pragma_version()", "CALL statement"),
    ("EXPORT DATABASE 'dump'", "read-only SELECT"),
    ("SELECT 1 AS period, 2 AS value; DROP TABLE events", "2 statements"),
    ("SELECT * INTO stolen FROM events", "INTO statement"),
    ("WITH d AS (DELETE FROM events RETURNING *) SELECT ts AS period, 1 AS value FROM d",
     "DELETE statement"),
    ("SELECT 1 AS period, count(*) AS value FROM read_csv('/etc/passwd')", "read_csv()"),
    ("SELECT 1 AS period, count(*) AS value FROM '/etc/passwd'", "unknown table '/etc/passwd'"),
    ("SELECT 1 AS period, count(*) AS value FROM 'https://example.com/x.csv'", "unknown table"),
    ("SELECT getenv('HOME') AS period, 1 AS value", "getenv()"),
]


@pytest.mark.parametrize(("sql", "reason"), HOSTILE)
def test_a_query_that_is_not_one_read_only_select_is_refused(files, sql, reason):
    spec = growth_tree(tables={"events": "data/events.parquet"})
    path = saved(spec, files)
    tree = kt.load(path)
    tree.refresh()
    before, files_before = snapshot(tree), listing(files)
    tree.set_source("visits", {"from": "product", "sql": sql})
    with pytest.raises(kt.KPITreeError) as err:
        tree.refresh()
    message = str(err.value)
    assert "metrics.visits.source.sql" in message and reason in message
    assert "nothing was changed" in message
    assert snapshot(tree) == before
    assert listing(files) == files_before  # no file written, none changed


@pytest.mark.parametrize(("field", "text", "reason"), [
    ("measure", "count(*) FROM events; DROP TABLE events; SELECT count(*)", "not an SQL"),
    ("measure", "(SELECT max(amount) FROM events)", "subquery"),
    ("measure", "amount", "does not aggregate"),
    ("measure", "sum(amount) OVER ()", "window"),
    ("where", "event IN (SELECT event FROM events)", "subquery"),
    ("where", "1=1) OR (1=1", "not an SQL"),
    ("where", "count(*) > 1", "aggregates"),
    ("where", "read_csv('/etc/passwd') IS NOT NULL", "read_csv()"),
])
def test_measure_and_where_are_parsed_as_expressions(files, field, text, reason):
    tree = kt.load(saved(growth_tree(tables={"events": "data/events.parquet"}), files))
    tree.refresh()
    before, files_before = snapshot(tree), listing(files)
    source = tree.metrics["visits"].source.to_dict()
    tree.set_source("visits", {**source, field: text})
    with pytest.raises(kt.KPITreeError, match=f"metrics.visits.source.{field}: .*{reason}"):
        tree.refresh()
    assert snapshot(tree) == before and listing(files) == files_before


def test_a_partial_refresh_loads_what_succeeded_and_reports_the_refusal(files):
    tree = kt.load(saved(growth_tree(tables={"events": "data/events.parquet"}), files))
    tree.set_source("visits", {"from": "product", "sql": "DROP TABLE events"})
    report = tree.refresh(partial=True)
    assert report.loc["visits", "status"] == "refused"
    assert "DROP" in report.loc["visits", "message"]
    assert report.loc["revenue", "status"] == "ok" and "revenue" in tree.reported_numbers
    assert tree.get_value("visits") is None


# ------------------------------------------------------------------ the engine is locked down


@pytest.fixture
def engine(files):
    config = SourceConfig.from_value("product", {"tables": {"events": "data/events.csv"}})
    with DuckDBEngine(resolve(config, str(files))) as eng:
        yield eng


@pytest.mark.parametrize("sql", [
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM read_csv('https://example.com/data.csv')",
    "SELECT * FROM read_parquet('data/events.parquet')",  # a file the tree does not declare
    "SELECT * FROM glob('/etc/*')",
    "COPY (SELECT 1) TO 'stolen.csv'",
    "ATTACH 'data/warehouse.duckdb'",
    "INSTALL httpfs",
    "SET enable_external_access = true",
])
def test_duckdb_itself_reads_only_the_declared_files(engine, files, sql):
    """Even a query that got past the parser could not leave the declared files."""
    files_before = listing(files)
    with pytest.raises(duckdb.Error):
        engine.execute(sql)
    assert listing(files) == files_before
    assert engine.execute("SELECT count(*) AS n FROM events")["n"][0] == 3000


# ------------------------------------------------------------------ a failed refresh


def test_a_failed_refresh_keeps_every_old_number(files):
    spec = growth_tree(tables={"events": "data/events.parquet"})
    spec["sources"]["plan"] = {"tables": {"plan": "data/plan.parquet"}}
    spec["metrics"]["visits"]["target_source"] = {
        "from": "plan", "table": "plan", "time": "month", "measure": "max(visits)"}
    tree = kt.load(saved(spec, files))
    tree.set_target("visits", 100)
    before = snapshot(tree)
    with pytest.raises(kt.KPITreeError, match=r"refresh: metrics.visits.target_source \(source "
                       r"plan\): .*no file at .*plan.parquet.*nothing was changed"):
        tree.refresh()
    assert snapshot(tree) == before
    report = tree.refresh(partial=True)
    assert report.set_index("layer", append=True).loc[("visits", "target"), "status"] == "failed"
    assert tree.get_value("visits") and tree.get_target("visits") == 100


def test_a_source_that_returns_text_where_numbers_belong_changes_nothing(files):
    tree = kt.load(saved(growth_tree(tables={"events": "data/events.parquet"}), files))
    before = snapshot(tree)
    tree.set_source("visits", {"from": "product", "sql": "SELECT 'soon' AS period, "
                               "count(*) AS value FROM events"})
    with pytest.raises(kt.KPITreeError, match=r"metrics.visits.source.*'soon' is not a period"):
        tree.refresh()
    assert snapshot(tree) == before


# ------------------------------------------------------------------ credentials


def test_credentials_come_from_the_environment_and_are_never_saved_shown_or_logged(
        files, monkeypatch, caplog):
    secret = "s3cr3t-Passw0rd"
    monkeypatch.setenv("KT_TEST_DATA", secret)
    folder = files / secret
    folder.mkdir()
    write(make_events(100), folder / "events.parquet")
    spec = growth_tree(tables={"events": "${KT_TEST_DATA}/events.parquet"})
    spec["sources"]["warehouse"] = {"url": "postgresql://analyst:${KT_TEST_DATA}@127.0.0.1:9/x"}
    path = saved(spec, files)
    caplog.set_level(logging.DEBUG)
    tree = kt.load(path)
    tree.refresh()  # the variable is read when the source connects
    assert tree.get_value("visits")
    assert secret not in path.read_text() and "${KT_TEST_DATA}" in path.read_text()
    tree.save(path)
    assert secret not in path.read_text()
    assert secret not in repr(tree.sources) and secret not in repr(resolve(
        tree.sources["warehouse"], str(files)))
    # an error that would hold the value: a missing file under the secret folder
    (folder / "events.parquet").unlink()
    with pytest.raises(kt.KPITreeError) as err:
        tree.refresh()
    assert "***" in str(err.value) and secret not in str(err.value)
    report = tree.refresh(partial=True)
    assert secret not in report.to_string()
    # an engine whose driver puts the URL in its error
    seen = []

    def failing(source):
        seen.append(source.url)
        raise RuntimeError(f"could not connect to {source.url}")

    monkeypatch.setitem(engines._ENGINES, "postgresql", failing)
    tree.set_source("signup_rate", {"from": "warehouse", "sql": "SELECT 1 AS period, 1 AS value"})
    with pytest.raises(kt.KPITreeError) as err:
        tree.refresh(metrics=["signup_rate"])
    assert secret in seen[0]  # the engine got the real password ...
    assert secret not in str(err.value) and "analyst:***@127.0.0.1" in str(err.value)
    assert secret not in caplog.text  # ... and no log line shows it


def test_a_password_written_in_the_url_is_refused():
    spec = growth_tree()
    spec["sources"]["product"]["url"] = "postgresql://analyst:hunter2@db/x"
    with pytest.raises(kt.KPITreeError) as err:
        kt.KPITree.from_dict(spec)
    assert "sources.product.url" in str(err.value) and "hunter2" not in str(err.value)


def test_an_unset_variable_is_named(files, monkeypatch):
    monkeypatch.delenv("KT_NOT_SET", raising=False)
    spec = growth_tree(tables={"events": "${KT_NOT_SET}/events.parquet"})
    tree = kt.load(saved(spec, files))
    with pytest.raises(kt.KPITreeError, match=r"sources.product.tables.events: the environment "
                       "variable KT_NOT_SET is not set"):
        tree.refresh()


def test_an_engine_not_installed_is_named():
    spec = growth_tree()
    spec["sources"]["product"]["url"] = "snowflake://${SF_USER}@acct/db"
    os.environ.setdefault("SF_USER", "me")
    tree = kt.KPITree.from_dict(spec)
    with pytest.raises(kt.KPITreeError, match=r"no engine for snowflake:// is installed"):
        tree.refresh()


# ------------------------------------------------------------------ data gaps


def test_data_gaps_and_the_health_rule(files):
    spec = growth_tree(tables={"events": "data/events.parquet"})
    del spec["metrics"]["conversion"]["value"]
    tree = kt.load(saved(spec, files))
    tree.refresh()
    tree.set_value("signup_rate", 0.2)
    gaps = tree.data_gaps()
    assert gaps.loc["visits", "source"] == "product" and gaps.loc["visits", "has_data"]
    assert gaps.loc["visits", "last_period"] == "2026-03" and gaps.loc["visits", "missing"] == []
    assert not gaps.loc["conversion", "has_data"] and not gaps.loc["conversion", "computable"]
    assert gaps.loc["signups", "computable"] and not gaps.loc["buyers", "computable"]
    assert not gaps.loc["revenue", "computable"]
    findings = [f for f in tree.check() if f.rule == "data.unsourced"]
    assert [f.metric for f in findings] == ["conversion"]
    tree.set_value("conversion", 0.3)
    assert not [f for f in tree.check() if f.rule == "data.unsourced"]
    assert bool(tree.data_gaps().loc["revenue", "computable"])
