"""Drawn figures as the warehouse's tables: observation rows (each note naming its figure) and
one indicator per (publication, wording, unit), labelled with its publication; undated rows go to
`literature_undated`."""

from __future__ import annotations

import re

import pandas as pd

from etl.contract import INDICATOR_COLUMNS, OBSERVATION_COLUMNS, Tables
from etl.sources.literature.fates import detail


def short_publication(publication: str) -> str:
    return re.sub(r"\s+", " ", publication).strip()


def build_tables(dated: pd.DataFrame, undated: pd.DataFrame, *, source_id: str) -> Tables:
    dated = dated.copy()
    dated["source"] = source_id
    observations = dated.reindex(columns=list(OBSERVATION_COLUMNS))
    observations["note"] = [
        "; ".join(filter(None, [f"figure {fid}", note]))
        for fid, note in zip(dated["figure_id"], dated["note"], strict=True)
    ]
    indicators = (
        dated.groupby("indicator", sort=True)
        .agg(
            label=("indicator_text", "first"),
            publication=("publication", "first"),
            unit=("unit", "first"),
            domain=("domain", "first"),
            substance=("substance", "first"),
        )
        .reset_index()
        .rename(columns={"indicator": "id"})
    )
    indicators["source"] = source_id
    indicators["definition"] = indicators["label"]
    indicators["label"] = [
        f"{label} [{short_publication(pub)}]"
        for label, pub in zip(indicators["label"], indicators["publication"], strict=True)
    ]
    indicators["comparability"] = "As defined by: " + indicators["publication"]
    indicators["series_breaks"] = ""
    tables = Tables(
        observations=observations.reset_index(drop=True),
        indicators=indicators.reindex(columns=list(INDICATOR_COLUMNS)),
    )
    tables.details["literature_undated"] = detail(undated)
    return tables
