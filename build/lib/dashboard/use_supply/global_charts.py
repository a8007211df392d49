"""World charts for the global view: a choropleth of UNODC seizures (Natural Earth shapes
committed in `dashboard.basemaps`, no network) and past-year prevalence by country.

Pure builders: a frame in, an Altair chart out. Colour is never the only carrier: the map's
tooltip and the ranked table beside it give every value, and prevalence series differ by shape.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.common.basemaps import region_fit, world_shapes
from dashboard.common.charts.theme import (
    FIT_X,
    GRID,
    MUTED,
    SHAPES,
    VALUE_FORMAT,
    config,
    text_limit,
)

# Light to dark: more kilograms, darker (a sequential blue, readable for colour-vision deficiency).
BAND_COLOURS = ["#f0f0f0", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]
NO_DATA = "#ffffff"


def world_fit() -> dict:
    """`region_fit("World")` plus the equator's two ends: in the Equal Earth projection the
    world is widest at the equator, so fitting the corners alone leaves shapes outside the chart
    (and, on a phone, pushes its title off the left edge)."""
    fit = region_fit("World")
    points = fit["features"][0]["geometry"]["coordinates"]
    fit["features"][0]["geometry"]["coordinates"] = [*points, [-180.0, 0.0], [180.0, 0.0]]
    return fit


SEIZURE_SUBTITLE = [
    "A seizure measures enforcement, not use.",
    "Ketamine is pooled with phencyclidine-type substances.",
]


def seizure_map(
    *, data: pd.DataFrame, title: str, bands: list[str], height: int = 420
) -> alt.LayerChart:
    """Countries coloured by the kilogram band of the year's drawn seizure value; countries
    UNODC lists no record for stay white with a grey border."""
    placed = data[data["map_id"] != ""][
        ["map_id", "country", "value", "band", "records_in_year", "period_label"]
    ]
    outline = (
        alt.Chart(world_shapes())
        .mark_geoshape(fill=NO_DATA, stroke=GRID, strokeWidth=0.5)
        .project(type="equalEarth", fit=world_fit())
    )
    coloured = (
        alt.Chart(world_shapes())
        .mark_geoshape(stroke=MUTED, strokeWidth=0.4)
        .transform_lookup(
            lookup="id",
            from_=alt.LookupData(
                data=placed,
                key="map_id",
                fields=["country", "value", "band", "records_in_year", "period_label"],
            ),
        )
        .transform_filter("isValid(datum.band)")
        .encode(
            color=alt.Color(
                "band:N",
                title="Seized (kg)",
                scale=alt.Scale(domain=bands, range=BAND_COLOURS[: len(bands)]),
                legend=alt.Legend(orient="bottom", columns=2, symbolType="square"),
            ),
            tooltip=[
                alt.Tooltip("country:N", title="Country or territory"),
                alt.Tooltip("period_label:N", title="Year"),
                alt.Tooltip("value:Q", title="kg (largest record)", format=VALUE_FORMAT),
                alt.Tooltip("records_in_year:Q", title="Records UNODC lists"),
            ],
        )
        .project(type="equalEarth", fit=world_fit())
    )
    return (
        alt.layer(outline, coloured)
        .properties(
            title=alt.TitleParams(title, subtitle=SEIZURE_SUBTITLE, limit=text_limit()),
            height=height,
            autosize=FIT_X,
        )
        .configure(**config())
    )


def prevalence_lines(*, data: pd.DataFrame, title: str, height: int = 360) -> alt.Chart:
    """Past-year prevalence, one line per country and age band (never joined across them):
    colour names the country, point shape the age band or grade; UNODC's own age-adjusted
    estimates are hollow points."""
    base = alt.Chart(data).encode(
        x=alt.X("period_mid:T", title="Survey year (middle of the survey period)"),
        y=alt.Y("value:Q", title="percent, past year", axis=alt.Axis(format=VALUE_FORMAT)),
        color=alt.Color(
            "country:N", title="Country", legend=alt.Legend(orient="bottom", columns=1)
        ),
    )
    lines = base.mark_line(strokeWidth=1.5).encode(detail="series:N")
    points = base.mark_point(size=60, filled=True).encode(
        shape=alt.Shape(
            "age_band:N",
            title="Ages / grade",
            scale=alt.Scale(range=SHAPES),
            legend=alt.Legend(orient="bottom", columns=2),
        ),
        fill=alt.condition(
            "datum.estimate == 'survey'", alt.Color("country:N", legend=None), alt.value("white")
        ),
        tooltip=[
            alt.Tooltip("country:N", title="Country"),
            alt.Tooltip("age_band:N", title="Ages / grade"),
            alt.Tooltip("period_label:N", title="Survey year"),
            alt.Tooltip("value:Q", title="percent", format=VALUE_FORMAT),
            alt.Tooltip("estimate:N", title="Kind"),
            alt.Tooltip("note:N", title="Source"),
        ],
    )
    return (
        alt.layer(lines, points)
        .properties(title=alt.TitleParams(title, limit=text_limit()), height=height, autosize=FIT_X)
        .configure(**config())
    )
