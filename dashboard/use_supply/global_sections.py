"""The global view on Use & supply: UNODC ketamine seizures on a world map with a year control
and a ranked table with region filters; a "Compare countries" view of past-year prevalence
(general population and youth apart); expert-perceived trends as words; and the check of
UNODC's transcriptions against the published figures we hold.

`section_global()` is the one call the page makes: it reads through `queries_global`, shapes
with `global_frames` and draws with `global_charts`. Offline (the seed bundles no UNODC file)
it says how to load the annex. Warehouse text reaches markdown only through `safe_text.md`.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import warehouse_contract as wc
from dashboard.common import components, filters, specs
from dashboard.common.safe_text import md
from dashboard.use_supply import global_charts, global_frames, queries_global

# the link parameters these sections read (the page keeps them; others are dropped)
URL_KEYS = ("unodc_year", "unodc_regions", "unodc_trend_age")

SEIZURE_COUNTS = (
    "kilograms of 'ketamine and phencyclidine-type substances' seized, as national authorities "
    "reported them to UNODC. A seizure measures enforcement activity, not use: one large seizure "
    "or a change in policing moves it. Ketamine is pooled with PCP-type substances. Where UNODC "
    "lists several records for a country and year, the largest is shown (a lower bound); records "
    "are never added up, because some repeat one another"
)
PREVALENCE_COUNTS = (
    "the share of each national survey's population reporting ketamine use in the past year, as "
    "UNODC transcribed it; each country's surveys have their own age band, method and years, so "
    "each country and age band is its own line, and levels are not a ranking of countries. "
    "Hollow points are UNODC's own age-adjusted estimates, not survey figures"
)
HOW_TO_LOAD = (
    "The UNODC World Drug Report annex is not loaded. Its terms allow non-profit reuse with "
    "acknowledgement, so the bundled seed carries no UNODC file: run `ketamine-watch refresh "
    "unodc_wdr` online, or download the annex workbooks (7.1 Drug seizures, 1.2 and 1.4 "
    "Prevalence, 2.1 Expert perception) from "
    "https://www.unodc.org/unodc/en/data-and-analysis/world-drug-report-2025-annex.html into "
    "DIR/unodc_wdr/ and run `ketamine-watch refresh --mirror DIR unodc_wdr`."
)
POPULATIONS = {
    "General population (national household surveys)": wc.UNODC_PREVALENCE_GENERAL_PAST_YEAR,
    "Youth and students (school, university and young-adult surveys)": (
        wc.UNODC_PREVALENCE_YOUTH_PAST_YEAR
    ),
}


def section_global() -> None:
    st.header("Global: ketamine seizures by country (UNODC)")
    seizures = queries_global.seizures()
    if seizures.empty:
        components.notice(HOW_TO_LOAD)
        return
    section_world_seizures(seizures)
    section_duplicate_records(queries_global.seizure_records())
    st.header("Compare countries: past-year prevalence (UNODC compilation)")
    prevalence = {label: queries_global.prevalence(ind) for label, ind in POPULATIONS.items()}
    section_compare_countries(prevalence)
    section_cross_checks(prevalence)
    section_expert_trends(queries_global.trends())


def section_world_seizures(seizures: pd.DataFrame) -> None:
    years = sorted(int(y) for y in seizures["year"].unique())
    year = int(filters.selectbox("unodc_year", [str(y) for y in years], label="Seizure year",
                                 default=str(years[-1])))  # fmt: skip
    shown = global_frames.seizure_map_frame(seizures, year)
    bands = [b for b in global_frames.BAND_ORDER if b in set(shown["band"])]
    chart = specs.chart_spec(
        global_charts.seizure_map,
        data=shown,
        title=f"Ketamine and PCP-type seizures, {year} (kg)",
        bands=bands,
    )
    components.chart_block(
        chart, shown.drop(columns=["band"]), key=f"unodc_seizures_{year}", counts=SEIZURE_COUNTS
    )
    off_map = shown.loc[shown["map_id"] == "", "country"].tolist()
    if off_map:
        st.caption("Not on the map (listed in the table): " + md(", ".join(off_map)))
    regions = sorted(r for r in seizures["region"].dropna().unique() if r)
    chosen = filters.multiselect("unodc_regions", regions, label="UNODC regions", default=[])
    table = global_frames.ranked(seizures, year, chosen)
    st.caption(
        f"{len(table)} countries and territories reporting in {year}, largest first "
        "(this is a ranking of reported seizures, not of use)"
    )
    st.dataframe(table, hide_index=True, width="stretch")


def section_duplicate_records(records: pd.DataFrame) -> None:
    if records.empty:
        return
    count = records.groupby(["country", "year"]).ngroups
    with st.expander(f"Country-years with more than one UNODC record ({count})"):
        st.caption(
            "Every record as UNODC lists it; the one drawn is marked 'shown'. They are kept "
            "apart because some are the same seizure reported twice (Hong Kong 2020: 472.9 and "
            "472.87 kg)."
        )
        st.dataframe(records, hide_index=True, width="stretch")


def section_compare_countries(prevalence: dict[str, pd.DataFrame]) -> None:
    for label, rows in prevalence.items():
        st.subheader(label)
        if rows.empty:
            components.notice("No rows of this table are loaded.")
            continue
        countries = sorted(rows["country"].unique())
        chosen = st.multiselect(
            "Countries",
            countries,
            default=global_frames.default_countries(rows),
            key=f"compare_{components.safe_key(label)}",
        )
        data = global_frames.compare_frame(rows, chosen)
        if data.empty:
            components.notice("Choose at least one country.")
            continue
        chart = specs.chart_spec(
            global_charts.prevalence_lines,
            data=data,
            title=f"Past-year ketamine use: {label.lower()}",
        )
        components.chart_block(
            chart, data, key=f"compare_{components.safe_key(label)}", counts=PREVALENCE_COUNTS
        )


def section_cross_checks(prevalence: dict[str, pd.DataFrame]) -> None:
    general, youth = (prevalence[label] for label in POPULATIONS)
    checks = global_frames.cross_check(
        {"general": general, "youth": youth}, queries_global.published_figures()
    )
    if checks.empty:
        return
    agree = int((checks["verdict"] == "agree").sum())
    st.subheader("UNODC rows checked against the published figures we hold")
    st.caption(
        f"{agree} of {len(checks)} pairs agree at the published rounding; a conflict is shown "
        "with both citations, never resolved silently. UNODC transcribes the government's own "
        "tables, so where our published figure is secondary (read in news or a quotation) the "
        "UNODC row is the primary-tier value."
    )
    st.dataframe(checks, hide_index=True, width="stretch")


def section_expert_trends(trends: pd.DataFrame) -> None:
    if trends.empty:
        return
    st.header("Expert-perceived trend in ketamine use (UNODC)")
    groups = [g for g in ("all ages", "0-17", "18-24", "25+") if g in set(trends["age_group"])]
    group = filters.selectbox("unodc_trend_age", groups, label="Age group")
    st.caption(
        "National experts' perception of the change in ketamine use since the year before, as "
        "reported to UNODC: an opinion in words, not a measurement, so it is never drawn as a "
        "number. Empty cells: no answer that year."
    )
    st.dataframe(global_frames.trends_table(trends, group), hide_index=True, width="stretch")
