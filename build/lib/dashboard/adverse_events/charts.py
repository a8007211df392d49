"""Charts for the Adverse events page. Pure, keyword-only functions returning Altair charts; no
Streamlit and no SQL in here.

No information is carried by colour alone: the two drugs differ by shape and dash on the time
chart and sit in separate panels on the bar charts; a reporting break is a labelled dotted rule
with its event in the tooltip; every bar is labelled with its count.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.common.charts.annotations import annotation_layers, provisional_layers
from dashboard.common.charts.axes import time_axis, time_scale
from dashboard.common.charts.label_layout import MILESTONE_ROW_HEIGHT, MILESTONE_ROWS
from dashboard.common.charts.theme import (
    FIT_X,
    MUTED,
    PAD,
    PALETTE,
    TEXT,
    bar_label_limit,
    bar_plot_height,
    config,
)
from dashboard.common.charts.timeseries import marker_styles
from dashboard.common.charts.tooltips import tooltip_groups

REPORT_TOOLTIP = [
    alt.Tooltip("series:N", title="Series"),
    alt.Tooltip("period_label:N", title="Quarter"),
    alt.Tooltip("value:Q", title="Reports", format=",.0f"),
    alt.Tooltip("flags:N", title="Flags"),
    alt.Tooltip("citation:N", title="Citation"),
]


def quarterly_reports(
    *,
    data: pd.DataFrame,
    breaks: pd.DataFrame,
    title: str,
    y_title: str = "reports",
    height: int = 280,
) -> alt.LayerChart:
    """Reports per quarter, one line per series (from `transforms.chart_frame`), cut at the
    breaks; each break (columns date, label, detail) is a labelled dotted rule, its label laid
    out so labels never overprint. `height` is the plot's own height."""
    series = sorted(data["series"].unique().tolist())
    styles = marker_styles(len(series))
    colour = alt.Color(
        "series:N",
        scale=alt.Scale(domain=series, range=[c for c, _, _ in styles]),
        legend=alt.Legend(title=None, orient="bottom", direction="vertical", symbolSize=90),
    )
    x = alt.X("period_mid:T", title=None, axis=time_axis(data), scale=time_scale(data))
    y = alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=True, nice=True))
    base = alt.Chart(data)
    line = base.mark_line(strokeWidth=2).encode(
        x=x,
        y=y,
        color=colour,
        strokeDash=alt.StrokeDash(
            "series:N", scale=alt.Scale(domain=series, range=[d for _, _, d in styles]), legend=None
        ),
        detail="segment_key:N",
    )
    shape = alt.Shape(
        "series:N", scale=alt.Scale(domain=series, range=[s for _, s, _ in styles]), legend=None
    )
    points = [
        alt.Chart(rows)
        .mark_point(size=60, strokeWidth=2, opacity=1)
        .encode(
            x=x,
            y=y,
            color=colour,
            shape=shape,
            fill=alt.condition("datum.provisional", alt.value("white"), colour, legend=None),
            tooltip=fields,
        )
        for rows, fields in tooltip_groups(data, REPORT_TOOLTIP)
    ]
    layers = [
        *provisional_layers(data),
        line,
        *points,
        *annotation_layers(data, breaks=breaks, show_milestones=False),
    ]
    heading = alt.TitleParams(text=title, offset=MILESTONE_ROWS * MILESTONE_ROW_HEIGHT + 8)
    return (
        alt.layer(*layers)
        .properties(title=heading, height=height, autosize=FIT_X)
        .configure(**config())
    )


def count_bars(
    *,
    data: pd.DataFrame,
    title: str,
    x_title: str = "reports",
    category: str = "label",
    value: str = "reports",
    panel: str = "ingredient",
) -> alt.FacetChart:
    """Horizontal bars of counts per category, one panel per drug (each sorted on its own),
    every bar labelled with its count."""
    tooltip = [
        alt.Tooltip(f"{panel}:N", title="Drug"),
        alt.Tooltip(f"{category}:N", title="Category"),
        alt.Tooltip(f"{value}:Q", title="Reports", format=",.0f"),
    ]
    if "share" in data:
        tooltip.append(alt.Tooltip("share:Q", title="Share of the drug's reports", format=".1%"))
    axis = alt.Axis(labelLimit=bar_label_limit(260))
    y = alt.Y(f"{category}:N", title=None, sort="-x", axis=axis)
    bars = (
        alt.Chart()
        .mark_bar(color=PALETTE[0])
        .encode(x=alt.X(f"{value}:Q", title=x_title), y=y, tooltip=tooltip)
    )
    labels = (
        alt.Chart()
        .mark_text(align="left", dx=3, fontSize=11, color=TEXT)
        .encode(x=f"{value}:Q", y=y, text=alt.Text(f"{value}:Q", format=",.0f"))
    )
    rows = max(int(data.groupby(panel)[category].nunique().max()), 1) if not data.empty else 1
    return (
        alt.layer(bars, labels, data=data)
        .properties(width=300, height=bar_plot_height(rows, per_row=20))
        .facet(column=alt.Column(f"{panel}:N", title=None, header=alt.Header(labelFontSize=13)))
        .resolve_scale(y="independent", x="independent")
        .properties(title=title, autosize=PAD)
        .configure(**config())
    )


def signal_forest(*, data: pd.DataFrame, title: str) -> alt.FacetChart:
    """Reporting odds ratio with its 95% CI per event, log scale, a rule at 1; a filled point
    when the Evans criteria are met, hollow otherwise; one panel per drug."""
    frame = data.assign(
        criteria=data["evans"].map({True: "Evans criteria met", False: "Evans criteria not met"})
    )
    tooltip = [
        alt.Tooltip("ingredient:N", title="Drug"),
        alt.Tooltip("pt:N", title="Event (MedDRA PT)"),
        alt.Tooltip("a:Q", title="Reports (a)"),
        alt.Tooltip("ror:Q", title="ROR", format=",.3~r"),
        alt.Tooltip("ror_lower:Q", title="95% CI lower", format=",.3~r"),
        alt.Tooltip("ror_upper:Q", title="95% CI upper", format=",.3~r"),
        alt.Tooltip("prr:Q", title="PRR", format=",.3~r"),
        alt.Tooltip("chi2:Q", title="chi² (Yates)", format=",.2f"),
        alt.Tooltip("criteria:N", title="Evans"),
    ]
    y = alt.Y("pt:N", title=None, sort=alt.EncodingSortField("ror", order="descending"))
    x_scale = alt.Scale(type="log")
    ci = (
        alt.Chart()
        .mark_rule(color=MUTED, strokeWidth=2)
        .encode(x=alt.X("ror_lower:Q", scale=x_scale, title="ROR (log scale)"), x2="ror_upper:Q")
        .encode(y=y, tooltip=tooltip)
    )
    point = (
        alt.Chart()
        .mark_point(size=70, strokeWidth=2, color=PALETTE[1])
        .encode(
            x=alt.X("ror:Q", scale=x_scale),
            y=y,
            shape=alt.Shape("criteria:N", legend=alt.Legend(title=None, orient="bottom")),
            fill=alt.condition("datum.evans", alt.value(PALETTE[1]), alt.value("white")),
            tooltip=tooltip,
        )
    )
    one = alt.Chart().mark_rule(color=TEXT, strokeDash=[4, 3]).encode(x=alt.datum(1))
    rows = max(int(frame.groupby("ingredient")["pt"].nunique().max()), 1)
    return (
        alt.layer(ci, point, one, data=frame)
        .properties(width=300, height=bar_plot_height(rows, per_row=20))
        .facet(column=alt.Column("ingredient:N", title=None))
        .resolve_scale(y="independent")
        .properties(title=title, autosize=PAD)
        .configure(**config())
    )


def published_values(
    *, data: pd.DataFrame, title: str, x_title: str, log_scale: bool = False
) -> alt.LayerChart:
    """One bar (or, on a log scale, one point) per published figure, labelled with its value;
    95% CIs drawn where the publication gave them as numbers. `data` has `figure` (the label
    with its study and period), value, lower, upper, unit, citation."""
    tooltip = [
        alt.Tooltip("figure:N", title="Figure"),
        alt.Tooltip("value:Q", title="Value", format=",.8~r"),
        alt.Tooltip("unit:N", title="Unit"),
        alt.Tooltip("period_label:N", title="Period"),
        alt.Tooltip("citation:N", title="Citation"),
    ]
    order = data.sort_values("value", ascending=False)["figure"].drop_duplicates().tolist()
    y = alt.Y("figure:N", title=None, sort=order, axis=alt.Axis(labelLimit=bar_label_limit(520)))
    scale = alt.Scale(type="log") if log_scale else alt.Scale(zero=True)
    x = alt.X("value:Q", title=x_title, scale=scale)
    base = alt.Chart(data)
    layers: list[alt.Chart] = []
    groups = tooltip_groups(data, tooltip)
    if log_scale:
        layers += [
            alt.Chart(rows)
            .mark_point(size=80, filled=True, color=PALETTE[0])
            .encode(x=x, y=y, tooltip=fields)
            for rows, fields in groups
        ]
        layers.append(
            alt.Chart(pd.DataFrame({"one": [1.0]}))
            .mark_rule(color=TEXT, strokeDash=[4, 3])
            .encode(x="one:Q")
        )
    else:
        layers += [
            alt.Chart(rows).mark_bar(color=PALETTE[0]).encode(x=x, y=y, tooltip=fields)
            for rows, fields in groups
        ]
    if {"lower", "upper"} <= set(data.columns) and data["lower"].notna().any():
        layers.append(
            base.transform_filter("isValid(datum.lower) && isValid(datum.upper)")
            .mark_rule(color=MUTED, strokeWidth=2)
            .encode(x="lower:Q", x2="upper:Q", y=y)
        )
    layers.append(
        base.mark_text(align="left", dx=6, fontSize=11, color=TEXT).encode(
            x=x, y=y, text=alt.Text("value:Q", format=",.8~r")
        )
    )
    # One row per figure: the plot grows with the number of bars (never squeezed to nothing).
    height = bar_plot_height(data["figure"].nunique() if "figure" in data else len(data))
    return (
        alt.layer(*layers)
        .properties(title=title, height=height, autosize=FIT_X)
        .configure(**config())
    )
