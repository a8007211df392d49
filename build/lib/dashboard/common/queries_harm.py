"""SQL for the harm pages (poison centers & deaths, use & supply, cross-stream trends).

Fixed SQL texts with `?` parameters only, run through `queries.run_query` (read-only, cached on
the warehouse version). Table names are never built from input: the wastewater queries pick
between two fixed texts depending on whether the `wastewater_sites` table exists.
"""

from __future__ import annotations

import pandas as pd

import warehouse_contract as wc
from dashboard.common import queries


def domain_observations(
    domains: tuple[str, ...],
    *,
    units: tuple[str, ...] = (),
    max_span_days: int | None = None,
    min_span_days: int | None = None,
    sources: tuple[str, ...] = (),
    exclude_sources: tuple[str, ...] = (),
    include_secondary: bool = False,
) -> pd.DataFrame:
    """Observations of indicators in `domains`, narrowed by unit, period length and source;
    mostly secondary series only when `include_secondary`."""
    return queries.run_query(
        queries.OBSERVATIONS_WHERE
        + (
            "list_contains(?, i.domain)"
            " AND (len(?) = 0 OR list_contains(?, o.unit))"
            " AND (? IS NULL OR o.period_end - o.period_start <= ?)"
            " AND (? IS NULL OR o.period_end - o.period_start >= ?)"
            " AND (len(?) = 0 OR list_contains(?, o.source))"
            " AND NOT list_contains(?, o.source)"
        )
        + queries.OBSERVATIONS_TIER,
        (
            list(domains),
            list(units),
            list(units),
            max_span_days,
            max_span_days,
            min_span_days,
            min_span_days,
            list(sources),
            list(sources),
            list(exclude_sources),
            *queries.tier_params(include_secondary),
        ),
    )


def indicator_observations(
    prefix: str,
    *,
    geography: str | None = None,
    stratum: str | None = None,
    include_secondary: bool = False,
) -> pd.DataFrame:
    """Observations of the indicators whose id starts with `prefix` (a source's own series);
    mostly secondary series only when `include_secondary`."""
    return queries.run_query(
        queries.OBSERVATIONS_WHERE
        + (
            "starts_with(o.indicator, ?)"
            " AND (? IS NULL OR o.geography = ?) AND (? IS NULL OR o.stratum = ?)"
        )
        + queries.OBSERVATIONS_TIER,
        (prefix, geography, geography, stratum, stratum, *queries.tier_params(include_secondary)),
    )


def annual_series(
    domains: tuple[str, ...], *, min_points: int = 3, include_secondary: bool = False
) -> pd.DataFrame:
    """Series (indicator x geography x stratum) whose every period is about a year long, with
    their substance, role, share of secondary rows (mostly secondary series only when
    `include_secondary`) and the years their periods start in (`years`, a sorted list)."""
    return queries.run_query(
        "SELECT o.indicator, o.geography, o.stratum, i.domain, i.label, i.unit, o.source,"
        " i.substance, i.role,"
        " count(*) AS points, min(o.period_start) AS first_period,"
        " max(o.period_end) AS last_period,"
        " avg(CASE WHEN coalesce(o.flags, '') LIKE '%secondary%' THEN 1.0 ELSE 0.0 END)"
        "   AS secondary_share,"
        " count(*) FILTER (WHERE coalesce(o.flags, '') LIKE '%not_quantified%') AS unquantified,"
        " list_sort(list_distinct(list(year(o.period_start)))) AS years"
        " FROM observations o JOIN indicators i ON i.id = o.indicator"
        " WHERE list_contains(?, i.domain)"
        " AND (? OR coalesce(o.flags, '') NOT LIKE '%secondary%')"
        " GROUP BY ALL"
        " HAVING min(o.period_end - o.period_start) >= 300"
        " AND max(o.period_end - o.period_start) <= 366 AND count(*) >= ?"
        " AND (? OR secondary_share <= ?)"
        " ORDER BY i.domain, points DESC, o.indicator",
        (
            list(domains),
            bool(include_secondary),
            min_points,
            *queries.tier_params(include_secondary),
        ),
    )


def timeline_events() -> pd.DataFrame:
    """Milestones and method changes, to draw as rules."""
    return queries.run_query(
        "SELECT e.*, s.vintage FROM events e LEFT JOIN sources s ON s.id = e.source ORDER BY date"
    )


def wastewater_indicators() -> pd.DataFrame:
    """The wastewater substances: ketamine and esketamine (role 'focus') first, then the
    comparators, then by id."""
    return queries.run_query(
        "SELECT id, label, definition, unit, substance, role FROM indicators"
        " WHERE source = ?"
        " ORDER BY role = 'focus' DESC, role = 'comparator' DESC, id",
        (wc.EUDA_WASTEWATER,),
    )


def wastewater_years(indicator: str) -> list[int]:
    frame = queries.run_query(
        "SELECT DISTINCT year(period_start) AS year FROM observations WHERE indicator = ?"
        " ORDER BY year",
        (indicator,),
    )
    return [int(y) for y in frame["year"]] if not frame.empty else []


MAP_WITH_SITES = (
    "SELECT o.geography, o.period_label, o.value, o.unit, o.flags, o.note, o.citation,"
    " o.citation_url, s.site_id, s.city, s.country, s.latitude, s.longitude, s.population,"
    " src.vintage, src.title AS source_title"
    " FROM observations o JOIN sources src ON src.id = o.source"
    " LEFT JOIN wastewater_sites s ON s.geography = o.geography"
    " WHERE o.indicator = ? AND year(o.period_start) = ? ORDER BY o.value DESC"
)
MAP_WITHOUT_SITES = (
    "SELECT o.geography, o.period_label, o.value, o.unit, o.flags, o.note, o.citation,"
    " o.citation_url, NULL AS site_id, NULL AS city, NULL AS country,"
    " CAST(NULL AS DOUBLE) AS latitude, CAST(NULL AS DOUBLE) AS longitude,"
    " CAST(NULL AS DOUBLE) AS population, src.vintage, src.title AS source_title"
    " FROM observations o JOIN sources src ON src.id = o.source"
    " WHERE o.indicator = ? AND year(o.period_start) = ? ORDER BY o.value DESC"
)


def wastewater_map(indicator: str, year: int) -> pd.DataFrame:
    """One substance's city loads in one year, with coordinates when the site table is loaded."""
    sql = MAP_WITH_SITES if queries.has_table(wc.WASTEWATER_SITES) else MAP_WITHOUT_SITES
    return queries.run_query(sql, (indicator, year))
