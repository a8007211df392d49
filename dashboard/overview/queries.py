"""What the Overview page fetches before it draws: the series catalog the filters offer, the
headline series per stream under the reader's filters, and each headline's rows shaped into a
card (dashboard/overview/frames.py). Every number comes from dashboard/common/queries.py."""

from __future__ import annotations

import pandas as pd

from dashboard.common import selection
from dashboard.common.queries import headline_indicators, series, series_catalog
from dashboard.overview import frames


def catalog() -> pd.DataFrame:
    """Every dated series, for the filters' options."""
    return series_catalog()


def headlines(chosen: frames.Filters) -> pd.DataFrame:
    """The headline series (two or more periods) under the filters, in stream order."""
    found = headline_indicators(
        2,
        geographies=tuple(chosen.geographies),
        strata=tuple(chosen.groups),
        first_year=chosen.first_year,
        last_year=chosen.last_year,
        include_secondary=chosen.include_secondary,
    )
    return selection.in_stream_order(found) if not found.empty else found


def cards(headlines: pd.DataFrame, chosen: frames.Filters) -> list[frames.Card | None]:
    """One card per headline, in its order (None where a headline has no change summary)."""
    return [
        frames.card(
            row,
            series(
                row.indicator,
                row.geography,
                row.stratum,
                include_secondary=chosen.include_secondary,
            ),
            chosen.first_year,
            chosen.last_year,
        )
        for row in headlines.itertuples()
    ]
