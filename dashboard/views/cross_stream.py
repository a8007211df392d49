"""Cross-stream trends: every harm stream on one time axis, each indexed to 100 in the first
year all shown streams share (so unlike units compare), with milestones and method changes as
rules. It shows where streams move together and where they do not.

By default one ketamine or esketamine series of primary figures per stream
(`selection.default_indexed_together`); other substances are offered labelled "comparator: ...",
all-drug totals "context: ...", and secondary figures only with the toggle, labelled."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, components, filters, queries, selection, specs, transforms
from dashboard import queries_harm as qh

HARM_DOMAINS = ("poison_center", "misuse", "mortality", "supply", "wastewater")
COUNTS = (
    "each series divided by its own value in the first year every shown series has, times 100. "
    "An index compares direction and pace, not size: 200 means twice that series' base-year "
    "level, in its own unit and definition (exposure calls, survey prevalence, deaths, lab "
    "reports, mass loads). Only series with yearly periods are offered."
)

st.title("Cross-stream trends")
components.header()
if not queries.has_warehouse():
    st.stop()

include_secondary = components.secondary_toggle(
    "Figures quoted from another publication rather than the original are offered only "
    "when you ask; they are labelled '(secondary)' and never chosen by default."
)
filters.drop_unused(["secondary"])
catalog = selection.offered(
    qh.annual_series(HARM_DOMAINS, include_secondary=include_secondary),
    include_secondary=include_secondary,
)
if catalog.empty:
    components.notice("No yearly harm series with three or more points are loaded.")
    st.stop()
catalog = catalog.assign(
    key=[
        selection.series_key(indicator=i, geography=g, stratum=s)
        for i, g, s in zip(
            catalog["indicator"], catalog["geography"], catalog["stratum"], strict=True
        )
    ],
    name=[
        f"{r.domain}: "
        + selection.tagged_label(
            label=f"{r.label} · {r.geography} · {r.stratum}",
            role=r.role,
            substance=r.substance,
            secondary=selection.is_secondary(r.secondary_share),
        )
        for r in catalog.itertuples()
    ],
)
names = catalog.set_index("key")["name"].to_dict()
# default: per stream, the longest yearly ketamine/esketamine series of primary figures that
# shares a year with the others (so they can be indexed together)
defaults = selection.default_indexed_together(catalog)["key"].tolist()
chosen = st.multiselect(
    "Streams (one yearly series each; add or remove)",
    options=list(names),
    default=defaults,
    format_func=names.get,
    key="cross_stream_series",
)
if not chosen:
    components.notice("Choose at least one series.")
    st.stop()

frames = []
for key in chosen:
    indicator, geography, stratum = key.split("|", 2)
    frames.append(
        queries.series(indicator, geography, stratum, include_secondary=include_secondary)
    )
rows = pd.concat(frames, ignore_index=True)
data = transforms.chart_frame(rows)
indexed = transforms.index_to_first_common(data)
if indexed["index"].isna().all():
    components.notice(
        "The chosen series share no common year, so they cannot be indexed together. "
        "Remove a series to find a common base year."
    )
    st.dataframe(
        data[["series", "period_label", "value", "unit"]], hide_index=True, width="stretch"
    )
    st.stop()
base_year = int(indexed["base_year"].iloc[0])
show_milestones = components.milestone_toggle()
indexed = indexed[indexed["index"].notna()]
chart = specs.chart_spec(
    charts.time_chart,
    data=indexed,
    title=f"Harm streams indexed to {base_year} = 100",
    subtitle="Milestones and method changes as rules; each line keeps its own definition",
    y_title=f"index ({base_year} = 100)",
    value_field="index",
    milestones=qh.timeline_events(),
    show_milestones=show_milestones,
)
components.chart_block(chart, indexed, key="cross_stream_index", counts=COUNTS)
