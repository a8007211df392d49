"""Trials started per year (overall, by area, by phase) from the `trials` table, and the
indicator they fill. Only ACTUAL start dates of studies that did start are counted."""

from __future__ import annotations

import pandas as pd

from etl.contract import INDICATOR_COLUMNS, OBSERVATION_COLUMNS
from etl.observation_frame import observations
from etl.sources.clinicaltrials.meta import CITATION, HOMEPAGE, INDICATOR, META, NOT_STARTED


def started_studies(trials: pd.DataFrame) -> pd.DataFrame:
    """Studies the registry says have started: an ACTUAL start date, and a status that is not
    NOT_YET_RECRUITING or WITHDRAWN."""
    actual = trials["start_date_type"].fillna("").str.upper() == "ACTUAL"
    status = trials["status"].fillna("").str.upper()
    return trials[trials["start_year"].notna() & actual & ~status.isin(NOT_STARTED)]


def trials_started(trials: pd.DataFrame) -> pd.DataFrame:
    """Studies with an actual start date, counted per start year: all, by area, by phase."""
    started = started_studies(trials)
    if started.empty:
        return pd.DataFrame(columns=list(OBSERVATION_COLUMNS))
    latest = int(started["start_year"].max())
    parts = [
        started.groupby("start_year").size().rename("value").reset_index().assign(stratum="all")
    ]
    for column, prefix in (("area_label", "area"), ("phase", "phase")):
        counts = started.groupby(["start_year", column]).size().rename("value").reset_index()
        counts["stratum"] = prefix + ": " + counts[column]
        parts.append(counts[["start_year", "value", "stratum"]])
    counts = pd.concat(parts, ignore_index=True)
    years = counts["start_year"].astype(int)
    return observations(
        source=META.id,
        indicator=INDICATOR,
        geography="ClinicalTrials.gov (all countries)",
        period=years.astype(str),
        stratum=counts["stratum"],
        value=counts["value"],
        unit="trials",
        flags=["provisional" if y == latest else "" for y in years],
        note="actual start dates only; area from etl/data/trial_areas.csv",
        citation=CITATION,
        citation_url=HOMEPAGE,
    ).sort_values(["stratum", "period_start"], ignore_index=True)


def indicators() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "id": INDICATOR,
                "source": META.id,
                "label": "Registered ketamine/esketamine studies started, per year",
                "definition": (
                    "ClinicalTrials.gov studies with ketamine or esketamine as an intervention, "
                    "by year of actual start; strata: all, area (from conditions), phase"
                ),
                "unit": "trials",
                "domain": "therapeutic",
                "comparability": (
                    "Not comparable with published review counts (other searches, other dates, "
                    "registration vs start year)"
                ),
                "series_breaks": "",
                "substance": "ketamine and esketamine",
            }
        ]
    ).reindex(columns=list(INDICATOR_COLUMNS))
