"""What a refresh takes from the published warehouse: attached read-only as `prev`, the rows of
every source this run does not reload (or could not), and the run history. A published file that
exists but cannot be read stops the run (`PreviousUnreadable`), so no source's rows are lost."""

from __future__ import annotations

import contextlib
from pathlib import Path

import duckdb

from etl.staging_writes import register_details
from etl.warehouse import CANONICAL, PreviousUnreadable


def attach_previous(con: duckdb.DuckDBPyConnection, published: Path) -> bool:
    """Attach the published warehouse read-only as `prev`; False when there is none yet.

    A warehouse that exists but cannot be read (another process holds it open for writing, or the
    file is damaged) raises PreviousUnreadable: carrying nothing over would publish a warehouse
    that silently lost every source this run does not reload."""
    if not published.exists():
        return False
    try:
        quoted = str(published).replace("'", "''")
        con.execute(f"ATTACH '{quoted}' AS prev (READ_ONLY)")
        con.execute("SELECT count(*) FROM prev.sources").fetchall()
    except duckdb.Error as error:
        first_line = str(error).strip().splitlines()[0][:300] if str(error).strip() else ""
        raise PreviousUnreadable(
            f"the published warehouse {published} cannot be read ({type(error).__name__}: "
            f"{first_line}). Nothing was published, so no source's rows are lost. If another "
            "process has it open for writing, stop that process and refresh again; if the file "
            "is damaged, move it aside and rebuild with `ketamine-watch refresh --offline`"
        ) from error
    return True


def previous_rows(con: duckdb.DuckDBPyConnection, source_id: str) -> int:
    try:
        row = con.execute(
            "SELECT (SELECT count(*) FROM prev.observations WHERE source = ?)"
            " + (SELECT count(*) FROM prev.events WHERE source = ?)"
            " + (SELECT count(*) FROM prev.detail_tables WHERE source = ?)",
            [source_id, source_id, source_id],
        ).fetchone()
    except duckdb.Error:
        return 0
    return int(row[0]) if row else 0


def carry_over(con: duckdb.DuckDBPyConnection, source_id: str) -> int:
    """Copy a source's previously published rows and detail tables into the staging database."""
    copied = 0
    with contextlib.suppress(duckdb.Error):  # a warehouse from before provenance was kept
        con.execute(
            "INSERT INTO source_files BY NAME SELECT * FROM prev.source_files WHERE source = ?",
            [source_id],
        )
    for table in CANONICAL:
        try:
            before = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            con.execute(
                f"INSERT INTO {table} BY NAME SELECT * FROM prev.{table} WHERE source = ?",
                [source_id],
            )
            copied += con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] - before
        except duckdb.Error:
            continue
    try:
        names = [
            row[0]
            for row in con.execute(
                "SELECT table_name FROM prev.detail_tables WHERE source = ?", [source_id]
            ).fetchall()
        ]
    except duckdb.Error:
        names = []
    for name in names:
        con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM prev."{name}"')
        copied += con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
    register_details(con, source_id, iter(names))
    return copied


def previous_source_row(con: duckdb.DuckDBPyConnection, source_id: str) -> dict | None:
    try:
        frame = con.execute("SELECT * FROM prev.sources WHERE id = ?", [source_id]).df()
    except duckdb.Error:
        return None
    return None if frame.empty else frame.iloc[0].to_dict()


def copy_run_history(con: duckdb.DuckDBPyConnection, keep: int = 5000) -> None:
    with contextlib.suppress(duckdb.Error):
        con.execute(
            "INSERT INTO runs BY NAME SELECT * FROM prev.runs ORDER BY started DESC LIMIT ?",
            [keep],
        )
    with contextlib.suppress(duckdb.Error):  # a warehouse from before revisions were kept
        con.execute(
            "INSERT INTO revisions BY NAME SELECT * FROM prev.revisions"
            " ORDER BY run_id DESC LIMIT ?",
            [keep],
        )
