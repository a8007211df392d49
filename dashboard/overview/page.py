"""Overview: one card per stream (latest value, change against the previous comparable period,
sparkline, source and period), "What changed" sentences written from the data, a flag where a
stream moved beyond its recent range, and one series explored in full below.

Every number comes from a query; none is typed into the page. Filters live in the URL
(`geo`, `group`, `years`, `secondary`, `ind`, `per100k`), so a view can be shared and reopened
exactly. Cards and the explored default are ketamine or esketamine series (role 'focus') of
primary figures; what is a default and how an option is labelled comes from
`dashboard/common/selection.py`.

The page is a list of sections (dashboard/overview/sections.py and the shared alerts), each
given the frames it draws: fetched by dashboard/overview/queries.py and shaped by frames.py, here,
in page order.
"""

from __future__ import annotations

from dashboard.common import alerts
from dashboard.common.header import page_head
from dashboard.overview import queries, sections

INTRO = (
    "Harm trends for ketamine and esketamine beside their therapeutic use, from published data. "
    "Every number carries its source; series with different definitions are never joined."
)

page_head("Ketamine Watch", INTRO, intro_below_header=True)
alerts.section_alerts()
chosen = sections.section_filters(queries.catalog())
headlines = queries.headlines(chosen)
cards = queries.cards(headlines, chosen)
sections.section_streams(cards)
sections.section_what_changed(cards)
sections.section_explore(headlines, chosen)
alerts.section_band()
