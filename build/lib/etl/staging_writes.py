"""Writing into the staging warehouse: a source's canonical tables and the detail tables it owns
(registered, so a later failure can carry them over), the provenance of its files, the values a
refresh revised, and any frame inserted by column name."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pandas as pd

from etl.contract import Tables, substance_role
from etl.warehouse import CANONICAL, REVISION_COLUMNS, SOURCE_FILE_COLUMNS


def stage_tables(
    con: duckdb.DuckDBPyConnection,
    source_id: str,
    tables: Tables,
    declared: tuple[str, ...] = (),
) -> int:
    """Insert a source's fresh canonical rows and detail tables into the staging database.

    `declared` names detail tables a DatabaseSource created itself on `con`; they are registered
    as the source's too (so a later failed refresh carries them over) and their rows counted.
    """
    for table, columns in CANONICAL.items():
        frame = getattr(tables, table)
        if frame.empty:
            continue
        frame = frame.assign(source=source_id)
        if table == "indicators":
            frame = frame.assign(role=frame["substance"].map(substance_role))
        insert_frame(con, table, columns, frame)
    for name, frame in tables.details.items():
        con.register("_detail", frame)
        con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM _detail')
        con.unregister("_detail")
    register_details(con, source_id, iter(tables.details.keys()))
    created = [name for name in declared if name not in tables.details and table_exists(con, name)]
    register_details(con, source_id, iter(created))
    direct_rows = sum(
        con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in created
    )
    return tables.row_count() + direct_rows


def stage_provenance(con: duckdb.DuckDBPyConnection, source_id: str, files: list[dict]) -> None:
    if files:
        frame = pd.DataFrame.from_records(files).assign(source=source_id)
        insert_frame(con, "source_files", SOURCE_FILE_COLUMNS, frame)


def stage_revisions(
    con: duckdb.DuckDBPyConnection, run_id: str, source_id: str, revisions: pd.DataFrame
) -> None:
    if not revisions.empty:
        frame = revisions.assign(run_id=run_id, source=source_id)
        insert_frame(con, "revisions", REVISION_COLUMNS, frame)


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables"
            " WHERE table_catalog = current_database() AND table_name = ?",
            [name],
        ).fetchone()[0]
    )


def register_details(con: duckdb.DuckDBPyConnection, source_id: str, names: Iterator[str]) -> None:
    for name in names:
        con.execute(
            "INSERT OR REPLACE INTO detail_tables VALUES (?, ?)",
            [name, source_id],
        )


def insert_frame(
    con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, str], frame: pd.DataFrame
) -> None:
    # Cast every column explicitly: pandas 3 hands over `str` and datetime64[us] columns, and a
    # column that is all missing arrives untyped.
    frame = frame.reindex(columns=list(columns))
    frame = frame.astype({name: "object" for name in columns})
    frame = frame.where(frame.notna(), None)
    con.register("_frame", frame)
    select = ", ".join(
        f'CAST("{name}" AS {kind.split()[0]}) AS "{name}"' for name, kind in columns.items()
    )
    con.execute(f"INSERT INTO {table} BY NAME SELECT {select} FROM _frame")
    con.unregister("_frame")
