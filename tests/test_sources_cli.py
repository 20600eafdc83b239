"""The command line refreshes a tree from its sources: `kpitree refresh TREE [--save]` and
`kpitree rollup TREE --refresh`, on real DuckDB over a CSV file."""

from __future__ import annotations

from pathlib import Path

import pytest

import kpitree_widget as kt
from kpitree_widget.cli import main

SALES = ("ordered_at,amount\n2026-01-05 10:00:00,20.0\n2026-01-20 12:30:00,30.0\n"
         "2026-02-01 00:00:00,40.0\n")
TREE = """\
name: Tiny shop
sources:
  shop:
    url: duckdb://
    tables: {sales: sales.csv}
metrics:
  revenue: {formula: orders * aov, unit: currency, owner: CEO}
  orders:
    owner: Head of Sales
    source: {from: shop, table: sales, time: ordered_at, measure: "count(*)"}
  aov: {value: 50, target: 55, unit: currency, owner: Pricing Lead}
"""


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    (tmp_path / "sales.csv").write_text(SALES)
    path = tmp_path / "shop.yaml"
    path.write_text(TREE)
    return path


def test_refresh_prints_the_report_and_saves_only_when_asked(shop, capsys):
    assert main(["refresh", str(shop)]) == 0
    out = capsys.readouterr().out
    assert "orders" in out and "ok" in out and "2026-01" in out
    assert shop.read_text() == TREE
    assert main(["refresh", str(shop), "--save"]) == 0
    tree = kt.load(shop)
    assert tree.get_value("orders") == {"2026-01": 2, "2026-02": 1}
    assert tree.metrics["orders"].source.table == "sales"  # the source is kept in the file


def test_rollup_refreshes_first(shop, capsys):
    assert main(["rollup", str(shop), "--refresh", "--period", "2026-01",
                 "--format", "csv"]) == 0
    rows = {line.split(",")[0]: line for line in capsys.readouterr().out.splitlines()}
    assert ",100," in rows["revenue"] or ",100.0," in rows["revenue"]


def test_a_refused_source_exits_2_and_leaves_the_file(shop, capsys):
    shop.write_text(TREE.replace('table: sales, time: ordered_at, measure: "count(*)"',
                                 'sql: "COPY sales TO \'out.csv\'"'))
    before = shop.read_text()
    assert main(["refresh", str(shop), "--save"]) == 2
    err = capsys.readouterr().err
    assert "metrics.orders.source.sql" in err and "COPY" in err
    assert shop.read_text() == before and not (shop.parent / "out.csv").exists()
