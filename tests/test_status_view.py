"""`ketamine-watch status` fits an 80-column terminal: one line per source; the full message
only under `status SOURCE` or `--verbose`; exit codes unchanged."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from etl import status_view
from etl.cli import ALERTING, app

PARAGRAPH = (
    "nflis: mirror: Drug_frequency_annual.csv line 7: Freq 'abc' is not a number; "
    + "the previous rows are kept and the source is marked failed until a good file loads. " * 4
    + "END-OF-MESSAGE"
)


def row(sid: str, status: str, message: str | None = None) -> status_view.SourceStatus:
    return status_view.SourceStatus(
        sid, status, "mirror", "a very long vintage text " * 5, 12345, datetime(2026, 1, 2), message
    )


def test_each_source_is_one_line_of_at_most_80_columns() -> None:
    rows = [row("euda_wastewater", "ok"), row("nflis", "failed", PARAGRAPH)]
    lines = status_view.summary(rows, ALERTING)
    assert all(len(text) <= 80 for text in lines), [len(t) for t in lines]
    (nflis,) = [t for t in lines if t.startswith("nflis ")]
    assert "failed" in nflis and "12,345" in nflis and "mirror: Drug_freq" in nflis
    assert "END-OF-MESSAGE" not in "\n".join(lines)
    assert any("needs attention" in t and "nflis" in t for t in lines)


def test_detail_wraps_the_whole_message() -> None:
    lines = status_view.detail(row("nflis", "failed", PARAGRAPH))
    assert all(len(text) <= 80 for text in lines)
    assert "END-OF-MESSAGE" in " ".join(lines)
    assert len(lines) > 8  # wrapped, not one line per word and not one long line


def status(seed_warehouse: Path, data_dir: Path, *args: str):
    data_dir.mkdir(exist_ok=True)
    target = data_dir / "warehouse.duckdb"
    if not target.exists():
        shutil.copyfile(seed_warehouse, target)
        with duckdb.connect(str(target)) as con:
            con.execute(
                "UPDATE sources SET status = 'held', message = ? WHERE id = 'nflis'", [PARAGRAPH]
            )
    return CliRunner().invoke(app, ["status", *args, "--data-dir", str(data_dir)])


def test_cli_short_by_default_full_for_one_source_or_verbose(
    seed_warehouse: Path, tmp_path: Path
) -> None:
    short = status(seed_warehouse, tmp_path / "d")
    assert short.exit_code == 1
    assert "END-OF-MESSAGE" not in short.output
    assert max(len(t) for t in short.output.splitlines()) <= 80
    one = status(seed_warehouse, tmp_path / "d", "nflis")
    assert one.exit_code == 1 and "END-OF-MESSAGE" in one.output
    assert "status:       held" in one.output
    verbose = status(seed_warehouse, tmp_path / "d", "--verbose")
    assert verbose.exit_code == 1 and "END-OF-MESSAGE" in verbose.output
    unknown = status(seed_warehouse, tmp_path / "d", "no_such_source")
    assert unknown.exit_code == 2


def test_status_opens_the_warehouse_once_read_only(
    seed_warehouse: Path, tmp_path: Path, monkeypatch
) -> None:
    data_dir = tmp_path / "d"
    status(seed_warehouse, data_dir)  # the copy, with nflis held
    with duckdb.connect(str(data_dir / "warehouse.duckdb")) as con:
        con.execute("CREATE TABLE faers_loaded_quarters AS SELECT '2024Q1' AS quarter")
    opened: list[tuple[str, bool]] = []
    connect = duckdb.connect

    def counting(database: str = ":memory:", read_only: bool = False, **kwargs):
        opened.append((str(database), read_only))
        return connect(database, read_only=read_only, **kwargs)

    monkeypatch.setattr(duckdb, "connect", counting)
    result = status(seed_warehouse, data_dir, "--verbose")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("warehouse: ") and lines[1] == status_view.HEADER
    assert "FAERS quarters held: 2024Q1–2024Q1 (1); gaps: none" in lines
    assert "END-OF-MESSAGE" in result.output
    assert opened == [(str(data_dir / "warehouse.duckdb"), True)]


def test_overview_lists_the_faers_line_after_the_table_and_details_after_a_blank_line() -> None:
    rows = [row("euda_wastewater", "ok"), row("nflis", "failed", PARAGRAPH)]
    short = status_view.overview("/w.duckdb", rows, "FAERS quarters held: none", ALERTING)
    assert short == [
        "warehouse: /w.duckdb",
        *status_view.summary(rows, ALERTING),
        "FAERS quarters held: none",
    ]
    full = status_view.overview("/w.duckdb", rows, "", ALERTING, verbose=True)
    table = status_view.summary(rows, ALERTING)
    assert full == ["warehouse: /w.duckdb", *table, "", *status_view.detail(rows[1])]
