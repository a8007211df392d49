"""Data tables a person reads: what the number is, when, how much, in what unit, with which flags
first; internal ids last; dates as dates (no '00:00:00'). Pure.

The CSV download keeps the warehouse's own column order; only the table on the page is
rearranged, so a screen-reader user reaches the value in the first few cells of a row.
"""

from __future__ import annotations

import pandas as pd

# The columns a reader needs first, in this order (those present).
LEAD = (
    "series",
    "label",
    "city",
    "state",
    "geography",
    "stratum",
    "period_label",
    "year",
    "value",
    "lower",
    "upper",
    "unit",
    "flags",
    "note",
)
# Ids and keys: kept (a table is the chart's full alternative) but last.
TRAIL = (
    "period_start",
    "period_end",
    "citation",
    "citation_url",
    "vintage",
    "source_title",
    "source",
    "indicator",
    "id",
    "site_id",
    "code",
    "fips",
)


def date_text(column: pd.Series) -> pd.Series:
    """Dates as 'YYYY-MM-DD'; with the time only when some value has one."""
    moments = pd.to_datetime(column)
    has_time = (moments.dropna() != moments.dropna().dt.normalize()).any()
    return moments.dt.strftime("%Y-%m-%d %H:%M" if has_time else "%Y-%m-%d").where(
        moments.notna(), None
    )


def _is_date_column(column: pd.Series) -> bool:
    if pd.api.types.is_datetime64_any_dtype(column):
        return True
    sample = column.dropna()
    return bool(len(sample)) and sample.map(lambda v: hasattr(v, "isoformat")).all()


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with LEAD columns first, TRAIL columns last, dates formatted as text."""
    lead = [c for c in LEAD if c in frame]
    trail = [c for c in TRAIL if c in frame and c not in lead]
    middle = [c for c in frame.columns if c not in lead and c not in trail]
    out = frame[lead + middle + trail].copy()
    for column in out.columns:
        if _is_date_column(out[column]):
            out[column] = date_text(out[column])
    return out
