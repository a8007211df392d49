"""Cross-stream trends: every harm stream on one time axis, each indexed to 100 in a base year
the analyst chooses ("since year X"; by default the year most shown streams share), so unlike
units compare, with milestones and method changes as
rules. It shows where streams move together and where they do not.

By default one ketamine or esketamine series of primary figures per stream
(`selection.default_indexed_together`); other substances are offered labelled "comparator: ...",
all-drug totals "context: ...", and secondary figures only with the toggle, labelled."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.common import components, filters, queries, queries_harm, selection
from dashboard.trends import since_base

PAGE_KEYS = ("secondary", "streams", since_base.BASE_KEY, components.MILESTONE_KEY)
HARM_DOMAINS = ("poison_center", "misuse", "mortality", "supply", "wastewater")
COUNTS = (
    "each series divided by its own value in the base year, times 100; points across a "
    "documented method change are left out (a gap), and no change is computed across one. "
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
catalog = selection.offered(
    queries_harm.annual_series(HARM_DOMAINS, include_secondary=include_secondary),
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
chosen = filters.multiselect(
    "streams",
    list(names),
    label="Streams (one yearly series each; add or remove)",
    default=defaults,
    format_func=names.get,
)
if not chosen:
    filters.drop_unused(PAGE_KEYS)
    components.notice("Choose at least one series.")
    st.stop()

rows = pd.concat(
    [queries.series(*key.split("|", 2), include_secondary=include_secondary) for key in chosen],
    ignore_index=True,
)
data = components.chart_frame(rows)
since_base.section(data, counts=COUNTS, milestones=queries_harm.timeline_events())
filters.drop_unused(PAGE_KEYS)
