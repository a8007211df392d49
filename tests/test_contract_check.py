"""The ETL refuses to publish a warehouse that breaks the contract the dashboard reads by."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

import warehouse_contract
from etl import warehouse
from etl.contract_check import contract_problems
from etl.refresh import RefreshOptions, refresh
from etl.sources import by_id

NFLIS = [by_id("nflis")]


def test_a_contracted_table_missing_a_column_is_named() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE sources (id VARCHAR, title VARCHAR)")
    [problem] = contract_problems(con)
    assert problem.startswith("table sources lacks the column(s) the dashboard reads: publisher")
    assert "last_success" in problem and "title" not in problem.split(":")[1]


def test_absent_tables_and_extra_columns_are_not_breaches() -> None:
    con = duckdb.connect()
    columns = ", ".join(f"{c} VARCHAR" for c in warehouse_contract.COLUMNS["indicators"])
    con.execute(f"CREATE TABLE indicators ({columns}, added_later VARCHAR)")
    assert contract_problems(con) == []


def test_publish_is_refused_and_the_last_good_warehouse_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = RefreshOptions(mode="offline", data_dir=tmp_path)
    assert refresh(NFLIS, None, options).status == "ok"
    published = tmp_path / "warehouse.duckdb"
    before = published.read_bytes()
    wanted = warehouse_contract.COLUMNS["observations"]
    monkeypatch.setitem(warehouse_contract.COLUMNS, "observations", (*wanted, "renamed_value"))
    with pytest.raises(warehouse.PublishRefused, match=r"observations lacks .*renamed_value"):
        refresh(NFLIS, None, options)
    assert published.read_bytes() == before
    assert not (tmp_path / "warehouse.duckdb.next").exists()
