"""The head of every page: its title, the line under it (data vintage, last refresh, Copy link,
each source's vintage, a warning when a source failed), an optional introduction, and a stop
when no warehouse is published. Every page starts with `page_head(...)`, so the app looks like
one app."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.common import queries, share
from dashboard.common.safe_text import md


def page_head(title: str, intro: str = "", *, intro_below_header: bool = False) -> None:
    """Title, introduction and header in page order; the rest of the page runs only when a
    warehouse is published (the header already says how to build one)."""
    st.title(title)
    if intro and not intro_below_header:
        st.markdown(intro)
    header()
    if intro and intro_below_header:
        st.markdown(intro)
    if not queries.has_warehouse():
        st.stop()


def header() -> None:
    """The line under every page title: data vintage, last refresh, and a warning when a source
    failed or was held at the last refresh. Call it first on every page, right after `st.title`."""
    summary = queries.warehouse_summary() if queries.has_warehouse() else {}
    if not summary:
        st.warning(
            "No warehouse yet. Build it with `ketamine-watch refresh --offline` "
            "(seconds, from the bundled seed)."
        )
        return
    st.caption(header_text(summary))
    share.link_tools()
    vintages = queries.source_vintages()
    if not vintages.empty:
        with st.expander("Vintage of each source"):
            st.markdown(vintage_lines(vintages))
    failed = int(summary.get("failed") or 0)
    if failed:
        st.warning(
            f"{failed} source(s) failed or were held at the last refresh and show their "
            "previous vintage; "
            "see Data & methods for the message.",
            icon=":material/warning:",
        )


def header_text(summary: dict) -> str:
    last = summary.get("last_refresh")
    last_text = pd.Timestamp(last).strftime("%Y-%m-%d %H:%M UTC") if pd.notna(last) else "never"
    return (
        f"Last refresh {last_text} · {int(summary.get('observations') or 0):,} published "
        f"numbers from {int(summary.get('sources_with_rows') or 0)} of "
        f"{int(summary.get('sources') or 0)} sources · each number carries its publisher's "
        "release (vintage)"
    )


# How a source's rows got here, in words; "ok" is said only of a load from the first place tried.
ORIGIN_WORDS = {
    "live": "from the publisher",
    "mirror": "from the mirror",
    "snapshot": "from the last good download",
    "seed": "from the bundled seed",
    "previous": "previous rows kept",
}


def vintage_lines(vintages: pd.DataFrame) -> str:
    """One markdown line per source: its releases, and where the rows were loaded from (the
    warehouse's words escaped)."""
    lines = []
    for row in vintages.itertuples():
        releases = (
            md(row.vintages)
            if int(row.releases) <= 2
            else f"{int(row.releases)} releases (each figure names its own publication)"
        )
        where = ORIGIN_WORDS.get(str(row.origin), md(row.origin))
        status = "" if row.status == "ok" else f" · **{md(row.status)}**"
        lines.append(f"- **{md(row.title)}**: {releases} · {where}{status}")
    return "\n".join(lines)
