"""Carry-over can't fail open: when the published warehouse exists but cannot be read (another
process holds it open for writing, or the file is damaged), a refresh of some sources must not
publish a warehouse without the others. It publishes nothing, says why, and exits 2."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from etl.cli import app
from etl.refresh import RefreshOptions, refresh
from etl.sources import SOURCES
from etl.warehouse import PreviousUnreadable


@pytest.fixture
def published(tmp_path: Path) -> Path:
    refresh(SOURCES, None, RefreshOptions(mode="offline", data_dir=tmp_path))
    return tmp_path / "warehouse.duckdb"


def assert_nothing_published(data_dir: Path, before: bytes) -> None:
    assert (data_dir / "warehouse.duckdb").read_bytes() == before
    assert not list(data_dir.glob("warehouse.duckdb.next*"))


def test_a_damaged_published_warehouse_stops_a_one_source_refresh(published: Path) -> None:
    damaged = b"not a duckdb file " * 4096
    published.write_bytes(damaged)
    with pytest.raises(PreviousUnreadable, match=r"cannot be read.*Nothing was published"):
        refresh(SOURCES, ["nflis"], RefreshOptions(mode="offline", data_dir=published.parent))
    assert_nothing_published(published.parent, damaged)
    result = CliRunner().invoke(
        app, ["refresh", "nflis", "--offline", "--data-dir", str(published.parent)]
    )
    assert result.exit_code == 2, result.output
    assert "cannot be read" in result.output and "unchanged" in result.output
    assert_nothing_published(published.parent, damaged)


def test_a_warehouse_held_open_for_writing_stops_a_one_source_refresh(published: Path) -> None:
    before = published.read_bytes()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); "
            "print('open', flush=True); time.sleep(120)",
            str(published),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        time.sleep(0.2)
        with pytest.raises(PreviousUnreadable, match="open for writing"):
            refresh(SOURCES, ["nflis"], RefreshOptions(mode="offline", data_dir=published.parent))
    finally:
        holder.kill()
        holder.wait()
    assert_nothing_published(published.parent, before)
