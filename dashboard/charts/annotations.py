"""Annotation layers for time charts: provisional shading, documented series breaks and
milestones, each labelled in text (never by colour alone). Pure functions returning charts."""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.charts.theme import BREAK, MILESTONE, MUTED, PROVISIONAL_FILL

MILESTONE_ROWS = 3  # label rows above the plot, so neighbouring milestones do not overprint
MILESTONE_ROW_HEIGHT = 12


def provisional_layers(data: pd.DataFrame) -> list[alt.Chart]:
    """Shade the periods flagged provisional or projected, and say so on the chart."""
    if "provisional" not in data or not data["provisional"].any():
        return []
    spans = (
        data[data["provisional"]][["period_start", "period_end", "period_label", "flags"]]
        .drop_duplicates(["period_start", "period_end"])
        .assign(label="provisional")
    )
    shade = (
        alt.Chart(spans)
        .mark_rect(color=PROVISIONAL_FILL, opacity=0.9)
        .encode(
            x="period_start:T",
            x2="period_end:T",
            tooltip=[
                alt.Tooltip("period_label:N", title="Shaded period"),
                alt.Tooltip("flags:N", title="Flags"),
            ],
        )
    )
    text = (
        alt.Chart(spans.drop_duplicates("period_label").head(1))
        .mark_text(align="left", baseline="bottom", dx=2, dy=-2, fontSize=10, color=MUTED)
        .encode(x="period_start:T", y=alt.value(0), text="label:N")
    )
    return [shade, text]


def break_layers(data: pd.DataFrame) -> list[alt.Chart]:
    """Dotted rules at the indicators' documented series breaks inside the data's range."""
    if "series_breaks" not in data:
        return []
    from dashboard.transforms import parse_breaks

    start, end = (
        pd.to_datetime(data["period_start"]).min(),
        pd.to_datetime(data["period_end"]).max(),
    )
    rows = [
        {"date": when, "break": text or "series break"}
        for raw in data["series_breaks"].dropna().unique()
        for when, text in parse_breaks(str(raw))
        if start < when <= end
    ]
    if not rows:
        return []
    frame = pd.DataFrame(rows).drop_duplicates("date")
    rule = (
        alt.Chart(frame)
        .mark_rule(color=BREAK, strokeDash=[1, 3], strokeWidth=2)
        .encode(x="date:T", tooltip=[alt.Tooltip("break:N", title="Series break")])
    )
    text = (
        alt.Chart(frame.assign(label="break"))
        .mark_text(align="left", baseline="bottom", dx=3, fontSize=10, color=BREAK, angle=0)
        .encode(x="date:T", y=alt.value(0), text="label:N")
    )
    return [rule, text]


METHOD_CHANGE = "survey or method change"


def milestone_layers(milestones: pd.DataFrame, data: pd.DataFrame) -> list[alt.Chart]:
    """Rules for the milestones that fall inside the data's time range, labelled above the plot
    in staggered rows so neighbouring labels do not overprint.

    Survey and method changes are left out here: they concern one survey, and are drawn as breaks
    on the series they affect (`series_breaks`), not across every chart."""
    start, end = (
        pd.to_datetime(data["period_start"]).min(),
        pd.to_datetime(data["period_end"]).max(),
    )
    shown = milestones.assign(date=pd.to_datetime(milestones["date"]))
    if "category" in shown:
        shown = shown[shown["category"] != METHOD_CHANGE]
    shown = shown[(shown["date"] >= start) & (shown["date"] <= end)].sort_values("date").copy()
    if shown.empty:
        return []
    shown["short"] = shown["event"].str.slice(0, 60)
    shown["tag"] = [
        f"{a} {c}" if isinstance(a, str) and a else str(c)
        for a, c in zip(shown.get("agency", ""), shown["category"], strict=False)
    ]
    shown["row"] = label_rows(shown["date"], shown["tag"], start=start, end=end)
    tooltip = [
        alt.Tooltip("date_label:N", title="Date"),
        alt.Tooltip("category:N", title="Milestone"),
        alt.Tooltip("event:N", title="Event"),
        alt.Tooltip("agency:N", title="Agency"),
    ]
    layers: list[alt.Chart] = [
        alt.Chart(shown)
        .mark_rule(color=MILESTONE, strokeDash=[4, 3])
        .encode(x="date:T", tooltip=tooltip)
    ]
    for row in range(MILESTONE_ROWS):
        part = shown[shown["row"] == row]
        if part.empty:
            continue
        layers.append(
            alt.Chart(part)
            .mark_text(
                align="left",
                baseline="bottom",
                dx=2,
                dy=-(row * MILESTONE_ROW_HEIGHT) - 2,
                fontSize=10,
                color=MILESTONE,
            )
            .encode(x="date:T", y=alt.value(0), text="tag:N", tooltip=tooltip)
        )
    return layers


def label_rows(
    dates: pd.Series,
    texts: pd.Series,
    *,
    start: pd.Timestamp,
    end: pd.Timestamp,
    width_px: int = 900,
    char_px: float = 5.6,
) -> list[int]:
    """Greedy rows for labels along a time axis: each label goes in the first row where it does
    not overprint the previous one; -1 (no label, rule and tooltip only) when no row is free.
    Widths are estimated for a chart about `width_px` wide."""
    per_px = max((end - start).total_seconds(), 1.0) / width_px
    row_ends: list[float] = [float("-inf")] * MILESTONE_ROWS
    rows = []
    for when, text in zip(pd.to_datetime(dates), texts, strict=True):
        left = (when - start).total_seconds()
        right = left + (len(str(text)) * char_px + 8) * per_px
        row = next((r for r, used in enumerate(row_ends) if used < left), -1)
        if row >= 0:
            row_ends[row] = right
        rows.append(row)
    return rows
