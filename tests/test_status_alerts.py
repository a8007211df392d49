"""`ketamine-watch status` exits 1 for every alerting status (failed, held, fell back) and 0 for
a warehouse whose sources are ok or empty."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from etl.cli import ALERTING, app


def status_of(seed_warehouse: Path, data_dir: Path, state: str | None) -> tuple[int, str]:
    data_dir.mkdir()
    shutil.copyfile(seed_warehouse, data_dir / "warehouse.duckdb")
    if state:
        with duckdb.connect(str(data_dir / "warehouse.duckdb")) as con:
            con.execute(
                "UPDATE sources SET status = ?, message = 'would drop 2023' WHERE id = 'nflis'",
                [state],
            )
    result = CliRunner().invoke(app, ["status", "--data-dir", str(data_dir)])
    return result.exit_code, result.output


def test_held_is_alerting() -> None:
    assert "held" in ALERTING and "failed" in ALERTING and "fallback" in ALERTING


@pytest.mark.parametrize("state", ["failed", "held", "fallback"])
def test_status_exits_1_when_a_source_alerts(
    seed_warehouse: Path, tmp_path: Path, state: str
) -> None:
    code, output = status_of(seed_warehouse, tmp_path / "data", state)
    assert code == 1, output
    assert "needs attention" in output and "nflis" in output


def test_status_exits_0_when_sources_are_ok_or_empty(seed_warehouse: Path, tmp_path: Path) -> None:
    code, output = status_of(seed_warehouse, tmp_path / "data", None)
    assert code == 0, output


def test_the_dashboard_flags_a_held_source(
    seed_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The header warns on every page; Data & methods shows the held source's message as text."""
    import streamlit as st

    from tests.page_kit import run_page

    status_of(seed_warehouse, tmp_path / "data", "held")
    monkeypatch.setenv("KETAMINE_WATCH_WAREHOUSE", str(tmp_path / "data" / "warehouse.duckdb"))
    st.cache_data.clear()
    at = run_page("methods")
    assert not at.exception
    assert any("failed or were held" in w.value for w in at.warning)
    assert "would drop 2023" in [t.value for t in at.text]
