"""The Use & supply page's maps: EUDA wastewater on a European basemap (region filter, rank
table) and NFLIS samples by US state (year control, PROXY where the category is one).

Each control is in the URL (`?ww_region=BR`, `?state_year=2021`, ...), so a shared link opens the
same map. Maps take the page's full width; the rank table sits below the map, not beside it, so a
phone shows both at full width.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import warehouse_contract as wc
from dashboard.common import components, filters, queries_harm, selection, specs
from dashboard.common.safe_text import md
from dashboard.use_supply import maps_charts, maps_frames

# The URL keys these sections read (the page passes them to `filters.drop_unused`).
URL_KEYS = ("ww_substance", "ww_year", "ww_region", "state_series", "state_year")

WASTEWATER = (
    "mg of the substance per 1,000 people served per day in a city's wastewater (mean of one "
    "sampling week, EUDA/SCORE); the set of cities changes every year, and loads of different "
    "substances are not comparable"
)
STATES = (
    "NFLIS samples (lab items) in Lim et al.'s drug category, by the state of the reporting "
    "laboratory, and the share of them that also contained fentanyl; a share from fewer than 20 "
    "samples is flagged unreliable, and the latest year is still filling in"
)
PROXY_NOTE = (
    "PROXY: the 'club drugs' category mixes ketamine with MDA, MDMA, ethylone, methylone and "
    "N-cyclohexylmethylone"
)


def _region_label(cities: pd.DataFrame):
    counts = maps_frames.site_regions(cities).value_counts()

    def label(region: str) -> str:
        if region == maps_frames.WORLD:
            return "World (all sites)"
        n = int(counts.get(region, 0))
        return f"{region} ({n} site{'s' if n != 1 else ''})"

    return label


def _choose_substance_and_year() -> tuple[str, str, str, str] | None:
    """Substance and year controls: (indicator, its tagged label, unit, year), or None."""
    substances = queries_harm.wastewater_indicators()
    if substances.empty:
        components.notice("No wastewater data are loaded.")
        return None
    labels = {
        r.id: selection.tagged_label(label=r.label, role=r.role, substance=r.substance)
        for r in substances.itertuples()
    }
    # the first option (the query orders ketamine and esketamine first) is the default
    indicator = filters.selectbox(
        "ww_substance", list(labels), label="Substance", format_func=labels.get
    )
    years = [str(y) for y in queries_harm.wastewater_years(indicator)]
    year = filters.selectbox("ww_year", years, label="Year", default=years[-1] if years else None)
    if year is None:
        components.notice("No wastewater year is loaded for this substance.")
        return None
    unit = str(substances.set_index("id").loc[indicator, "unit"])
    return indicator, labels[indicator], unit, year


def section_wastewater() -> None:
    """Substance, year and region controls; the map; the rank table."""
    st.header("Wastewater (EUDA / SCORE)")
    chosen = _choose_substance_and_year()
    if chosen is None:
        return
    indicator, label, unit, year = chosen
    cities = queries_harm.wastewater_map(indicator, int(year))
    if not cities["latitude"].notna().any():
        components.notice(
            "Site coordinates are not loaded (the seed carries published figures only); "
            "refresh with `--mirror` to place the cities on the map. The table lists them."
        )
        _rank_table(cities, year=year, unit=unit)
        return
    region = filters.selectbox(
        "ww_region",
        maps_frames.region_options(cities),
        label="Region (Europe by default; sites elsewhere on request)",
        format_func=_region_label(cities),
    )
    shown = maps_frames.in_region(cities, region)
    chart = specs.chart_spec(
        maps_charts.wastewater_basemap,
        data=shown,
        title=f"{label}, {year}: {region}",
        unit=unit,
        fit=maps_frames.region_fit(cities, region),
    )
    components.chart_block(chart, shown, key=f"wastewater_{indicator}_{year}", counts=WASTEWATER)
    _rank_table(shown, year=year, unit=unit)


def _rank_table(cities: pd.DataFrame, *, year: str, unit: str) -> None:
    st.subheader("Cities ranked by load")
    st.caption(f"{len(cities)} cities, {md(year)} · {md(unit)}")
    st.dataframe(
        maps_frames.rank_table(cities),
        hide_index=True,
        width="stretch",
        column_config={"value": st.column_config.NumberColumn("value", format="%.2f")},
    )


def section_nflis_states(*, include_secondary: bool) -> None:
    """A US state map of one NFLIS state x year series, with a year control."""
    st.header("Forensic lab samples by state (NFLIS)")
    rows = queries_harm.indicator_observations(
        wc.NFLIS_STATE_FAMILY, include_secondary=include_secondary
    )
    if rows.empty:
        components.notice(
            "The NFLIS state x year file is not loaded (it comes with the NFLIS mirror or live "
            "files, not with the seed)."
        )
        return
    series = rows.drop_duplicates("indicator").set_index("indicator")["label"].to_dict()
    # The share with fentanyl is the file's headline statistic; counts are offered beside it.
    ordered = sorted(series, key=lambda i: (not i.endswith("_fentanyl_pct"), i))
    indicator = filters.selectbox(
        "state_series", ordered, label="Series", format_func=lambda i: str(series[i])
    )
    chosen = rows[rows["indicator"] == indicator]
    years = maps_frames.state_years(chosen)
    year = filters.selectbox("state_year", years, label="Year", default=years[-1])
    shown = maps_frames.state_rows(chosen[chosen["period_label"].astype(str) == year])
    proxy = maps_frames.is_proxy(shown)
    unit = str(shown["unit"].iloc[0]) if not shown.empty else ""
    chart = specs.chart_spec(
        maps_charts.state_choropleth,
        data=shown,
        title=f"{'PROXY · ' if proxy else ''}{maps_frames.short_label(series[indicator])}, {year}",
        unit=unit,
        subtitle=PROXY_NOTE if proxy else "",
    )
    counts = f"{STATES}. {PROXY_NOTE}" if proxy else STATES
    components.chart_block(chart, shown, key=f"{indicator}_{year}", counts=counts)
