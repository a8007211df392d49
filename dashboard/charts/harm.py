"""Chart builders for the harm pages: the wastewater map and bars of published shares.
Pure, keyword-only functions returning `alt.Chart`; time lines reuse `charts.time_chart`."""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.charts.theme import FIT_X, MUTED, PALETTE, bar_label_limit, bar_plot_height, config
from dashboard.charts.tooltips import tooltip_groups


def wastewater_map(
    *, data: pd.DataFrame, title: str, unit: str, height: int = 420
) -> alt.LayerChart:
    """Cities as points sized by load on an equirectangular projection, with a graticule for
    orientation (no basemap: nothing is fetched from the internet). Rows without coordinates
    are left out of the map; the table beside it lists every row."""
    placed = data.dropna(subset=["latitude", "longitude"])
    sphere = alt.Chart(alt.sphere()).mark_geoshape(fill="#f6f8fa", stroke=MUTED, strokeWidth=0.5)
    grid = alt.Chart(alt.graticule(step=[15, 15])).mark_geoshape(stroke="#d0d7de", strokeWidth=0.5)
    tooltip = [
        alt.Tooltip("geography:N", title="City"),
        alt.Tooltip("period_label:N", title="Year"),
        alt.Tooltip("value:Q", title=unit, format=",.8~r"),
        alt.Tooltip("population:Q", title="Population served", format=",.0f"),
        alt.Tooltip("note:N", title="Note"),
    ]
    size = alt.Size("value:Q", title=unit, scale=alt.Scale(range=[20, 900]))
    points = [
        alt.Chart(rows)
        .mark_circle(opacity=0.75, stroke="white", strokeWidth=0.5, color=PALETTE[0])
        .encode(longitude="longitude:Q", latitude="latitude:Q", size=size, tooltip=fields)
        for rows, fields in tooltip_groups(placed, tooltip)
    ]
    return (
        alt.layer(sphere, grid, *points)
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
    order = frame.sort_values("value", ascending=False)["row"].drop_duplicates().tolist()
    tooltip = [
        alt.Tooltip("row:N", title="Figure"),
        alt.Tooltip("value:Q", title=x_title, format=",.8~r"),
        alt.Tooltip("stratum:N", title="Group"),
        alt.Tooltip("flags:N", title="Flags"),
        alt.Tooltip("citation:N", title="Citation"),
    ]
    studies = sorted(frame["study"].astype(str).unique())
    colour = alt.Color(
        "study:N",
        title="Study",
        scale=alt.Scale(
            domain=studies, range=[PALETTE[i % len(PALETTE)] for i in range(len(studies))]
        ),
        legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=900),
    )
    y = alt.Y("row:N", title=None, sort=order, axis=alt.Axis(labelLimit=bar_label_limit(520)))
    bars = [
        alt.Chart(rows)
        .mark_bar()
        .encode(y=y, x=alt.X("value:Q", title=x_title), color=colour, tooltip=fields)
        for rows, fields in tooltip_groups(frame, tooltip)
    ]
    return (
        alt.layer(*bars)
        .properties(title=title, height=bar_plot_height(len(order), per_row=20), autosize=FIT_X)
        .configure(**config())
    )
