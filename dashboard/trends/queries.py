"""What the Cross-stream trends page fetches: the yearly harm series it offers (through
dashboard/common/queries_harm.py) and the rows of the chosen ones."""

from __future__ import annotations

import pandas as pd

from dashboard.common import queries_harm, selection
from dashboard.common.queries import series
from dashboard.trends import frames

HARM_DOMAINS = ("poison_center", "misuse", "mortality", "supply", "wastewater")


def catalog(*, include_secondary: bool) -> pd.DataFrame:
    """The offered yearly harm series, keyed and named (empty when none is offered)."""
    offered = selection.offered(
        queries_harm.annual_series(HARM_DOMAINS, include_secondary=include_secondary),
        include_secondary=include_secondary,
    )
    return offered if offered.empty else frames.named(offered)


def rows(chosen: list[str], *, include_secondary: bool) -> pd.DataFrame:
    """Every row of the chosen series (keys `indicator|geography|stratum`), one frame."""
    return pd.concat(
        [series(*key.split("|", 2), include_secondary=include_secondary) for key in chosen],
        ignore_index=True,
    )
