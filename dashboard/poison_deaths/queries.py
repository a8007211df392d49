"""What the Poison centers & deaths page fetches (through dashboard/common/queries_harm.py), one
function per section's frames, with the rows each chart draws picked out."""

from __future__ import annotations

import pandas as pd

import warehouse_contract as wc
from dashboard.common import queries_harm


def exposures(*, include_secondary: bool) -> pd.DataFrame:
    """US poison-center exposure counts (each study's definition its own indicator)."""
    calls = queries_harm.domain_observations(
        ("poison_center",), units=("exposures", "cases"), include_secondary=include_secondary
    )
    return calls[calls["geography"] == "United States"] if not calls.empty else calls


def rates(*, include_secondary: bool) -> pd.DataFrame:
    """Poison-center exposures per million population, as each study computed them."""
    return queries_harm.domain_observations(
        ("poison_center",), units=("per 1,000,000 population",), include_secondary=include_secondary
    )


def shares(*, include_secondary: bool) -> pd.DataFrame:
    """Shares of one study's exposure calls (outcome, reason, route, co-used substances)."""
    return queries_harm.domain_observations(
        ("poison_center",), units=("percent",), include_secondary=include_secondary
    )


def deaths(*, include_secondary: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Deaths with ketamine (not the ONS all-drug totals): (United States, elsewhere)."""
    found = queries_harm.domain_observations(
        ("mortality",),
        exclude_sources=(wc.ONS_DRUG_POISONING,),
        include_secondary=include_secondary,
    )
    if found.empty:
        return found, found
    found = found[found["unit"].str.startswith("deaths")]
    in_us = found["geography"].str.contains("United States")
    return found[in_us], found[~in_us]


def ons_totals(*, include_secondary: bool) -> pd.DataFrame:
    """ONS drug-poisoning deaths registered in England and Wales (persons), every series."""
    return queries_harm.indicator_observations(
        wc.ONS_DEATHS_FAMILY,
        geography="England and Wales",
        stratum="persons",
        include_secondary=include_secondary,
    )
