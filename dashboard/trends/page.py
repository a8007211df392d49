"""Cross-stream trends: every harm stream on one time axis, each indexed to 100 in a base year
the analyst chooses ("since year X"; by default the year from which most shown streams have a
change), so unlike units compare, with milestones and method changes as rules. It shows where
streams move together and where they do not.

By default one ketamine or esketamine series of primary figures per stream
(`selection.default_indexed_together`); other substances are offered labelled "comparator: ...",
all-drug totals "context: ...", and secondary figures only with the toggle, labelled."""

from __future__ import annotations

from dashboard.common import queries_harm
from dashboard.common.header import page_head
from dashboard.trends import queries, sections

page_head("Cross-stream trends")
include_secondary = sections.secondary_toggle()
chosen = sections.section_streams(queries.catalog(include_secondary=include_secondary))
rows = queries.rows(chosen, include_secondary=include_secondary)
sections.section_index(rows, queries_harm.timeline_events())
