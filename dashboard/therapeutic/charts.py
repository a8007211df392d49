"""Charts for the Therapeutic context page. Pure, keyword-only functions returning Altair charts."""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.common.charts.annotations import METHOD_CHANGE
from dashboard.common.charts.axes import date_axis, time_axis
from dashboard.common.charts.theme import (
    FIT_X,
    MILESTONE,
    PALETTE,
    SHAPES,
    bar_plot_height,
    config,
    text_limit,
)
from dashboard.common.charts.tooltips import tooltip_groups

CATEGORY_ORDER = [
    "approval",
    "marketing",
    "scheduling",
    "safety alert",
    "survey or method change",
    "other",
]


def milestone_timeline(*, events: pd.DataFrame, title: str, height: int | None = None) -> alt.Chart:
    """Each dated event as a point on a time axis, one row per category, with its text on hover.

    `events`: date, date_label, precision, category, event, agency, citation_url. `height` (the
    plot's) follows the number of categories unless given.
    """
    data = events.assign(date=pd.to_datetime(events["date"]))
    categories = [c for c in CATEGORY_ORDER if c in set(data["category"])]
    categories += sorted(set(data["category"]) - set(categories))
    colours = alt.Scale(domain=categories, range=PALETTE[: len(categories)])
    shapes = alt.Scale(domain=categories, range=SHAPES[: len(categories)])
    tooltip = [
        alt.Tooltip("date_label:N", title="Date (as published)"),
        alt.Tooltip("precision:N", title="Date precision"),
        alt.Tooltip("agency:N", title="Agency"),
        alt.Tooltip("event:N", title="Event"),
        alt.Tooltip("citation_url:N", title="Source"),
    ]
    x = alt.X("date:T", title=None, axis=date_axis(data["date"]))
    points = [
        alt.Chart(rows)
        .mark_point(filled=True, size=110, opacity=1)
        .encode(
            x=x,
            y=alt.Y("category:N", title=None, sort=categories),
            color=alt.Color("category:N", scale=colours, legend=None),
            shape=alt.Shape("category:N", scale=shapes, legend=None),
            tooltip=fields,
        )
        for rows, fields in tooltip_groups(data, tooltip)
    ]
    plot = height or bar_plot_height(len(categories), per_row=32)
    return (
        alt.layer(*points)
        .properties(title=title, height=plot, autosize=FIT_X)
        .configure(**config())
    )


def trials_by_area(*, data: pd.DataFrame, title: str, height: int = 260) -> alt.Chart:
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
        .properties(title=title, height=height, autosize=FIT_X)
        .configure(**config())
    )


PANEL_TOOLTIP = [
    alt.Tooltip("panel:N", title="Series"),
    alt.Tooltip("period_label:N", title="Period"),
    alt.Tooltip("value:Q", title="Value", format=",.8~r"),
    alt.Tooltip("unit:N", title="Unit"),
    alt.Tooltip("flags:N", title="Flags"),
    alt.Tooltip("citation:N", title="Citation"),
]
MILESTONE_TOOLTIP = [
    alt.Tooltip("date_label:N", title="Date"),
    alt.Tooltip("category:N", title="Milestone"),
    alt.Tooltip("event:N", title="Event"),
]
PANEL_HEIGHT = 130


def _panel(
    data: pd.DataFrame,
    milestones: pd.DataFrame,
    axis_data: pd.DataFrame,
    domain: list[pd.Timestamp],
    colour: str,
) -> alt.LayerChart:
    scale = alt.Scale(domain=[d.isoformat() for d in domain])
    x = alt.X("period_mid:T", title=None, scale=scale, axis=time_axis(axis_data))
    panel_title = str(data["panel"].iloc[0])
    base = alt.Chart(data)
    layers = [
        base.mark_line(color=colour, strokeWidth=2).encode(
            x=x, y=alt.Y("value:Q", title=str(data["unit"].iloc[0])), detail="segment_key:N"
        ),
        *[
            alt.Chart(rows)
            .mark_point(filled=True, color=colour, size=50)
            .encode(x=x, y="value:Q", tooltip=fields)
            for rows, fields in tooltip_groups(data, PANEL_TOOLTIP)
        ],
    ]
    if not milestones.empty:
        keep = [c for c in ("date", "date_label", "category", "event") if c in milestones]
        layers += [
            alt.Chart(rows)
            .mark_rule(color=MILESTONE, strokeDash=[4, 3])
            .encode(x=alt.X("date:T", scale=scale), tooltip=fields)
            for rows, fields in tooltip_groups(milestones[keep], MILESTONE_TOOLTIP)
        ]
    return alt.layer(*layers).properties(
        title=alt.TitleParams(panel_title, limit=text_limit()),
        height=PANEL_HEIGHT,
        width="container",
    )


def side_by_side(
    *,
    data: pd.DataFrame,
    milestones: pd.DataFrame,
    title: str,
    show_milestones: bool = True,
) -> alt.VConcatChart:
    """One panel per series, stacked, on the same time axis (labelled in the data's own terms:
    years, or quarters for a short quarterly span), with the milestones drawn on each as dashed
    rules (hover for the event) unless `show_milestones` is False.

    `data`: panel, group ('Therapeutic supply' / 'Harm indicator'), period_mid, period_start,
    period_end, period_label, value, unit, flags, citation, segment_key.
    """
    start = pd.to_datetime(data["period_start"]).min()
    end = pd.to_datetime(data["period_end"]).max()
    domain = [start, end]
    shown = milestones.iloc[0:0] if milestones.empty or not show_milestones else milestones
    if not shown.empty:
        shown = shown.assign(date=pd.to_datetime(shown["date"]))
        if "category" in shown:
            shown = shown[shown["category"] != METHOD_CHANGE]
        shown = shown[(shown["date"] >= start) & (shown["date"] <= end)]
    # Each panel labels the shared axis in its own periods' terms (years, or quarters).
    finest = data.assign(
        span_days=(
            pd.to_datetime(data["period_end"]) - pd.to_datetime(data["period_start"])
        ).dt.days
        + 1
    )
    panels = []
    for index, (_, group) in enumerate(data.groupby(["group", "panel"], sort=False)):
        own = finest.loc[group.index]
        axis_data = own.assign(period_start=start, period_end=end)
        panels.append(_panel(group, shown, axis_data, domain, PALETTE[index % len(PALETTE)]))
    return (
        alt.vconcat(*panels, title=alt.TitleParams(title, limit=text_limit()))
        .properties(autosize=FIT_X)
        .configure(**config())
    )
