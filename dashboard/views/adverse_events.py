"""Adverse events: FAERS reports per quarter (ketamine vs esketamine, with the Spravato approval
as a reporting break), top reactions, serious outcomes and deaths, sex and age, reporter type,
the disproportionality table, and the published FAERS figures. Streamlit only arranges; numbers
come from dashboard/queries_adverse_events.py, drawing from dashboard/charts/adverse_events.py."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import warehouse_contract as wc
from dashboard import adverse_events_frames as frames
from dashboard import components, filters, queries, specs, transforms
from dashboard import queries_adverse_events as qa
from dashboard.charts import adverse_events as aecharts
from dashboard.safe_text import md

SOURCE_NAMES = {
    qa.FAERS: "FAERS quarterly data files (de-duplicated)",
    qa.OPENFDA: "openFDA count API",
}
ROLES = {"any": "any role (suspect or concomitant)", "suspect": "suspect (primary or secondary)"}
CAVEATS = (
    "**Read these numbers as FDA asks.** Reports are not incidence: nobody knows how many people "
    "took the drug, so a count is not a rate. There are duplicates: the same event can reach FDA "
    "from a patient, a doctor and a manufacturer as different cases. A report does not prove "
    "that the drug caused the event. Reporting is voluntary and rises with publicity, litigation "
    "and new approvals. FAERS counts here are **de-duplicated reports (latest caseversion per "
    "caseid, deleted cases removed)**; openFDA counts are its reports as served (latest version "
    "of each report, duplicate cases not merged)."
)
COUNTS = {
    qa.FAERS: (
        "de-duplicated FAERS reports (latest caseversion per caseid, deleted cases removed), not "
        "people and not incidence; a report does not prove causation"
    ),
    qa.OPENFDA: (
        "FAERS reports as served by openFDA (latest version of each report; duplicate cases not "
        "merged), not people and not incidence; a report does not prove causation"
    ),
}
HOW_TO_LOAD = (
    "FAERS case data are not loaded in this build, so the charts below show the **published "
    "FAERS figures** from peer-reviewed analyses (each with its own definition and period). To "
    "load FDA's quarterly files: download `faers_ascii_YYYYqN.zip` from FDA's [FAERS quarterly "
    "data extract page](https://fis.fda.gov/extensions/FPD-QDE-FAERS/FPD-QDE-FAERS.html), put "
    "them in `DIR/faers_quarterly/` and run `ketamine-watch refresh --mirror DIR`. Or go online: "
    "`ketamine-watch refresh faers_quarterly openfda` fetches the newest quarters "
    "(`KETAMINE_WATCH_FAERS_QUARTERS`, default 4) and the openFDA counts."
)

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
available = [s for s in (qa.FAERS, qa.OPENFDA) if loaded[s]]
used = ["drug"]
drugs = tuple(
    filters.multiselect("drug", qa.INGREDIENTS, label="Drug", help="ketamine and/or esketamine")
)
source = role = None
first = last = None
mask = False
used.append("secondary")
include_secondary = components.secondary_toggle(
    "Figures quoted from another publication rather than the original; off by default."
)
if available:
    used += ["src", "years", "mask"]
    source = filters.selectbox(
        "src", available, label="Data", format_func=SOURCE_NAMES.get, default=available[0]
    )
    if source == qa.FAERS:
        used.append("role")
        role = filters.selectbox(
            "role", list(ROLES), label="Drug's role in the report", format_func=ROLES.get
        )
    indicator_ids = (
        tuple(
            wc.FAERS_QUARTERLY_REPORTS[(d, "suspect" if role == "suspect" else "any")]
            for d in drugs
        )
        if source == qa.FAERS
        else tuple(wc.OPENFDA_REPORTS[d] for d in drugs)
    )
    quarterly = qa.quarterly_reports(source, indicator_ids)
    span = filters.year_range("years", transforms.years_of(quarterly), label="Years received")
    first, last = span if span else (None, None)
    mask = filters.toggle(
        "mask",
        label="Mask label-expected events in the signal table",
        help="Events listed in the product label (dissociation and sedation for Spravato ...)",
    )
filters.drop_unused(used)
if not drugs:
    components.notice("Choose at least one drug.")
    st.stop()

if not available:
    st.info(HOW_TO_LOAD, icon="ℹ️")
else:
    meta = qa.source_row(source)
    st.caption(
        f"Data: {SOURCE_NAMES[source]} · {md(meta.get('citation'))} · vintage "
        f"{md(meta.get('vintage') or str(meta.get('last_success') or '')[:10]) or 'unknown'}"
    )
    counts = COUNTS[source]
    if source == qa.FAERS:
        counts += f"; drug in {ROLES[role or 'any']}"

    # --- Reports per quarter ----------------------------------------------------------------
    st.header("Reports per quarter")
    rows = transforms.filter_years(quarterly, first, last)
    approvals = qa.approval_events()
    breaks = pd.DataFrame(columns=["date", "label", "detail"])
    if not approvals.empty:
        spravato = approvals.iloc[0]
        breaks = pd.DataFrame(
            {
                "date": [pd.Timestamp(spravato["date"])],
                "label": [f"{spravato['agency']} approves Spravato: reporting break"],
                "detail": [spravato["event"]],
            }
        )
    documented = [
        (when, text)
        for raw in rows.get("series_breaks", pd.Series(dtype=object)).dropna().unique()
        for when, text in transforms.parse_breaks(str(raw))
        if "spravato" not in text.lower()  # the approval comes from `events`, above
    ]
    if documented:
        extra = pd.DataFrame(documented, columns=["date", "detail"]).drop_duplicates("date")
        breaks = pd.concat([breaks, extra.assign(label=extra["detail"])], ignore_index=True)
    if rows.empty:
        components.notice("No quarterly counts for this choice.")
    else:
        frame = transforms.chart_frame(
            rows.drop(columns=["series_breaks"]), breaks=pd.to_datetime(breaks["date"])
        )
        chart = specs.chart_spec(
            aecharts.quarterly_reports,
            data=frame,
            breaks=breaks,
            title="Reports per quarter received, by drug",
        )
        components.chart_block(
            chart,
            frame,
            key=f"ae_quarterly_{source}",
            counts=counts + "; lines are cut at reporting and method breaks",
        )
        if source == qa.FAERS:
            with st.expander("Quarters loaded"):
                st.dataframe(qa.loaded_quarters(), hide_index=True, width="stretch")

    # --- Top reactions ----------------------------------------------------------------------
    st.header("Top reactions")
    if source == qa.FAERS:
        reactions = qa.faers_top_reactions(drugs, role or "any", first, last)
    else:
        reactions = qa.openfda_top_reactions(drugs)
    reactions = frames.with_provenance(frames.with_share(reactions), meta)
    if reactions.empty:
        components.notice("No reactions reported for this choice.")
    else:
        chart = specs.chart_spec(
            aecharts.count_bars,
            data=reactions,
            title="MedDRA preferred terms in the most reports",
            category="term",
        )
        components.chart_block(
            chart,
            reactions,
            key=f"ae_reactions_{source}",
            counts=counts + "; a report can list several reactions",
        )

    # --- Serious outcomes and deaths --------------------------------------------------------
    st.header("Serious outcomes and deaths")
    if source == qa.FAERS:
        outcomes = frames.with_share(qa.faers_outcomes(drugs, role or "any", first, last))
        note = "; FDA outcome codes (a report can have several; none coded = not serious)"
    else:
        outcomes = qa.openfda_counts(drugs, ("serious", "death"))
        note = "; openFDA `serious` and `seriousnessdeath` fields, all years"
    outcomes = frames.with_provenance(outcomes, meta)
    if outcomes.empty:
        components.notice("No serious outcomes coded for this choice.")
    else:
        chart = specs.chart_spec(
            aecharts.count_bars, data=outcomes, title="Reports by seriousness and outcome"
        )
        components.chart_block(chart, outcomes, key=f"ae_outcomes_{source}", counts=counts + note)

    # --- Sex, age and reporter --------------------------------------------------------------
    if source == qa.FAERS:
        people = qa.faers_people(drugs, role or "any", first, last)
        parts = {"sex": "sex", "age": "age", "reporter": "reporter"}
    else:
        people = qa.openfda_counts(drugs, ("sex", "agegroup", "qualification"))
        parts = {"sex": "sex", "age": "agegroup", "reporter": "qualification"}
    people = frames.with_provenance(people, meta)
    st.header("Sex and age")
    for part, title in (("sex", "Reports by sex"), ("age", "Reports by age group")):
        shown = people[people["dimension"] == parts[part]] if not people.empty else people
        if shown.empty:
            components.notice(f"{title}: nothing reported for this choice.")
            continue
        chart = specs.chart_spec(aecharts.count_bars, data=shown, title=title)
        components.chart_block(chart, shown, key=f"ae_{part}_{source}", counts=counts)
    st.header("Reporter type")
    shown = people[people["dimension"] == parts["reporter"]] if not people.empty else people
    if shown.empty:
        components.notice("No reporter type recorded for this choice.")
    else:
        chart = specs.chart_spec(
            aecharts.count_bars, data=shown, title="Reports by who reported them"
        )
        components.chart_block(
            chart,
            shown,
            key=f"ae_reporter_{source}",
            counts=counts + "; consumer reports are often not medically confirmed",
        )

    # --- Signals ----------------------------------------------------------------------------
    st.header("Disproportionality signals")
    st.markdown(
        "Each row is a 2×2 table of reports: **a** with the drug (as suspect) and the event, "
        "**b** with the drug and other events, **c** other drugs with the event, **d** the rest. "
        "**Comparator: all other drugs** (every other report in the "
        + ("loaded quarters" if source == qa.FAERS else "openFDA database")
        + "). A signal is a statistical association in reporting, not a proven risk. "
        + (
            "**Masking is on**: events expected from the label are left out."
            if mask
            else "**Masking is off**: events expected from the label are kept and marked."
        )
    )
    found = qa.signals(source, drugs, mask=mask)
    if found.empty:
        components.notice("No signal rows for this choice.")
    else:
        st.dataframe(frames.signal_table(found), hide_index=True, width="stretch")
        forest = frames.with_provenance(frames.forest_rows(found), meta)
        if not forest.empty:
            chart = specs.chart_spec(
                aecharts.signal_forest,
                data=forest,
                title="Reporting odds ratio with 95% CI (events with a finite CI)",
            )
            components.chart_block(
                chart,
                forest,
                key=f"ae_signals_{source}",
                counts=counts + "; ROR and PRR against all other drugs",
            )
        if source == qa.OPENFDA:
            st.caption(
                "openFDA gives background counts for its top 1,000 reaction terms only; an event "
                "outside them has no signal row."
            )

# --- Published FAERS figures ------------------------------------------------------------------
st.header("Published FAERS analyses")
published = qa.published_figures(include_secondary=include_secondary)
charted, rest = frames.published_by_unit(published)
if not charted:
    components.notice("No published FAERS figures are loaded.")
titles = {
    "reports": ("Reports analysed in published FAERS studies", "reports", False),
    "cases": ("Cases analysed in published FAERS studies", "cases", False),
    "ROR": ("Published reporting odds ratios (log scale; 1 = no disproportion)", "ROR", True),
    "percent": ("Published shares of signals by system organ class", "percent", False),
}
for unit, rows in charted:
    title, x_title, log_scale = titles[unit]
    chart = specs.chart_spec(
        aecharts.published_values, data=rows, title=title, x_title=x_title, log_scale=log_scale
    )
    components.chart_block(
        chart,
        rows,
        key=f"ae_published_{unit}",
        counts=(
            f"{x_title} as each study published them, each with its own drug definition, period "
            "and comparator; not comparable with each other or with the counts above"
        ),
    )
if not rest.empty:
    st.dataframe(
        components.http_links(
            rest[["figure", "value", "unit", "citation", "citation_url"]], "citation_url"
        ),
        hide_index=True,
        width="stretch",
        column_config={"citation_url": st.column_config.LinkColumn("source")},
    )
