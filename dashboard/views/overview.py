"""Overview: one card per stream (latest value, change against the previous comparable period,
sparkline, source and period), "What changed" sentences written from the data, a flag where a
stream moved beyond its recent range, and one series explored in full below.

Every number comes from a query; none is typed into the page. Filters live in the URL
(`geo`, `group`, `years`, `ind`, `per100k`), so a view can be shared and reopened exactly.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, components, filters, narrative, queries, specs, transforms
from dashboard.charts.theme import PALETTE

DOMAIN_TITLES = {
    "poison_center": "Poison-center exposures",
    "mortality": "Deaths",
    "adverse_events": "Adverse-event reports",
    "misuse": "Survey prevalence and treatment",
    "supply": "Supply: lab reports and seizures",
    "wastewater": "Wastewater",
    "therapeutic": "Therapeutic use",
    "context": "Context",
}
DOMAIN_ORDER = list(DOMAIN_TITLES)
CARDS_PER_ROW = 3


def by_frequency(values: pd.Series) -> list[str]:
    """Options ordered by how many series have them (the useful ones first)."""
    return values.value_counts().index.astype(str).tolist()


def where_text(geography: str, stratum: str) -> str:
    return f"{geography} · {stratum}"


def explore(indicator: str) -> None:
    st.session_state[filters.WIDGET_PREFIX + "ind"] = indicator


def stream_card(row, first_year: int | None, last_year: int | None) -> dict | None:
    """Draw one stream's card; return what the "What changed" list needs (or None)."""
    data = transforms.filter_years(
        queries.series(row.indicator, row.geography, row.stratum), first_year, last_year
    )
    summary = transforms.change_summary(data)
    if not summary:
        return None
    spread = transforms.recent_range(data)
    frame = components.chart_frame(data)
    title = DOMAIN_TITLES.get(row.domain, row.domain)
    with st.container(border=True):
        st.markdown(f"**{title}**  \n{row.label}")
        st.caption(where_text(row.geography, row.stratum))
        change = summary["change_pct"]
        unit = str(summary["unit"])
        st.metric(
            f"{summary['latest_period']} · {unit}",
            narrative.format_value(summary["latest_value"], "%" if unit == "percent" else ""),
            f"{change:+.0f}% vs {summary['previous_period']}" if change is not None else None,
            delta_color="off",
            help="Change against the previous period of the same length.",
        )
        flag = narrative.range_flag(spread, summary["unit"])
        if flag:
            st.markdown(f":orange-background[{flag}]")
        if "provisional" in str(summary["flags"]):
            st.caption("◌ The latest figure is provisional (still filling in).")
        components.draw_chart(
            specs.chart_spec(charts.sparkline, data=frame, colour=PALETTE[0]),
            key=f"spark_{row.domain}",
            alt_text=f"Sparkline of {row.label}; the Numbers table below holds the same values.",
        )
        first = data.sort_values("period_start").iloc[0]["period_label"]
        cited = data.sort_values("period_start").iloc[-1]
        name = str(cited["citation"] or cited["publisher"])
        name = name if len(name) <= 70 else name[:70] + "…"
        url = cited.get("citation_url")
        link = f"[{name}]({url})" if isinstance(url, str) and url else name
        st.caption(
            f"Source: {link} · {len(data)} periods, {first} to {summary['latest_period']} · "
            f"vintage: {cited['vintage']}"
        )
        with st.expander("Numbers"):
            st.dataframe(
                components.export_columns(frame)[["period_label", "value", "unit", "flags"]],
                hide_index=True,
                width="stretch",
            )
        st.button(
            "Explore this series below",
            key=f"explore_{row.domain}",
            on_click=explore,
            args=(row.indicator,),
        )
    where = where_text(row.geography, row.stratum)
    return {
        "stream": title,
        "label": row.label,
        "where": where,
        "summary": summary,
        "spread": spread,
    }


st.title("Ketamine Watch")
components.header()
st.markdown(
    "Harm trends for ketamine and esketamine beside their therapeutic use, from published data. "
    "Every number carries its source; series with different definitions are never joined."
)
if not queries.has_warehouse():
    st.stop()

catalog = queries.series_catalog()
if catalog.empty:
    components.notice("No dated series is loaded yet.")
    st.stop()

left, middle, right = st.columns(3)
geographies = filters.multiselect(
    "geo",
    by_frequency(catalog["geography"]),
    label="Geography",
    default=[],
    help="Leave empty for every geography.",
    container=left,
)
groups = filters.multiselect(
    "group",
    by_frequency(catalog["stratum"]),
    label="Population group",
    default=[],
    help="Leave empty for every group (age, sex, grade, setting ...).",
    container=middle,
)
all_years = range(
    pd.Timestamp(catalog["first_period"].min()).year,
    pd.Timestamp(catalog["last_period"].max()).year + 1,
)
years = filters.year_range("years", list(all_years), label="Years", container=right)
first_year, last_year = years if years else (None, None)

headlines = queries.headline_indicators(
    2,
    geographies=tuple(geographies),
    strata=tuple(groups),
    first_year=first_year,
    last_year=last_year,
)
if headlines.empty:
    components.notice("No stream has two or more periods for these filters. Widen them.")
    st.stop()
headlines = headlines.assign(
    order=headlines["domain"].map(lambda d: DOMAIN_ORDER.index(d) if d in DOMAIN_ORDER else 99)
).sort_values("order")

st.header("Streams")
st.caption(
    "One headline series per stream: from the publisher's own files where loaded, current, "
    "and with the most periods. Change is against the previous period of the same length."
)
changes = []
rows = list(headlines.itertuples())
for start in range(0, len(rows), CARDS_PER_ROW):
    columns = st.columns(CARDS_PER_ROW)
    for column, row in zip(columns, rows[start : start + CARDS_PER_ROW], strict=False):
        with column:
            change = stream_card(row, first_year, last_year)
        if change:
            changes.append(change)

st.header("What changed")
st.markdown(
    "\n".join(
        "- " + narrative.what_changed(**change)
        for change in sorted(changes, key=lambda c: (c["spread"] or {}).get("beyond") is None)
    )
)

st.header("Explore one series")


@st.fragment
def explore_one_series(
    headlines: pd.DataFrame,
    geographies: list[str],
    groups: list[str],
    first_year: int | None,
    last_year: int | None,
) -> None:
    """The explored series. A fragment: changing its definition reruns only this part, not the
    cards above (which do not depend on it)."""
    candidates = queries.series_catalog(
        geographies=tuple(geographies),
        strata=tuple(groups),
        first_year=first_year,
        last_year=last_year,
    )
    labels = (
        candidates.sort_values("points", ascending=False)
        .drop_duplicates("indicator")
        .set_index("indicator")
    )
    options = list(dict.fromkeys([*headlines["indicator"], *labels.index]))
    indicator = filters.selectbox(
        "ind",
        options,
        label="Definition (one indicator; never two joined)",
        default=headlines["indicator"].iloc[0],
        format_func=lambda i: (
            f"{DOMAIN_TITLES.get(labels.at[i, 'domain'], labels.at[i, 'domain'])}: "
            f"{labels.at[i, 'label']} ({labels.at[i, 'unit']})"
        ),
    )
    data = queries.observations((indicator,))
    if geographies:
        data = data[data["geography"].isin(geographies)]
    if groups:
        data = data[data["stratum"].isin(groups)]
    data = transforms.filter_years(data, first_year, last_year)
    denominators = queries.denominators()
    per_capita = False
    per_capita_offered = (
        not denominators.empty and data["geography"].isin(denominators["geography"]).any()
    )
    if per_capita_offered:
        per_capita = filters.toggle(
            "per100k", label="Per 100,000 people", help="Divide by the population of the same year."
        )
    else:
        st.caption("Per-capita view: no population denominator is loaded for these geographies.")
    show_milestones = components.milestone_toggle()
    filters.drop_unused(
        ["geo", "group", "years", "ind", components.MILESTONE_KEY]
        + (["per100k"] if per_capita_offered else [])
    )
    if per_capita:
        data = transforms.per_capita(data, denominators)
    if data.empty:
        components.notice("No published numbers for this definition with these filters.")
        return
    frame = components.chart_frame(data)
    unit = str(frame["unit"].iloc[0])
    chart = specs.chart_spec(
        charts.time_chart,
        data=frame,
        title=str(frame["label"].iloc[0]),
        subtitle=f"{frame['publisher'].iloc[0]} · {unit}",
        y_title=unit,
        milestones=queries.events(),
        show_milestones=show_milestones,
        height=300,
    )
    components.chart_block(
        chart,
        frame,
        key=f"overview_{indicator}",
        counts=str(frame["definition"].iloc[0] or ""),
    )


explore_one_series(headlines, geographies, groups, first_year, last_year)
