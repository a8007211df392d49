"""The loads as the warehouse's series: one observation per site, substance and year (the daily
mean, flagged when nothing was quantified), and one indicator per substance."""

from __future__ import annotations

import pandas as pd

from etl.contract import INDICATOR_COLUMNS
from etl.observation_frame import observations
from etl.sources.euda_wastewater.meta import (
    CITATION,
    CITATION_URL,
    DAYS,
    META,
    UNIT,
    metabolites,
    suffix_of,
)


def load_observations(loads: pd.DataFrame) -> pd.DataFrame:
    years = loads["year"].astype(str)
    notes = [
        "; ".join(
            filter(
                None,
                [
                    f"site {site}",
                    "aggregate of several treatment plants" if "sites)" in city else "",
                    fix,
                ],
            )
        )
        for site, city, fix in zip(loads["site_id"], loads["city"], loads["fix_note"], strict=True)
    ]
    frame = observations(
        source=META.id,
        indicator="euda_wastewater_load_" + loads["metabolite"].map(suffix_of),
        geography=loads["geography"],
        period=years,
        stratum="daily mean of the sampling week",
        value=loads["daily_mean"],
        unit=UNIT,
        flags=["not_quantified" if zero else "" for zero in not_quantified(loads)],
        note=notes,
        citation=CITATION,
        citation_url=CITATION_URL,
    )
    return frame.sort_values(["indicator", "geography", "period_start"], ignore_index=True)


def not_quantified(loads: pd.DataFrame) -> pd.Series:
    """A load published as 0 on every day measured. The file does not say whether the drug was
    absent or below the laboratory's limit of quantification, so it is flagged, never read as a
    fall to nothing (a 'down 100%' headline)."""
    days = [day.lower() for day in DAYS if day.lower() in loads]
    measured = loads[days].fillna(0) if days else pd.DataFrame(index=loads.index)
    return (loads["daily_mean"] == 0) & (measured == 0).all(axis=1)


def indicators(loads: pd.DataFrame | None = None) -> pd.DataFrame:
    """One indicator per substance in the file (every known substance when called without)."""
    known = metabolites().set_index("metabolite")
    present = known.index if loads is None else loads["metabolite"].unique()
    rows = []
    for metabolite in sorted(present):
        label = known["label"].get(metabolite, metabolite)
        measured = known["measured_as"].get(metabolite, metabolite)
        years = (
            loads.loc[loads["metabolite"] == metabolite, "year"]
            if loads is not None
            else pd.Series(dtype=int)
        )
        span = f"; monitored {years.min()}-{years.max()} in this file" if len(years) else ""
        rows.append(
            {
                "id": f"euda_wastewater_load_{suffix_of(metabolite)}",
                "source": META.id,
                "label": f"Wastewater mass load: {label}",
                "definition": (
                    f"Mass of {measured} in wastewater, mg per 1,000 people served per day, mean "
                    "of the daily composite samples of one sampling week, per treatment plant"
                ),
                "unit": UNIT,
                "domain": "wastewater",
                "comparability": (
                    "Compare cities and years of the same substance only; the set of cities "
                    f"changes each year{span}"
                ),
                "series_breaks": "",
                "substance": known["substance"].get(metabolite, str(metabolite).lower()),
            }
        )
    return pd.DataFrame(rows).reindex(columns=list(INDICATOR_COLUMNS))
