"""Pure shaping for the Cross-stream trends page: each offered yearly series gets the key its
link uses (`indicator|geography|stratum`) and the name the streams picker shows."""

from __future__ import annotations

import pandas as pd

from dashboard.common import selection


def named(catalog: pd.DataFrame) -> pd.DataFrame:
    """The catalog with `key` and `name` (stream, then a tagged label) columns."""
    return catalog.assign(
        key=[
            selection.series_key(indicator=i, geography=g, stratum=s)
            for i, g, s in zip(
                catalog["indicator"], catalog["geography"], catalog["stratum"], strict=True
            )
        ],
        name=[
            f"{r.domain}: "
            + selection.tagged_label(
                label=f"{r.label} · {r.geography} · {r.stratum}",
                role=r.role,
                substance=r.substance,
                secondary=selection.is_secondary(r.secondary_share),
            )
            for r in catalog.itertuples()
        ],
    )
