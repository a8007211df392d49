"""The sections of the Adverse events page, in page order. Each `section_*` draws one header's
worth of the page from frames the page script prepared (dashboard/adverse_events/queries.py
fetches, dashboard/adverse_events/frames.py shapes); none queries the warehouse itself.
`choose()` draws the filters and returns the reader's `Choice`. Text from the warehouse reaches
markdown only through `safe_text.md`."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

import warehouse_contract as wc
from dashboard.adverse_events import charts, compare, frames
from dashboard.common import components, filters, specs, transforms
from dashboard.common.safe_text import md

SOURCE_NAMES = {
    wc.FAERS_QUARTERLY: "FAERS quarterly data files (de-duplicated)",
    wc.OPENFDA: "openFDA count API",
}
ROLES = {"any": "any role (suspect or concomitant)", "suspect": "suspect (primary or secondary)"}
COUNTS = {
    wc.FAERS_QUARTERLY: (
        "de-duplicated FAERS reports (latest caseversion per caseid, deleted cases removed), not "
        "people and not incidence; a report does not prove causation"
    ),
    wc.OPENFDA: (
        "FAERS reports as served by openFDA (latest version of each report; duplicate cases not "
        "merged), not people and not incidence; a report does not prove causation"
    ),
}


def choose(
    available: list[str],
    ingredients: tuple[str, ...],
    years_of_source: Callable[[frames.Choice], list[int]],
    groups: pd.DataFrame | None = None,
) -> tuple[frames.Choice, bool]:
    """The filters, in page order: drugs, secondary figures, then (when FAERS or openFDA is
    loaded) source, role, years and masking. `years_of_source(source, choice)` gives the years
    the year slider offers. Returns (the choice, include secondary figures)."""
    used = ["drug"]
    drugs = tuple(
        filters.multiselect("drug", ingredients, label="Drug", help="ketamine and/or esketamine")
    )
    used.append("secondary")
    include_secondary = components.secondary_toggle(
        "Figures quoted from another publication rather than the original; off by default."
    )
    choice = frames.Choice(source=None, drugs=drugs)
    if available:
        used += ["src", "years", "mask"]
        source = filters.selectbox(
            "src", available, label="Data", format_func=SOURCE_NAMES.get, default=available[0]
        )
        role = "any"
        if source == wc.FAERS_QUARTERLY:
            used.append("role")
            role = filters.selectbox(
                "role", list(ROLES), label="Drug's role in the report", format_func=ROLES.get
            )
        choice = frames.Choice(source=source, drugs=drugs, role=role or "any")
        span = filters.year_range("years", years_of_source(choice), label="Years received")
        first, last = span if span else (None, None)
        mask = filters.toggle(
            "mask",
            label="Mask label-expected events in the signal table",
            help="Events listed in the product label (dissociation and sedation for Spravato ...)",
        )
        used.append(compare.COMPARATOR_KEY)
        comparator = compare.choose_comparator(source, drugs, groups)
        choice = frames.Choice(source, drugs, role or "any", first, last, mask, comparator)
    filters.drop_unused(used)
    return choice, include_secondary


def counts_text(choice: frames.Choice) -> str:
    """What the counts under every chart count, for the chosen source (and role)."""
    counts = COUNTS[choice.source]
    if choice.source == wc.FAERS_QUARTERLY:
        counts += f"; drug in {ROLES[choice.role]}"
    return counts


def section_source(choice: frames.Choice, meta: dict) -> None:
    st.caption(
        f"Data: {SOURCE_NAMES[choice.source]} · {md(meta.get('citation'))} · vintage "
        f"{md(meta.get('vintage') or str(meta.get('last_success') or '')[:10]) or 'unknown'}"
    )


def section_quarterly(
    choice: frames.Choice,
    rows: pd.DataFrame,
    breaks: pd.DataFrame,
    quarters: pd.DataFrame | None,
) -> None:
    st.header("Reports per quarter")
    if rows.empty:
        components.notice("No quarterly counts for this choice.")
        return
    frame = transforms.chart_frame(
        rows.drop(columns=["series_breaks"]), breaks=pd.to_datetime(breaks["date"])
    )
    chart = specs.chart_spec(
        charts.quarterly_reports,
        data=frame,
        breaks=breaks,
        title="Reports per quarter received, by drug",
    )
    components.chart_block(
        chart,
        frame,
        key=f"ae_quarterly_{choice.source}",
        counts=counts_text(choice) + "; lines are cut at reporting and method breaks",
    )
    if choice.source == wc.FAERS_QUARTERLY:
        with st.expander("Quarters loaded"):
            st.dataframe(quarters, hide_index=True, width="stretch")


def section_reactions(choice: frames.Choice, reactions: pd.DataFrame) -> None:
    st.header("Top reactions")
    if reactions.empty:
        components.notice("No reactions reported for this choice.")
        return
    chart = specs.chart_spec(
        charts.count_bars,
        data=reactions,
        title="MedDRA preferred terms in the most reports",
        category="term",
    )
    components.chart_block(
        chart,
        reactions,
        key=f"ae_reactions_{choice.source}",
        counts=counts_text(choice) + "; a report can list several reactions",
    )


def section_outcomes(choice: frames.Choice, outcomes: pd.DataFrame) -> None:
    st.header("Serious outcomes and deaths")
    if outcomes.empty:
        components.notice("No serious outcomes coded for this choice.")
        return
    note = (
        "; FDA outcome codes (a report can have several; none coded = not serious)"
        if choice.source == wc.FAERS_QUARTERLY
        else "; openFDA `serious` and `seriousnessdeath` fields, all years"
    )
    chart = specs.chart_spec(
        charts.count_bars, data=outcomes, title="Reports by seriousness and outcome"
    )
    components.chart_block(
        chart, outcomes, key=f"ae_outcomes_{choice.source}", counts=counts_text(choice) + note
    )


def section_people(choice: frames.Choice, people: pd.DataFrame) -> None:
    st.header("Sex and age")
    for part, title in (("sex", "Reports by sex"), ("age", "Reports by age group")):
        shown = frames.people_part(people, choice.source, part)
        if shown.empty:
            components.notice(f"{title}: nothing reported for this choice.")
            continue
        chart = specs.chart_spec(charts.count_bars, data=shown, title=title)
        components.chart_block(
            chart, shown, key=f"ae_{part}_{choice.source}", counts=counts_text(choice)
        )
    st.header("Reporter type")
    shown = frames.people_part(people, choice.source, "reporter")
    if shown.empty:
        components.notice("No reporter type recorded for this choice.")
        return
    chart = specs.chart_spec(charts.count_bars, data=shown, title="Reports by who reported them")
    components.chart_block(
        chart,
        shown,
        key=f"ae_reporter_{choice.source}",
        counts=counts_text(choice) + "; consumer reports are often not medically confirmed",
    )
