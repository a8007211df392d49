"""Therapeutic context: approvals, scheduling and safety alerts; Spravato Part D and ketamine
prescriptions; registered studies; the claims-and-evidence table; supply and harms side by side.
The side-by-side harm panels are ketamine or esketamine series (role 'focus') of primary figures;
secondary figures appear only with the toggle, labelled.

The page is a list of sections (dashboard/therapeutic/sections.py), each given the frames it
draws: fetched by dashboard/therapeutic/queries.py and shaped by dashboard/therapeutic/frames.py,
here, in page order."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import warehouse_contract as wc
from dashboard.common import components, filters
from dashboard.common.queries import has_warehouse
from dashboard.therapeutic import claims_table, frames, queries, sections

HARM_DOMAINS = (wc.POISON_CENTER, wc.ADVERSE_EVENTS, wc.MORTALITY, wc.MISUSE, wc.SUPPLY)

st.title("Therapeutic context")
st.markdown(
    "Ketamine is an approved anesthetic, and esketamine (Spravato) is approved for "
    "treatment-resistant depression; other uses are off-label or under study. This page puts "
    "what was approved, prescribed and registered beside the harm indicators. It reports "
    "published and registered data only; it is not medical advice."
)
components.header()
if not has_warehouse():
    st.stop()
include_secondary = components.secondary_toggle(
    "Figures quoted from another publication rather than the original (news summaries, "
    "fact sheets citing a commercial audit ...) are left out unless you ask; they are then "
    "labelled '(secondary)'."
)
events = queries.milestones()
show_milestones = components.milestone_toggle()
filters.drop_unused(["secondary", components.MILESTONE_KEY])

partd = queries.source_observations(wc.CMS_PARTD)
published = {"domains": (wc.THERAPEUTIC,), "sources": (wc.LITERATURE,)}
prescriptions = queries.matching_observations(
    "prescri|Medicaid", **published, include_secondary=include_secondary
)
published_trials = pd.concat(
    [
        queries.matching_observations("trial", **published, include_secondary=include_secondary),
        queries.matching_undated("trial"),
    ],
    ignore_index=True,
)
panels = frames.supply_panels(partd, prescriptions)
since = frames.harm_since(panels)
for row in queries.harm_series(
    HARM_DOMAINS, since_year=since, include_secondary=include_secondary
).itertuples():
    rows = queries.series_rows(
        row.indicator, row.geography, row.stratum, include_secondary=include_secondary
    )
    panels.append(("Harm indicator", frames.harm_panel_name(row), rows))

sections.section_milestones(events)
sections.section_labels(queries.drug_labels())
sections.section_partd(partd, events, show_milestones)
sections.section_prescriptions(prescriptions, events, show_milestones)
sections.section_trials(
    queries.trials_by_area_year(), queries.source_row(wc.CLINICALTRIALS), published_trials
)
sections.section_claims(claims_table.build(queries))
sections.section_side_by_side(frames.side_by_side(panels, since), events, show_milestones)
