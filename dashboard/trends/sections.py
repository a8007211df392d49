"""The sections of the Cross-stream trends page: the secondary switch, the streams picker and the
"since year X" view (the base-year control, `?base=2019` in the link, the indexed chart and,
below it, a table per indicator of what changed since the base year). The numbers come from
dashboard/trends/queries.py and base_year.py (pure); this module only arranges them.

Never a blank chart: when no year is shared by every chosen series, the page says so, draws the
series that have the base year, names those left out, and offers the year shared by the most.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.common import charts, components, filters, selection, specs
from dashboard.common.safe_text import md
from dashboard.trends import base_year

BASE_KEY = "base"
# every link parameter this page reads (others in a link get a notice and are removed)
PAGE_KEYS = ("secondary", "streams", BASE_KEY, components.MILESTONE_KEY)
COUNTS = (
    "each series divided by its own value in the base year, times 100; points across a "
    "documented method change are left out (a gap), and no change is computed across one. "
    "An index compares direction and pace, not size: 200 means twice that series' base-year "
    "level, in its own unit and definition (exposure calls, survey prevalence, deaths, lab "
    "reports, mass loads). Only series with yearly periods are offered."
)
TABLE_COLUMNS = {
    "indicator": st.column_config.TextColumn("Indicator", width="medium"),
    "change_since_base_pct": st.column_config.NumberColumn("% change", format="%+.1f%%"),
    "direction": "Since base",
    "base": "Base-year value",
    "latest": "Latest",
    "first": "First",
    "unit": "Unit",
    "definition": st.column_config.TextColumn("Definition", width="large"),
    "break_since_base": "Method break since base",
}


def base_control(data: pd.DataFrame) -> int | None:
    """The base-year selectbox: every year any chosen series has, each saying how many series
    share it; by default the year from which most show a change. Returns the chosen year."""
    coverage = base_year.year_coverage(data)
    if coverage.empty:
        return None
    total = int(data["series"].nunique())
    default = base_year.default_base_year(data)
    chosen = filters.selectbox(
        BASE_KEY,
        [str(y) for y in coverage.index],
        label="Base year (each series = 100 in this year)",
        default=str(default),
        format_func=lambda y: f"{y} ({int(coverage[int(y)])} of {total} series)",
        help="Each series is divided by its own value in this year. The default is the year "
        "from which the most chosen series show a change (a value then and later).",
    )
    return int(chosen) if chosen else None


def coverage_notice(data: pd.DataFrame, year: int) -> None:
    """Say which series the chart leaves out and why, and which year would include them all."""
    choice = base_year.base_year_choice(data, year)
    if choice["common"]:
        return
    indexed = set(base_year.index_since(data, year)["series"])
    missing = [s for s in data["series"].unique() if s not in indexed]
    nearest = (
        f"The nearest year every chosen series has is {choice['nearest']}."
        if choice["nearest"] is not None
        else "No year is shared by every chosen series; remove one to index them all together."
    )
    components.notice(
        f"{choice['shared']} of {choice['total']} chosen series have a value in {year}; "
        f"the chart draws those. Not drawn: {'; '.join(md(name) for name in missing)}. {nearest}"
    )
    if choice["nearest"] is not None:
        st.button(
            f"Use {choice['nearest']} (every chosen series has it)",
            on_click=_set_base,
            args=(choice["nearest"],),
            key="use_common_base",
        )


def _set_base(year: int) -> None:
    """Before the next run: the base-year widget takes `year` (a widget's value cannot change
    during the run that drew it)."""
    st.session_state[filters.WIDGET_PREFIX + BASE_KEY] = str(year)


def secondary_toggle() -> bool:
    return components.secondary_toggle(
        "Figures quoted from another publication rather than the original are offered only "
        "when you ask; they are labelled '(secondary)' and never chosen by default."
    )


def section_streams(catalog: pd.DataFrame) -> list[str]:
    """The streams picker (one yearly series each; by default per stream the longest yearly
    ketamine or esketamine series of primary figures that shares a year with the others, so
    they can be indexed together). The page stops here, with a notice, when nothing is offered
    or chosen."""
    if catalog.empty:
        components.notice("No yearly harm series with three or more points are loaded.")
        st.stop()
    names = catalog.set_index("key")["name"].to_dict()
    chosen = filters.multiselect(
        "streams",
        list(names),
        label="Streams (one yearly series each; add or remove)",
        default=selection.default_indexed_together(catalog)["key"].tolist(),
        format_func=names.get,
    )
    if not chosen:
        filters.drop_unused(PAGE_KEYS)
        components.notice("Choose at least one series.")
        st.stop()
    return chosen


def section_index(rows: pd.DataFrame, milestones: pd.DataFrame) -> None:
    """The "since year X" view of the chosen series' rows."""
    section(components.chart_frame(rows), counts=COUNTS, milestones=milestones)
    filters.drop_unused(PAGE_KEYS)


def section(data: pd.DataFrame, *, counts: str, milestones: pd.DataFrame) -> None:
    """Base-year control, coverage notice, indexed chart and since-base table."""
    year = base_control(data)
    if year is None:
        components.notice("The chosen series have no yearly values.")
        return
    show_milestones = components.milestone_toggle()
    coverage_notice(data, year)
    indexed = base_year.index_since(data, year)
    if indexed.empty:
        components.notice(f"No chosen series has a non-zero value in {year}; choose another year.")
        return
    chart = specs.chart_spec(
        charts.time_chart,
        data=indexed,
        title=f"Harm streams since {year} (each series: {year} = 100)",
        subtitle="Gaps where a method changed; milestones as rules",
        y_title=f"index ({year} = 100)",
        value_field="index",
        milestones=milestones,
        show_milestones=show_milestones,
    )
    components.chart_block(chart, indexed, key="cross_stream_index", counts=counts)
    # the table below the chart, full width: beside it, its columns were cut at 1400 px
    st.subheader(f"Since {year}, per indicator", anchor="since-base-table")
    table = base_year.since_table(data, year)
    st.dataframe(
        table[list(TABLE_COLUMNS)],
        hide_index=True,
        width="stretch",
        column_config=TABLE_COLUMNS,
    )
    st.caption(
        "% change: latest value against the base-year value of the same series; none is "
        "computed when a method break lies between them."
    )
