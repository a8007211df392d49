"""The Therapeutic context page's frames that take more than one query: the published
prescription figures and trial counts (literature), and the side-by-side panels of supply (Part
D, prescriptions) and harm indicators over the same years. Fetched through
dashboard/therapeutic/queries.py and shaped by frames.py; the harm panels are ketamine or
esketamine series of primary figures."""

from __future__ import annotations

import pandas as pd

import warehouse_contract as wc
from dashboard.therapeutic import frames, queries

HARM_DOMAINS = (wc.POISON_CENTER, wc.ADVERSE_EVENTS, wc.MORTALITY, wc.MISUSE, wc.SUPPLY)


def side_by_side(
    partd: pd.DataFrame, prescriptions: pd.DataFrame, *, include_secondary: bool
) -> pd.DataFrame | None:
    """Supply panels, then one panel per harm series from a few years before supply begins."""
    panels = frames.supply_panels(partd, prescriptions)
    since = frames.harm_since(panels)
    for row in queries.harm_series(
        HARM_DOMAINS, since_year=since, include_secondary=include_secondary
    ).itertuples():
        rows = queries.series_rows(
            row.indicator, row.geography, row.stratum, include_secondary=include_secondary
        )
        panels.append(("Harm indicator", frames.harm_panel_name(row), rows))
    return frames.side_by_side(panels, since)


PUBLISHED = {"domains": (wc.THERAPEUTIC,), "sources": (wc.LITERATURE,)}


def prescriptions(*, include_secondary: bool) -> pd.DataFrame:
    """Published prescription and Medicaid figures (literature, therapeutic domain)."""
    return queries.matching_observations(
        "prescri|Medicaid", **PUBLISHED, include_secondary=include_secondary
    )


def published_trials(*, include_secondary: bool) -> pd.DataFrame:
    """Published counts of trials, dated and undated, in one frame."""
    return pd.concat(
        [
            queries.matching_observations(
                "trial", **PUBLISHED, include_secondary=include_secondary
            ),
            queries.matching_undated("trial"),
        ],
        ignore_index=True,
    )
