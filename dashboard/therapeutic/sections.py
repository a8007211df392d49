"""The sections of the Therapeutic context page, in page order. Each `section_*` draws one
header's worth of the page from frames the page script prepared (dashboard/therapeutic/queries.py
fetches, dashboard/therapeutic/frames.py shapes); none queries the warehouse itself. Text from
the warehouse reaches markdown only through `safe_text` (md, safe_url) or components.http_links.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.common import components, specs
from dashboard.common.charts import time_chart
from dashboard.common.safe_text import md, safe_url
from dashboard.therapeutic import charts, claims_table, frames

PARTD_NOTE = (
    "Medicare Part D only (people enrolled in Medicare drug plans). **Ketamine has no row in the "
    "Part D Spending by Drug file**: it is given in hospitals and clinics. **Spravato given in a "
    "certified clinic can be billed under Part B**, which this file does not cover. Claims are "
    "prescription fills (refills count again); spending is gross drug cost before rebates."
)
CLAIMS_INTRO = (
    "Each claim of a consumer article about ketamine's uses and risks, with the verdict a curator "
    "reached from primary sources (approved, supported, partly supported, not supported), the "
    "evidence and its citation, beside what this warehouse holds about it. Every cell names its "
    "source or says that there is no data. A registered study, a prescription or an adverse-event "
    "report is not proof that a use works or that a drug caused a harm."
)
LINK = {"citation_url": st.column_config.LinkColumn("source")}


def secondary_toggle() -> bool:
    return components.secondary_toggle(
        "Figures quoted from another publication rather than the original (news summaries, "
        "fact sheets citing a commercial audit ...) are left out unless you ask; they are then "
        "labelled '(secondary)'."
    )


def section_milestones(events: pd.DataFrame) -> None:
    st.header("Approvals, scheduling and safety alerts")
    if events.empty:
        components.notice("No regulatory milestones are loaded.")
        return
    timeline = specs.chart_spec(
        charts.milestone_timeline,
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


def section_labels(labels: pd.DataFrame) -> None:
    if labels.empty:
        st.caption(
            "FDA label text (indications, boxed warnings, REMS) is fetched live from openFDA and "
            "is not in this build; the approval dates above come from the milestones."
        )
        return
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


def section_partd(partd: pd.DataFrame, events: pd.DataFrame, show_milestones: bool) -> None:
    st.header("Prescribing and spending")
    if partd.empty:
        components.notice("Medicare Part D figures are not loaded.")
        return
    st.markdown(PARTD_NOTE)
    latest = frames.latest_per_indicator(partd)
    for col, (indicator, title) in zip(st.columns(3), frames.PARTD_METRICS, strict=True):
        if indicator in latest.index:
            row = latest.loc[indicator]
            value = f"${row['value']:,.0f}" if row["unit"] == "USD" else f"{row['value']:,.0f}"
            col.metric(f"{title}, {md(row['period_label'])}", value)
    for indicator, y_title in frames.PARTD_CHARTS:
        rows = partd[partd["indicator"] == indicator]
        if rows.empty:
            continue
        frame = components.chart_frame(rows)
        chart = specs.chart_spec(
            time_chart,
            data=frame,
            title=str(rows["label"].iloc[0]),
            y_title=y_title,
            milestones=events,
            show_milestones=show_milestones,
        )
        components.chart_block(
            chart, frame, key=f"therapeutic_{indicator}", counts="Medicare Part D " + y_title
        )


def section_prescriptions(
    prescriptions: pd.DataFrame, events: pd.DataFrame, show_milestones: bool
) -> None:
    if prescriptions.empty:
        components.notice("No published ketamine or esketamine prescription figures are loaded.")
        return
    st.subheader("Published prescription figures")
    counts = frames.dispensed(prescriptions)
    if not counts.empty:
        frame = components.chart_frame(counts)
        chart = specs.chart_spec(
            time_chart,
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
        column_config=LINK,
    )


def section_trials(by_year: pd.DataFrame, ctgov: dict, published: pd.DataFrame) -> None:
    st.header("Registered studies")
    if by_year.empty:
        components.notice(
            "The ClinicalTrials.gov registry is not loaded in this build "
            f"(status: {md(ctgov.get('status')) or 'never refreshed'}); it is fetched live with "
            "`ketamine-watch refresh clinicaltrials`. The published counts below are from reviews."
        )
    else:
        chart = specs.chart_spec(
            charts.trials_by_area,
            data=by_year,
            title="Ketamine and esketamine studies started per year, by area",
        )
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
    if published.empty:
        return
    st.subheader("Published counts of registered trials")
    st.dataframe(
        components.http_links(frames.published_trials_table(published), "citation_url"),
        hide_index=True,
        width="stretch",
        column_config=LINK,
    )
    st.caption(
        "Each review searched the registry its own way (TRD only; psychiatric disorders only) on "
        "its own date; these counts are not comparable with each other or with the registry chart."
        " Links to clinic and seller sites are never loaded; the citation text is kept."
    )


def section_claims(evidence: pd.DataFrame) -> None:
    st.header("Claims and evidence")
    st.markdown(CLAIMS_INTRO)
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


def section_side_by_side(
    combined: pd.DataFrame | None, events: pd.DataFrame, show_milestones: bool
) -> None:
    st.header("Side by side: therapeutic supply and harm indicators")
    if combined is None:
        components.notice("Too few series are loaded to set supply and harms side by side.")
        return
    chart = specs.chart_spec(
        charts.side_by_side,
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
