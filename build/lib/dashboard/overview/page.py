"""Overview: one card per stream (latest value, change against the previous comparable period,
sparkline, source and period), "What changed" sentences written from the data, a flag where a
stream moved beyond its recent range, and one series explored in full below.

Every number comes from a query; none is typed into the page. Filters live in the URL
(`geo`, `group`, `years`, `secondary`, `ind`, `per100k`), so a view can be shared and reopened
exactly. Cards and the explored default are ketamine or esketamine series (role 'focus') of
primary figures; what is a default and how an option is labelled comes from
`dashboard/common/selection.py`.

The page is a list of sections (dashboard/overview/sections.py), each given the frames it draws:
fetched by dashboard/common/queries.py and shaped by dashboard/overview/frames.py, in page order.
"""

from __future__ import annotations

import streamlit as st

from dashboard.common import alerts, components, queries, selection
from dashboard.overview import frames, sections

st.title("Ketamine Watch")
components.header()
st.markdown(
    "Harm trends for ketamine and esketamine beside their therapeutic use, from published data. "
    "Every number carries its source; series with different definitions are never joined."
)
if not queries.has_warehouse():
    st.stop()
alerts.section_alerts()

catalog = queries.series_catalog()
if catalog.empty:
    components.notice("No dated series is loaded yet.")
    st.stop()
chosen = sections.choose(catalog)

headlines = queries.headline_indicators(
    2,
    geographies=tuple(chosen.geographies),
    strata=tuple(chosen.groups),
    first_year=chosen.first_year,
    last_year=chosen.last_year,
    include_secondary=chosen.include_secondary,
)
if headlines.empty:
    components.notice("No stream has two or more periods for these filters. Widen them.")
    st.stop()
headlines = selection.in_stream_order(headlines)
cards = [
    frames.card(
        row,
        queries.series(
            row.indicator, row.geography, row.stratum, include_secondary=chosen.include_secondary
        ),
        chosen.first_year,
        chosen.last_year,
    )
    for row in headlines.itertuples()
]

sections.section_streams(cards)
sections.section_what_changed([frames.change_of(c) for c in cards if c is not None])
sections.section_explore(headlines, chosen)
alerts.section_band()
