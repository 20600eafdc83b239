"""A data team's events live in PostgreSQL: the growth tree refreshes from the warehouse.

The test starts a real PostgreSQL server (Debian's ``postgresql`` package) on 127.0.0.1, loads
the same rows the DuckDB tests read as a CSV, and refreshes the same tree: the numbers equal
pandas on those rows. Credentials come from the environment; every query runs read-only.
"""

from __future__ import annotations

import io
import logging

import pandas as pd
import pytest

import kpitree_widget as kt
from kpitree_widget.sources import engines
from kpitree_widget.sources.engines.warehouse import SQLAlchemyEngine
from kpitree_widget.sources.spec import resolve
from pgserver import binaries, postgres_server
from test_dbt import PROJECT, by_month, make_shop
from test_sources import expected, growth_tree, make_events, saved, snapshot

pytest.importorskip("sqlalchemy", reason="the [sql] extra (sqlalchemy, psycopg) is not installed")
pytest.importorskip("psycopg", reason="the [sql] extra (sqlalchemy, psycopg) is not installed")
if binaries() is None:
    pytest.skip("PostgreSQL's server binaries (initdb, pg_ctl) are not installed; Debian: "
                "apt-get install postgresql", allow_module_level=True)

PASSWORD = "p@ss:w/rd#Zq9"  # every character a URL treats specially
USER = "analyst"
URL = "postgresql://${KT_PGUSER}:${KT_PGPASSWORD}@127.0.0.1:{port}/shop"


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return make_events()


@pytest.fixture(scope="module")
def server(events):
    with postgres_server() as pg:
        with pg.connect() as admin:
            admin.execute(f"CREATE ROLE {USER} LOGIN PASSWORD '{PASSWORD}'")
            admin.execute(f"CREATE DATABASE shop OWNER {USER}")  # the analyst could write ...
        with pg.connect("shop", USER) as con:
            con.execute("CREATE TABLE events (ts timestamp, event text, amount numeric(12, 2), "
                        "user_id bigint)")
            con.execute("CREATE TABLE plan (month date, visits double precision)")
            con.execute("CREATE SEQUENCE ids")
            con.execute("CREATE SCHEMA marketing")
            con.execute("CREATE TABLE marketing.leads (created_at date, qualified boolean)")
            con.execute("INSERT INTO marketing.leads VALUES ('2026-01-05', true), "
                        "('2026-01-20', true), ('2026-01-21', false), ('2026-02-02', true)")
            text = io.StringIO()
            events.to_csv(text, index=False)
            with con.cursor().copy("COPY events FROM STDIN WITH (FORMAT csv, HEADER)") as copy:
                copy.write(text.getvalue())
            con.execute("INSERT INTO plan VALUES ('2026-01-01', 500), ('2026-02-01', 520)")
            # the jaffle shop's orders mart, as dbt would have built it
            con.execute("CREATE TABLE orders (order_id bigint, customer_id bigint, ordered_at "
                        "timestamp, order_total numeric(12, 2), is_food_order boolean)")
            text = io.StringIO()
            make_shop()["orders"].to_csv(text, index=False)
            with con.cursor().copy("COPY orders FROM STDIN WITH (FORMAT csv, HEADER)") as copy:
                copy.write(text.getvalue())
        yield pg


@pytest.fixture
def env(monkeypatch, server):
    monkeypatch.setenv("KT_PGUSER", USER)
    monkeypatch.setenv("KT_PGPASSWORD", PASSWORD)
    return URL.replace("{port}", str(server.port))


def rows_in(server) -> tuple[int, list[str]]:
    """What the database holds: the events' row count and its tables."""
    with server.connect("shop") as con:
        n = con.execute("SELECT count(*) FROM events").fetchone()[0]
        tables = [r[0] for r in con.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
    return n, tables


def test_the_tree_refreshes_from_postgresql_to_the_numbers_pandas_computes(
        env, events, tmp_path, monkeypatch):
    queries: list[str] = []

    class Counting(SQLAlchemyEngine):
        def execute(self, sql):
            queries.append(sql)
            return super().execute(sql)

    monkeypatch.setitem(engines._ENGINES, "postgresql", Counting)
    tree = kt.load(saved(growth_tree(url=env), tmp_path))
    report = tree.refresh()
    assert (report["status"] == "ok").all(), report["message"].tolist()
    assert len(queries) == 1 and "GROUP BY" in queries[0]  # three metrics, one query
    want = expected(events)
    assert tree.periods == list(want.index)
    for period in want.index:
        assert tree.get_value("visits")[period] == want.loc[period, "visits"]
        assert tree.reported_numbers["buyers"][period] == want.loc[period, "buyers"]
        assert tree.reported_numbers["revenue"][period] == pytest.approx(
            want.loc[period, "revenue"])


def test_a_sql_source_and_a_plan_from_postgresql(env, events, tmp_path):
    spec = growth_tree(url=env)
    spec["metrics"]["visits"]["source"] = {"from": "product", "sql": (
        "SELECT date_trunc('month', ts) AS period, count(*) AS value FROM events "
        "WHERE event = 'visit' GROUP BY 1")}
    spec["metrics"]["visits"]["target_source"] = {
        "from": "product", "table": "plan", "time": "month", "measure": "max(visits)"}
    tree = kt.load(saved(spec, tmp_path))
    tree.refresh(metrics=["visits"])
    want = expected(events)["visits"]
    assert tree.get_value("visits") == {p: float(want[p]) for p in want.index}
    assert tree.get_target("visits") == {"2026-01": 500, "2026-02": 520}


def test_a_sql_source_reads_a_table_of_another_schema(env, tmp_path):
    spec = growth_tree(url=env)
    spec["metrics"]["signup_rate"] = {"source": {"from": "product", "sql": (
        "SELECT date_trunc('month', created_at) AS period, count(*) AS value "
        "FROM marketing.leads WHERE qualified GROUP BY 1")}}
    tree = kt.load(saved(spec, tmp_path))
    tree.refresh(metrics=["signup_rate"])
    assert tree.get_value("signup_rate") == {"2026-01": 2, "2026-02": 1}
    tree.set_source("signup_rate", {"from": "product", "sql": (
        "SELECT created_at AS period, 1 AS value FROM marketing.lead")})
    with pytest.raises(kt.KPITreeError, match=r"unknown table 'marketing.lead', did you mean "
                       r"'marketing.leads'"):
        tree.refresh(metrics=["signup_rate"])


@pytest.mark.parametrize("grain", ["week", "quarter"])
def test_the_grain_is_the_trees(env, events, tmp_path, grain):
    spec = growth_tree(url=env)
    spec["config"] = {"grain": grain}
    tree = kt.load(saved(spec, tmp_path))
    tree.refresh(metrics=["visits"])
    want = expected(events, grain[0].upper())["visits"]
    assert tree.get_value("visits") == {p: float(want[p]) for p in want.index}


@pytest.mark.parametrize(("sql", "reason"), [
    ("DROP TABLE events", "DROP statement"),
    ("DELETE FROM events", "DELETE statement"),
    ("INSERT INTO events (event) VALUES ('x')", "INSERT statement"),
    ("CREATE TABLE stolen AS SELECT * FROM events", "CREATE statement"),
    ("COPY events TO '/tmp/stolen.csv'", "COPY statement"),
    ("SELECT now() AS period, 1 AS value; DROP TABLE events", "2 statements"),
    ("SELECT now() AS period, length(pg_read_file('/etc/passwd')) AS value", "pg_read_file()"),
    ("SELECT now() AS period, count(*) AS value FROM pg_shadow", "unknown table 'pg_shadow'"),
])
def test_postgresql_refuses_what_is_not_one_read_only_select(env, server, tmp_path, sql,
                                                              reason):
    tree = kt.load(saved(growth_tree(url=env), tmp_path))
    tree.refresh()
    before, held = snapshot(tree), rows_in(server)
    tree.set_source("visits", {"from": "product", "sql": sql})
    with pytest.raises(kt.KPITreeError) as err:
        tree.refresh()
    assert "metrics.visits.source.sql" in str(err.value) and reason in str(err.value)
    assert "nothing was changed" in str(err.value)
    assert snapshot(tree) == before and rows_in(server) == held


@pytest.mark.parametrize("sql", ["DELETE FROM events", "CREATE TABLE stolen (a int)",
                                 "UPDATE events SET amount = 0",
                                 "SELECT nextval('ids')"])
def test_every_query_runs_in_a_read_only_transaction(env, server, tmp_path, sql):
    """Even a statement that got past the checks could not write: the analyst owns the
    database, and still the engine's transaction is read-only."""
    held = rows_in(server)
    config = kt.KPITree.from_dict(growth_tree(url=env)).sources["product"]
    with SQLAlchemyEngine(resolve(config, str(tmp_path))) as engine, pytest.raises(
            Exception, match=r"cannot execute .* in a read-only transaction"):
        engine.execute(sql)
    assert rows_in(server) == held


def test_tables_the_source_does_not_have_are_named(env, tmp_path):
    spec = growth_tree(url=env, table="evnts")
    tree = kt.load(saved(spec, tmp_path))
    with pytest.raises(kt.KPITreeError, match=r"metrics.revenue.source.table: unknown table "
                       r"'evnts', did you mean 'events'"):
        tree.refresh()


def test_the_password_is_never_saved_shown_or_logged(env, server, tmp_path, monkeypatch,
                                                     caplog):
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy").setLevel(logging.DEBUG)
    try:
        path = saved(growth_tree(url=env), tmp_path)
        tree = kt.load(path)
        tree.refresh()
        tree.save(path)
        text = path.read_text()
        assert "${KT_PGPASSWORD}" in text and PASSWORD not in text
        assert PASSWORD not in repr(tree.sources)
        assert PASSWORD not in repr(resolve(tree.sources["product"], str(tmp_path)))
        # a wrong password: the server's refusal, and the URL, without the password
        monkeypatch.setenv("KT_PGPASSWORD", PASSWORD + "-wrong")
        with pytest.raises(kt.KPITreeError) as err:
            tree.refresh()
        assert "password authentication failed" in str(err.value)
        assert PASSWORD not in str(err.value)
        report = tree.refresh(partial=True)
        assert (report["status"] == "failed").all() and PASSWORD not in report.to_string()
        assert PASSWORD not in caplog.text
    finally:
        logging.getLogger("sqlalchemy").setLevel(logging.WARNING)


def test_a_tree_imported_from_dbt_refreshes_from_the_warehouse_dbt_built(env, tmp_path):
    tree = kt.from_dbt(PROJECT, root="revenue", url=env)
    path = tmp_path / "revenue.yaml"
    tree.save(path)
    assert "${KT_PGPASSWORD}" in path.read_text() and PASSWORD not in path.read_text()
    tree = kt.load(path)
    tree.refresh()
    orders = make_shop()["orders"]
    g = by_month(orders)
    for period, total in g["order_total"].sum().items():
        rollup = tree.rollup(period=period)
        assert rollup.loc["revenue", "value"] == pytest.approx(total)
        assert rollup.loc["buyers", "value"] == g["customer_id"].nunique()[period]
