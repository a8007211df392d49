"""SQL for the global view: UNODC seizures by country and year, past-year prevalence by
country, expert-perceived trends, and the published figures the UNODC rows can be checked
against.

Fixed SQL texts with `?` parameters, run through `queries.run_query`. The UNODC detail tables
exist only once the annex is loaded (online or from a mirror; the seed bundles no UNODC file),
so each reader checks the table first and returns an empty frame without it.
"""

from __future__ import annotations

import pandas as pd

import warehouse_contract as wc
from dashboard.common import queries

SEIZURES = (
    "SELECT o.geography AS country, year(o.period_start) AS year, o.period_label, o.value,"
    " o.unit, o.flags, o.note, o.citation, o.citation_url, o.vintage, r.region, r.subregion,"
    " r.records_in_year"
    " FROM observations o LEFT JOIN unodc_wdr_seizures r"
    " ON r.country = o.geography AND r.year = year(o.period_start) AND r.shown"
    " WHERE o.indicator = ? ORDER BY year, o.value DESC, country"
)
RECORDS = (
    "SELECT country, year, record, records_in_year, kilograms, shown, note"
    " FROM unodc_wdr_seizures WHERE records_in_year > 1 ORDER BY country, year, record"
)
PREVALENCE = (
    "SELECT o.indicator, o.geography AS country, o.period_start, o.period_end, o.period_label,"
    " o.stratum, o.value, o.unit, o.flags, o.note, o.citation, o.citation_url, o.vintage"
    " FROM observations o WHERE o.indicator = ? ORDER BY country, o.stratum, o.period_start"
)
TRENDS = (
    "SELECT country, region, year, age_group, category, direction, size"
    " FROM unodc_wdr_trends ORDER BY year DESC, region, country"
)
# Published figures of the literature source in the same population as a UNODC row (England
# and Wales, CSEW past-year use): compared in `global_frames.cross_check`.
PUBLISHED = (
    "SELECT o.geography, o.period_label, o.stratum, o.value, o.flags, o.citation, i.label"
    " FROM observations o JOIN indicators i ON i.id = o.indicator"
    " WHERE o.source = ? AND o.unit = 'percent' AND i.domain = 'misuse'"
)


def annex_loaded() -> bool:
    """Whether the UNODC seizure records are in the warehouse (not in the offline seed)."""
    return queries.has_table(wc.UNODC_WDR_SEIZURES)


def seizures() -> pd.DataFrame:
    """One drawn value per country and year (the largest of UNODC's records), with region."""
    if not annex_loaded():
        return pd.DataFrame()
    return queries.run_query(SEIZURES, (wc.UNODC_SEIZURES_KETAMINE_PCP,))


def seizure_records() -> pd.DataFrame:
    """Every record of the country-years UNODC lists more than once."""
    return queries.run_query(RECORDS) if annex_loaded() else pd.DataFrame()


def prevalence(indicator: str) -> pd.DataFrame:
    return queries.run_query(PREVALENCE, (indicator,))


def trends() -> pd.DataFrame:
    return queries.run_query(TRENDS) if queries.has_table(wc.UNODC_WDR_TRENDS) else pd.DataFrame()


def published_figures() -> pd.DataFrame:
    return queries.run_query(PUBLISHED, (wc.LITERATURE,))
