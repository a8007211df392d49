"""Overview: the headline series of each harm stream and the therapeutic context, from the
warehouse. Every number comes from a query; none is typed into the page."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, components, queries, transforms

DOMAIN_TITLES = {
    "poison_center": "Poison-center exposures",
    "misuse": "Survey prevalence and treatment",
    "mortality": "Deaths",
    "supply": "Supply: lab reports and seizures",
    "adverse_events": "Adverse-event reports",
    "wastewater": "Wastewater",
    "therapeutic": "Therapeutic use",
    "context": "Clinical context",
}

st.title("Ketamine Watch")
st.markdown(
    "Harm trends for ketamine and esketamine beside their therapeutic use, from published data. "
    "Every number carries its source; series with different definitions are never joined."
)
components.header()

if not queries.has_warehouse():
    st.stop()

headlines = queries.headline_indicators()
if headlines.empty:
    components.notice("No series with three or more points is loaded yet.")
    st.stop()

milestones = queries.events()
for row in headlines.itertuples():
    data = queries.series(row.indicator, row.geography, row.stratum)
    frame = transforms.chart_frame(data)
    summary = transforms.change_summary(data)
    st.subheader(DOMAIN_TITLES.get(row.domain, row.domain))
    if summary:
        delta = (
            f"{summary['change_pct']:+.0f}% vs {summary['previous_period']}"
            if summary["change_pct"] is not None
            else None
        )
        st.metric(
            f"{row.label} — {row.geography}, {row.stratum}, {summary['latest_period']}",
            f"{summary['latest_value']:,.4g} {summary['unit']}",
            delta,
            delta_color="off",
        )
    chart = charts.time_chart(
        data=frame,
        title=str(row.label),
        y_title=str(row.unit),
        milestones=milestones,
        height=260,
    )
    components.chart_block(chart, frame, key=f"overview_{row.domain}")
