"""The alert sections: the Overview's "Alerts" list (top of the page), a series' expected band
and threshold with alarms marked, and the Data & methods explanation. Layout only: the frames
come from dashboard/common/queries_alerts.py, shaped by dashboard/common/alerts_frames.py.

What is shown is what the last refresh published: an alert is a published value above the
threshold its method computed from the series' own past; with none, the section says so.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from dashboard.common import alerts_frames, components, filters, queries_alerts
from dashboard.common.charts.alert_band import band_chart
from dashboard.common.safe_text import md, plain

OVERVIEW_PAGE = "overview/page.py"


def section_alerts() -> None:
    """Current alerts, each with its method and threshold, linked to its series."""
    st.header("Alerts")
    if not queries_alerts.tested():
        st.markdown("Alerts are not computed for this warehouse yet: run `ketamine-watch refresh`.")
        return
    alerts = queries_alerts.current_alerts()
    if alerts.empty:
        st.markdown(
            "**No alerts.** No published value is above the threshold its method set from the "
            "series' own past (see Data & methods for the methods and their false-alarm rates)."
        )
        return
    focus = alerts[alerts["role"] == "focus"]
    others = alerts[alerts["role"] != "focus"]
    if focus.empty:
        st.markdown("**No alerts on ketamine or esketamine series.**")
    else:
        st.markdown(
            f"**{len(focus)} current alert{'s' if len(focus) != 1 else ''} on ketamine or "
            "esketamine series**: a published value above the threshold computed from the "
            "series' own past. An alert says a series changed more than its history makes "
            "likely, not why; check the source's caveats."
        )
        alert_list(focus)
    if not others.empty:
        with st.expander(
            f"{len(others)} alert{'s' if len(others) != 1 else ''} on other drugs and all-drug "
            "totals (comparators and context)"
        ):
            alert_list(others)


def alert_list(alerts: pd.DataFrame) -> None:
    """The alerts' table, then a link to each alerted series."""
    st.dataframe(alerts_frames.alert_table(alerts), hide_index=True, width="stretch")
    st.markdown("Open an alerted series (the Overview's explorer, with its expected band):")
    for indicator, text in alerts_frames.series_links(alerts):
        link_to(indicator, text)


def link_to(indicator: str, text: str) -> None:
    """An in-app link opening the Overview with this indicator explored (`?ind=`)."""
    try:
        st.page_link(OVERVIEW_PAGE, label=md(text), query_params={"ind": indicator})
    except StreamlitAPIException:  # the page run on its own, outside the app's navigation
        st.markdown(md(text))


def section_band(indicator: str | None = None) -> None:
    """The explored indicator's tested periods: value, expected value, threshold and alarms."""
    indicator = indicator or st.session_state.get(filters.WIDGET_PREFIX + "ind")
    if not indicator:
        return
    evaluations = queries_alerts.band(indicator)
    if evaluations.empty:
        statuses = queries_alerts.series_status(indicator)
        if not statuses.empty:
            st.caption("Alert test for this series: " + ", ".join(sorted(set(statuses["status"]))))
        return
    choices = alerts_frames.band_series(evaluations)
    geography, stratum = choices[0]
    if len(choices) > 1:
        geography, stratum = st.selectbox(
            "Series tested for alerts",
            choices,
            format_func=lambda c: f"{c[0]}, {c[1]}",
            key="alert_band_series",
        )
    band = alerts_frames.band_frame(evaluations, geography, stratum)
    title = f"Expected value and alert threshold: {plain(geography)}, {plain(stratum)}"
    unit = str(band["unit"].iloc[0] or "")
    components.draw_chart(
        band_chart(band, title=title, unit=unit), alt_text=f"{title}; table below"
    )
    st.caption(
        f"Method: {md(band['method'].iloc[-1])}. Observed values (solid), expected (dashed) and "
        "the alarm threshold (dotted) for each tested period; a triangle marks an alarm."
    )
    with st.expander("Tested periods (the same numbers as the chart)"):
        shown = band[["period_label", "value", "expected", "threshold", "alarm", "reason"]]
        st.dataframe(shown, hide_index=True, width="stretch")


METHODS = """
Every refresh tests each published series against its own past and raises an **alert** when the
newest value is above a threshold. The method depends on the series:

- **Farrington flexible** (Noufaily et al. 2013; the method of UKHSA and ECDC, as in R's
  `surveillance` package) for monthly, quarterly and annual counts and rates with enough history:
  a regression on the same season of the past years (monthly series add a trend when it is clear),
  where past outbreaks count less, gives an expected value; the threshold is the value that,
  if nothing has changed, would be exceeded in about 1 period in 100.
- **EWMA** (a smoothed running average, as in CDC's ESSENCE) for short count series: the
  recent average is compared with the baseline before it.
- **Logit regression** for percentages: a trend on the log-odds scale and its upper prediction
  bound.
- **Too short to test**: a series with too few points (an annual series under 8) gets no alert.
- **FAERS signals**: for ketamine and esketamine and each reaction of interest, the cumulative
  PRR and ROR quarter by quarter; the quarter the criteria (PRR ≥ 2, χ² ≥ 4, at least 3 reports)
  were first met is the "time to signal". A reaction on the label is marked as expected.

**False alarms.** With α = 0.01, about 1 tested period in 100 is flagged although nothing
changed, and with hundreds of series some alerts each year are chance. On simulated monthly and
quarterly counts (`benchmarks/README.md`) the measured rates stay within 1.5 times that, and a
doubling is detected within two periods in most cases. Annual series have only 5 years of
baseline: simulated, about 2 tested years in 100 alarm by chance (3 in 100 for rates). An alert
is a prompt to look, not a finding.
"""


def section_methods() -> None:
    st.header("Alerts: methods and false alarms")
    st.markdown(METHODS)
    summary = alerts_frames.methods_summary(queries_alerts.tested_summary())
    if summary.empty:
        st.markdown("No alert test has run on this warehouse yet: run `ketamine-watch refresh`.")
    else:
        st.dataframe(summary, hide_index=True, width="stretch")
    signals = queries_alerts.time_to_signal()
    if not signals.empty:
        st.subheader("FAERS time to signal")
        st.dataframe(signals, hide_index=True, width="stretch")
