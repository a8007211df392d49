"""Adverse events: FAERS reports per quarter (ketamine vs esketamine, with the Spravato approval
as a reporting break), top reactions, serious outcomes and deaths, sex and age, reporter type,
the disproportionality table, and the published FAERS figures.

The page is a list of sections (dashboard/adverse_events/sections.py), each given the frames
it draws: fetched by dashboard/adverse_events/queries.py and shaped by
dashboard/adverse_events/frames.py, here, in page order."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import warehouse_contract as wc
from dashboard.adverse_events import compare, frames, queries, queries_compare, sections
from dashboard.common import components, transforms
from dashboard.common.queries import has_warehouse

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
    return queries.quarterly_reports(choice.source, ids)


st.title("Adverse events")
st.markdown(
    "Spontaneous reports of suspected adverse events to the US FDA Adverse Event Reporting "
    "System (FAERS) that mention ketamine or esketamine (Spravato)."
)
components.header()
if not has_warehouse():
    st.stop()
st.info(CAVEATS, icon="⚠️")

loaded = queries.loaded()
available = [s for s in (wc.FAERS_QUARTERLY, wc.OPENFDA) if loaded[s]]
choice, include_secondary = sections.choose(
    available,
    queries.INGREDIENTS,
    lambda c: transforms.years_of(quarterly(c)),
    queries_compare.comparators(),
)
loaded_text = compare.loaded_text(queries_compare.focus_reports_per_quarter())
if not choice.drugs:
    components.notice("Choose at least one drug.")
    st.stop()

if choice.source is None:
    st.info(HOW_TO_LOAD, icon="ℹ️")
else:
    drugs, role, first, last = choice.drugs, choice.role, choice.first, choice.last
    faers = choice.source == wc.FAERS_QUARTERLY
    meta = queries.source_row(choice.source)
    rows = transforms.filter_years(quarterly(choice), first, last)
    if faers:
        reactions = queries.faers_top_reactions(drugs, role, first, last)
        outcomes = frames.with_share(queries.faers_outcomes(drugs, role, first, last))
        people = queries.faers_people(drugs, role, first, last)
    else:
        reactions = queries.openfda_top_reactions(drugs)
        outcomes = queries.openfda_counts(drugs, ("serious", "death"))
        people = queries.openfda_counts(drugs, ("sex", "agegroup", "qualification"))

    sections.section_source(choice, meta)
    sections.section_quarterly(
        choice,
        rows,
        frames.reporting_breaks(queries.approval_events(), rows),
        queries.loaded_quarters() if faers else None,
    )
    sections.section_reactions(choice, frames.with_provenance(frames.with_share(reactions), meta))
    sections.section_outcomes(choice, frames.with_provenance(outcomes, meta))
    sections.section_people(choice, frames.with_provenance(people, meta))
    found = queries.signals(choice.source, drugs, mask=choice.mask, comparator=choice.comparator)
    label = compare.comparator_options(queries_compare.comparators(), drugs).get(
        choice.comparator, ""
    )
    compare.section_signals(choice, found, meta, label=label, loaded=loaded_text if faers else "")

compare.section_published(queries.published_figures(include_secondary=include_secondary))
