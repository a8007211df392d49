"""Adverse events: FAERS reports per quarter (ketamine vs esketamine, with the Spravato approval
as a reporting break), top reactions, serious outcomes and deaths, sex and age, reporter type,
the disproportionality table, and the published FAERS figures.

The page is a list of sections (dashboard/adverse_events/sections.py and compare.py), each given
the frames it draws: fetched by queries.py and queries_compare.py and shaped by frames.py
(through report.py), here, in page order."""

from __future__ import annotations

from dashboard.adverse_events import compare, queries, queries_compare, report, sections
from dashboard.common.header import page_head

INTRO = (
    "Spontaneous reports of suspected adverse events to the US FDA Adverse Event Reporting "
    "System (FAERS) that mention ketamine or esketamine (Spravato)."
)

page_head("Adverse events", INTRO)
sections.section_caveats()
choice, include_secondary = sections.section_filters(
    report.available_sources(),
    queries.INGREDIENTS,
    report.years_offered,
    queries_compare.comparators(),
)
sections.section_report(choice, report.fetch(choice))
compare.section_published(queries_compare.published_figures(include_secondary=include_secondary))
