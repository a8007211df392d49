"""The series catalogue: every (indicator, geography, stratum) series with its span, domain and
role, the headline series per domain (primary figures first, levels before shares, never a
compiled figure where a publisher's own file has one), denominators, and one series' rows."""

from __future__ import annotations

import pandas as pd

import warehouse_contract as wc
from dashboard.common.connection import run_query
from dashboard.common.observation_sql import OBSERVATIONS_TIER, OBSERVATIONS_WHERE, tier_params
from dashboard.common.selection import SECONDARY_SHARE

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
