"""Selection rules, checked over every series of two warehouses: one built from the bundled seed
and one from the publishers' real files in ../shared/data/raw (skipped, with the reason, when
that folder is absent).

The rules (DESIGN.md, "Rules of the numbers"):
- headlines and default lines are ketamine or esketamine series (role 'focus'); comparators and
  all-drug context appear only labelled, never by default;
- primary figures first: no headline or default line is mostly `secondary`;
- no % change compares two periods on opposite sides of a method break;
- a country in the geography filter keeps every card whose geography lies in it.

Nothing here names today's indicator ids: every rule runs over whatever the warehouse holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.common import changes, narrative, queries, queries_harm, selection
from dashboard.common.safe_text import unescape
from dashboard.therapeutic import queries as therapeutic_queries
from tests import page_kit

REPO_ROOT = Path(__file__).resolve().parents[1]
# A method change, as written in indicators.series_breaks ('2021-01-01 break: ...'); gaps and
# caveats are not method changes. Parsed here independently of dashboard/transforms.
METHOD_BREAK = re.compile(r"(\d{4}-\d{2}-\d{2})(?:\.\.\S+)?\s+(?:break|stop)\s*:")
DELTA = re.compile(r"^[+-]?\d+% vs (.+)$")


@pytest.fixture(params=["seed", "mirror"])
def warehouse(request: pytest.FixtureRequest) -> Path:
    """The session's warehouses: offline from the seed, or from the real files (skipped when
    they are absent)."""
    name = "seed_warehouse" if request.param == "seed" else "real_warehouse"
    path = request.getfixturevalue(name)
    assert path.exists(), f"the {request.param} refresh published no warehouse"
    return path


@pytest.fixture
def env(warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    import streamlit as st

    monkeypatch.setenv("KETAMINE_WATCH_WAREHOUSE", str(warehouse))
    st.cache_data.clear()
    yield warehouse
    st.cache_data.clear()


def open_page(page: str, params: dict[str, str] | None = None) -> AppTest:
    """The page, run without an exception. The Overview takes `params` as its query string; on
    the other pages `secondary=1` turns the secondary-figures switch on after the first run (as
    a reader does)."""
    if page == "overview":
        at = page_kit.run_page(page, params)
    else:
        at = page_kit.run_page(page)
        if (params or {}).get("secondary") == "1":
            at.toggle(key="filter__secondary").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def method_breaks(text: str | None) -> list[pd.Timestamp]:
    return [pd.Timestamp(d) for d in METHOD_BREAK.findall(str(text or ""))]


def crosses_a_break(rows: pd.DataFrame, previous: str, latest: str) -> bool:
    """Whether a method break falls after the earlier period's start and on or before the
    later one's (the two periods sit on opposite sides of it)."""
    starts = rows.set_index("period_label")["period_start"].map(pd.Timestamp)
    before, after = starts[previous], starts[latest]
    breaks = {d for text in rows["series_breaks"].dropna().unique() for d in method_breaks(text)}
    return any(before < d <= after for d in breaks)


def chart_tables(at: AppTest) -> list[pd.DataFrame]:
    """The data tables under the charts (each holds exactly the rows its chart draws)."""
    return [d.value for d in at.dataframe if isinstance(d.value, pd.DataFrame)]


# ---- headlines ---------------------------------------------------------------------------------


@pytest.mark.parametrize("include_secondary", [False, True])
def test_every_headline_is_focus_and_primary_unless_asked(
    env: Path, include_secondary: bool
) -> None:
    headlines = queries.headline_indicators(2, include_secondary=include_secondary)
    assert not headlines.empty
    assert set(headlines["role"]) == {"focus"}, headlines[["indicator", "role"]]
    assert headlines["substance"].str.contains("ketamine").all()
    if not include_secondary:
        assert (headlines["secondary_share"] <= selection.SECONDARY_SHARE).all()
    # the toggle only adds candidates: a domain with a primary headline keeps it
    primary = queries.headline_indicators(2)
    kept = headlines.set_index("domain")["indicator"].to_dict()
    for row in primary.itertuples():
        assert row.domain in kept


def test_overview_cards_show_primary_figures_only_by_default(env: Path) -> None:
    """Every card's numbers, latest value included, are primary figures unless asked."""
    at = open_page("overview")
    assert not at.exception
    headlines = queries.headline_indicators(2)
    for row in headlines.itertuples():
        rows = queries.series(row.indicator, row.geography, row.stratum, include_secondary=False)
        assert not rows.empty, row.indicator
        assert not rows["flags"].fillna("").str.contains("secondary").any(), row.indicator
    # each card's latest period is its latest primary figure's
    shown = sorted(unescape(m.label).split(" · ")[0] for m in at.metric)
    latest = []
    for row in headlines.itertuples():
        rows = queries.series(row.indicator, row.geography, row.stratum, include_secondary=False)
        latest.append(rows.sort_values("period_start").iloc[-1]["period_label"])
    assert shown == sorted(latest)


def test_no_headline_ends_on_a_value_published_as_nothing_quantified(env: Path) -> None:
    """A city whose latest load was published as 0 is never the stream's headline ('down 100%'),
    when the domain has a series whose latest value was quantified."""
    for row in queries.headline_indicators(2).itertuples():
        rows = queries.series(row.indicator, row.geography, row.stratum)
        latest = rows.sort_values("period_end").iloc[-1]
        assert "not_quantified" not in str(latest["flags"] or ""), (row.indicator, row.geography)


def test_secondary_series_are_offered_only_when_asked_and_then_labelled(env: Path) -> None:
    everything = queries.series_catalog(include_secondary=True)
    secondary = everything[everything["secondary_share"].map(selection.is_secondary)]
    assert not secondary.empty, "no mostly secondary series: the rule is not exercised"
    primary = queries.series_catalog(include_secondary=False)
    assert not primary["secondary_share"].map(selection.is_secondary).any()
    assert len(primary) == len(everything) - len(secondary)

    off = open_page("overview")
    box = next(w for w in off.selectbox if w.key == "filter__ind")
    assert not [o for o in box.options if o.endswith("(secondary)")]
    on = open_page("overview", {"secondary": "1"})
    box = next(w for w in on.selectbox if w.key == "filter__ind")
    labelled = [o for o in box.options if "(secondary)" in o]
    offered = set(
        queries.series_catalog(include_secondary=True)
        .sort_values("points", ascending=False, kind="stable")
        .drop_duplicates("indicator")
        .pipe(lambda f: f[f["secondary_share"].map(selection.is_secondary)])["indicator"]
    )
    assert len(labelled) == len(offered) > 0


# ---- % changes never cross a method break ----------------------------------------------------


def test_no_change_compares_across_a_method_break_in_any_series(env: Path) -> None:
    """Every series of the warehouse: the change the Overview would show compares two periods
    on the same side of every method break; where the only earlier comparable period lies
    across one, there is no % and the sentence names the break year."""
    catalog = queries.series_catalog(include_secondary=True)
    every = queries.observations(tuple(catalog["indicator"].unique()), include_secondary=True)
    by_series = dict(list(every.groupby(["indicator", "geography", "stratum"])))
    cut_off = 0
    for row in catalog.itertuples():
        rows = by_series[(row.indicator, row.geography, row.stratum)]
        summary = changes.change_summary(rows)
        if summary is None:
            continue
        if summary["previous_period"] is not None:
            assert not crosses_a_break(
                rows, summary["previous_period"], summary["latest_period"]
            ), (row.indicator, row.geography, row.stratum, summary)
        if summary["break_year"]:
            cut_off += 1
            assert summary["change_pct"] is None
            sentence = narrative.what_changed(
                stream="s", label="l", where="w", summary=summary, spread=None
            )
            assert f"no comparable earlier period (method change in {summary['break_year']})" in (
                sentence
            )
            years = {d.year for d in method_breaks(rows["series_breaks"].iloc[0])}
            assert summary["break_year"] in years
    assert cut_off >= 1, "no series has its earlier periods only across a break"


@pytest.mark.parametrize("params", [{}, {"secondary": "1"}])
def test_no_change_in_the_rendered_overview_crosses_a_break(env: Path, params: dict) -> None:
    at = open_page("overview", params)
    headlines = queries.headline_indicators(2, include_secondary=bool(params))
    assert len(at.metric) == len(headlines)
    checked = 0
    for metric, row in zip(at.metric, order_like_the_page(headlines).itertuples(), strict=True):
        assert row.role == "focus"
        if not metric.delta:
            continue
        previous = DELTA.match(unescape(metric.delta)).group(1)
        latest = unescape(metric.label).split(" · ")[0]
        rows = queries.series(
            row.indicator, row.geography, row.stratum, include_secondary=bool(params)
        )
        assert not crosses_a_break(rows, previous, latest), (row.indicator, metric.delta)
        checked += 1
    assert checked >= 1
    # "What changed" states no more changes than the cards (the same summaries)
    text = " ".join(m.value for m in at.markdown)
    assert text.count("% from ") <= checked


def order_like_the_page(headlines: pd.DataFrame) -> pd.DataFrame:
    return selection.in_stream_order(headlines)


# ---- geography -------------------------------------------------------------------------------


def test_every_geography_lies_in_a_country_or_group_of_the_rules(env: Path) -> None:
    rules = pd.read_csv(selection.GEOGRAPHY_RULES, dtype=str, keep_default_na=False)
    known = set(rules["country"])
    geographies = queries.series_catalog()["geography"].unique()
    unknown = sorted(g for g in geographies if selection.country_of(g) not in known)
    assert not unknown, f"add a rule to {selection.GEOGRAPHY_RULES.name}: {unknown}"


def test_a_country_filter_keeps_every_card_of_its_country(env: Path) -> None:
    catalog = queries.series_catalog()
    candidates = catalog[
        (catalog["role"] == "focus")
        & ~catalog["secondary_share"].map(selection.is_secondary)
        & (catalog["points"] >= 2)
    ]
    offered = selection.countries(geographies=catalog["geography"])
    assert "United States" in offered and "United Kingdom" in offered
    for country in offered:
        inside = selection.geographies_in(chosen=[country], geographies=catalog["geography"])
        assert inside and all(selection.country_of(g) == country for g in inside)
        headlines = queries.headline_indicators(2, geographies=tuple(inside))
        expected = set(
            candidates[candidates["geography"].map(selection.country_of) == country]["domain"]
        )
        assert set(headlines["domain"]) == expected, country
        assert (headlines["geography"].map(selection.country_of) == country).all()


def test_the_overview_filter_offers_countries_and_keeps_sub_national_cards(env: Path) -> None:
    at = open_page("overview", {"geo": "United States"})
    geo = next(w for w in at.multiselect if w.key == "filter__geo")
    assert geo.value == ["United States"]
    assert set(geo.options) == set(
        selection.countries(geographies=queries.series_catalog()["geography"])
    )
    inside = selection.geographies_in(
        chosen=["United States"], geographies=queries.series_catalog()["geography"]
    )
    headlines = queries.headline_indicators(2, geographies=tuple(inside))
    captions = unescape(" ".join(c.value for c in at.caption))
    for row in headlines.itertuples():
        assert row.geography in captions  # the card is drawn, whatever the sub-geography
    assert len(at.metric) == len(headlines)


# ---- default series on every page ------------------------------------------------------------


def assert_tagged(table: pd.DataFrame) -> None:
    """Rows that are not ketamine/esketamine say so in their series label, and a mostly
    secondary series says '(secondary)'."""
    if not {"series", "role"} <= set(table.columns):
        return
    for series, role, share in table[["series", "role", "secondary_share"]].itertuples(index=False):
        if role != "focus":
            assert f"{role}: " in series, series
        if selection.is_secondary(share):
            assert series.endswith("(secondary)"), series


def test_overview_defaults_are_focus_and_primary(env: Path) -> None:
    at = open_page("overview")
    explored = next(w for w in at.selectbox if w.key == "filter__ind").value
    catalog = queries.series_catalog(include_secondary=True)
    rows = catalog[catalog["indicator"] == explored]
    assert set(rows["role"]) == {"focus"}
    tables = chart_tables(at)
    for table in tables:
        if "role" in table:
            assert set(table["role"]) <= {"focus"}
        if "secondary_share" in table:
            assert not table["secondary_share"].map(selection.is_secondary).any()


def test_cross_stream_defaults_are_focus_primary_and_share_a_year(env: Path) -> None:
    at = open_page("trends")
    chosen = at.multiselect(key="filter__streams").value
    catalog = queries_harm.annual_series(
        ("poison_center", "misuse", "mortality", "supply", "wastewater")
    )
    catalog = catalog.assign(
        key=catalog["indicator"] + "|" + catalog["geography"] + "|" + catalog["stratum"]
    ).set_index("key")
    assert chosen
    for key in chosen:
        assert catalog.at[key, "role"] == "focus", key
        assert not selection.is_secondary(catalog.at[key, "secondary_share"]), key
        assert catalog.at[key, "unquantified"] == 0, key  # no index to or from a published 0
    assert len({catalog.at[k, "domain"] for k in chosen}) == len(chosen)  # one per stream
    common = set.intersection(*({int(y) for y in catalog.at[k, "years"]} for k in chosen))
    assert common
    options = at.multiselect(key="filter__streams").options
    for option in options:  # every comparator or context option is labelled as such
        if "comparator" in option or "context" in option:
            assert re.search(r"(comparator|context): ", option), option
    for table in chart_tables(at):
        assert_tagged(table)


def test_therapeutic_side_by_side_harm_panels_are_focus_and_primary(env: Path) -> None:
    at = open_page("therapeutic")
    side = [t for t in chart_tables(at) if {"group", "panel"} <= set(t.columns)]
    assert len(side) == 1
    harm = side[0][side[0]["group"] == "Harm indicator"]
    assert not harm.empty
    assert set(harm["role"]) == {"focus"}, harm[["panel", "role"]].drop_duplicates()
    assert not harm["secondary_share"].map(selection.is_secondary).any()
    series = therapeutic_queries.harm_series(
        ("poison_center", "adverse_events", "mortality", "misuse", "supply"), since_year=1900
    )
    assert set(series["role"]) <= {"focus"}


@pytest.mark.parametrize("page", ["use_supply", "poison_deaths", "adverse_events"])
def test_harm_pages_draw_no_mostly_secondary_line_by_default(env: Path, page: str) -> None:
    at = open_page(page)
    tables = [t for t in chart_tables(at) if "secondary_share" in t]
    assert tables, f"{page}: no chart carries the tier of its rows"
    for table in tables:
        assert not table["secondary_share"].map(selection.is_secondary).any(), page
        # a default line is drawn from primary figures only: no secondary point stitched in
        if "flags" in table:
            assert not table["flags"].fillna("").str.contains("secondary").any(), page
        assert_tagged(table)
    on = open_page(page, {"secondary": "1"})
    for table in chart_tables(on):
        assert_tagged(table)


def test_use_supply_defaults_are_ketamine(env: Path) -> None:
    at = open_page("use_supply")
    substances = queries_harm.wastewater_indicators()
    if not substances.empty:
        chosen = at.selectbox(key="filter__ww_substance").value
        assert substances.set_index("id").at[chosen, "role"] == "focus"
    reports = queries_harm.indicator_observations("nflis_reports_")
    lines = at.multiselect(key="filter__labs")
    roles = reports.drop_duplicates("indicator").set_index("indicator")["role"]
    assert lines.value and all(roles[i] == "focus" for i in lines.value)
    assert set(lines.value) == set(roles[roles == "focus"].index)
    drawn = next(
        t for t in chart_tables(at) if "indicator" in t and t["indicator"].isin(roles.index).any()
    )
    assert set(drawn["indicator"]) == set(lines.value)
    # comparators are offered, labelled, and not drawn by default (AppTest shows the labels)
    comparators = [o for o in lines.options if o.startswith("comparator: ")]
    assert len(comparators) == (roles != "focus").sum()


@pytest.mark.parametrize("page", ["poison_deaths", "use_supply"])
def test_context_totals_get_their_own_chart_labelled_context(env: Path, page: str) -> None:
    """All-drug totals never share a chart with ketamine series (they would squash them), and
    say what they are."""
    at = open_page(page, {"secondary": "1"})
    for table in chart_tables(at):
        if "role" not in table or not (table["role"] == "context").any():
            continue
        assert (table["role"] == "context").all(), table[["series", "role"]].drop_duplicates()
        assert table["series"].str.startswith("context: ").all()


# ---- the pure rules on hand-made inputs ------------------------------------------------------


@pytest.mark.parametrize(
    ("geography", "country"),
    [
        ("US-TN", "United States"),
        ("28 SUDORS jurisdictions", "United States"),
        ("United States (45 SUDORS jurisdictions)", "United States"),
        ("United States - Tennessee", "United States"),
        ("Brno (CZ)", "Czechia"),
        ("London (GB)", "United Kingdom"),
        ("England and Wales", "United Kingdom"),
        ("England, Wales and Northern Ireland", "United Kingdom"),
        ("Yorkshire and the Humber", "United Kingdom"),
        ("Australia (Sydney)", "Australia"),
        ("Europe (21 countries)", "International (several countries)"),
        ("Atlantis", "Atlantis"),  # unknown: its own option, never dropped
    ],
)
def test_country_of(geography: str, country: str) -> None:
    assert selection.country_of(geography) == country


def yearly(values: dict[int, float], breaks: str = "") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period_start": [pd.Timestamp(y, 1, 1) for y in values],
            "period_end": [pd.Timestamp(y, 12, 31) for y in values],
            "period_label": [str(y) for y in values],
            "value": list(values.values()),
            "unit": "percent",
            "flags": "",
            "series_breaks": breaks,
        }
    )


NSDUH_LIKE = (
    "2015-01-01 break: redesign; 2020-01-01..2020-12-31 caveat: two quarters; "
    "2021-01-01 break: new mode"
)


def test_change_summary_stays_inside_the_segment_after_the_latest_break() -> None:
    after = changes.change_summary(yearly({2018: 1.0, 2019: 2.0, 2021: 3.0, 2022: 6.0}, NSDUH_LIKE))
    assert after["previous_period"] == "2021" and after["change_pct"] == pytest.approx(100)
    first = changes.change_summary(yearly({2018: 1.0, 2019: 2.0, 2021: 3.0}, NSDUH_LIKE))
    assert first["change_pct"] is None and first["break_year"] == 2021
    assert "method change in 2021" in narrative.what_changed(
        stream="s", label="l", where="w", summary=first
    )
    # a caveat or a gap is not a method change: 2020 compares with 2019
    caveat = changes.change_summary(yearly({2019: 2.0, 2020: 1.0}, NSDUH_LIKE))
    assert caveat["previous_period"] == "2019" and caveat["break_year"] is None
    gap = "2020-04-01..2022-03-31 gap: no estimates"
    assert changes.change_summary(yearly({2019: 2.0, 2023: 1.0}, gap))["change_pct"] == -50
    # the recent-range flag does not reach across the break either
    assert (
        changes.recent_range(yearly({2016: 9.0, 2017: 9.0, 2018: 9.0, 2021: 1.0}, NSDUH_LIKE))
        is None
    )


def test_tagged_labels_and_defaults() -> None:
    assert selection.tagged_label(label="x", role="comparator", substance="cocaine") == (
        "comparator: cocaine · x"
    )
    assert selection.tagged_label(label="x", role="context", substance="all drugs") == (
        "context: all drugs · x"
    )
    assert selection.tagged_label(label="x", secondary=True) == "x (secondary)"
    frame = pd.DataFrame(
        {
            "indicator": ["k", "c", "t", "s"],
            "role": ["focus", "comparator", "context", "focus"],
            "secondary_share": [0.0, 0.0, 0.0, 1.0],
        }
    )
    assert selection.default_lines(frame) == ["k"]
    assert selection.default_lines(frame, roles=("context",)) == ["t"]
