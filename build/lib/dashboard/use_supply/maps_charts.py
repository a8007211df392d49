"""Map builders on committed boundaries (`dashboard.basemaps`): no tile server, no network.

- `wastewater_basemap`: cities as circles sized by load over Natural Earth countries, framed on
  one region by a projection `fit`.
- `state_choropleth`: US states shaded by value (Albers USA, so Alaska and Hawaii are inset);
  states without a figure stay grey and say so in the tooltip.

Pure, keyword-only, returning Altair charts. Legends sit below the map so the map keeps the
page's full width on a phone.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.common import basemaps
from dashboard.common.charts.theme import FIT_X, GRID, MUTED, PALETTE, config, text_limit
from dashboard.common.charts.tooltips import tooltip_groups

LAND = "#eef1f4"
BORDER = "#b8c0c8"
NO_DATA = "#f6f8fa"


def _legend(title: str) -> alt.Legend:
    return alt.Legend(title=title, orient="bottom", direction="horizontal", titleLimit=text_limit())


def wastewater_basemap(
    *, data: pd.DataFrame, title: str, unit: str, fit: dict, height: int = 420
) -> alt.LayerChart:
    """City loads as circles (area follows the load) over country borders; `fit` frames the
    region (see `maps_frames.region_fit`). Rows without coordinates are left out."""
    placed = data.dropna(subset=["latitude", "longitude"])
    countries = (
        alt.Chart(basemaps.world_shapes())
        .mark_geoshape(fill=LAND, stroke=BORDER, strokeWidth=0.5, clip=True)
        .encode(tooltip=alt.value(None))
    )
    tooltip = [
        alt.Tooltip("geography:N", title="City"),
        alt.Tooltip("period_label:N", title="Year"),
        alt.Tooltip("value:Q", title=unit, format=",.8~r"),
        alt.Tooltip("population:Q", title="Population served", format=",.0f"),
        alt.Tooltip("flags:N", title="Flags"),
    ]
    size = alt.Size("value:Q", scale=alt.Scale(range=[15, 700]), legend=_legend(unit))
    # one layer per set of filled tooltip fields, so no tooltip prints an empty "Flags:"
    points = [
        alt.Chart(rows)
        .mark_circle(opacity=0.75, stroke="white", strokeWidth=0.7, color=PALETTE[0], clip=True)
        .encode(longitude="longitude:Q", latitude="latitude:Q", size=size, tooltip=fields)
        for rows, fields in tooltip_groups(placed, tooltip)
    ]
    return (
        alt.layer(countries, *points)
        .project(type="mercator", fit=fit)
        .properties(title=title, height=height, autosize=FIT_X)
        .configure(**config())
    )


def state_choropleth(
    *, data: pd.DataFrame, title: str, unit: str, subtitle: str = "", height: int = 360
) -> alt.LayerChart:
    """States shaded by `value` (rows from `maps_frames.state_rows`: fips, state, value, flags,
    note); every state is drawn, grey where the file has no figure."""
    states = basemaps.us_state_shapes()
    background = (
        alt.Chart(states)
        .mark_geoshape(fill=NO_DATA, stroke=MUTED, strokeWidth=0.4)
        .encode(tooltip=alt.value("no figure in this file"))
    )
    columns = ["fips", "state", "value", "period_label", "flags", "note"]
    rows = data.reindex(columns=columns)
    colour = alt.Color("value:Q", scale=alt.Scale(scheme="blues", zero=True), legend=_legend(unit))
    tooltip = [
        alt.Tooltip("state:N", title="State"),
        alt.Tooltip("period_label:N", title="Year"),
        alt.Tooltip("value:Q", title=unit, format=",.8~r"),
        alt.Tooltip("flags:N", title="Flags"),
        alt.Tooltip("note:N", title="Note"),
    ]
    shaded = [
        alt.Chart(part)
        .mark_geoshape(stroke="white", strokeWidth=0.5)
        .transform_lookup(lookup="fips", from_=alt.LookupData(states, "id"), as_="geo")
        .encode(shape="geo:G", color=colour, tooltip=fields)
        for part, fields in tooltip_groups(rows, tooltip)
    ]
    heading = alt.TitleParams(title, subtitle=subtitle or alt.Undefined, subtitleColor=MUTED)
    return (
        alt.layer(background, *shaded)
        .project(type="albersUsa")
        .properties(title=heading, height=height, autosize=FIT_X)
        .configure(**config())
        .configure_view(stroke=None, fill=None)
        .configure_axis(gridColor=GRID)
    )
