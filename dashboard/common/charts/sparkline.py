"""The Overview card's sparkline: one series as a small line, its latest point marked and
provisional points hollow. A pure function returning an Altair chart."""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.common.charts.theme import FIT_X, PALETTE, config
from dashboard.common.charts.tooltips import tooltip_groups


def sparkline(*, data: pd.DataFrame, colour: str = PALETTE[0], height: int = 60) -> alt.LayerChart:
    """A small line of one series for an overview card; the latest point is labelled-by-size,
    provisional points are hollow. `height` is the line's own height."""
    x = alt.X("period_mid:T", axis=None)
    y = alt.Y("value:Q", axis=None, scale=alt.Scale(zero=False))
    tooltip = [
        alt.Tooltip("period_label:N", title="Period"),
        alt.Tooltip("value:Q", title="Value", format=",.8~r"),
        alt.Tooltip("unit:N", title="Unit"),
        alt.Tooltip("flags:N", title="Flags"),
    ]
    fill = (
        alt.condition("datum.provisional", alt.value("white"), alt.value(colour))
        if "provisional" in data
        else alt.value(colour)
    )
    line = (
        alt.Chart(data)
        .mark_line(color=colour, strokeWidth=2)
        .encode(x=x, y=y, detail="segment_key:N")
    )
    dots = [
        alt.Chart(rows)
        .mark_point(color=colour, size=22, strokeWidth=1.5)
        .encode(x=x, y=y, fill=fill, tooltip=fields)
        for rows, fields in tooltip_groups(data, tooltip)
    ]
    latest_row = data.sort_values("period_start").tail(1)
    latest = [
        alt.Chart(rows)
        .mark_point(color=colour, size=80, strokeWidth=2, shape="circle")
        .encode(x=x, y=y, fill=fill, tooltip=fields)
        for rows, fields in tooltip_groups(latest_row, tooltip)
    ]
    return (
        alt.layer(line, *dots, *latest)
        .properties(height=height, autosize=FIT_X)
        .configure(**config())
        .configure_view(strokeWidth=0)
    )
