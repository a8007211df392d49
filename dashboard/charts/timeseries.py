"""Time-series charts: lines cut at gaps and series breaks, CI bands, provisional shading,
flag-aware tooltips and milestone rules. Pure functions returning `alt.Chart`.

No information is carried by colour alone: each series also has its own point shape and line
dash (both in the legend); provisional points are hollow and their periods shaded and labelled;
milestones are labelled rules; documented series breaks are labelled dotted rules.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.charts.annotations import (
    MILESTONE_ROW_HEIGHT,
    MILESTONE_ROWS,
    break_layers,
    label_rows,
    milestone_layers,
    provisional_layers,
)
from dashboard.charts.theme import DASHES, PALETTE, SHAPES, config

__all__ = ["label_rows", "sparkline", "time_chart"]

TOOLTIP = [
    alt.Tooltip("series:N", title="Series"),
    alt.Tooltip("period_label:N", title="Period"),
    alt.Tooltip("value:Q", title="Value", format=",.8~r"),
    alt.Tooltip("unit:N", title="Unit"),
    alt.Tooltip("lower:Q", title="95% CI lower", format=",.8~r"),
    alt.Tooltip("upper:Q", title="95% CI upper", format=",.8~r"),
    alt.Tooltip("flags:N", title="Flags"),
    alt.Tooltip("citation:N", title="Citation"),
]


def _scales(series: list[str]) -> tuple[alt.Scale, alt.Scale, alt.Scale]:
    n = len(series)
    colours = [PALETTE[i % len(PALETTE)] for i in range(n)]
    shapes = [SHAPES[i % len(SHAPES)] for i in range(n)]
    dashes = [DASHES[i % len(DASHES)] for i in range(n)]
    return (
        alt.Scale(domain=series, range=colours),
        alt.Scale(domain=series, range=shapes),
        alt.Scale(domain=series, range=dashes),
    )


def _tooltip(data: pd.DataFrame) -> list[alt.Tooltip]:
    return [t for t in TOOLTIP if t.to_dict()["field"] in data.columns]


LEGEND_ROW_HEIGHT = 19


def time_chart(
    *,
    data: pd.DataFrame,
    title: str,
    y_title: str,
    value_field: str = "value",
    milestones: pd.DataFrame | None = None,
    height: int = 320,
    log_scale: bool = False,
    subtitle: str | None = None,
) -> alt.LayerChart:
    """Lines per series (cut at gaps and breaks), points shaped per series, CI bands, shaded
    provisional periods, milestones and documented series breaks as labelled rules.

    `data` comes from `transforms.chart_frame`: period_mid, period_start, period_end, series,
    segment_key, value, lower, upper, unit, flags, provisional, citation (series_breaks optional).
    """
    series = sorted(data["series"].unique().tolist())
    colour_scale, shape_scale, dash_scale = _scales(series)
    y_scale = alt.Scale(type="log") if log_scale else alt.Scale(zero=False, nice=True)
    base = alt.Chart(data)
    x = alt.X("period_mid:T", title=None, axis=time_axis(data), scale=time_scale(data))
    y = alt.Y(f"{value_field}:Q", title=y_title, scale=y_scale)
    legend = alt.Legend(
        title=None, orient="bottom", direction="vertical", symbolStrokeWidth=2, symbolSize=90
    )
    colour = alt.Color("series:N", scale=colour_scale, legend=legend)
    has_ci = value_field == "value" and "lower" in data and data["lower"].notna().any()
    layers: list[alt.Chart] = []
    layers.extend(provisional_layers(data))
    if has_ci:
        layers.append(
            base.transform_filter("isValid(datum.lower) && isValid(datum.upper)")
            .mark_area(opacity=0.18)
            .encode(x=x, y="lower:Q", y2="upper:Q", color=colour, detail="segment_key:N")
        )
    layers.append(
        base.mark_line(strokeWidth=2).encode(
            x=x,
            y=y,
            color=colour,
            strokeDash=alt.StrokeDash("series:N", scale=dash_scale, legend=legend),
            detail="segment_key:N",
        )
    )
    points = base.mark_point(size=70, opacity=1, strokeWidth=2).encode(
        x=x,
        y=y,
        color=colour,
        shape=alt.Shape("series:N", scale=shape_scale, legend=legend),
        fill=alt.condition("datum.provisional", alt.value("white"), colour, legend=None),
        tooltip=_tooltip(data),
    )
    layers.append(points)
    if has_ci:
        layers.append(
            base.transform_filter("isValid(datum.lower) && isValid(datum.upper)")
            .mark_rule()
            .encode(x=x, y="lower:Q", y2="upper:Q", color=colour)
        )
    layers.extend(break_layers(data))
    if milestones is not None and not milestones.empty:
        layers.extend(milestone_layers(milestones, data))
    heading = alt.TitleParams(
        text=title,
        subtitle=subtitle or "",
        offset=MILESTONE_ROWS * MILESTONE_ROW_HEIGHT + 8,
    )
    # Streamlit fits the whole chart, legend and milestone labels included, into `height`; give
    # those their rows so the plot keeps `height` for the data however many series there are.
    total = height + LEGEND_ROW_HEIGHT * len(series) + MILESTONE_ROWS * MILESTONE_ROW_HEIGHT
    return alt.layer(*layers).properties(title=heading, height=total).configure(**config())


def time_scale(data: pd.DataFrame) -> alt.Scale:
    """The x range covers whole periods (first start to last end), so a year's point sits
    inside its year and the first and last year get their labels."""
    start = pd.to_datetime(data["period_start"]).min()
    end = pd.to_datetime(data["period_end"]).max()
    return alt.Scale(domain=[start.isoformat(), end.isoformat()])


def time_axis(data: pd.DataFrame) -> alt.Axis:
    """Year labels for series of quarters or longer (no 'April, June' ticks on annual data)."""
    start = pd.to_datetime(data["period_start"]).min()
    end = pd.to_datetime(data["period_end"]).max()
    years = max(end.year - start.year + 1, 1)
    usual = data["span_days"].median() if "span_days" in data else 365
    if usual >= 80:
        step = max(1, -(-years // 12))
        return alt.Axis(format="%Y", tickCount={"interval": "year", "step": step}, labelFlush=False)
    return alt.Axis(labelFlush=False)


def sparkline(*, data: pd.DataFrame, colour: str = PALETTE[0], height: int = 60) -> alt.LayerChart:
    """A small line of one series for an overview card; the latest point is labelled-by-size,
    provisional points are hollow."""
    base = alt.Chart(data).encode(
        x=alt.X("period_mid:T", axis=None),
        y=alt.Y("value:Q", axis=None, scale=alt.Scale(zero=False)),
    )
    tooltip = [
        alt.Tooltip("period_label:N", title="Period"),
        alt.Tooltip("value:Q", title="Value", format=",.8~r"),
        alt.Tooltip("unit:N", title="Unit"),
        alt.Tooltip("flags:N", title="Flags"),
    ]
    tooltip = [t for t in tooltip if t.to_dict()["field"] in data.columns]
    line = base.mark_line(color=colour, strokeWidth=2).encode(detail="segment_key:N")
    fill = (
        alt.condition("datum.provisional", alt.value("white"), alt.value(colour))
        if "provisional" in data
        else alt.value(colour)
    )
    dots = base.mark_point(color=colour, size=22, strokeWidth=1.5).encode(
        fill=fill, tooltip=tooltip
    )
    latest = (
        alt.Chart(data.sort_values("period_start").tail(1))
        .mark_point(color=colour, size=80, strokeWidth=2, shape="circle")
        .encode(x="period_mid:T", y="value:Q", fill=fill, tooltip=tooltip)
    )
    return (
        alt.layer(line, dots, latest)
        .properties(height=height)
        .configure(**config())
        .configure_view(strokeWidth=0)
    )
