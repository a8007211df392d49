"""Therapeutic context: approvals, scheduling and safety alerts; Spravato Part D and ketamine
prescriptions; registered studies; the claims-and-evidence table; supply and harms side by side.
Streamlit only arranges; numbers come from dashboard/queries_therapeutic.py. The side-by-side
harm panels are ketamine or esketamine series (role 'focus') of primary figures; secondary
figures appear only with the toggle, labelled."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import warehouse_contract as wc
from dashboard import (
    charts,
    claims_table,
    components,
    filters,
    queries,
    selection,
    specs,
    transforms,
)
from dashboard import queries_therapeutic as qt
from dashboard.charts import therapeutic as tcharts
from dashboard.safe_text import md, safe_url

PARTD_NOTE = (
    "Medicare Part D only (people enrolled in Medicare drug plans). **Ketamine has no row in the "
    "Part D Spending by Drug file**: it is given in hospitals and clinics. **Spravato given in a "
    "certified clinic can be billed under Part B**, which this file does not cover. Claims are "
    "prescription fills (refills count again); spending is gross drug cost before rebates."
)
HARM_DOMAINS = (wc.POISON_CENTER, wc.ADVERSE_EVENTS, wc.MORTALITY, wc.MISUSE, wc.SUPPLY)


def short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


st.title("Therapeutic context")
st.markdown(
    "Ketamine is an approved anesthetic, and esketamine (Spravato) is approved for "
    "treatment-resistant depression; other uses are off-label or under study. This page puts "
    "what was approved, prescribed and registered beside the harm indicators. It reports "
    "published and registered data only; it is not medical advice."
)
components.header()
if not queries.has_warehouse():
    st.stop()
include_secondary = components.secondary_toggle(
    "Figures quoted from another publication rather than the original (news summaries, "
    "fact sheets citing a commercial audit ...) are left out unless you ask; they are then "
    "labelled '(secondary)'."
)
filters.drop_unused(["secondary"])

events = qt.milestones()
show_milestones = components.milestone_toggle()

# --- Timeline -------------------------------------------------------------------------------
st.header("Approvals, scheduling and safety alerts")
if events.empty:
    components.notice("No regulatory milestones are loaded.")
else:
    timeline = specs.chart_spec(
        tcharts.milestone_timeline,
        events=events,
        title="Regulatory milestones (hover a point for the event and its source)",
    )
    shown = events[
        ["date_label", "precision", "category", "agency", "event", "citation_url", "source_title"]
    ].rename(columns={"source_title": "source"})
    components.chart_block(
        timeline,
        shown.assign(citation=events["event"], vintage=events["vintage"]),
        key="therapeutic_milestones",
        caption=(
            "Source: each event's own citation (column `citation_url` in the data table) · "
            "partial dates (year or month) are placed at the start of the period."
        ),
    )

labels = qt.drug_labels()
if labels.empty:
    st.caption(
        "FDA label text (indications, boxed warnings, REMS) is fetched live from openFDA and is "
        "not in this build; the approval dates above come from the milestones."
    )
else:
    with st.expander("FDA label text: indications, boxed warnings and REMS (openFDA)"):
        st.caption("Label text as approved by FDA; context, not medical advice.")
        st.dataframe(
            components.http_links(
                labels[["brand", "section", "text", "effective_date", "version", "source_url"]],
                "source_url",
            ),
            hide_index=True,
            width="stretch",
            column_config={"source_url": st.column_config.LinkColumn("DailyMed")},
        )

# --- Prescribing ----------------------------------------------------------------------------
st.header("Prescribing and spending")
partd = qt.source_observations(wc.CMS_PARTD)
if partd.empty:
    components.notice("Medicare Part D figures are not loaded.")
else:
    st.markdown(PARTD_NOTE)
    latest = partd.sort_values("period_start").groupby("indicator").tail(1).set_index("indicator")
    cols = st.columns(3)
    for col, (indicator, title) in zip(
        cols,
        (
            (wc.CMS_PARTD_CLAIMS_SPRAVATO, "Spravato Part D claims"),
            (wc.CMS_PARTD_BENEFICIARIES_SPRAVATO, "Spravato Part D beneficiaries"),
            (wc.CMS_PARTD_SPENDING_SPRAVATO, "Spravato Part D gross spending"),
        ),
        strict=True,
    ):
        if indicator in latest.index:
            row = latest.loc[indicator]
            value = f"${row['value']:,.0f}" if row["unit"] == "USD" else f"{row['value']:,.0f}"
            col.metric(f"{title}, {md(row['period_label'])}", value)
    for indicator, y_title in (
        (wc.CMS_PARTD_CLAIMS_SPRAVATO, "claims"),
        (wc.CMS_PARTD_SPENDING_SPRAVATO, "USD (gross)"),
    ):
        rows = partd[partd["indicator"] == indicator]
        if rows.empty:
            continue
        frame = components.chart_frame(rows)
        chart = specs.chart_spec(
            charts.time_chart,
            data=frame,
            title=str(rows["label"].iloc[0]),
            y_title=y_title,
            milestones=events,
            show_milestones=show_milestones,
        )
        components.chart_block(
            chart, frame, key=f"therapeutic_{indicator}", counts="Medicare Part D " + y_title
        )

prescriptions = qt.matching_observations(
    "prescri|Medicaid",
    domains=(wc.THERAPEUTIC,),
    sources=(wc.LITERATURE,),
    include_secondary=include_secondary,
)
if prescriptions.empty:
    components.notice("No published ketamine or esketamine prescription figures are loaded.")
else:
    st.subheader("Published prescription figures")
    counts = prescriptions[prescriptions["unit"] == "prescriptions"]
    if not counts.empty:
        frame = components.chart_frame(counts)
        chart = specs.chart_spec(
            charts.time_chart,
            data=frame,
            title="Ketamine prescriptions dispensed (as published)",
            y_title="prescriptions",
            milestones=events,
            show_milestones=show_milestones,
        )
        components.chart_block(
            chart, frame, key="therapeutic_ketamine_prescriptions", counts="prescriptions dispensed"
        )
    st.caption(
        "Other published prescribing figures (each its own definition; not joined into one line):"
    )
    st.dataframe(
        prescriptions[
            ["label", "geography", "stratum", "period_label", "value", "unit", "flags", "citation"]
        ].assign(citation_url=prescriptions["citation_url"].map(safe_url)),
        hide_index=True,
        width="stretch",
        column_config={"citation_url": st.column_config.LinkColumn("source")},
    )

# --- Trials ---------------------------------------------------------------------------------
st.header("Registered studies")
by_year = qt.trials_by_area_year()
if by_year.empty:
    ctgov = qt.source_row(wc.CLINICALTRIALS)
    components.notice(
        "The ClinicalTrials.gov registry is not loaded in this build "
        f"(status: {md(ctgov.get('status')) or 'never refreshed'}); it is fetched live with "
        "`ketamine-watch refresh clinicaltrials`. The published counts below are from reviews."
    )
else:
    chart = specs.chart_spec(
        tcharts.trials_by_area,
        data=by_year,
        title="Ketamine and esketamine studies started per year, by area",
    )
    ctgov = qt.source_row(wc.CLINICALTRIALS)
    components.chart_block(
        chart,
        by_year.assign(citation=ctgov.get("citation"), vintage=ctgov.get("vintage")),
        key="therapeutic_trials_by_area",
        counts=(
            "registered studies with an actual start date; one area per study, from its "
            "conditions (rules in etl/data/trial_areas.csv). Registration is not evidence of "
            "effect."
        ),
    )
published_trials = pd.concat(
    [
        qt.matching_observations(
            "trial",
            domains=(wc.THERAPEUTIC,),
            sources=(wc.LITERATURE,),
            include_secondary=include_secondary,
        ),
        qt.matching_undated("trial"),
    ],
    ignore_index=True,
)
if not published_trials.empty:
    st.subheader("Published counts of registered trials")
    what = published_trials.get("label", pd.Series(index=published_trials.index, dtype=object))
    if "indicator_text" in published_trials:
        what = what.fillna(published_trials["indicator_text"])
    table = published_trials.assign(what=what)[
        ["what", "period_label", "stratum", "value", "unit", "flags", "citation", "citation_url"]
    ]
    st.dataframe(
        components.http_links(table, "citation_url"),
        hide_index=True,
        width="stretch",
        column_config={"citation_url": st.column_config.LinkColumn("source")},
    )
    st.caption(
        "Each review searched the registry its own way (TRD only; psychiatric disorders only) on "
        "its own date; these counts are not comparable with each other or with the registry chart."
        " Links to clinic and seller sites are never loaded; the citation text is kept."
    )

# --- Claims and evidence --------------------------------------------------------------------
st.header("Claims and evidence")
st.markdown(
    "Each claim of a consumer article about ketamine's uses and risks, with the verdict a curator "
    "reached from primary sources (approved, supported, partly supported, not supported), the "
    "evidence and its citation, beside what this warehouse holds about it. Every cell names its "
    "source or says that there is no data. A registered study, a prescription or an adverse-event "
    "report is not proof that a use works or that a drug caused a harm."
)
evidence = claims_table.build(qt)
if evidence.empty:
    components.notice(claims_table.NO_CLAIMS)
else:
    verdicts = evidence["verdict"].value_counts()
    st.caption(
        " · ".join(
            f"{verdict}: {verdicts.get(verdict, 0)}" for verdict in claims_table.VERDICT_ORDER
        )
        + " (claims per verdict). 'explore' opens the series on the Overview page."
    )
    # Eight columns of evidence are wider than a page (and far wider than a phone): the table
    # scrolls sideways inside its own box instead of running off the page.
    st.markdown(
        "<style>[data-testid='stMarkdownContainer'] table {display: block; overflow-x: auto;}"
        "</style>",
        unsafe_allow_html=True,
    )
    st.markdown(claims_table.to_markdown(evidence))
st.download_button(
    "CSV of this table",
    data=claims_table.for_csv(evidence).to_csv(index=False).encode("utf-8"),
    file_name="therapeutic_claims_evidence.csv",
    mime="text/csv",
    key="csv_therapeutic_claims",
)

# --- Side by side ---------------------------------------------------------------------------
st.header("Side by side: therapeutic supply and harm indicators")
panels = []
for indicator, name in ((wc.CMS_PARTD_CLAIMS_SPRAVATO, "Spravato Part D claims"),):
    rows = partd[partd["indicator"] == indicator] if not partd.empty else partd
    if not rows.empty:
        panels.append(("Therapeutic supply", name, rows))
if not prescriptions.empty and not prescriptions[prescriptions["unit"] == "prescriptions"].empty:
    rows = prescriptions[prescriptions["unit"] == "prescriptions"]
    name = selection.tagged_label(
        label="Ketamine prescriptions dispensed (IQVIA)",
        secondary=selection.is_secondary(rows["secondary_share"].max()),
    )
    panels.append(("Therapeutic supply", name, rows))
first_supply = min(
    (pd.to_datetime(rows["period_start"]).min().year for _, _, rows in panels), default=2019
)
SINCE = first_supply - 6
harm = qt.harm_series(HARM_DOMAINS, since_year=SINCE, include_secondary=include_secondary)
for row in harm.itertuples():
    rows = qt.series_rows(
        row.indicator, row.geography, row.stratum, include_secondary=include_secondary
    )
    name = selection.tagged_label(
        label=f"{short(row.label, 70)} — {row.geography}, {row.stratum}",
        role=row.role,
        substance=row.substance,
        secondary=selection.is_secondary(row.secondary_share),
    )
    panels.append(("Harm indicator", name, rows))
frames = []
for group, name, rows in panels:
    frame = transforms.chart_frame(rows)
    frames.append(frame.assign(group=group, panel=name))
if len(frames) < 2:
    components.notice("Too few series are loaded to set supply and harms side by side.")
else:
    combined = pd.concat(frames, ignore_index=True)
    combined = combined[combined["period_end"] >= pd.Timestamp(SINCE, 1, 1)]
    chart = specs.chart_spec(
        tcharts.side_by_side,
        data=combined,
        milestones=events,
        show_milestones=show_milestones,
        title="Same time axis; dashed rules are regulatory milestones",
    )
    components.chart_block(
        chart,
        combined,
        key="therapeutic_side_by_side",
        counts=(
            "each panel in its own unit and definition (claims, prescriptions, exposures, "
            "reports ...). Panels are aligned in time, not added or compared in level."
        ),
    )
