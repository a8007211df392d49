"""Time-series charts: lines cut at gaps and series breaks, CI bands, provisional shading,
flag-aware tooltips and milestone rules. Pure functions returning `alt.Chart`.

No information is carried by colour alone: each series also has its own point shape and line
dash (both in the legend); provisional points are hollow and their periods shaded and labelled;
milestones are labelled rules; documented series breaks are labelled dotted rules.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.common.charts.annotations import annotation_layers, provisional_layers, rows_used
from dashboard.common.charts.axes import time_axis, time_scale
from dashboard.common.charts.context import split_context
from dashboard.common.charts.label_layout import MILESTONE_ROW_HEIGHT, label_rows
from dashboard.common.charts.theme import (
    DASHES,
    FIT_X,
    PALETTE,
    SHAPES,
    VALUE_FORMAT,
    config,
    text_limit,
)
from dashboard.common.charts.tooltips import tooltip_groups

__all__ = ["label_rows", "marker_styles", "time_axis", "time_chart", "time_scale"]

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
CONTEXT_HEIGHT = 150
CONTEXT_TITLE = "Context, not a ketamine count (own axis): "


def marker_styles(count: int) -> list[tuple[str, str, list[int]]]:
    """(colour, shape, dash) for `count` series, all distinct: colours cycle first, then each
    colour comes back with the next shape and dash, so no two series share a marker."""
    n = len(PALETTE)
    styles = []
    for i in range(count):
        lap = i // n
        styles.append(
            (
                PALETTE[i % n],
                SHAPES[(i + lap) % len(SHAPES)],
                DASHES[(i + lap * (1 + lap)) % len(DASHES)],
            )
        )
    return styles


def _scales(series: list[str]) -> tuple[alt.Scale, alt.Scale, alt.Scale]:
    styles = marker_styles(len(series))
    return (
        alt.Scale(domain=series, range=[c for c, _, _ in styles]),
        alt.Scale(domain=series, range=[s for _, s, _ in styles]),
        alt.Scale(domain=series, range=[d for _, _, d in styles]),
    )


def _tooltip(data: pd.DataFrame) -> list[alt.Tooltip]:
    return [t for t in TOOLTIP if t.to_dict()["field"] in data.columns]


# Long series names are cut to the chart's container (phones), so the legend never takes the
# width from the plot; `containerSize()` is 0 where there is no container (image export).
LEGEND_LABEL_LIMIT = text_limit(640)


def time_chart(
    *,
    data: pd.DataFrame,
    title: str,
    y_title: str,
    value_field: str = "value",
    milestones: pd.DataFrame | None = None,
    height: int = 280,
    log_scale: bool = False,
    subtitle: str | None = None,
    show_milestones: bool = True,
    context: pd.DataFrame | None = None,
    context_title: str | None = None,
) -> alt.LayerChart | alt.VConcatChart:
    """Lines per series (cut at gaps and breaks), points shaped per series, CI bands, shaded
    provisional periods, milestones and documented series breaks as labelled rules.

    `data` comes from `transforms.chart_frame`: period_mid, period_start, period_end, series,
    segment_key, value, lower, upper, unit, flags, provisional, citation (series_breaks optional).
    `height` is the plot's own height (legend, title and labels come on top of it).
    `show_milestones=False` leaves the milestone rules and labels out (series breaks stay).
    `context` (same columns): all-drug totals or other substances, drawn in their own panel
    below with their own y axis, never on the ketamine axis. Context rows found mixed into
    `data` are moved there too.
    """
    own, mixed = split_context(data)
    if not own.empty and not mixed.empty:
        data = own
        context = mixed if context is None or context.empty else pd.concat([context, mixed])
    has_context = context is not None and not context.empty
    whole = pd.concat([data, context]) if has_context else data
    series = list(dict.fromkeys(sorted(data["series"].unique().tolist())))
    if has_context:
        series += sorted(set(context["series"]) - set(series))
    scales = _scales(series)
    main = _panel(
        data,
        whole=whole,
        scales=scales,
        y_title=y_title,
        value_field=value_field,
        log_scale=log_scale,
        milestones=milestones,
        show_milestones=show_milestones,
        height=height,
    )
    heading = alt.TitleParams(
        text=title,
        subtitle=subtitle or "",
        limit=text_limit(),
        offset=rows_used(data, milestones=milestones, show_milestones=show_milestones)
        * MILESTONE_ROW_HEIGHT
        + 8,
    )
    if not has_context:
        return main.properties(title=heading, autosize=FIT_X).configure(**config())
    lower = _panel(
        context,
        whole=whole,
        scales=scales,
        # Its own unit on a value axis; an index axis reads the same for every panel.
        y_title=str(context["unit"].iloc[0])
        if value_field == "value" and "unit" in context
        else y_title,
        value_field=value_field,
        log_scale=False,
        milestones=None,
        show_milestones=False,
        height=CONTEXT_HEIGHT,
    ).properties(
        width="container",
        title=alt.TitleParams(
            CONTEXT_TITLE + (context_title or ", ".join(sorted(context["series"].unique()))),
            fontSize=12,
            fontWeight="normal",
            limit=text_limit(),
        ),
    )
    main = main.properties(width="container")
    return (
        alt.vconcat(main, lower, title=heading, spacing=24)
        .resolve_scale(x="shared", y="independent")
        .properties(autosize=FIT_X)
        .configure(**config())
    )


def _panel(
    data: pd.DataFrame,
    *,
    whole: pd.DataFrame,
    scales: tuple[alt.Scale, alt.Scale, alt.Scale],
    y_title: str,
    value_field: str,
    log_scale: bool,
    milestones: pd.DataFrame | None,
    show_milestones: bool,
    height: int,
) -> alt.LayerChart:
    colour_scale, shape_scale, dash_scale = scales
    # One distinct value (one point, or a flat series) has no range to fit: start from zero.
    flat = data[value_field].nunique() <= 1
    y_scale = alt.Scale(type="log") if log_scale else alt.Scale(zero=flat, nice=True)
    base = alt.Chart(data)
    x = alt.X("period_mid:T", title=None, axis=time_axis(whole), scale=time_scale(whole))
    y = alt.Y(
        f"{value_field}:Q",
        title=y_title,
        scale=y_scale,
        axis=alt.Axis() if log_scale else alt.Axis(format=VALUE_FORMAT),
    )
    legend = alt.Legend(
        title=None,
        orient="bottom",
        direction="vertical",
        symbolStrokeWidth=2,
        symbolSize=90,
        symbolOpacity=1,  # the CI band's pale fill must not stand for the series
        labelLimit=LEGEND_LABEL_LIMIT,
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
    extra = (
        [alt.Tooltip(f"{value_field}:Q", title=y_title, format=",.4~r")]
        if value_field != "value"
        else []
    )
    for rows, fields in tooltip_groups(data, [*_tooltip(data), *extra]):
        layers.append(
            alt.Chart(rows)
            .mark_point(size=70, opacity=1, strokeWidth=2)
            .encode(
                x=x,
                y=y,
                color=colour,
                shape=alt.Shape("series:N", scale=shape_scale, legend=legend),
                fill=alt.condition("datum.provisional", alt.value("white"), colour, legend=None),
                tooltip=fields,
            )
        )
    if has_ci:
        layers.append(
            base.transform_filter("isValid(datum.lower) && isValid(datum.upper)")
            .mark_rule()
            .encode(x=x, y="lower:Q", y2="upper:Q", color=colour)
        )
    layers.extend(annotation_layers(data, milestones=milestones, show_milestones=show_milestones))
    return alt.layer(*layers).properties(height=height)
