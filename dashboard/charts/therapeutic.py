"""Charts for the Therapeutic context page. Pure, keyword-only functions returning Altair charts."""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.charts.theme import MILESTONE, PALETTE, SHAPES, config

CATEGORY_ORDER = [
    "approval",
    "marketing",
    "scheduling",
    "safety alert",
    "survey or method change",
    "other",
]


def milestone_timeline(*, events: pd.DataFrame, title: str, height: int = 220) -> alt.Chart:
    """Each dated event as a point on a time axis, one row per category, with its text on hover.

    `events`: date, date_label, precision, category, event, agency, citation_url.
    """
    data = events.assign(date=pd.to_datetime(events["date"]))
    categories = [c for c in CATEGORY_ORDER if c in set(data["category"])]
    categories += sorted(set(data["category"]) - set(categories))
    colours = alt.Scale(domain=categories, range=PALETTE[: len(categories)])
    shapes = alt.Scale(domain=categories, range=SHAPES[: len(categories)])
    return (
        alt.Chart(data)
        .mark_point(filled=True, size=110, opacity=1)
        .encode(
            x=alt.X("date:T", title=None),
            y=alt.Y("category:N", title=None, sort=categories),
            color=alt.Color("category:N", scale=colours, legend=None),
            shape=alt.Shape("category:N", scale=shapes, legend=None),
            tooltip=[
                alt.Tooltip("date_label:N", title="Date (as published)"),
                alt.Tooltip("precision:N", title="Date precision"),
                alt.Tooltip("agency:N", title="Agency"),
                alt.Tooltip("event:N", title="Event"),
                alt.Tooltip("citation_url:N", title="Source"),
            ],
        )
        .properties(title=title, height=height)
        .configure(**config())
    )


def trials_by_area(*, data: pd.DataFrame, title: str, height: int = 300) -> alt.Chart:
    """Stacked bars: studies started per year, coloured by area (one area per study).

    `data`: start_year, area_label, trials.
    """
    areas = sorted(data["area_label"].unique().tolist())
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("start_year:O", title="Year the study started"),
            y=alt.Y("sum(trials):Q", title="Registered studies"),
            color=alt.Color(
                "area_label:N",
                scale=alt.Scale(domain=areas, range=PALETTE[: len(areas)]),
                legend=alt.Legend(title=None, orient="bottom", direction="vertical"),
            ),
            tooltip=[
                alt.Tooltip("start_year:O", title="Start year"),
                alt.Tooltip("area_label:N", title="Area"),
                alt.Tooltip("trials:Q", title="Studies"),
            ],
        )
        .properties(title=title, height=height)
        .configure(**config())
    )


def _panel(
    data: pd.DataFrame, milestones: pd.DataFrame, domain: list[pd.Timestamp], colour: str
) -> alt.LayerChart:
    x = alt.X("period_mid:T", title=None, scale=alt.Scale(domain=domain))
    panel_title = str(data["panel"].iloc[0])
    base = alt.Chart(data)
    layers = [
        base.mark_line(color=colour, strokeWidth=2).encode(
            x=x, y=alt.Y("value:Q", title=str(data["unit"].iloc[0])), detail="segment_key:N"
        ),
        base.mark_point(filled=True, color=colour, size=50).encode(
            x=x,
            y="value:Q",
            tooltip=[
                alt.Tooltip("panel:N", title="Series"),
                alt.Tooltip("period_label:N", title="Period"),
                alt.Tooltip("value:Q", title="Value", format=",.8~r"),
                alt.Tooltip("unit:N", title="Unit"),
                alt.Tooltip("flags:N", title="Flags"),
                alt.Tooltip("citation:N", title="Citation"),
            ],
        ),
    ]
    if not milestones.empty:
        layers.append(
            alt.Chart(milestones)
            .mark_rule(color=MILESTONE, strokeDash=[4, 3])
            .encode(
                x=alt.X("date:T", scale=alt.Scale(domain=domain)),
                tooltip=[
                    alt.Tooltip("date_label:N", title="Date"),
                    alt.Tooltip("category:N", title="Milestone"),
                    alt.Tooltip("event:N", title="Event"),
                ],
            )
        )
    return alt.layer(*layers).properties(title=panel_title, height=130, width="container")


def side_by_side(*, data: pd.DataFrame, milestones: pd.DataFrame, title: str) -> alt.VConcatChart:
    """One panel per series, stacked, on the same time axis, with the milestones drawn on each.

    `data`: panel, group ('Therapeutic supply' / 'Harm indicator'), period_mid, period_start,
    period_end, period_label, value, unit, flags, citation, segment_key.
    """
    start = pd.to_datetime(data["period_start"]).min()
    end = pd.to_datetime(data["period_end"]).max()
    domain = [start, end]
    shown = (
        milestones.assign(date=pd.to_datetime(milestones["date"]))
        if not milestones.empty
        else milestones
    )
    if not shown.empty:
        shown = shown[(shown["date"] >= start) & (shown["date"] <= end)]
    panels = []
    for index, (_, group) in enumerate(data.groupby(["group", "panel"], sort=False)):
        panels.append(_panel(group, shown, domain, PALETTE[index % len(PALETTE)]))
    return alt.vconcat(*panels, title=title).configure(**config())
