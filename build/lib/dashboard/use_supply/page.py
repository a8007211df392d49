"""Use & supply: survey prevalence by population (series breaks drawn), NFLIS lab reports of
ketamine and analogues, the club-drug fentanyl co-occurrence proxy and its US state map,
seizures, and the EUDA wastewater map (`maps_sections`: basemap, region filter, rank table).

Default lines and the default wastewater substance are ketamine or esketamine (and, for NFLIS,
ketamine analogues: role 'focus'); other substances are offered labelled "comparator: ...".
Secondary figures appear only with the toggle, labelled."""

from __future__ import annotations

import streamlit as st

import warehouse_contract as wc
from dashboard.common import components, filters, harm_blocks, queries, queries_harm, selection
from dashboard.use_supply import global_sections, maps_sections

SURVEYS = (
    "the share of a survey's population reporting ketamine use in the period asked about "
    "(past year unless the label says lifetime); each survey, age group and publication is its "
    "own line; dotted rules mark method changes (NSDUH 2015 and 2021, MTF 8th/10th grade "
    "dropped after 2011) and a missing year is a gap, not a dip (CSEW 2020/21-2021/22)"
)
NFLIS = (
    "drug reports in which US forensic laboratories identified the substance (lab items, not "
    "seizures, cases or people; unweighted counts of Lim et al.'s record-level file); the latest "
    "year is still filling in"
)
COOCCURRENCE = (
    "NFLIS samples in Lim et al.'s 'club drugs' category that also contained fentanyl. PROXY: "
    "the category mixes ketamine with MDA, MDMA, ethylone, methylone and N-cyclohexylmethylone"
)
SEIZURES = (
    "seizures reported by law enforcement, as each publication counted them (number of "
    "seizure events, or weight); agencies, scope and years differ between publications"
)
# every link parameter this page reads (others in a link get a notice and are removed)
PAGE_KEYS = (
    "secondary",
    "population",
    "labs",
    "log",
    *maps_sections.URL_KEYS,
    *global_sections.URL_KEYS,
)

st.title("Use & supply")
components.header()
if not queries.has_warehouse():
    st.stop()
include_secondary = components.secondary_toggle()
events = queries_harm.timeline_events()
method_events = (
    events[events["category"] == "survey or method change"] if not events.empty else events
)

st.header("Survey prevalence")
surveys = queries_harm.domain_observations(
    ("misuse",),
    units=("percent",),
    max_span_days=366,
    exclude_sources=(wc.UNODC_WDR,),  # drawn per country under "Compare countries" below
    include_secondary=include_secondary,
)
if surveys.empty:
    components.notice("No survey prevalence is loaded.")
else:
    populations = surveys["geography"].value_counts().index.tolist()
    population = filters.selectbox("population", populations, label="Population")
    harm_blocks.time_block(
        surveys[surveys["geography"] == population],
        key=f"surveys_{population}",
        title=f"Ketamine use reported in surveys: {population}",
        y_title="percent",
        counts=SURVEYS,
        events=method_events,
    )

st.header("Forensic lab reports (NFLIS)")
reports = queries_harm.indicator_observations(
    wc.NFLIS_REPORTS_FAMILY, include_secondary=include_secondary
)
report_labels = {
    r.indicator: selection.tagged_label(label=r.label, role=r.role, substance=r.substance)
    for r in reports.drop_duplicates("indicator").itertuples()
}
shown_reports = filters.multiselect(
    "labs",
    list(report_labels),
    label="Substances (ketamine and its analogues by default; comparators are labelled)",
    default=selection.default_lines(reports),
    format_func=report_labels.get,
)
log_scale = filters.toggle("log", label="Log scale (analogues are far rarer than ketamine)")
harm_blocks.time_block(
    reports[reports["indicator"].isin(shown_reports)] if not reports.empty else reports,
    key="nflis_reports",
    title="NFLIS lab reports: ketamine and its analogues",
    y_title="reports",
    counts=NFLIS,
    log_scale=log_scale,
)
cooccurrence = queries_harm.indicator_observations(
    wc.NFLIS_CLUB_DRUGS_FENTANYL_PCT, include_secondary=include_secondary
)
if cooccurrence.empty:
    components.notice(
        "The monthly fentanyl co-occurrence file is not loaded (it comes with the NFLIS mirror "
        "or live files, not with the seed)."
    )
else:
    harm_blocks.time_block(
        cooccurrence,
        key="nflis_club_fentanyl",
        title="Club-drug samples that also contained fentanyl (PROXY category), monthly",
        y_title="percent",
        counts=COOCCURRENCE,
    )

maps_sections.section_nflis_states(include_secondary=include_secondary)

st.header("Seizures")
seizures = queries_harm.domain_observations(
    ("supply",), sources=(wc.LITERATURE,), include_secondary=include_secondary
)
if not seizures.empty:
    seizures = seizures[seizures["label"].str.contains("seiz", case=False)]
timed, spans = harm_blocks.split_spans(seizures)
for unit, part in harm_blocks.by_unit(timed):
    harm_blocks.time_block(
        part,
        key=f"seizures_{unit}",
        title=f"Ketamine seizures ({unit})",
        y_title=unit,
        counts=SEIZURES,
    )
harm_blocks.span_table(spans, title="Seizures")

maps_sections.section_wastewater()

global_sections.global_view()
filters.drop_unused(PAGE_KEYS)
