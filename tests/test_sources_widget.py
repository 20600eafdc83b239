"""The view refreshes a tree with data sources: the `refresh` request of the protocol, answered
with when it finished, or with the error the banner shows and no number changed."""

from __future__ import annotations

from pathlib import Path

import pytest

import kpitree_widget as kt

SALES = "ordered_at,amount\n2026-01-05 10:00:00,20.0\n2026-02-01 00:00:00,40.0\n"
TREE = """\
sources:
  shop: {url: "duckdb://", tables: {sales: sales.csv}}
metrics:
  revenue: {formula: orders * aov, unit: currency}
  orders:
    source: {from: shop, table: sales, time: ordered_at, measure: "count(*)"}
  aov: {value: 50, unit: currency}
"""


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    (tmp_path / "sales.csv").write_text(SALES)
    path = tmp_path / "shop.yaml"
    path.write_text(TREE)
    return path


def test_the_view_knows_the_sources_and_refreshes(shop):
    tree = kt.load(shop)
    view = kt.TreeWidget(tree)
    assert view.sources == ["shop"]
    answer = view._request("refresh", {})
    assert answer["ok"] and answer["refreshed_at"].endswith("+00:00")
    assert tree.get_value("orders") == {"2026-01": 1, "2026-02": 1}
    assert view.error == {}
    assert view.structure["periods"] == ["2026-01", "2026-02"]


def test_a_failed_refresh_shows_in_the_banner_and_changes_nothing(shop):
    tree = kt.load(shop)
    view = kt.TreeWidget(tree)
    tree.set_source("orders", {"from": "shop", "sql": "DROP TABLE sales"})
    answer = view._request("refresh", {})
    assert not answer["ok"] and answer["refreshed_at"] is None
    assert "metrics.orders.source.sql" in view.error["message"] and "DROP" in view.error["message"]
    assert "nothing was changed" in view.error["message"]
    assert tree.get_value("orders") is None


def test_a_tree_without_sources_offers_no_refresh_until_one_is_added(shop):
    tree = kt.KPITree.from_dict({"metrics": {"a": {"formula": "b"}, "b": {"value": 1}}})
    view = kt.TreeWidget(tree)
    assert view.sources == []
    tree.add_source("shop", tables={"sales": str(shop.parent / "sales.csv")})
    assert view.sources == ["shop"]
