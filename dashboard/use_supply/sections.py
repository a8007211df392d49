"""The sections of the Use & supply page drawn from time series, in page order: surveys, NFLIS
lab reports and the fentanyl co-occurrence proxy, and seizures; the maps are in maps_sections.py
and global_sections.py. Each draws frames dashboard/use_supply/queries.py fetched, through the
shared harm blocks (dashboard/common/harm_blocks.py)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.common import components, filters, harm_blocks, selection
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


def section_surveys(surveys: pd.DataFrame, method_events: pd.DataFrame) -> None:
    st.header("Survey prevalence")
    if surveys.empty:
        components.notice("No survey prevalence is loaded.")
        return
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


def section_lab_reports(reports: pd.DataFrame, cooccurrence: pd.DataFrame) -> None:
    st.header("Forensic lab reports (NFLIS)")
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
    if cooccurrence.empty:
        components.notice(
            "The monthly fentanyl co-occurrence file is not loaded (it comes with the NFLIS "
            "mirror or live files, not with the seed)."
        )
        return
    harm_blocks.time_block(
        cooccurrence,
        key="nflis_club_fentanyl",
        title="Club-drug samples that also contained fentanyl (PROXY category), monthly",
        y_title="percent",
        counts=COOCCURRENCE,
    )


def section_seizures(seizures: pd.DataFrame) -> None:
    st.header("Seizures")
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


def drop_unused_keys() -> None:
    """Remove link parameters this page does not read (after every widget has been drawn)."""
    filters.drop_unused(PAGE_KEYS)
