"""Therapeutic context: approvals, scheduling and safety alerts; Spravato Part D and ketamine
prescriptions; registered studies; the claims-and-evidence table; supply and harms side by side.
The side-by-side harm panels are ketamine or esketamine series (role 'focus') of primary figures;
secondary figures appear only with the toggle, labelled.

The page is a list of sections (dashboard/therapeutic/sections.py), each given the frames it
draws: fetched by queries.py (frames of several queries: page_data.py) and shaped by frames.py,
here, in page order."""

from __future__ import annotations

import warehouse_contract as wc
from dashboard.common import components, filters
from dashboard.common.header import page_head
from dashboard.therapeutic import claims_table, page_data, queries, sections

INTRO = (
    "Ketamine is an approved anesthetic, and esketamine (Spravato) is approved for "
    "treatment-resistant depression; other uses are off-label or under study. This page puts "
    "what was approved, prescribed and registered beside the harm indicators. It reports "
    "published and registered data only; it is not medical advice."
)

page_head("Therapeutic context", INTRO)
include_secondary = sections.secondary_toggle()
events = queries.milestones()
show_milestones = components.milestone_toggle()
filters.drop_unused(["secondary", components.MILESTONE_KEY])
partd = queries.source_observations(wc.CMS_PARTD)
prescriptions = page_data.prescriptions(include_secondary=include_secondary)

sections.section_milestones(events)
sections.section_labels(queries.drug_labels())
sections.section_partd(partd, events, show_milestones)
sections.section_prescriptions(prescriptions, events, show_milestones)
sections.section_trials(
    queries.trials_by_area_year(),
    queries.source_row(wc.CLINICALTRIALS),
    page_data.published_trials(include_secondary=include_secondary),
)
sections.section_claims(claims_table.build(queries))
sections.section_side_by_side(
    page_data.side_by_side(partd, prescriptions, include_secondary=include_secondary),
    events,
    show_milestones,
)
