"""Streamlit building blocks every page shares: the block under every chart (caption with
source, citation and vintage; CSV + citation downloads; PNG/SVG export; a data table
alternative), notices, message boxes and the shared toggles. Pages only arrange these.

Every page starts with `header.page_head(title)` (data vintage + last refresh; warns when a
source failed; stops when no warehouse is published) and draws every chart through
`components.chart_block(chart, frame, key=..., counts=...)`, where `chart` is best
`specs.chart_spec(charts.some_builder, data=..., ...)`: the spec is then built once per distinct
input and reused on every rerun (an Altair chart also works, converted each rerun). Filters
whose state belongs in the URL come from `dashboard.common.filters`.
"""

from __future__ import annotations

import re

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.common import chart_summary, export_menu, tables, transforms
from dashboard.common.safe_text import md, md_link, plain, safe_url
from dashboard.common.specs import ChartSpec, to_spec

Chart = alt.TopLevelMixin | ChartSpec


ALERT_STYLES = {
    "error": ":red[:material/error:]",
    "warning": ":orange[:material/warning:]",
}


# A message box quotes at most this much of a message; the run history table holds the rest.
MESSAGE_EXCERPT = 600


def message_box(kind: str, lead: str, message: object) -> None:
    """An alert whose `message` came from a file or a publisher (refresh messages quote them):
    the lead is ours (markdown), the message is shown as plain text (`st.text`), so no link,
    image, HTML or colour directive in a file cell is rendered, and no viewer's browser fetches
    a URL in it. Only a short excerpt of the message is shown."""
    with st.container(border=True):
        st.markdown(f"{ALERT_STYLES.get(kind, '')} **{lead}**")
        st.text(plain(message, MESSAGE_EXCERPT))


def http_links(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """`frame` with its link columns (shown with `st.column_config.LinkColumn`) kept only where
    they are absolute http(s) URLs: a `javascript:` or `data:` link in a file is not clickable."""
    return frame.assign(**{c: frame[c].map(safe_url) for c in columns if c in frame})


def safe_key(text: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_]+", "_", text).strip("_")[:80] or "chart"


def citation_text(data: pd.DataFrame) -> str:
    """Plain-text citation file listing every distinct source behind the downloaded rows."""
    lines = ["Ketamine Watch export. Cite the original publications below.", ""]
    if data.empty or "citation" not in data:
        return "\n".join(lines)
    columns = [
        c for c in ("source_title", "publisher", "vintage", "citation", "citation_url") if c in data
    ]
    for row in data[columns].drop_duplicates().itertuples(index=False):
        record = dict(zip(columns, row, strict=True))
        lines.append(
            "- "
            + "; ".join(f"{k}: {v}" for k, v in record.items() if pd.notna(v) and str(v).strip())
        )
    return "\n".join(lines) + "\n"


def caption_for(data: pd.DataFrame, counts: str = "") -> str:
    """Source, citation link(s) and vintage of exactly the rows shown, as markdown: the
    warehouse's text escaped, a citation linked only to an http(s) URL."""
    if data.empty:
        return ""
    parts = []
    if {"citation", "citation_url"} <= set(data.columns):
        cited = data[["citation", "citation_url"]].drop_duplicates().head(4)
        links = [md_link(c, u, limit=91) for c, u in cited.itertuples(index=False)]
        more = data[["citation"]].drop_duplicates().shape[0] - len(links)
        parts.append("Source: " + " · ".join(links) + (f" (+{more} more)" if more > 0 else ""))
    if "vintage" in data and data["vintage"].notna().any():
        vintages = sorted(data["vintage"].dropna().astype(str).unique())
        parts.append("Vintage: " + ", ".join(md(v) for v in vintages))
    if counts:
        parts.append(f"What this counts: {counts}")
    return "  \n".join(parts)


def export_columns(data: pd.DataFrame) -> pd.DataFrame:
    """The rows a chart draws, minus drawing helpers."""
    drop = [c for c in ("segment", "segment_key", "period_mid", "span_days") if c in data]
    return data.drop(columns=drop)


@st.cache_data(show_spinner=False, max_entries=256)
def chart_frame(frame: pd.DataFrame, *, breaks: pd.Series | None = None) -> pd.DataFrame:
    """`transforms.chart_frame`, computed once per distinct rows (pages rerun on every click)."""
    return transforms.chart_frame(frame, breaks=breaks)


def draw_chart(chart: Chart, *, alt_text: str, key: str | None = None) -> None:
    """Draw a chart (a cached ChartSpec, or an Altair chart converted without re-validation) with
    its own theme (`theme=None`), so the page and the PNG/SVG exports look the same."""
    spec = chart.spec if isinstance(chart, ChartSpec) else to_spec(chart)
    # `alt` is the chart's accessible name; marks, axes and title stay out of the tree.
    spec = chart_summary.quiet_spec(spec)
    st.vega_lite_chart(spec, width="stretch", theme=None, key=key, alt=alt_text)


def chart_block(
    chart: Chart,
    data: pd.DataFrame,
    *,
    key: str,
    counts: str = "",
    caption: str | None = None,
    alt_text: str | None = None,
) -> None:
    """Draw a chart with its caption, downloads and a table alternative.

    `data` must be exactly the rows the chart draws: the CSV download and the table are made from
    it (minus drawing helpers such as segment keys). The chart keeps its own theme (`theme=None`)
    so the page and the PNG/SVG exports look the same.
    """
    draw_chart(chart, alt_text=alt_text or chart_alt_text(chart, data))
    shown = export_columns(data)
    st.caption(caption if caption is not None else caption_for(data, counts))
    export_menu.menu(chart, data, shown, name=safe_key(key))
    with st.expander("Data table (the same numbers as the chart)"):
        st.dataframe(tables.readable(shown), hide_index=True, width="stretch")


def chart_alt_text(chart: Chart, data: pd.DataFrame) -> str:
    """A short text alternative: title, latest figure and change, where the numbers are."""
    if isinstance(chart, ChartSpec):
        text = chart.title
    else:
        title = getattr(chart, "title", None)
        text = title.text if isinstance(title, alt.TitleParams) else title
    name = str(text) if text and text is not alt.Undefined else None
    return chart_summary.describe(name, export_columns(data))


def chart_image(chart: Chart, fmt: str, footer: list[str] | None = None) -> bytes:
    """PNG (2x) or SVG of the chart at a landscape export width, `footer` lines under it."""
    return export_menu.image(chart, fmt, footer)


MILESTONE_KEY = "ms"


def milestone_toggle(container=None) -> bool:
    """The page's "Milestones on charts" switch (`?ms=0` in the link hides them): milestone
    rules and labels on its time charts; series breaks are always drawn."""
    from dashboard.common import filters

    return filters.toggle(
        MILESTONE_KEY,
        label="Milestones on charts",
        default=True,
        help="Approvals, scheduling and safety alerts as dashed rules with labels. Series "
        "breaks stay drawn either way.",
        container=container,
    )


SECONDARY_KEY = "secondary"


def secondary_toggle(help: str | None = None) -> bool:
    """The page's "Include secondary figures" switch (`?secondary=1` in the link): off by
    default, so lines, cards and defaults are drawn from primary figures only."""
    from dashboard.common import filters

    return filters.toggle(
        SECONDARY_KEY,
        label="Include secondary figures",
        help=help
        or "Figures quoted from another publication rather than the original are left out "
        "unless you ask; they are then labelled '(secondary)'.",
    )


def notice(message: str) -> None:
    st.info(message, icon=":material/info:")
