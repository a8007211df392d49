"""All SQL the dashboard runs against the published warehouse. Parameterized; read-only.

One read-only connection per published warehouse file: it is opened once per warehouse version
(the file's inode and mtime, which every publish changes, since a refresh publishes with
`os.replace`) and each query runs on its own cursor of it. A connection held open keeps reading
the file it opened, so the version is checked on every query: after a publish the next query
opens the new file, and the old connection is dropped. The file is attached to an in-memory
database (`ATTACH ... (READ_ONLY)`) rather than opened with `duckdb.connect(path)`: DuckDB shares
one database per path within a process, so a second `connect(path)` while the old connection
lives would return the old, replaced file. Results are cached on the same version.
Nothing here builds SQL from user input: values travel as `?` parameters, and the only
identifiers (table names for export) are checked against the warehouse's own catalog.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def warehouse_path() -> Path:
    return Path(
        os.environ.get("KETAMINE_WATCH_WAREHOUSE", PROJECT_ROOT / "data" / "warehouse.duckdb")
    )


def warehouse_version() -> tuple[int, int] | None:
    """(inode, mtime_ns) of the published file; changes on every publish."""
    try:
        stat = warehouse_path().stat()
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_mtime_ns


def connect() -> duckdb.DuckDBPyConnection:
    """A new connection with the published warehouse file attached read-only as the default
    catalog: writes to it fail with DuckDB's read-only error. The connection itself is an empty
    in-memory database that is then shut off from every other file (external access disabled
    and the configuration locked), so queries can read the warehouse and nothing else."""
    con = duckdb.connect(":memory:")
    try:
        con.execute("ATTACH ? AS warehouse (READ_ONLY)", [str(warehouse_path())])
        con.execute("USE warehouse")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con


class _Shared:
    """One open connection to one warehouse version; hands out a cursor per query."""

    def __init__(self) -> None:
        self.connection = connect()
        self.lock = threading.Lock()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        with self.lock:
            cursor = self.connection.cursor()
        cursor.execute("USE warehouse")
        return cursor


@st.cache_resource(show_spinner=False, max_entries=2)
def _shared(version: tuple[int, int]) -> _Shared:
    """The connection of one warehouse version (a publish makes a new version)."""
    return _Shared()


@st.cache_data(show_spinner=False, max_entries=1024)
def _cached(sql: str, params: tuple, version: tuple[int, int] | None) -> pd.DataFrame:
    cursor = _shared(version).cursor()
    try:
        return cursor.execute(sql, list(params)).df()
    finally:
        cursor.close()


def clear_cache() -> None:
    """Forget every cached query result, so the next query reads the warehouse file again."""
    _cached.clear()


def run_query(sql: str, params: tuple = ()) -> pd.DataFrame:
    """Run a fixed SQL text with parameters; cached per warehouse version."""
    version = warehouse_version()
    if version is None:
        return pd.DataFrame()
    return _cached(sql, tuple(params), version)


def has_warehouse() -> bool:
    return warehouse_version() is not None


def table_names() -> list[str]:
    frame = run_query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        " ORDER BY table_name"
    )
    return frame["table_name"].tolist() if not frame.empty else []


def has_table(name: str) -> bool:
    return name in table_names()


def whole_table(name: str) -> pd.DataFrame:
    """Every row of one warehouse table, for export. The name must be a table that exists."""
    if name not in table_names():
        raise KeyError(f"no table named {name!r}")
    # The identifier is one of the catalog's own names (checked above), quoted; never user text.
    return run_query(f'SELECT * FROM "{name}"')
