"""The dashboard's queries of the published warehouse: sources, runs, files, indicators,
observations, events and the literature's set-aside figures. Parameterized; read-only.

The connection and its cache live in `dashboard.connection`, the series catalogue in
`dashboard.queries_series`; both are re-exported here, so page code asks one module.
"""

from __future__ import annotations

import pandas as pd

import warehouse_contract as wc
from dashboard.common.connection import (
    clear_cache,
    connect,
    has_table,
    has_warehouse,
    run_query,
    table_names,
    warehouse_path,
    warehouse_version,
    whole_table,
)
from dashboard.common.observation_sql import (
    OBSERVATION_ROWS,
    OBSERVATIONS_TIER,
    OBSERVATIONS_WHERE,
    tier_params,
)
from dashboard.common.queries_series import (
    COMPILED_SOURCES,
    COMPOSITION_LABELS,
    NON_LEVEL_UNITS,
    denominators,
    headline_indicators,
    series,
    series_catalog,
)

__all__ = [
    "COMPILED_SOURCES",
    "COMPOSITION_LABELS",
    "NON_LEVEL_UNITS",
    "OBSERVATIONS_TIER",
    "OBSERVATIONS_WHERE",
    "OBSERVATION_ROWS",
    "clear_cache",
    "connect",
    "denominators",
    "has_table",
    "has_warehouse",
    "headline_indicators",
    "run_query",
    "series",
    "series_catalog",
    "table_names",
    "tier_params",
    "warehouse_path",
    "warehouse_version",
    "whole_table",
]


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
