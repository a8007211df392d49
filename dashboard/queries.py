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

import warehouse_contract as wc
from dashboard.selection import SECONDARY_SHARE

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


def revisions(limit: int = 1000) -> pd.DataFrame:
    """Published values later refreshes changed, newest run first (etl/shrink.py lists them)."""
    if not has_table("revisions"):
        return pd.DataFrame()
    return run_query(
        "SELECT run_id, source, indicator, geography, period_label, stratum, previous_value,"
        " value FROM revisions ORDER BY run_id DESC, source, indicator, period_label LIMIT ?",
        (limit,),
    )


def source_vintages() -> pd.DataFrame:
    """Per source with published rows: its title, status, origin and the releases its rows
    come from (observations.vintage), newest rows first."""
    return run_query(
        "SELECT s.id, s.title, s.status, s.origin, count(o.source) AS observations,"
        " string_agg(DISTINCT o.vintage, '; ' ORDER BY o.vintage) AS vintages,"
        " count(DISTINCT o.vintage) AS releases"
        " FROM sources s LEFT JOIN observations o ON o.source = s.id"
        " GROUP BY ALL HAVING count(o.source) > 0 ORDER BY s.title"
    )


def source_files() -> pd.DataFrame:
    """Every file the published rows were parsed from: origin, name, location, sha256, size."""
    if not has_table(wc.SOURCE_FILES):
        return pd.DataFrame()
    return run_query(
        "SELECT source, origin, file, location, sha256, size, retrieved_at"
        " FROM source_files ORDER BY source, file"
    )


def warehouse_summary() -> dict:
    frame = run_query(
        "SELECT max(last_refresh) AS last_refresh, max(last_success) AS last_success,"
        " string_agg(DISTINCT vintage, '; ' ORDER BY vintage)"
        "   FILTER (WHERE coalesce(vintage, '') <> '') AS vintages,"
        " count(*) FILTER (WHERE status IN ('failed', 'held')) AS failed, count(*) AS sources,"
        " (SELECT count(DISTINCT source) FROM observations) AS sources_with_rows,"
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


# Every observation with what a chart and its caption need: the indicator's label, definition,
# substance and role, the source's publisher and title, and `secondary_share`, the share of the
# series' rows (indicator x geography x stratum) flagged `secondary`. `vintage` is the
# observation's own (the publisher's release); the source's latest is `source_vintage`.
OBSERVATION_ROWS = (
    "SELECT o.*, i.label, i.definition, i.domain, i.comparability, i.series_breaks,"
    " i.substance, i.role, s.vintage AS source_vintage, s.publisher, s.title AS source_title,"
    " s.homepage AS source_url,"
    " avg(CASE WHEN coalesce(o.flags, '') LIKE '%secondary%' THEN 1.0 ELSE 0.0 END)"
    "   OVER (PARTITION BY o.indicator, o.geography, o.stratum) AS secondary_share"
    " FROM observations o JOIN indicators i ON i.id = o.indicator"
    " JOIN sources s ON s.id = o.source"
)


# A query over observations is OBSERVATIONS_WHERE + (a fixed condition with `?` values) +
# OBSERVATIONS_TIER: the condition narrows the rows; unless the last two parameters are
# `tier_params(True)`, a mostly secondary series is left out, and so is every secondary figure of
# the others (a default line is drawn from primary figures only, never stitched to a quotation).
# Ordered by series, then period.
OBSERVATIONS_WHERE = "SELECT * FROM (" + OBSERVATION_ROWS + " WHERE "
OBSERVATIONS_TIER = (
    ") AS rows WHERE ? OR (secondary_share <= ? AND coalesce(flags, '') NOT LIKE '%secondary%')"
    " ORDER BY indicator, geography, stratum, period_start"
)


def tier_params(include_secondary: bool) -> tuple:
    return (bool(include_secondary), SECONDARY_SHARE)


def observations(indicator_ids: tuple[str, ...], *, include_secondary: bool = True) -> pd.DataFrame:
    """Every published number of the given indicators, with their labels and source. Mostly
    secondary series are left out unless `include_secondary`."""
    if not indicator_ids:
        return pd.DataFrame()
    return run_query(
        OBSERVATIONS_WHERE + ("list_contains(?, o.indicator)") + OBSERVATIONS_TIER,
        (list(indicator_ids), *tier_params(include_secondary)),
    )


def events(categories: tuple[str, ...] = ()) -> pd.DataFrame:
    return run_query(
        "SELECT * FROM events WHERE len(?) = 0 OR list_contains(?, category) ORDER BY date",
        (list(categories), list(categories)),
    )


# Sources that compile figures quoted in publications (rather than loading the publisher's own
# files). Their series are used for a headline only when a domain has nothing else.
COMPILED_SOURCES = (wc.LITERATURE,)

# Units that describe a change or a composition rather than a level; never a headline.
NON_LEVEL_UNITS = ("percent change",)

# Labels of shares within a total (e.g. "share of ... where", "co-involvement of ..."); they rank
# after levels and rates when a domain has both.
COMPOSITION_LABELS = ("share of%", "co-%", "proportion of%", "cases involving%")

SERIES_CTE = """
    WITH rows AS (
        SELECT o.indicator, o.geography, o.stratum, o.source, o.period_start, o.period_end,
               o.flags, i.domain, i.label, i.unit, i.substance, i.role,
               max(o.period_end) OVER (PARTITION BY o.indicator, o.geography, o.stratum)
                   AS series_last
        FROM observations o JOIN indicators i ON i.id = o.indicator
        WHERE o.period_end - o.period_start <= 366
          AND o.value IS NOT NULL
          AND NOT list_contains(?, i.unit)
          AND (len(?) = 0 OR list_contains(?, o.geography))
          AND (len(?) = 0 OR list_contains(?, o.stratum))
          AND (? IS NULL OR year(o.period_end) >= ?)
          AND (? IS NULL OR year(o.period_end) <= ?)
          AND (? OR coalesce(o.flags, '') NOT LIKE '%secondary%')
    ),
    series AS (
        SELECT indicator, geography, stratum, domain, label, unit, source, substance, role,
               count(*) AS points, min(period_start) AS first_period,
               max(period_end) AS last_period,
               count(*) FILTER (WHERE period_end > series_last - INTERVAL 10 YEAR)
                   AS recent_points,
               avg(CASE WHEN coalesce(flags, '') LIKE '%secondary%' THEN 1 ELSE 0 END)
                   AS secondary_share,
               list_contains(?, source) AS compiled,
               list_bool_or([label ILIKE p FOR p IN ?]) AS composition,
               bool_or(period_end = series_last
                       AND coalesce(flags, '') LIKE '%not_quantified%') AS latest_unquantified
        FROM rows
        GROUP BY ALL
    )
"""


def _series_params(
    geographies: tuple[str, ...],
    strata: tuple[str, ...],
    first_year: int | None,
    last_year: int | None,
    include_secondary: bool = True,
) -> tuple:
    return (
        list(NON_LEVEL_UNITS),
        list(geographies),
        list(geographies),
        list(strata),
        list(strata),
        first_year,
        first_year,
        last_year,
        last_year,
        bool(include_secondary),
        list(COMPILED_SOURCES),
        list(COMPOSITION_LABELS),
    )


def series_catalog(
    *,
    geographies: tuple[str, ...] = (),
    strata: tuple[str, ...] = (),
    first_year: int | None = None,
    last_year: int | None = None,
    include_secondary: bool = True,
) -> pd.DataFrame:
    """Every time series (indicator x geography x stratum) with annual or finer periods: its
    domain, label, unit, source, substance, role, points, first/last period and how much of it
    is secondary (mostly secondary series only when `include_secondary`)."""
    return run_query(
        SERIES_CTE + " SELECT * FROM series WHERE ? OR secondary_share <= ?"
        " ORDER BY domain, indicator, geography, stratum",
        (
            *_series_params(geographies, strata, first_year, last_year, include_secondary),
            *tier_params(include_secondary),
        ),
    )


def headline_indicators(
    min_points: int = 3,
    *,
    geographies: tuple[str, ...] = (),
    strata: tuple[str, ...] = (),
    first_year: int | None = None,
    last_year: int | None = None,
    include_secondary: bool = False,
) -> pd.DataFrame:
    """Per domain, the ketamine or esketamine series that best stands for the stream, among
    those with `min_points` (other substances are comparators, all-drug totals context: never a
    headline). A series whose rows are mostly flagged `secondary` is a candidate only when
    `include_secondary` (primary figures first); it then still ranks after primary ones.

    Ranking, in order: loaded from the publisher's own files (not a compiled literature figure);
    still current (last period within three years of the domain's most recent); mostly primary
    (few 'secondary' flags); a latest value that was quantified (not a load published as 0); a
    level or rate rather than a share of a total; the most points in
    its last ten years, then in all; the latest period; then the id, for a stable pick.
    The filters narrow the candidates (geographies, strata, years the periods end in).
    """
    return run_query(
        SERIES_CTE
        + """
        , ranked AS (
            SELECT *, max(last_period) OVER (PARTITION BY domain) AS domain_last
            FROM series WHERE points >= ? AND role = 'focus'
              AND (? OR secondary_share <= ?)
        )
        SELECT * EXCLUDE (domain_last) FROM ranked
        QUALIFY row_number() OVER (
            PARTITION BY domain
            ORDER BY compiled, (domain_last - last_period > 3 * 366), secondary_share > ?,
                     latest_unquantified, composition, recent_points DESC, points DESC,
                     last_period DESC, indicator, geography, stratum
        ) = 1
        ORDER BY domain
        """,
        (
            *_series_params(geographies, strata, first_year, last_year, include_secondary),
            min_points,
            *tier_params(include_secondary),
            SECONDARY_SHARE,
        ),
    )


def denominators() -> pd.DataFrame:
    """Population counts to turn counts into rates: geography, year, population, source.

    Read from observations of indicators in the `population` domain with unit 'persons' or
    'people'. None is loaded today; pages offer the per-capita toggle only when this has rows.
    """
    return run_query(
        "SELECT o.geography, year(o.period_end) AS year, o.value AS population,"
        " o.source AS population_source, o.citation AS population_citation"
        " FROM observations o JOIN indicators i ON i.id = o.indicator"
        " WHERE i.domain = 'population' AND i.unit IN ('persons', 'people')"
        " AND o.value > 0 ORDER BY o.geography, year"
    )


def series(
    indicator: str, geography: str, stratum: str, *, include_secondary: bool = True
) -> pd.DataFrame:
    """Every published number of one series (indicator x geography x stratum); without
    `include_secondary`, its primary figures only."""
    return run_query(
        OBSERVATIONS_WHERE
        + ("o.indicator = ? AND o.geography = ? AND o.stratum = ?")
        + OBSERVATIONS_TIER,
        (indicator, geography, stratum, *tier_params(include_secondary)),
    )


def literature_set_aside() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Published figures that could not be placed on a time axis, and conflicting ones."""
    undated = (
        run_query("SELECT * FROM literature_undated")
        if has_table(wc.LITERATURE_UNDATED)
        else pd.DataFrame()
    )
    conflicts = (
        run_query("SELECT * FROM literature_conflicts")
        if has_table(wc.LITERATURE_CONFLICTS)
        else pd.DataFrame()
    )
    return undated, conflicts


LITERATURE_DETAIL_SQL = {
    name: f'SELECT * FROM "{name}" ORDER BY figure_id'
    for name in (wc.LITERATURE_SET_ASIDE, wc.LITERATURE_DUPLICATES, wc.LITERATURE_FIGURES)
}


def literature_detail(name: str) -> pd.DataFrame:
    """One of the literature source's detail tables (set-aside figures, duplicates, the register
    of every figure with its tier and verification), empty when not loaded."""
    sql = LITERATURE_DETAIL_SQL.get(name)
    if sql is None or not has_table(name):
        return pd.DataFrame()
    return run_query(sql)
