"""Poison centers & deaths: US poison-center exposures (each study's definition its own line),
their outcomes and reasons, US and UK deaths, and England and Wales drug-poisoning totals.

The ketamine charts draw ketamine series; all-drug totals are context (their rows carry
`role` = 'context' and a "context: all drugs" label, so a chart keeps them apart), other
substances labelled comparators. Secondary figures appear only with the toggle, labelled."""

from __future__ import annotations

import streamlit as st

import warehouse_contract as wc
from dashboard.common import (
    components,
    filters,
    harm_blocks,
    queries,
    queries_harm,
    selection,
    specs,
)
from dashboard.poison_deaths import charts

EXPOSURES = (
    "exposure calls to US poison centers that mention ketamine (an exposure is a call, not a "
    "confirmed poisoning; many are not serious). Each study's definition is its own line: the "
    "annual reports' category 'ketamine and analogs' is wider than one paper's ketamine extract."
)
RATES = "exposure calls per million population, as each study computed them (its own denominator)"
SHARES = (
    "shares of one study's exposure calls (outcome, reason, route, co-used substances), over "
    "that study's period; shares from different studies and periods are not comparable"
)
US_DEATHS = (
    "overdose deaths in the SUDORS jurisdictions with ketamine DETECTED in toxicology, or "
    "INVOLVED (listed as a cause) - two different measures; only the reporting jurisdictions"
)
UK_DEATHS = (
    "deaths with ketamine MENTIONED on the death certificate (ONS, via FOI), DETECTED at "
    "post-mortem or IMPLICATED in causing death (NPSUM/NPSAD coroner reports): mentioned is not "
    "caused; projected years are flagged and shaded"
)
ONS_TOTALS = (
    "deaths registered in the year (not occurring in it) in England and Wales with drug "
    "poisoning as the underlying cause; substances are those mentioned on the certificate. "
    "The standard ONS tables have no ketamine column: this is context, not a ketamine count."
)

st.title("Poison centers & deaths")
components.header()
if not queries.has_warehouse():
    st.stop()
include_secondary = components.secondary_toggle()
events = queries_harm.timeline_events()
show_milestones = components.milestone_toggle()
filters.drop_unused(["secondary", components.MILESTONE_KEY, "ons"])

st.header("Poison-center exposures (US)")
calls = queries_harm.domain_observations(
    ("poison_center",), units=("exposures", "cases"), include_secondary=include_secondary
)
calls = calls[calls["geography"] == "United States"] if not calls.empty else calls
timed, spans = harm_blocks.split_spans(calls)
harm_blocks.time_block(
    timed,
    key="poison_exposures",
    title="Ketamine exposures reported to US poison centers, by study definition",
    y_title="exposures",
    counts=EXPOSURES,
    events=events,
    show_milestones=show_milestones,
)
harm_blocks.span_table(spans, title="Exposures")
rates = queries_harm.domain_observations(
    ("poison_center",), units=("per 1,000,000 population",), include_secondary=include_secondary
)
harm_blocks.time_block(
    rates,
    key="poison_rates",
    title="Ketamine exposures per million population",
    y_title="per 1,000,000 population",
    counts=RATES,
    events=events,
    show_milestones=show_milestones,
)

st.header("Outcomes, reasons and co-used substances")
shares = queries_harm.domain_observations(
    ("poison_center",), units=("percent",), include_secondary=include_secondary
)
if shares.empty:
    components.notice("No published shares are loaded.")
else:
    chart = specs.chart_spec(
        charts.share_bars, data=shares, title="Shares of ketamine exposure calls, per study"
    )
    components.chart_block(chart, shares, key="poison_shares", counts=SHARES)

st.header("Deaths")
deaths = queries_harm.domain_observations(
    ("mortality",), exclude_sources=(wc.ONS_DRUG_POISONING,), include_secondary=include_secondary
)
if not deaths.empty:
    deaths = deaths[deaths["unit"].str.startswith("deaths")]
us = deaths[deaths["geography"].str.contains("United States")] if not deaths.empty else deaths
uk = deaths[~deaths["geography"].str.contains("United States")] if not deaths.empty else deaths
us_timed, us_spans = harm_blocks.split_spans(us)
harm_blocks.time_block(
    us_timed,
    key="deaths_us",
    title="US overdose deaths with ketamine (SUDORS, half-years)",
    y_title="deaths",
    counts=US_DEATHS,
)
harm_blocks.span_table(us_spans, title="US deaths")
uk_timed, uk_spans = harm_blocks.split_spans(uk)
harm_blocks.time_block(
    uk_timed,
    key="deaths_uk",
    title="UK deaths: ketamine mentioned, detected or implicated (each its own line)",
    y_title="deaths",
    counts=UK_DEATHS,
    events=events,
    show_milestones=show_milestones,
)
harm_blocks.span_table(uk_spans, title="UK deaths")

st.header("Context: all drug-poisoning deaths, England and Wales (ONS)")
totals = queries_harm.indicator_observations(
    wc.ONS_DEATHS_FAMILY,
    geography="England and Wales",
    stratum="persons",
    include_secondary=include_secondary,
)
if totals.empty:
    components.notice("ONS totals are not loaded.")
else:
    labels = {
        r.indicator: selection.tagged_label(label=r.label, role=r.role, substance=r.substance)
        for r in totals.drop_duplicates("indicator").itertuples()
    }
    # this chart is the context: the all-drug total by default, comparators when asked for
    default = selection.default_lines(totals, roles=(selection.CONTEXT,))
    chosen = filters.multiselect(
        "ons",
        list(labels),
        label="Series (comparison substances are 'mentioned' counts from Table 4)",
        default=default[:1] or list(labels)[:1],
        format_func=labels.get,
    )
    harm_blocks.time_block(
        totals[totals["indicator"].isin(chosen)],
        key="ons_totals",
        title="Drug-poisoning deaths registered in England and Wales (persons)",
        y_title="deaths",
        counts=ONS_TOTALS,
    )
