"""Use & supply: survey prevalence by population (series breaks drawn), NFLIS lab reports of
ketamine and analogues, the club-drug fentanyl co-occurrence proxy and its US state map,
seizures, and the EUDA wastewater map (`maps_sections`: basemap, region filter, rank table).

Default lines and the default wastewater substance are ketamine or esketamine (and, for NFLIS,
ketamine analogues: role 'focus'); other substances are offered labelled "comparator: ...".
Secondary figures appear only with the toggle, labelled."""

from __future__ import annotations

from dashboard.common import components
from dashboard.common.header import page_head
from dashboard.use_supply import global_sections, maps_sections, queries, sections

page_head("Use & supply")
include_secondary = components.secondary_toggle()

sections.section_surveys(
    queries.surveys(include_secondary=include_secondary), queries.method_events()
)
sections.section_lab_reports(
    queries.lab_reports(include_secondary=include_secondary),
    queries.cooccurrence(include_secondary=include_secondary),
)
maps_sections.section_nflis_states(include_secondary=include_secondary)
sections.section_seizures(queries.seizures(include_secondary=include_secondary))
maps_sections.section_wastewater()
global_sections.section_global()
sections.drop_unused_keys()
