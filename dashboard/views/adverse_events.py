"""Adverse events: FAERS reports per quarter (ketamine vs esketamine, with the Spravato approval
as a reporting break), top reactions, serious outcomes and deaths, sex and age, reporter type,
the disproportionality table, and the published FAERS figures.

The page is a list of sections (dashboard/adverse_events_sections.py), each given the frames
it draws: fetched by dashboard/queries_adverse_events.py and shaped by
dashboard/adverse_events_frames.py, here, in page order."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import warehouse_contract as wc
from dashboard import adverse_events_compare as compare
from dashboard import adverse_events_frames as frames
from dashboard import adverse_events_sections as sections
from dashboard import components, queries, transforms
from dashboard import queries_adverse_events as qa
from dashboard import queries_compare as qc

CAVEATS = (
    "**Read these numbers as FDA asks.** Reports are not incidence: nobody knows how many people "
    "took the drug, so a count is not a rate. There are duplicates: the same event can reach FDA "
    "from a patient, a doctor and a manufacturer as different cases. A report does not prove "
    "that the drug caused the event. Reporting is voluntary and rises with publicity, litigation "
    "and new approvals. FAERS counts here are **de-duplicated reports (latest caseversion per "
    "caseid, deleted cases removed)**; openFDA counts are its reports as served (latest version "
    "of each report, duplicate cases not merged)."
)
HOW_TO_LOAD = (
    "FAERS case data are not loaded in this build, so the charts below show the **published "
    "FAERS figures** from peer-reviewed analyses (each with its own definition and period). To "
    "load FDA's quarterly files: download `faers_ascii_YYYYqN.zip` from FDA's [FAERS quarterly "
    "data extract page](https://fis.fda.gov/extensions/FPD-QDE-FAERS/FPD-QDE-FAERS.html), put "
    "them in `DIR/faers_quarterly/` and run `ketamine-watch refresh --mirror DIR`. Or go online: "
    "`ketamine-watch refresh faers_quarterly openfda` fetches every quarter from 2004Q1 "
    "(`--faers-from 2015Q1` or `--faers-quarters N` for fewer) and the openFDA counts."
)


def quarterly(choice: frames.Choice) -> pd.DataFrame:
    """The chosen source's per-quarter report counts of the chosen drugs, all years."""
    ids = frames.report_indicators(choice.source, choice.drugs, choice.role)
    return qa.quarterly_reports(choice.source, ids)


st.title("Adverse events")
st.markdown(
    "Spontaneous reports of suspected adverse events to the US FDA Adverse Event Reporting "
    "System (FAERS) that mention ketamine or esketamine (Spravato)."
)
components.header()
if not queries.has_warehouse():
    st.stop()
st.info(CAVEATS, icon="⚠️")

loaded = qa.loaded()
available = [s for s in (wc.FAERS_QUARTERLY, wc.OPENFDA) if loaded[s]]
choice, include_secondary = sections.choose(
    available, qa.INGREDIENTS, lambda c: transforms.years_of(quarterly(c)), qc.comparators()
)
loaded_text = compare.loaded_text(qc.focus_reports_per_quarter())
if not choice.drugs:
    components.notice("Choose at least one drug.")
    st.stop()

if choice.source is None:
    st.info(HOW_TO_LOAD, icon="ℹ️")
else:
    drugs, role, first, last = choice.drugs, choice.role, choice.first, choice.last
    faers = choice.source == wc.FAERS_QUARTERLY
    meta = qa.source_row(choice.source)
    rows = transforms.filter_years(quarterly(choice), first, last)
    if faers:
        reactions = qa.faers_top_reactions(drugs, role, first, last)
        outcomes = frames.with_share(qa.faers_outcomes(drugs, role, first, last))
        people = qa.faers_people(drugs, role, first, last)
    else:
        reactions = qa.openfda_top_reactions(drugs)
        outcomes = qa.openfda_counts(drugs, ("serious", "death"))
        people = qa.openfda_counts(drugs, ("sex", "agegroup", "qualification"))

    sections.section_source(choice, meta)
    sections.section_quarterly(
        choice,
        rows,
        frames.reporting_breaks(qa.approval_events(), rows),
        qa.loaded_quarters() if faers else None,
    )
    sections.section_reactions(choice, frames.with_provenance(frames.with_share(reactions), meta))
    sections.section_outcomes(choice, frames.with_provenance(outcomes, meta))
    sections.section_people(choice, frames.with_provenance(people, meta))
    found = qa.signals(choice.source, drugs, mask=choice.mask, comparator=choice.comparator)
    label = compare.comparator_options(qc.comparators(), drugs).get(choice.comparator, "")
    compare.section_signals(choice, found, meta, label=label, loaded=loaded_text if faers else "")

compare.section_published(qa.published_figures(include_secondary=include_secondary))
