"""Time-series charts: lines cut at gaps and series breaks, CI bands, provisional shading,
flag-aware tooltips and milestone rules. Pure functions returning `alt.Chart`."""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.charts.theme import MILESTONE, PALETTE, PROVISIONAL_FILL, SHAPES, config

TOOLTIP = [
    alt.Tooltip("series:N", title="Series"),
    alt.Tooltip("period_label:N", title="Period"),
    alt.Tooltip("value:Q", title="Value", format=",.4~g"),
    alt.Tooltip("unit:N", title="Unit"),
    alt.Tooltip("lower:Q", title="95% CI lower", format=",.4~g"),
    alt.Tooltip("upper:Q", title="95% CI upper", format=",.4~g"),
    alt.Tooltip("flags:N", title="Flags"),
    alt.Tooltip("citation:N", title="Citation"),
]


def _scales(series: list[str]) -> tuple[alt.Scale, alt.Scale]:
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(series))]
    shapes = [SHAPES[i % len(SHAPES)] for i in range(len(series))]
    return alt.Scale(domain=series, range=colours), alt.Scale(domain=series, range=shapes)


def time_chart(
    *,
    data: pd.DataFrame,
    title: str,
    y_title: str,
    value_field: str = "value",
    milestones: pd.DataFrame | None = None,
    height: int = 320,
    log_scale: bool = False,
) -> alt.Chart:
    """Lines per series (cut at gaps and breaks), points shaped per series, CI bands, shaded
    provisional periods, and milestones as labelled rules.

    `data` comes from `transforms.chart_frame`: period_mid, period_start, period_end, series,
    segment_key, value, lower, upper, unit, flags, provisional, citation.
    """
    series = sorted(data["series"].unique().tolist())
    colour_scale, shape_scale = _scales(series)
    y_scale = alt.Scale(type="log") if log_scale else alt.Scale(zero=False)
    base = alt.Chart(data)
    x = alt.X("period_mid:T", title=None)
    y = alt.Y(f"{value_field}:Q", title=y_title, scale=y_scale)
    colour = alt.Color(
        "series:N",
        scale=colour_scale,
        legend=alt.Legend(title=None, orient="bottom", direction="vertical"),
    )
    layers: list[alt.Chart] = []
    provisional = data[data["provisional"]]
    if not provisional.empty:
        layers.append(
            alt.Chart(provisional)
            .mark_rect(color=PROVISIONAL_FILL, opacity=0.8)
            .encode(
                x="period_start:T",
                x2="period_end:T",
                tooltip=[alt.Tooltip("flags:N", title="Shaded: flags")],
            )
        )
    if value_field == "value" and data["lower"].notna().any():
        layers.append(
            base.transform_filter("isValid(datum.lower) && isValid(datum.upper)")
            .mark_area(opacity=0.18)
            .encode(x=x, y="lower:Q", y2="upper:Q", color=colour, detail="segment_key:N")
        )
    layers.append(
        base.mark_line(strokeWidth=2).encode(x=x, y=y, color=colour, detail="segment_key:N")
    )
    layers.append(
        base.mark_point(filled=True, size=70, opacity=1).encode(
            x=x,
            y=y,
            color=colour,
            shape=alt.Shape("series:N", scale=shape_scale, legend=None),
            tooltip=TOOLTIP,
        )
    )
    if value_field == "value" and data["lower"].notna().any():
        layers.append(
            base.transform_filter("isValid(datum.lower) && isValid(datum.upper)")
            .mark_rule()
            .encode(x=x, y="lower:Q", y2="upper:Q", color=colour)
        )
    if milestones is not None and not milestones.empty:
        layers.extend(milestone_layers(milestones, data))
    return alt.layer(*layers).properties(title=title, height=height).configure(**config())


def milestone_layers(milestones: pd.DataFrame, data: pd.DataFrame) -> list[alt.Chart]:
    """Rules for the milestones that fall inside the data's time range, with short labels."""
    start, end = (
        pd.to_datetime(data["period_start"]).min(),
        pd.to_datetime(data["period_end"]).max(),
    )
    shown = milestones.assign(date=pd.to_datetime(milestones["date"]))
    shown = shown[(shown["date"] >= start) & (shown["date"] <= end)].copy()
    if shown.empty:
        return []
    shown["short"] = shown["event"].str.slice(0, 60)
    rule = (
        alt.Chart(shown)
        .mark_rule(color=MILESTONE, strokeDash=[4, 3])
        .encode(
            x="date:T",
            tooltip=[
                alt.Tooltip("date_label:N", title="Date"),
                alt.Tooltip("category:N", title="Milestone"),
                alt.Tooltip("event:N", title="Event"),
                alt.Tooltip("agency:N", title="Agency"),
            ],
        )
    )
    text = (
        alt.Chart(shown)
        .mark_text(align="left", baseline="top", dx=3, dy=2, fontSize=10, color=MILESTONE, angle=0)
        .encode(x="date:T", y=alt.value(2), text="category:N")
    )
    return [rule, text]


def sparkline(*, data: pd.DataFrame, colour: str = PALETTE[0]) -> alt.Chart:
    """A small line of one series for an overview card."""
    return (
        alt.Chart(data)
        .mark_line(color=colour, point=alt.OverlayMarkDef(color=colour, size=20))
        .encode(
            x=alt.X("period_mid:T", axis=None),
            y=alt.Y("value:Q", axis=None, scale=alt.Scale(zero=False)),
            detail="segment_key:N",
            tooltip=[
                alt.Tooltip("period_label:N", title="Period"),
                alt.Tooltip("value:Q", format=",.4~g"),
            ],
        )
        .properties(height=60)
        .configure(**config())
        .configure_view(strokeWidth=0)
    )
