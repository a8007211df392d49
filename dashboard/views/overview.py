"""Overview: one card per stream (latest value, change against the previous comparable period,
sparkline, source and period), "What changed" sentences written from the data, a flag where a
stream moved beyond its recent range, and one series explored in full below.

Every number comes from a query; none is typed into the page. Filters live in the URL
(`geo`, `group`, `years`, `secondary`, `ind`, `per100k`), so a view can be shared and reopened
exactly. Cards and the explored default are ketamine or esketamine series (role 'focus') of
primary figures; what is a default and how an option is labelled comes from
`dashboard/selection.py`.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import (
    charts,
    components,
    filters,
    narrative,
    queries,
    selection,
    specs,
    transforms,
)
from dashboard.charts.theme import PALETTE
from dashboard.safe_text import md, md_link, safe_url

DOMAIN_TITLES = selection.STREAM_TITLES
CARDS_PER_ROW = 3


def by_frequency(values: pd.Series) -> list[str]:
    """Options ordered by how many series have them (the useful ones first)."""
    return values.value_counts().index.astype(str).tolist()


def where_text(geography: str, stratum: str) -> str:
    return f"{geography} · {stratum}"


def where_md(geography: str, stratum: str) -> str:
    return f"{md(geography)} · {md(stratum)}"


def explore(indicator: str) -> None:
    st.session_state[filters.WIDGET_PREFIX + "ind"] = indicator


def citation_link(row: pd.Series) -> str:
    """'[citation](url)' of a published number (its own citation and link, else its source's
    title and home page), escaped markdown; the text alone when there is no http(s) link."""
    name = row.get("citation") or row.get("source_title") or row.get("publisher")
    urls = (row.get("citation_url"), row.get("source_url"))
    return md_link(name, next((u for u in urls if safe_url(u)), None), limit=71)


def stream_card(
    row, first_year: int | None, last_year: int | None, include_secondary: bool
) -> dict | None:
    """Draw one stream's card; return what the "What changed" list needs (or None)."""
    rows = queries.series(
        row.indicator, row.geography, row.stratum, include_secondary=include_secondary
    )
    data = transforms.filter_years(rows, first_year, last_year)
    summary = transforms.change_summary(data)
    if not summary:
        return None
    spread = transforms.recent_range(data)
    frame = components.chart_frame(data)
    title = DOMAIN_TITLES.get(row.domain, row.domain)
    label = selection.tagged_label(
        label=row.label,
        role=row.role,
        substance=row.substance,
        secondary=selection.is_secondary(row.secondary_share),
    )
    ordered = data.sort_values("period_start")
    cited = ordered.iloc[-1]
    with st.container(border=True):
        st.markdown(f"**{md(title)}**  \n{md(label)}")
        st.caption(
            f"{where_md(row.geography, row.stratum)}  \n"
            f"Source: {citation_link(cited)} · vintage: {md(cited['vintage'])}"
        )
        change = summary["change_pct"]
        unit = str(summary["unit"])
        st.metric(
            f"{md(summary['latest_period'])} · {md(unit)}",
            narrative.format_value(summary["latest_value"], "%" if unit == "percent" else ""),
            f"{change:+.0f}% vs {md(summary['previous_period'])}" if change is not None else None,
            delta_color="off",
            help="Change against the previous period of the same length, never across a "
            "method change.",
        )
        if summary["previous_value"] is None:
            st.caption(narrative.no_comparison_text(summary).capitalize() + ".")
        flag = narrative.range_flag(spread, summary["unit"])
        if flag:
            st.markdown(f":orange-background[{flag}]")
        if "provisional" in str(summary["flags"]):
            st.caption("◌ The latest figure is provisional (still filling in).")
        components.draw_chart(
            specs.chart_spec(charts.sparkline, data=frame, colour=PALETTE[0]),
            key=f"spark_{row.domain}",
            alt_text=f"Sparkline of {label}; the Numbers table below holds the same values.",
        )
        first = ordered.iloc[0]["period_label"]
        st.caption(f"{len(data)} periods, {md(first)} to {md(summary['latest_period'])}")
        with st.expander("Numbers"):
            st.dataframe(
                components.export_columns(frame)[
                    ["period_label", "value", "unit", "flags", "vintage"]
                ],
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
        "label": label,
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
countries = filters.multiselect(
    "geo",
    selection.countries(geographies=catalog["geography"]),
    label="Geography",
    default=[],
    help="Countries (or multi-country groups); each includes its states, regions, cities and "
    "surveillance samples. Leave empty for every geography.",
    container=left,
)
geographies = selection.geographies_in(chosen=countries, geographies=catalog["geography"])
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
include_secondary = components.secondary_toggle(
    "Figures quoted from another publication rather than the original are left out of "
    "the cards and the series list unless you ask for them; they are then labelled "
    "'(secondary)'."
)

headlines = queries.headline_indicators(
    2,
    geographies=tuple(geographies),
    strata=tuple(groups),
    first_year=first_year,
    last_year=last_year,
    include_secondary=include_secondary,
)
if headlines.empty:
    components.notice("No stream has two or more periods for these filters. Widen them.")
    st.stop()
headlines = selection.in_stream_order(headlines)

st.header("Streams")
st.caption(
    "One headline series per stream, about ketamine or esketamine: primary figures, from the "
    "publisher's own files where loaded, current, and with the most periods. Change is against "
    "the previous period of the same length, never across a method change."
)
changes = []
rows = list(headlines.itertuples())
for start in range(0, len(rows), CARDS_PER_ROW):
    columns = st.columns(CARDS_PER_ROW)
    for column, row in zip(columns, rows[start : start + CARDS_PER_ROW], strict=False):
        with column:
            change = stream_card(row, first_year, last_year, include_secondary)
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
    include_secondary: bool,
) -> None:
    """The explored series. A fragment: changing its definition reruns only this part, not the
    cards above (which do not depend on it)."""
    candidates = selection.offered(
        queries.series_catalog(
            geographies=tuple(geographies),
            strata=tuple(groups),
            first_year=first_year,
            last_year=last_year,
            include_secondary=include_secondary,
        ),
        include_secondary=include_secondary,
    )
    labels = (
        candidates.sort_values("points", ascending=False, kind="stable")
        .drop_duplicates("indicator")
        .set_index("indicator")
    )
    by_role = labels.reindex(candidates["indicator"].drop_duplicates()).index
    options = list(dict.fromkeys([*headlines["indicator"], *by_role]))

    def option_text(i: str) -> str:
        row = labels.loc[i]
        text = selection.tagged_label(
            label=f"{row['label']} ({row['unit']})",
            role=row["role"],
            substance=row["substance"],
            secondary=selection.is_secondary(row["secondary_share"]),
        )
        return f"{DOMAIN_TITLES.get(row['domain'], row['domain'])}: {text}"

    indicator = filters.selectbox(
        "ind",
        options,
        label="Definition (one indicator; never two joined)",
        default=selection.default_explored(headlines=headlines),
        format_func=option_text,
    )
    data = queries.observations((indicator,), include_secondary=include_secondary)
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
        ["geo", "group", "years", "secondary", "ind", components.MILESTONE_KEY]
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
        counts=md(frame["definition"].iloc[0]),
    )


explore_one_series(headlines, geographies, groups, first_year, last_year, include_secondary)
