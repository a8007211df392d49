"""Annotation layers for time charts: provisional shading, documented series breaks and
milestones, each labelled in text (never by colour alone). Pure functions returning charts.

Labels never overprint one another:
- milestones on the same day are one label ("FDA approval · DEA scheduling"), and a run of the
  same label within a year is one label with its count ("DEA scheduling (3)"); every event
  keeps its own rule and tooltip;
- `label_layout` then places each label (series breaks first) in the first row above the plot
  where it clears every label already there, right-aligned against its rule when it would run
  off the right edge, or leaves it unlabelled (rule and tooltip only) when no row is free;
- the layout is made twice, for a wide plot (desktop) and a narrow one (phone), and the chart
  shows the one that fits its width (`width` is the plot's width in Vega);
- the "provisional" label sits inside the plot, in its shading, so it never meets them.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.common.charts.label_layout import (
    LABEL_DX,
    LABEL_FONT_PX,
    MILESTONE_ROW_HEIGHT,
    label_layout,
    merge_labels,
)
from dashboard.common.charts.theme import BREAK, MILESTONE, MUTED, PROVISIONAL_FILL
from dashboard.common.charts.tooltips import tooltip_groups

# (plot width the layout is made for, Vega test for when the chart shows it)
LAYOUTS = {
    "wide": (700, "width >= 700"),
    "narrow": (220, "width < 700"),
}
METHOD_CHANGE = "survey or method change"


def provisional_layers(data: pd.DataFrame) -> list[alt.Chart]:
    """Shade the periods flagged provisional or projected, and say so inside the shading (below
    the plot's top edge, so it never meets the milestone labels above it)."""
    if "provisional" not in data or not data["provisional"].any():
        return []
    spans = (
        data[data["provisional"]][["period_start", "period_end", "period_label", "flags"]]
        .drop_duplicates(["period_start", "period_end"])
        .assign(label="provisional")
    )
    shade_tooltip = [
        alt.Tooltip("period_label:N", title="Shaded period"),
        alt.Tooltip("flags:N", title="Flags"),
    ]
    layers: list[alt.Chart] = [
        alt.Chart(rows)
        .mark_rect(color=PROVISIONAL_FILL, opacity=0.9)
        .encode(x="period_start:T", x2="period_end:T", tooltip=fields)
        for rows, fields in tooltip_groups(spans, shade_tooltip)
    ]
    # Right-aligned at the end of the last shaded period: inside the plot however near the end.
    layers.append(
        alt.Chart(spans.sort_values("period_end").tail(1)[["period_end", "label"]])
        .mark_text(align="right", baseline="top", dx=-3, dy=3, fontSize=LABEL_FONT_PX, color=MUTED)
        .encode(x="period_end:T", y=alt.value(0), text="label:N")
    )
    return layers


def documented_breaks(data: pd.DataFrame) -> pd.DataFrame:
    """The indicators' documented series breaks inside the data's range: date, label, detail."""
    columns = ["date", "label", "detail"]
    if "series_breaks" not in data:
        return pd.DataFrame(columns=columns)
    from dashboard.common.transforms import parse_breaks

    start, end = _range(data)
    rows = [
        {"date": when, "label": "break", "detail": text or "series break"}
        for raw in data["series_breaks"].dropna().unique()
        for when, text in parse_breaks(str(raw))
        if start < when <= end
    ]
    return pd.DataFrame(rows, columns=columns).drop_duplicates("date")


def milestone_events(milestones: pd.DataFrame | None, data: pd.DataFrame) -> pd.DataFrame:
    """The milestones inside the data's time range, each with its short tag ('FDA approval').

    Survey and method changes are left out: they concern one survey, and are drawn as breaks on
    the series they affect (`series_breaks`), not across every chart."""
    if milestones is None or milestones.empty:
        return pd.DataFrame(columns=["date", "tag", "event"])
    start, end = _range(data)
    shown = milestones.assign(date=pd.to_datetime(milestones["date"]))
    if "category" in shown:
        shown = shown[shown["category"] != METHOD_CHANGE]
    shown = shown[(shown["date"] >= start) & (shown["date"] <= end)].sort_values("date").copy()
    categories = shown["category"] if "category" in shown else pd.Series("milestone", shown.index)
    agencies = shown["agency"] if "agency" in shown else pd.Series("", shown.index)
    shown["tag"] = [
        f"{a} {c}" if isinstance(a, str) and a.strip() else str(c)
        for a, c in zip(agencies, categories, strict=True)
    ]
    return shown


def annotation_labels(
    *, milestones: pd.DataFrame, breaks: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp
) -> pd.DataFrame:
    """Every label one chart draws above its plot (breaks first, then merged milestones), with
    its row and alignment in each layout (row_wide/align_wide, row_narrow/align_narrow, ...)."""
    rows = [
        {"date": r.date, "text": r.label, "kind": "break", "priority": 0, "events": 1}
        for r in breaks.itertuples(index=False)
    ]
    if not milestones.empty:
        rows += [
            {**m, "kind": "milestone", "priority": 1}
            for m in merge_labels(milestones["date"], milestones["tag"])
        ]
    labels = pd.DataFrame(rows, columns=["date", "text", "kind", "priority", "events"])
    if labels.empty:
        return labels
    labels["date"] = pd.to_datetime(labels["date"])
    for name, (width_px, _) in LAYOUTS.items():
        placed = label_layout(labels, start=start, end=end, width_px=width_px)
        labels[f"row_{name}"] = placed["row"]
        labels[f"align_{name}"] = placed["align"]
    return labels


def annotation_layers(
    data: pd.DataFrame,
    *,
    milestones: pd.DataFrame | None = None,
    breaks: pd.DataFrame | None = None,
    show_milestones: bool = True,
) -> list[alt.Chart]:
    """Rules for the series breaks (dotted) and, with `show_milestones`, the milestones (dashed)
    inside the data's range, each with its tooltip, and their labels laid out above the plot.

    `breaks` (date, label, detail) defaults to the rows' documented `series_breaks`."""
    start, end = _range(data)
    breaks = documented_breaks(data) if breaks is None else _inside(breaks, start, end)
    events = milestone_events(milestones if show_milestones else None, data)
    layers: list[alt.Chart] = []
    if not breaks.empty:
        break_tooltip = [
            alt.Tooltip("date_text:N", title="Date"),
            alt.Tooltip("label:N", title="Series break"),
            alt.Tooltip("detail:N", title="Detail"),
        ]
        frame = breaks.assign(date_text=pd.to_datetime(breaks["date"]).dt.strftime("%Y-%m-%d"))
        layers += [
            alt.Chart(rows)
            .mark_rule(color=BREAK, strokeDash=[1, 3], strokeWidth=2)
            .encode(x="date:T", tooltip=fields)
            for rows, fields in tooltip_groups(frame, break_tooltip)
        ]
    if not events.empty:
        tooltip = [
            alt.Tooltip("date_label:N", title="Date"),
            alt.Tooltip("category:N", title="Milestone"),
            alt.Tooltip("event:N", title="Event"),
            alt.Tooltip("agency:N", title="Agency"),
        ]
        keep = [c for c in ("date", "date_label", "category", "event", "agency") if c in events]
        layers += [
            alt.Chart(rows)
            .mark_rule(color=MILESTONE, strokeDash=[4, 3])
            .encode(x="date:T", tooltip=fields)
            for rows, fields in tooltip_groups(events[keep], tooltip)
        ]
    labels = annotation_labels(milestones=events, breaks=breaks, start=start, end=end)
    layers += label_text_layers(labels)
    return layers


def rows_used(
    data: pd.DataFrame, *, milestones: pd.DataFrame | None = None, show_milestones: bool = True
) -> int:
    """How many label rows `annotation_layers` fills above the plot (0 to MILESTONE_ROWS), so a
    chart's title leaves room for exactly those."""
    start, end = _range(data)
    events = milestone_events(milestones if show_milestones else None, data)
    labels = annotation_labels(
        milestones=events, breaks=documented_breaks(data), start=start, end=end
    )
    if labels.empty:
        return 0
    return int(max(labels[f"row_{name}"].max() for name in LAYOUTS)) + 1


def label_text_layers(labels: pd.DataFrame) -> list[alt.Chart]:
    """One text layer per (layout, row, alignment), shown only at the widths its layout is for."""
    layers: list[alt.Chart] = []
    if labels.empty:
        return layers
    for name, (_, test) in LAYOUTS.items():
        shown = labels[labels[f"row_{name}"] >= 0]
        for (row, align, kind), part in shown.groupby(
            [f"row_{name}", f"align_{name}", "kind"], sort=True
        ):
            layers.append(
                alt.Chart(part[["date", "text"]])
                .mark_text(
                    align=align,
                    baseline="bottom",
                    dx=LABEL_DX if align == "left" else -LABEL_DX,
                    dy=-(int(row) * MILESTONE_ROW_HEIGHT) - 2,
                    fontSize=LABEL_FONT_PX,
                    color=BREAK if kind == "break" else MILESTONE,
                    opacity=alt.ExprRef(f"{test} ? 1 : 0"),
                )
                .encode(x="date:T", y=alt.value(0), text="text:N")
            )
    return layers


def break_layers(data: pd.DataFrame) -> list[alt.Chart]:
    """Dotted rules, labelled, at the indicators' documented series breaks (no milestones)."""
    return annotation_layers(data, show_milestones=False)


def milestone_layers(milestones: pd.DataFrame, data: pd.DataFrame) -> list[alt.Chart]:
    """Milestones and the documented breaks, laid out together so no labels overprint."""
    return annotation_layers(data, milestones=milestones)


def _range(data: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    return (
        pd.to_datetime(data["period_start"]).min(),
        pd.to_datetime(data["period_end"]).max(),
    )


def _inside(breaks: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    if breaks.empty:
        return pd.DataFrame(columns=["date", "label", "detail"])
    shown = breaks.assign(date=pd.to_datetime(breaks["date"]))
    return shown[(shown["date"] > start) & (shown["date"] <= end)].drop_duplicates("date")
