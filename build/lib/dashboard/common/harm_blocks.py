"""Streamlit blocks the three harm pages share: a time chart of some observations with its
caption, downloads and "what this counts" note, and a table of period totals. Arranging only;
the numbers come from `queries_harm`, the drawing from `charts`."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.common import charts, components, selection, specs
from dashboard.common.charts.context import split_context

SPAN_NOTE = (
    "Totals over a span of years (e.g. 2019-2023) are listed here, not drawn as a point on the "
    "time axis: a span is a span."
)

SPAN_COLUMNS = (
    "label",
    "geography",
    "stratum",
    "period_label",
    "value",
    "unit",
    "flags",
    "citation",
    "citation_url",
)


def time_block(
    frame: pd.DataFrame,
    *,
    key: str,
    title: str,
    y_title: str,
    counts: str,
    events: pd.DataFrame | None = None,
    subtitle: str | None = None,
    log_scale: bool = False,
    show_milestones: bool = True,
) -> None:
    """One time chart (a line per series, cut at gaps and breaks) with its caption block.

    All-drug totals (rows whose `role` is 'context') never share an axis with ketamine series:
    when both are in `frame`, the context rows get their own chart below, titled as context,
    with its own caption and downloads. Comparator substances asked for beside ketamine go to
    their own panel of the same chart, on their own axis (`charts.context.split_context`).
    """
    if frame.empty:
        components.notice(f"{title}: nothing loaded for this yet.")
        return
    is_context = frame["role"].eq(selection.CONTEXT) if "role" in frame else None
    if is_context is not None and is_context.any() and not is_context.all():
        time_block(
            frame[~is_context],
            key=key,
            title=title,
            y_title=y_title,
            counts=counts,
            events=events,
            subtitle=subtitle,
            log_scale=log_scale,
            show_milestones=show_milestones,
        )
        time_block(
            frame[is_context],
            key=f"{key}_context",
            title=f"Context for the chart above: all-drug totals, not ketamine counts ({y_title})",
            y_title=y_title,
            counts="all-drug totals, as context for the ketamine figures above; " + counts,
            events=events,
            show_milestones=show_milestones,
        )
        return
    data = components.chart_frame(frame)
    own, context = split_context(data)
    if own.empty:  # a chart of context only (e.g. ONS totals) is drawn as it is
        own, context = data, data.iloc[0:0]
    chart = specs.chart_spec(
        charts.time_chart,
        data=own,
        context=context if not context.empty else None,
        title=title,
        y_title=y_title,
        milestones=events,
        subtitle=subtitle,
        log_scale=log_scale and bool((own["value"] > 0).all()),
        show_milestones=show_milestones,
    )
    components.chart_block(chart, data, key=key, counts=counts)


def split_spans(frame: pd.DataFrame, max_days: int = 366) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows with a period of at most a year, rows that total a longer span)."""
    if frame.empty:
        return frame, frame
    days = (pd.to_datetime(frame["period_end"]) - pd.to_datetime(frame["period_start"])).dt.days
    return frame[days <= max_days], frame[days > max_days]


def span_table(frame: pd.DataFrame, *, title: str) -> None:
    if frame.empty:
        return
    with st.expander(f"{title}: totals over spans of years ({len(frame)})"):
        st.caption(SPAN_NOTE)
        st.dataframe(
            frame[list(SPAN_COLUMNS)],
            hide_index=True,
            width="stretch",
        )


def by_unit(frame: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """One chart per unit: never two units on one axis."""
    if frame.empty:
        return []
    return [(unit, part) for unit, part in frame.groupby("unit", sort=True)]
