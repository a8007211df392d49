"""All SQL the dashboard runs against the published warehouse. Parameterized; read-only.

Each query opens its own read-only connection and closes it. A connection held open would keep
reading the old file after a refresh publishes a new one with `os.replace`; results are cached on
the warehouse file's (inode, mtime), so a publish invalidates the cache at the next rerun.
Nothing here builds SQL from user input: values travel as `?` parameters, and the only
identifiers (table names for export) are checked against the warehouse's own catalog.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

PROJECT_ROOT = Path(__file__).resolve().parent.parent


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
    return duckdb.connect(str(warehouse_path()), read_only=True)


@st.cache_data(show_spinner=False, max_entries=1024)
def _cached(sql: str, params: tuple, version: tuple[int, int] | None) -> pd.DataFrame:
    con = connect()
    try:
        return con.execute(sql, list(params)).df()
    finally:
        con.close()


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


def sources() -> pd.DataFrame:
    return run_query("SELECT * FROM sources ORDER BY domain, id")


def runs(limit: int = 200) -> pd.DataFrame:
    return run_query(
        "SELECT run_id, source, mode, started, finished, status, origin, rows, message"
        " FROM runs ORDER BY started DESC, source LIMIT ?",
        (limit,),
    )


def warehouse_summary() -> dict:
    frame = run_query(
        "SELECT max(last_refresh) AS last_refresh, max(last_success) AS last_success,"
        " string_agg(DISTINCT vintage, '; ') AS vintages,"
        " count(*) FILTER (WHERE status = 'failed') AS failed,"
        " (SELECT count(*) FROM observations) AS observations"
        " FROM sources"
    )
    return frame.iloc[0].to_dict() if not frame.empty else {}


def indicators(domain: str | None = None) -> pd.DataFrame:
    return run_query(
        "SELECT i.*, s.publisher, s.title AS source_title, s.vintage,"
        " count(o.value) AS points, min(o.period_start) AS first_period,"
        " max(o.period_end) AS last_period"
        " FROM indicators i JOIN sources s ON s.id = i.source"
        " LEFT JOIN observations o ON o.indicator = i.id"
        " WHERE ? IS NULL OR i.domain = ?"
        " GROUP BY ALL ORDER BY i.domain, points DESC, i.id",
        (domain, domain),
    )


def observations(indicator_ids: tuple[str, ...]) -> pd.DataFrame:
    """Every published number of the given indicators, with their labels and source vintage."""
    if not indicator_ids:
        return pd.DataFrame()
    return run_query(
        "SELECT o.*, i.label, i.definition, i.domain, i.series_breaks, s.vintage,"
        " s.publisher, s.title AS source_title"
        " FROM observations o JOIN indicators i ON i.id = o.indicator"
        " JOIN sources s ON s.id = o.source"
        " WHERE list_contains(?, o.indicator)"
        " ORDER BY o.indicator, o.geography, o.stratum, o.period_start",
        (list(indicator_ids),),
    )


def events(categories: tuple[str, ...] = ()) -> pd.DataFrame:
    return run_query(
        "SELECT * FROM events WHERE len(?) = 0 OR list_contains(?, category) ORDER BY date",
        (list(categories), list(categories)),
    )


def headline_indicators(min_points: int = 3) -> pd.DataFrame:
    """Per domain, the indicator with the most dated points of one geography and stratum."""
    return run_query(
        """
        WITH series AS (
            SELECT o.indicator, o.geography, o.stratum, i.domain, i.label, i.unit,
                   count(*) AS points, max(o.period_end) AS last_period
            FROM observations o JOIN indicators i ON i.id = o.indicator
            WHERE o.period_end - o.period_start <= 366
            GROUP BY ALL
        )
        SELECT * FROM series WHERE points >= ?
        QUALIFY row_number() OVER (
            PARTITION BY domain ORDER BY points DESC, last_period DESC, indicator
        ) = 1
        ORDER BY domain
        """,
        (min_points,),
    )


def series(indicator: str, geography: str, stratum: str) -> pd.DataFrame:
    return run_query(
        "SELECT o.*, i.label, i.definition, i.domain, i.series_breaks, s.vintage,"
        " s.publisher, s.title AS source_title"
        " FROM observations o JOIN indicators i ON i.id = o.indicator"
        " JOIN sources s ON s.id = o.source"
        " WHERE o.indicator = ? AND o.geography = ? AND o.stratum = ?"
        " ORDER BY o.period_start",
        (indicator, geography, stratum),
    )


def literature_set_aside() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Published figures that could not be placed on a time axis, and conflicting ones."""
    undated = (
        run_query("SELECT * FROM literature_undated")
        if has_table("literature_undated")
        else pd.DataFrame()
    )
    conflicts = (
        run_query("SELECT * FROM literature_conflicts")
        if has_table("literature_conflicts")
        else pd.DataFrame()
    )
    return undated, conflicts
