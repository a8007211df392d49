"""A series with its expected value and alarm threshold per tested period, alarms marked: a pure
Altair builder. The observed values are a solid line with round points; the expected value a
dashed line; the threshold a dotted line; an alarm is a larger triangle and named in the legend
(never colour alone)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.common.charts.theme import config

LINES = {
    "observed": ("value", [1, 0]),
    "expected": ("expected", [6, 3]),
    "threshold": ("threshold", [2, 2]),
}
TOOLTIP = [
    alt.Tooltip("period_label:N", title="Period"),
    alt.Tooltip("value:Q", title="Value", format=",.6~r"),
    alt.Tooltip("expected:Q", title="Expected", format=",.6~r"),
    alt.Tooltip("threshold:Q", title="Threshold", format=",.6~r"),
    alt.Tooltip("method:N", title="Method"),
    alt.Tooltip("marker:N", title="Test"),
]


def long_lines(band: pd.DataFrame) -> pd.DataFrame:
    frames = [
        band.assign(line=name, y=band[column], dash=str(dash))
        for name, (column, dash) in LINES.items()
    ]
    return pd.concat(frames, ignore_index=True)


MARKERS = ["within", "above threshold (alarm)"]


def band_chart(band: pd.DataFrame, *, title: str, unit: str) -> alt.Chart:
    """Observed, expected and threshold over the tested periods; alarms as triangles."""
    x = alt.X("period_start:T", title=None)
    drawn = line_layer(long_lines(band), x, unit)
    points = (
        alt.Chart(band)
        .mark_point(filled=True)
        .encode(
            x=x,
            y=alt.Y("value:Q"),
            shape=alt.Shape(
                "marker:N",
                title=None,
                scale=alt.Scale(domain=MARKERS, range=["circle", "triangle-up"]),
            ),
            size=alt.Size(
                "marker:N", legend=None, scale=alt.Scale(domain=MARKERS, range=[30, 160])
            ),
            tooltip=TOOLTIP,
        )
    )
    return (drawn + points).properties(title=title, height=260).configure(**config())


def line_layer(lines: pd.DataFrame, x: alt.X, unit: str) -> alt.Chart:
    y = alt.Y("y:Q", title=unit, scale=alt.Scale(zero=False))
    return (
        alt.Chart(lines)
        .mark_line()
        .encode(
            x=x,
            y=y,
            strokeDash=alt.StrokeDash(
                "line:N",
                title=None,
                scale=alt.Scale(domain=list(LINES), range=[d for _, d in LINES.values()]),
            ),
            color=alt.Color("line:N", title=None, legend=None),
            tooltip=TOOLTIP,
        )
    )
