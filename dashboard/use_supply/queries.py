"""What the Use & supply page fetches (through dashboard/common/queries_harm.py) for its surveys,
lab reports and seizures sections; the maps fetch their own (maps_sections, global_sections)."""

from __future__ import annotations

import pandas as pd

import warehouse_contract as wc
from dashboard.common import queries_harm


def method_events() -> pd.DataFrame:
    """The timeline's survey and method changes (the survey chart's rules)."""
    events = queries_harm.timeline_events()
    return events[events["category"] == "survey or method change"] if not events.empty else events


def surveys(*, include_secondary: bool) -> pd.DataFrame:
    """Survey prevalence (percent, periods up to a year); UNODC's is drawn per country below."""
    return queries_harm.domain_observations(
        ("misuse",),
        units=("percent",),
        max_span_days=366,
        exclude_sources=(wc.UNODC_WDR,),  # drawn per country under "Compare countries" below
        include_secondary=include_secondary,
    )


def lab_reports(*, include_secondary: bool) -> pd.DataFrame:
    """NFLIS lab reports of ketamine and its analogues."""
    return queries_harm.indicator_observations(
        wc.NFLIS_REPORTS_FAMILY, include_secondary=include_secondary
    )


def cooccurrence(*, include_secondary: bool) -> pd.DataFrame:
    """Club-drug samples that also contained fentanyl (a PROXY category), monthly."""
    return queries_harm.indicator_observations(
        wc.NFLIS_CLUB_DRUGS_FENTANYL_PCT, include_secondary=include_secondary
    )


def seizures(*, include_secondary: bool) -> pd.DataFrame:
    """Published seizure figures (the literature's supply rows that are seizures)."""
    found = queries_harm.domain_observations(
        ("supply",), sources=(wc.LITERATURE,), include_secondary=include_secondary
    )
    if found.empty:
        return found
    return found[found["label"].str.contains("seiz", case=False)]
