"""Use & supply: survey prevalence by population (series breaks drawn), NFLIS lab reports of
ketamine and analogues, the club-drug fentanyl co-occurrence proxy, seizures, and the EUDA
wastewater map (cities sized by load, a year selector, a table beside it).

Default lines and the default wastewater substance are ketamine or esketamine (and, for NFLIS,
ketamine analogues: role 'focus'); other substances are offered labelled "comparator: ...".
Secondary figures appear only with the toggle, labelled."""

from __future__ import annotations

import streamlit as st

import warehouse_contract as wc
from dashboard import components, filters, harm_blocks, queries, selection, specs
from dashboard import queries_harm as qh
from dashboard.charts import harm as hcharts
from dashboard.safe_text import md

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
WASTEWATER = (
    "mg of the substance per 1,000 people served per day in a city's wastewater (mean of one "
    "sampling week, EUDA/SCORE); the set of cities changes every year, and loads of different "
    "substances are not comparable"
)
# every link parameter this page reads (others in a link get a notice and are removed)
PAGE_KEYS = ("secondary", "population", "labs", "log", "substance", "year")

st.title("Use & supply")
components.header()
if not queries.has_warehouse():
    st.stop()
include_secondary = components.secondary_toggle()
events = qh.timeline_events()
method_events = (
    events[events["category"] == "survey or method change"] if not events.empty else events
)

st.header("Survey prevalence")
surveys = qh.domain_observations(
    ("misuse",), units=("percent",), max_span_days=366, include_secondary=include_secondary
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
reports = qh.indicator_observations(wc.NFLIS_REPORTS_FAMILY, include_secondary=include_secondary)
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
cooccurrence = qh.indicator_observations(
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

st.header("Seizures")
seizures = qh.domain_observations(
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

st.header("Wastewater (EUDA / SCORE)")
substances = qh.wastewater_indicators()
if substances.empty:
    components.notice("No wastewater data are loaded.")
else:
    labels = {
        r.id: selection.tagged_label(label=r.label, role=r.role, substance=r.substance)
        for r in substances.itertuples()
    }
    # the first option (the query orders ketamine and esketamine first) is the default
    indicator = filters.selectbox(
        "substance", list(labels), label="Substance", format_func=labels.get
    )
    years = [str(y) for y in qh.wastewater_years(indicator)]
    year = int(filters.selectbox("year", years, label="Year", default=years[-1]))
    cities = qh.wastewater_map(indicator, year)
    unit = substances.set_index("id").loc[indicator, "unit"]
    left, right = st.columns([3, 2])
    with left:
        if cities["latitude"].notna().any():
            chart = specs.chart_spec(
                hcharts.wastewater_map, data=cities, title=f"{labels[indicator]}, {year}", unit=unit
            )
            components.chart_block(
                chart, cities, key=f"wastewater_{indicator}_{year}", counts=WASTEWATER
            )
        else:
            components.notice(
                "Site coordinates are not loaded (the seed carries published figures only); "
                "refresh with `--mirror` to place the cities on the map."
            )
    with right:
        st.caption(f"{len(cities)} cities, {md(year)} · {md(unit)}")
        st.dataframe(
            cities[["geography", "value", "population", "flags", "note"]],
            hide_index=True,
            width="stretch",
        )
filters.drop_unused(PAGE_KEYS)
