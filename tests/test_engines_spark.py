"""The event table is too big for one machine: the growth tree refreshes through Spark.

Spark runs in local mode (``local[1]``, a small driver) in a session started once for the
module, over the same Parquet and CSV files the DuckDB tests read; the numbers equal pandas on
those rows, and what is not one read-only query is refused before Spark sees it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import kpitree_widget as kt
from test_sources import expected, growth_tree, listing, make_events, saved, snapshot, write

pytest.importorskip("pyspark", reason="the [spark] extra (pyspark) is not installed")
if shutil.which("java") is None:
    pytest.skip("Spark needs a Java runtime (Debian: apt-get install default-jre-headless)",
                allow_module_level=True)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[1]").appName("kpitree-tests")
               .config("spark.driver.memory", "512m")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "1")
               .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return make_events()


@pytest.fixture(scope="module")
def files(tmp_path_factory, events) -> Path:
    folder = tmp_path_factory.mktemp("spark")
    (folder / "data").mkdir()
    micros = events.assign(ts=events["ts"].astype("datetime64[us]"))  # what Spark reads
    write(micros, folder / "data" / "events.parquet")
    write(events, folder / "data" / "events.csv")
    return folder


def spark_tree(kind: str = "parquet") -> dict:
    return growth_tree(url="spark://local[1]", tables={"events": f"data/events.{kind}"})


@pytest.mark.parametrize("kind", ["parquet", "csv"])
def test_the_tree_refreshes_through_spark_to_the_numbers_pandas_computes(
        spark, files, events, kind, monkeypatch):
    from kpitree_widget.sources import engines
    from kpitree_widget.sources.engines.spark import SparkEngine

    queries: list[str] = []

    class Counting(SparkEngine):
        def execute(self, sql):
            queries.append(sql)
            return super().execute(sql)

    monkeypatch.setitem(engines._ENGINES, "spark", Counting)
    tree = kt.load(saved(spark_tree(kind), files, f"tree_{kind}.yaml"))
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
    # the engine's views are gone and the session reads files only through the tree again
    assert not spark.catalog.listTables()


def test_a_sql_source_other_filters_and_the_day_grain_through_spark(spark, files, events):
    spec = spark_tree()
    spec["config"] = {"grain": "day"}
    spec["metrics"]["visits"]["source"] = {"from": "product", "sql": (
        "SELECT date_trunc('day', ts) AS period, count(*) AS value FROM events "
        "WHERE event = 'visit' GROUP BY 1")}
    spec["metrics"]["revenue"]["source"]["where"] = "event IN ('purchase')"  # FILTER (WHERE)
    tree = kt.load(saved(spec, files, "tree_day.yaml"))
    tree.refresh()
    want = expected(events, "D")
    assert tree.get_value("visits") == {p: float(want.loc[p, "visits"]) for p in want.index
                                        if want.loc[p, "visits"]}
    bought = set(events.loc[events["event"] == "purchase", "ts"].dt.to_period("D").astype(str))
    got = tree.reported_numbers["revenue"]  # a day without a purchase has no revenue row
    assert set(got) == bought
    assert all(got[p] == pytest.approx(want.loc[p, "revenue"]) for p in bought)


@pytest.mark.parametrize(("sql", "reason"), [
    ("DROP TABLE events", "DROP statement"),
    ("INSERT INTO events SELECT * FROM events", "INSERT statement"),
    ("CREATE TABLE stolen AS SELECT * FROM events", "CREATE statement"),
    ("SELECT current_date() AS period, 1 AS value; DROP TABLE events", "2 statements"),
    # Spark's SQL on a file path, in the SQL a tree file is written in and in Spark's own
    ("SELECT current_date() AS period, count(*) AS value FROM parquet.\"/etc\"",
     "unknown table 'parquet./etc'"),
    ("SELECT current_date() AS period, count(*) AS value FROM csv.`/etc/passwd`",
     "not a query this engine reads"),
    ("SELECT current_date() AS period, reflect('java.lang.System', 'exit', 1) AS value",
     "reflect()"),
    ("SELECT current_date() AS period, java_method('java.lang.Runtime', 'getRuntime') AS value",
     "java_method()"),
])
def test_spark_never_sees_what_is_not_one_read_only_select(spark, files, sql, reason):
    tree = kt.load(saved(spark_tree(), files, "tree_refusals.yaml"))
    tree.refresh(metrics=["visits"])
    before, files_before = snapshot(tree), listing(files)
    tree.set_source("visits", {"from": "product", "sql": sql})
    with pytest.raises(kt.KPITreeError) as err:
        tree.refresh()
    assert "metrics.visits.source.sql" in str(err.value) and reason in str(err.value)
    assert snapshot(tree) == before and listing(files) == files_before


def test_nanosecond_timestamps_are_explained(spark, files, events):
    write(events, files / "data" / "nanos.parquet")  # pandas' default: nanoseconds
    spec = spark_tree()
    spec["sources"]["product"]["tables"] = {"events": "data/nanos.parquet"}
    tree = kt.load(saved(spec, files, "tree_nanos.yaml"))
    with pytest.raises(kt.KPITreeError, match=r"sources.product: .*NANOS.*Spark reads "
                       r"timestamps in microseconds"):
        tree.refresh()


def test_a_view_the_session_already_has_is_left_alone(spark, files):
    spark.range(3).createOrReplaceTempView("events")  # the notebook's own view
    try:
        tree = kt.load(saved(spark_tree(), files, "tree_taken.yaml"))
        with pytest.raises(kt.KPITreeError, match=r"sources.product.tables.events: the Spark "
                           r"session already has a temporary view 'events'"):
            tree.refresh()
        assert spark.sql("SELECT count(*) AS n FROM events").collect()[0]["n"] == 3
    finally:
        spark.catalog.dropTempView("events")


def test_a_missing_file_is_named_and_changes_nothing(spark, files):
    spec = spark_tree()
    spec["sources"]["product"]["tables"] = {"events": "data/nowhere.parquet"}
    tree = kt.load(saved(spec, files, "tree_missing.yaml"))
    with pytest.raises(kt.KPITreeError, match=r"sources.product.tables.events: no file at "
                       r"'.*nowhere.parquet'.*nothing was changed"):
        tree.refresh()
    assert tree.get_value("visits") is None


def test_spark_itself_reads_no_file_by_path_while_the_engine_is_open(spark, files):
    """Even a query that got past the checks could not read a file the tree does not
    declare: SQL on file paths is off while the engine is open, and back as it was after."""
    from kpitree_widget.sources.engines.spark import SparkEngine
    from kpitree_widget.sources.spec import resolve

    tree = kt.KPITree.from_dict(spark_tree())
    undeclared = files / "data" / "events.csv"
    with SparkEngine(resolve(tree.sources["product"], str(files))) as engine:
        assert engine.execute("SELECT count(*) AS n FROM events")["n"][0] == 3000
        with pytest.raises(Exception, match=r"(?i)table or view .* cannot be found|"
                           r"not found|TABLE_OR_VIEW_NOT_FOUND"):
            engine.execute(f"SELECT * FROM csv.`{undeclared}`")
    assert spark.sql(f"SELECT count(*) AS n FROM csv.`{undeclared}`").count() == 1
