"""Chart builders for the harm pages: the wastewater map and bars of published shares.
Pure, keyword-only functions returning `alt.Chart`; time lines reuse `charts.time_chart`."""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.charts.theme import MUTED, PALETTE, config


def wastewater_map(
    *, data: pd.DataFrame, title: str, unit: str, height: int = 420
) -> alt.LayerChart:
    """Cities as points sized by load on an equirectangular projection, with a graticule for
    orientation (no basemap: nothing is fetched from the internet). Rows without coordinates
    are left out of the map; the table beside it lists every row."""
    placed = data.dropna(subset=["latitude", "longitude"])
    sphere = alt.Chart(alt.sphere()).mark_geoshape(fill="#f6f8fa", stroke=MUTED, strokeWidth=0.5)
    grid = alt.Chart(alt.graticule(step=[15, 15])).mark_geoshape(stroke="#d0d7de", strokeWidth=0.5)
    points = (
        alt.Chart(placed)
        .mark_circle(opacity=0.75, stroke="white", strokeWidth=0.5, color=PALETTE[0])
        .encode(
            longitude="longitude:Q",
            latitude="latitude:Q",
            size=alt.Size("value:Q", title=unit, scale=alt.Scale(range=[20, 900])),
            tooltip=[
                alt.Tooltip("geography:N", title="City"),
                alt.Tooltip("period_label:N", title="Year"),
                alt.Tooltip("value:Q", title=unit, format=",.8~r"),
                alt.Tooltip("population:Q", title="Population served", format=",.0f"),
                alt.Tooltip("note:N", title="Note"),
            ],
        )
    )
    return (
        alt.layer(sphere, grid, points)
        .project(type="equirectangular")
        .properties(title=title, height=height)
        .configure(**config())
    )


def share_bars(*, data: pd.DataFrame, title: str, x_title: str = "percent") -> alt.Chart:
    """Published shares (outcomes, reasons, co-used substances) as bars, one per figure, labelled
    with the study and its period; colour marks the study (also named in the row label)."""
    frame = data.assign(
        row=data["label"].astype(str) + " · " + data["period_label"].astype(str),
        study=data["label"].str.extract(r"\[(.*)\]$", expand=False).fillna(data["source"]),
    )
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("row:N", title=None, sort="-x", axis=alt.Axis(labelLimit=520)),
            x=alt.X("value:Q", title=x_title),
            color=alt.Color("study:N", title="Study", legend=alt.Legend(orient="bottom")),
            tooltip=[
                alt.Tooltip("row:N", title="Figure"),
                alt.Tooltip("value:Q", title=x_title, format=",.8~r"),
                alt.Tooltip("stratum:N", title="Group"),
                alt.Tooltip("flags:N", title="Flags"),
                alt.Tooltip("citation:N", title="Citation"),
            ],
        )
        .properties(title=title, height=max(120, 22 * len(frame)))
        .configure(**config())
    )
