"""The sections of the Overview page, in page order: the filters (`choose`), the stream cards,
"What changed" and the explored series. The cards and sentences are drawn from frames the page
script prepared (dashboard/common/queries.py fetches, dashboard/overview/frames.py shapes). The
explored series is a fragment that reruns alone when its definition changes, so it fetches its
own rows. Text from the warehouse reaches markdown only through `safe_text` (md, md_link)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard.common import (
    charts,
    components,
    filters,
    narrative,
    queries,
    selection,
    specs,
    transforms,
)
from dashboard.common.charts.theme import PALETTE
from dashboard.common.safe_text import md, md_link, safe_url
from dashboard.overview import frames

CARDS_PER_ROW = 3


@dataclass(frozen=True)
class Filters:
    geographies: list[str]
    groups: list[str]
    first_year: int | None
    last_year: int | None
    include_secondary: bool


def choose(catalog: pd.DataFrame) -> Filters:
    """Geography, population group and years in three columns, then the secondary switch."""
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
        frames.by_frequency(catalog["stratum"]),
        label="Population group",
        default=[],
        help="Leave empty for every group (age, sex, grade, setting ...).",
        container=middle,
    )
    years = filters.year_range("years", frames.year_span(catalog), label="Years", container=right)
    first_year, last_year = years if years else (None, None)
    include_secondary = components.secondary_toggle(
        "Figures quoted from another publication rather than the original are left out of "
        "the cards and the series list unless you ask for them; they are then labelled "
        "'(secondary)'."
    )
    return Filters(geographies, groups, first_year, last_year, include_secondary)


def explore(indicator: str) -> None:
    st.session_state[filters.WIDGET_PREFIX + "ind"] = indicator


def citation_link(row: pd.Series) -> str:
    """'[citation](url)' of a published number (its own citation and link, else its source's
    title and home page), escaped markdown; the text alone when there is no http(s) link."""
    name = row.get("citation") or row.get("source_title") or row.get("publisher")
    urls = (row.get("citation_url"), row.get("source_url"))
    return md_link(name, next((u for u in urls if safe_url(u)), None), limit=71)


def stream_card(card: frames.Card) -> None:
    row, summary, cited = card.row, card.summary, card.cited
    with st.container(border=True):
        st.markdown(f"**{md(card.title)}**  \n{md(card.label)}")
        st.caption(
            f"{md(row.geography)} · {md(row.stratum)}  \n"
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
        flag = narrative.range_flag(card.spread, summary["unit"])
        if flag:
            st.markdown(f":orange-background[{flag}]")
        if "provisional" in str(summary["flags"]):
            st.caption("◌ The latest figure is provisional (still filling in).")
        components.draw_chart(
            specs.chart_spec(charts.sparkline, data=card.frame, colour=PALETTE[0]),
            key=f"spark_{row.domain}",
            alt_text=f"Sparkline of {card.label}; the Numbers table below holds the same values.",
        )
        first = card.first["period_label"]
        st.caption(f"{len(card.data)} periods, {md(first)} to {md(summary['latest_period'])}")
        with st.expander("Numbers"):
            st.dataframe(
                components.export_columns(card.frame)[
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


def section_streams(cards: list[frames.Card | None]) -> None:
    """One card per headline (a headline without a change summary leaves its place empty)."""
    st.header("Streams")
    st.caption(
        "One headline series per stream, about ketamine or esketamine: primary figures, from the "
        "publisher's own files where loaded, current, and with the most periods. Change is "
        "against the previous period of the same length, never across a method change."
    )
    for start in range(0, len(cards), CARDS_PER_ROW):
        columns = st.columns(CARDS_PER_ROW)
        for column, card in zip(columns, cards[start : start + CARDS_PER_ROW], strict=False):
            if card is not None:
                with column:
                    stream_card(card)


def section_what_changed(changes: list[dict]) -> None:
    st.header("What changed")
    st.markdown("\n".join("- " + narrative.what_changed(**c) for c in frames.beyond_first(changes)))


def section_explore(headlines: pd.DataFrame, chosen: Filters) -> None:
    st.header("Explore one series")
    explore_one_series(headlines, chosen)


@st.fragment
def explore_one_series(headlines: pd.DataFrame, chosen: Filters) -> None:
    """The explored series. A fragment: changing its definition reruns only this part, not the
    cards above (which do not depend on it)."""
    geographies, groups = chosen.geographies, chosen.groups
    first_year, last_year = chosen.first_year, chosen.last_year
    include_secondary = chosen.include_secondary
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
    options, labels = frames.explore_options(candidates, headlines)
    indicator = filters.selectbox(
        "ind",
        options,
        label="Definition (one indicator; never two joined)",
        default=selection.default_explored(headlines=headlines),
        format_func=lambda i: frames.option_text(labels, i),
    )
    data = queries.observations((indicator,), include_secondary=include_secondary)
    data = frames.narrowed(data, geographies, groups, first_year, last_year)
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
