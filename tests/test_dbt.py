"""The data team already defines its metrics in dbt: the growth lead imports them as a tree.

The project under tests/data/jaffle_shop is in the style of dbt's jaffle shop (orders and
customers semantic models; simple, ratio and derived metrics; a cumulative metric and an
offset window that have no equivalent). The imported tree refreshes from DuckDB over Parquet
and CSV files of generated orders, and its numbers equal a hand computation with pandas.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import kpitree_widget as kt
from kpitree_widget.cli import main

PROJECT = Path(__file__).parent / "data" / "jaffle_shop"
MANIFEST = PROJECT / "target" / "semantic_manifest.json"


def make_shop() -> dict[str, pd.DataFrame]:
    """Generated orders and customers (the jaffle shop's two marts)."""
    rng = np.random.default_rng(11)
    n = 2000
    start = pd.Timestamp("2025-07-01").value
    span = pd.Timestamp("2026-01-01").value - start
    orders = pd.DataFrame({
        "order_id": np.arange(n),
        "customer_id": rng.integers(0, 300, n),
        "ordered_at": pd.to_datetime(start + rng.integers(0, span, n)).astype("datetime64[us]"),
        "order_total": np.round(rng.gamma(2.0, 12.0, n), 2),
        "is_food_order": rng.random(n) < 0.6,
    })
    first = orders.groupby("customer_id", as_index=False)["ordered_at"].min()
    customers = first.rename(columns={"ordered_at": "first_ordered_at"})
    return {"orders": orders, "customers": customers}


@pytest.fixture(scope="module")
def shop() -> dict[str, pd.DataFrame]:
    return make_shop()


@pytest.fixture
def data(tmp_path, shop) -> Path:
    folder = tmp_path / "warehouse"
    folder.mkdir()
    shop["orders"].to_parquet(folder / "orders.parquet", index=False)
    shop["customers"].to_csv(folder / "customers.csv", index=False)
    return folder


def by_month(frame: pd.DataFrame, column: str = "ordered_at") -> pd.core.groupby.DataFrameGroupBy:
    return frame.groupby(frame[column].dt.to_period("M").astype(str))


def test_simple_ratio_and_derived_metrics_become_a_tree(data):
    tree = kt.from_dbt(PROJECT, root="revenue", duckdb_dir=data)
    spec = tree.to_dict()
    assert spec["root"] == "revenue" and spec["config"] == {"grain": "month"}
    metrics = spec["metrics"]
    assert list(metrics) == ["revenue", "buyers", "orders_per_buyer", "orders",
                             "average_order_value", "order_total"]
    # a derived metric: its expr with the aliases resolved
    assert metrics["revenue"]["formula"] == "buyers * orders_per_buyer * average_order_value"
    assert metrics["revenue"]["name"] == "Revenue"
    # ratio metrics
    assert metrics["average_order_value"]["formula"] == "order_total / orders"
    assert metrics["orders_per_buyer"]["formula"] == "orders / buyers"
    # simple metrics: inputs whose source is their measure on the model's table
    assert metrics["buyers"]["source"] == {"from": "dbt", "table": "orders", "time": "ordered_at",
                                           "measure": "count(DISTINCT customer_id)"}
    assert metrics["orders"]["source"]["measure"] == "sum(1)"
    assert metrics["order_total"]["source"]["measure"] == "sum(order_total)"
    assert spec["sources"]["dbt"]["tables"] == {"orders": str(data / "orders.parquet")}


def test_the_imported_tree_refreshes_to_a_hand_computation(data, shop):
    tree = kt.from_dbt(PROJECT, root="revenue", duckdb_dir=data)
    report = tree.refresh()
    assert (report["status"] == "ok").all(), report["message"].tolist()
    g = by_month(shop["orders"])
    total, count, buyers = g["order_total"].sum(), g.size(), g["customer_id"].nunique()
    assert tree.periods == list(total.index)
    for period in total.index:
        rollup = tree.rollup(period=period)
        assert rollup.loc["orders", "value"] == count[period]
        assert rollup.loc["buyers", "value"] == buyers[period]
        assert rollup.loc["average_order_value", "value"] == pytest.approx(
            total[period] / count[period])
        # buyers x orders per buyer x average order value is the month's order total
        assert rollup.loc["revenue", "value"] == pytest.approx(total[period])


def test_filters_on_a_models_dimension_and_a_second_model(data, shop):
    tree = kt.from_dbt(PROJECT, root="food_order_share", duckdb_dir=data)
    assert tree.metrics["food_orders"].source.where == "is_food_order = true"
    tree.refresh()
    g = by_month(shop["orders"])
    share = g["is_food_order"].mean()
    for period in share.index:
        assert tree.rollup(period=period).loc["food_order_share", "value"] == pytest.approx(
            share[period])
    new = kt.from_dbt(PROJECT, root="new_buyer_share", duckdb_dir=data)
    assert new.to_dict()["sources"]["dbt"]["tables"] == {
        "customers": str(data / "customers.csv"), "orders": str(data / "orders.parquet")}
    new.refresh()
    firsts = by_month(shop["customers"], "first_ordered_at").size()
    assert new.get_value("new_customers") == {p: float(v) for p, v in firsts.items()}


def test_the_manifest_dbt_parse_writes_gives_the_same_tree(data):
    from_yaml = kt.from_dbt(PROJECT, root="revenue", duckdb_dir=data).to_dict()
    assert kt.from_dbt(MANIFEST, root="revenue", duckdb_dir=data).to_dict() == from_yaml
    food = kt.from_dbt(MANIFEST, root="food_order_share", duckdb_dir=data)
    assert food.metrics["food_orders"].source.where == "is_food_order = true"


@pytest.mark.parametrize(("root", "message"), [
    ("cumulative_revenue", r"models/marts/more_metrics.yml: metrics.cumulative_revenue.type: a "
                           r"cumulative metric .* has no equivalent"),
    ("revenue_growth_mom", r"metrics.revenue_growth_mom.type_params.metrics\[1\]: an offset "
                           r"window \(1 month\) has no equivalent"),
    ("revenu", r"from_dbt.root: unknown metric 'revenu', did you mean 'revenue'"),
    (None, r"from_dbt.root: 4 metrics are used by no other \(food_order_share, new_buyer_share, "
           r"cumulative_revenue, revenue_growth_mom\); name the tree's root"),
])
def test_kinds_without_an_equivalent_are_refused_naming_the_metric(root, message):
    with pytest.raises(kt.KPITreeError, match=message):
        kt.from_dbt(PROJECT, root=root)


def test_the_root_is_the_one_metric_no_other_uses(tmp_path):
    project = tmp_path / "shop"
    shutil.copytree(PROJECT, project)
    (project / "models" / "marts" / "more_metrics.yml").unlink()
    shutil.rmtree(project / "target")
    assert kt.from_dbt(project).to_dict()["root"] == "revenue"


def test_a_filter_on_another_models_dimension_is_refused(tmp_path):
    project = tmp_path / "shop"
    shutil.copytree(PROJECT, project)
    path = project / "models" / "marts" / "more_metrics.yml"
    doc = yaml.safe_load(path.read_text())
    doc["metrics"][0]["filter"] = "{{ Dimension('customer__region') }} = 'EU'"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(kt.KPITreeError, match=r"metrics.food_orders.filter: .*customer__region.* "
                       r"is not a dimension of semantic model 'orders'"):
        kt.from_dbt(project, root="food_order_share")


def test_kpitree_import_dbt_writes_a_tree_file_that_refreshes(data, shop, tmp_path, capsys):
    out = tmp_path / "trees" / "revenue.yaml"
    out.parent.mkdir()
    code = main(["import-dbt", str(PROJECT), "-o", str(out), "--root", "revenue",
                 "--duckdb-dir", str(data)])
    assert code == 0, capsys.readouterr().err
    assert "6 metrics (3 with a source), root revenue" in capsys.readouterr().out
    written = yaml.safe_load(out.read_text())
    assert written["sources"]["dbt"]["tables"] == {"orders": "../warehouse/orders.parquet"}
    assert main(["refresh", str(out), "--save"]) == 0
    total = by_month(shop["orders"])["order_total"].sum()
    tree = kt.load(out)
    assert tree.rollup(period="2025-12").loc["revenue", "value"] == pytest.approx(
        total["2025-12"])
    # refused: the exit code of bad input, the metric named, no file written
    again = tmp_path / "cumulative.yaml"
    assert main(["import-dbt", str(PROJECT), "-o", str(again), "--root",
                 "cumulative_revenue"]) == 2
    assert "metrics.cumulative_revenue.type" in capsys.readouterr().err
    assert not again.exists()


def test_import_dbt_with_table_files_and_a_warehouse_url(data, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "tree.json"
    assert main(["import-dbt", str(MANIFEST), "-o", "tree.json", "--root", "revenue",
                 "--table", "orders=warehouse/orders.parquet"]) == 0
    written = kt.load(out)
    assert written.sources["dbt"].table_files == {"orders": "warehouse/orders.parquet"}
    written.refresh()
    assert written.get_value("orders")
    url = "postgresql://${PGUSER}:${PGPASSWORD}@db.internal/analytics"
    assert main(["import-dbt", str(PROJECT), "-o", "wh.yaml", "--root", "revenue",
                 "--url", url]) == 0
    assert kt.load(tmp_path / "wh.yaml").sources["dbt"].url == url
    capsys.readouterr()
    assert main(["import-dbt", str(PROJECT), "-o", "bad.yaml", "--root", "revenue",
                 "--table", "orders"]) == 2
    assert "--table 'orders': write NAME=FILE" in capsys.readouterr().err
    assert main(["import-dbt", str(PROJECT), "-o", "bad.yaml", "--root", "food_order_share",
                 "--table", "orders=x.parquet"]) == 0  # one table is all that root reads
    assert main(["import-dbt", str(PROJECT), "-o", "bad2.yaml", "--root", "new_buyer_share",
                 "--table", "orders=x.parquet"]) == 2
    assert "from_dbt.tables: no file for table 'customers'" in capsys.readouterr().err
