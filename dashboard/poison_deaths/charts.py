"""Chart builders for the Poison centers & deaths page: bars of published shares.
Pure, keyword-only functions returning `alt.Chart`; time lines reuse `charts.time_chart`."""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.common.charts.theme import FIT_X, PALETTE, bar_label_limit, bar_plot_height, config
from dashboard.common.charts.tooltips import tooltip_groups


def share_bars(*, data: pd.DataFrame, title: str, x_title: str = "percent") -> alt.Chart:
    """Published shares (outcomes, reasons, co-used substances) as bars, one per figure, labelled
    with the study and its period; colour marks the study (also named in the row label)."""
    frame = data.assign(
        row=data["label"].astype(str) + " · " + data["period_label"].astype(str),
        study=data["label"].str.extract(r"\[(.*)\]$", expand=False).fillna(data["source"]),
    )
    order = frame.sort_values("value", ascending=False)["row"].drop_duplicates().tolist()
    tooltip = [
        alt.Tooltip("row:N", title="Figure"),
        alt.Tooltip("value:Q", title=x_title, format=",.8~r"),
        alt.Tooltip("stratum:N", title="Group"),
        alt.Tooltip("flags:N", title="Flags"),
        alt.Tooltip("citation:N", title="Citation"),
    ]
    studies = sorted(frame["study"].astype(str).unique())
    colour = alt.Color(
        "study:N",
        title="Study",
        scale=alt.Scale(
            domain=studies, range=[PALETTE[i % len(PALETTE)] for i in range(len(studies))]
        ),
        legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=900),
    )
    y = alt.Y("row:N", title=None, sort=order, axis=alt.Axis(labelLimit=bar_label_limit(520)))
    bars = [
        alt.Chart(rows)
        .mark_bar()
        .encode(y=y, x=alt.X("value:Q", title=x_title), color=colour, tooltip=fields)
        for rows, fields in tooltip_groups(frame, tooltip)
    ]
    return (
        alt.layer(*bars)
        .properties(title=title, height=bar_plot_height(len(order), per_row=20), autosize=FIT_X)
        .configure(**config())
    )
