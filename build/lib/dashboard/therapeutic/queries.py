"""SQL for the Therapeutic context page. Parameterized; read-only; cached on the warehouse version.

Detail tables built by other sources (`trials`, `drug_labels`, `faers_signals`,
`faers_reaction_counts`) are queried only when they exist, so the page works offline from the
seed, where they are absent or empty.
"""

from __future__ import annotations

import pandas as pd

import warehouse_contract as wc
from dashboard.common.queries import (
    OBSERVATIONS_TIER,
    OBSERVATIONS_WHERE,
    has_table,
    run_query,
    series_catalog,
    tier_params,
)
from dashboard.common.selection import SECONDARY_SHARE


def table_columns(name: str) -> set[str]:
    frame = run_query(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = 'main' AND table_name = ?",
        (name,),
    )
    return set(frame["column_name"]) if not frame.empty else set()


def milestones(categories: tuple[str, ...] = ()) -> pd.DataFrame:
    """Dated events (optionally only some categories), oldest first."""
    return run_query(
        "SELECT e.*, s.title AS source_title, s.vintage FROM events e"
        " LEFT JOIN sources s ON s.id = e.source"
        " WHERE len(?) = 0 OR list_contains(?, e.category) ORDER BY e.date",
        (list(categories), list(categories)),
    )


def source_observations(source: str, indicator_prefix: str = "") -> pd.DataFrame:
    """Every observation of one source (optionally only indicators starting with a prefix)."""
    return run_query(
        OBSERVATIONS_WHERE + ("o.source = ? AND starts_with(o.indicator, ?)") + OBSERVATIONS_TIER,
        (source, indicator_prefix, *tier_params(True)),
    )


def matching_observations(
    pattern: str,
    *,
    domains: tuple[str, ...] = (),
    sources: tuple[str, ...] = (),
    include_secondary: bool = True,
) -> pd.DataFrame:
    """Observations whose indicator label matches a regular expression (case-insensitive);
    mostly secondary series only when `include_secondary`."""
    frame = run_query(
        OBSERVATIONS_WHERE
        + (
            "regexp_matches(i.label, ?, 'i')"
            " AND (len(?) = 0 OR list_contains(?, i.domain))"
            " AND (len(?) = 0 OR list_contains(?, o.source))"
        )
        + OBSERVATIONS_TIER,
        (
            pattern,
            list(domains),
            list(domains),
            list(sources),
            list(sources),
            *tier_params(include_secondary),
        ),
    )
    if frame.empty:
        return frame
    return frame.sort_values(["label", "stratum", "period_start"], kind="stable", ignore_index=True)


def matching_undated(pattern: str, *, domains: tuple[str, ...] = ()) -> pd.DataFrame:
    """Published figures that cannot be placed on a time axis, matching a pattern."""
    if not {"indicator_text", "domain"} <= table_columns(wc.LITERATURE_UNDATED):
        return pd.DataFrame()
    return run_query(
        "SELECT figure_id, publication, indicator_text, geography, period_label, stratum, value,"
        " unit, flags, note, citation, citation_url FROM literature_undated"
        " WHERE regexp_matches(indicator_text, ?, 'i')"
        " AND (len(?) = 0 OR list_contains(?, domain)) ORDER BY figure_id",
        (pattern, list(domains), list(domains)),
    )


def trials() -> pd.DataFrame:
    """The registry's studies (detail table `trials`), when loaded."""
    if not has_table(wc.TRIALS):
        return pd.DataFrame()
    return run_query("SELECT * FROM trials ORDER BY nct_id")


def trials_by_area_year() -> pd.DataFrame:
    """Studies that have started, per start year and area: the registry says the start date is
    ACTUAL (a date with no type is not evidence) and the study is not NOT_YET_RECRUITING or
    WITHDRAWN (the rule of the ETL's `trials_started`)."""
    if not has_table(wc.TRIALS):
        return pd.DataFrame()
    return run_query(
        "SELECT start_year, area, area_label, count(*) AS trials FROM trials"
        " WHERE start_year IS NOT NULL AND upper(coalesce(start_date_type, '')) = 'ACTUAL'"
        " AND upper(coalesce(status, '')) NOT IN ('NOT_YET_RECRUITING', 'WITHDRAWN')"
        " GROUP BY ALL ORDER BY start_year, area"
    )


# (table, source that builds it): FAERS quarterly extracts first, then openFDA counts.
REACTION_TABLES = (
    (wc.FAERS_SIGNALS, wc.FAERS_QUARTERLY),
    (wc.FAERS_REACTION_COUNTS, wc.FAERS_QUARTERLY),
    (wc.OPENFDA_SIGNALS, wc.OPENFDA),
)


def has_reaction_tables() -> bool:
    return any({"ingredient", "pt", "a"} <= table_columns(t) for t, _ in REACTION_TABLES)


def faers_reactions(ingredients: tuple[str, ...], pattern: str) -> pd.DataFrame:
    """Report counts (and signal statistics when computed) for PTs matching a pattern, from the
    first reaction table that exists; `from_source` names the source that built it."""
    for table, source in REACTION_TABLES:
        columns = table_columns(table)
        if not {"ingredient", "pt", "a"} <= columns:
            continue
        extra = [c for c in ("prr", "prr_lower", "ror_lower", "evans") if c in columns]
        select = ", ".join(["ingredient", "pt", "a", *extra])
        # `table`, `source` and `select` come from the fixed lists above, never from user input.
        return run_query(
            f"SELECT {select}, '{source}' AS from_source FROM {table}"
            " WHERE list_contains(?, lower(ingredient)) AND regexp_matches(pt, ?, 'i')"
            " ORDER BY ingredient, a DESC, pt",
            ([i.lower() for i in ingredients], pattern),
        )
    return pd.DataFrame()


def harm_series(
    domains: tuple[str, ...],
    *,
    since_year: int,
    min_points: int = 3,
    include_secondary: bool = False,
) -> pd.DataFrame:
    """Per harm domain, one annual-or-finer ketamine or esketamine series (role 'focus'; other
    substances and all-drug totals are never a default panel) to draw beside therapeutic
    supply: mostly primary (a mostly secondary series only when `include_secondary`, and then
    after primary ones), loaded from a publisher's own files before compiled literature figures,
    then the most points since `since_year`, then the latest end; ties broken by id."""
    return run_query(
        "WITH s AS ("
        " SELECT o.indicator, o.geography, o.stratum, i.domain, i.label, o.source,"
        " i.substance, i.role, count(*) AS points, max(o.period_end) AS last_period,"
        " avg(CASE WHEN coalesce(o.flags, '') LIKE '%secondary%' THEN 1.0 ELSE 0.0 END)"
        "   AS secondary_share"
        " FROM observations o JOIN indicators i ON i.id = o.indicator"
        " WHERE list_contains(?, i.domain) AND o.period_end - o.period_start <= 366"
        " AND year(o.period_end) >= ? AND o.value IS NOT NULL AND i.role = 'focus'"
        " GROUP BY ALL)"
        " SELECT * FROM s WHERE points >= ? AND (? OR secondary_share <= ?)"
        " QUALIFY row_number() OVER (PARTITION BY domain ORDER BY secondary_share > ?,"
        " source = ?, points DESC, last_period DESC, indicator, geography, stratum) = 1"
        " ORDER BY domain",
        (
            list(domains),
            since_year,
            min_points,
            *tier_params(include_secondary),
            SECONDARY_SHARE,
            wc.LITERATURE,
        ),
    )


def series_rows(
    indicator: str, geography: str, stratum: str, *, include_secondary: bool = True
) -> pd.DataFrame:
    return run_query(
        OBSERVATIONS_WHERE
        + ("o.indicator = ? AND o.geography = ? AND o.stratum = ?")
        + OBSERVATIONS_TIER,
        (indicator, geography, stratum, *tier_params(include_secondary)),
    )


def source_row(source_id: str) -> dict:
    frame = run_query("SELECT * FROM sources WHERE id = ?", (source_id,))
    return frame.iloc[0].to_dict() if not frame.empty else {}


def drug_labels() -> pd.DataFrame:
    if not has_table(wc.DRUG_LABELS):
        return pd.DataFrame()
    return run_query("SELECT * FROM drug_labels ORDER BY brand, section")


def claims() -> pd.DataFrame:
    """The curated claims with their verdicts, citations and linked series (detail table
    `claims`, built by the literature source); empty when not loaded."""
    if not {"claim_id", "verdict", "series"} <= table_columns(wc.CLAIMS):
        return pd.DataFrame()
    return run_query("SELECT * FROM claims ORDER BY claim_id")


def series_observations(indicator_ids: tuple[str, ...]) -> pd.DataFrame:
    """Every published number of the given indicators (those present), with labels."""
    if not indicator_ids:
        return pd.DataFrame()
    return run_query(
        OBSERVATIONS_WHERE + "list_contains(?, o.indicator)" + OBSERVATIONS_TIER,
        (list(indicator_ids), *tier_params(True)),
    )


def explorable_indicators() -> frozenset[str]:
    """Indicators the Overview page can explore (`?ind=`): those with a time series of annual or
    finer points (the Overview's own catalogue, unfiltered)."""
    catalog = series_catalog()
    return frozenset(catalog["indicator"]) if not catalog.empty else frozenset()
