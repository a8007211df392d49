"""The analyst tasks of issue 14, replayed in a real browser on the seed build (published EUDA
wastewater, NFLIS, CMS Part D, ONS and literature figures): each opens its view by URL, finds
the answer on screen (or in the view's own "CSV of this chart" export), and checks that the
same link opened in a fresh browser shows the same answer.

Every expected answer is computed here, independently of the dashboard, with duckdb SQL on the
same warehouse (read-only); no number is written into this file.

Same harness as tests/test_browser.py (Debian chromium, never `playwright install`; set
KETAMINE_WATCH_SKIP_BROWSER=1 to skip locally)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

import warehouse_contract as wc
from dashboard.common.basemaps import REGION_EXTENTS
from tests.test_browser import CHART, browser, chromium, served, settle

__all__ = ["browser", "chromium", "served"]  # fixtures used by name below

pytestmark = pytest.mark.browser
GRID_CELL = '[role="gridcell"]'


@pytest.fixture(scope="module")
def sql(seed_warehouse: Path):
    """Run a query on the served warehouse, read-only, as a DataFrame."""
    con = duckdb.connect(str(seed_warehouse), read_only=True)
    try:
        yield lambda query, params=(): con.execute(query, list(params)).df()
    finally:
        con.close()


@pytest.fixture
def context(browser):
    made = browser.new_context(viewport={"width": 1400, "height": 1400})
    made.set_default_timeout(90_000)
    try:
        yield made
    finally:
        made.close()


def open_view(context, url: str, *, charts: bool = True):
    tab = context.new_page()
    tab.goto(url)
    settle(tab, charts=charts)
    assert tab.locator('[data-testid="stException"]').count() == 0, url
    return tab


def fresh_view(browser, url: str, check) -> None:
    """Open `url` in a new browser context (nothing shared) and run `check` on the page."""
    fresh = browser.new_context(viewport={"width": 1400, "height": 1400})
    fresh.set_default_timeout(90_000)
    try:
        tab = fresh.new_page()
        tab.goto(url)
        settle(tab)
        check(tab)
    finally:
        fresh.close()


def chart_csv(tab, title: str) -> tuple[str, pd.DataFrame]:
    """(file name, rows) of the "CSV of this chart" export under the chart titled `title`."""
    chart = tab.locator(CHART).filter(has_text=title).first
    chart.scroll_into_view_if_needed()
    chart.locator("xpath=following::button[contains(., 'Export')][1]").click()
    with tab.expect_download() as event:
        tab.get_by_role("button", name="CSV of this chart").last.click()
    download = event.value
    with open(download.path(), encoding="utf-8") as handle:
        rows = pd.read_csv(handle, dtype={"period_label": str})
    tab.keyboard.press("Escape")
    return download.suggested_filename, rows


def table_cells(tab, heading: str) -> list[str]:
    """The cell texts of the first data grid after `heading` (the grid keeps an accessible
    table of its visible cells in the DOM; the canvas is only a picture of them)."""
    grid = tab.locator(
        f"xpath=//*[normalize-space()='{heading}']/following::*[@data-testid='stDataFrame'][1]"
    )
    grid.scroll_into_view_if_needed()
    tab.wait_for_function(
        "el => el.querySelectorAll('[role=gridcell]').length > 0", arg=grid.element_handle()
    )
    return grid.locator(GRID_CELL).all_inner_texts()


# ---- 1. Has harm risen since 2019? -----------------------------------------------------------


def nflis_ketamine_change_since(sql, base: int) -> float:
    """Percent change of NFLIS ketamine lab reports from `base` to their latest year."""
    rows = sql(
        "SELECT year(period_start) AS y, value FROM observations WHERE indicator = ?"
        " AND period_end - period_start <= 366 ORDER BY period_start",
        (wc.NFLIS_REPORTS_FAMILY + "ketamine",),
    )
    first = rows.loc[rows["y"] == base, "value"]
    assert len(first) == 1, f"no single NFLIS ketamine value in {base}"
    return (float(rows["value"].iloc[-1]) / float(first.iloc[0]) - 1) * 100


def test_since_2019_per_indicator_opens_from_its_link(served: str, context, browser, sql) -> None:
    change = nflis_ketamine_change_since(sql, 2019)
    url = f"{served}/trends?base=2019"

    def check(tab) -> None:
        assert "Since 2019, per indicator" in tab.inner_text("body")
        titles = " ".join(tab.locator(CHART).all_text_contents())
        assert "Harm streams since 2019 (each series: 2019 = 100)" in titles
        cells = table_cells(tab, "Since 2019, per indicator")
        row = next(i for i, c in enumerate(cells) if c.endswith("NFLIS lab reports: Ketamine"))
        assert float(cells[row + 1]) == pytest.approx(change, abs=0.05), cells[row : row + 3]
        assert cells[row + 2] == ("down" if change < 0 else "up")
        assert "base=2019" in tab.url

    check(open_view(context, url))
    fresh_view(browser, url, check)


# ---- 2. Highest-load city in 2024 ---------------------------------------------------------------


def highest_load_in_europe(sql, year: int) -> tuple[str, float, str]:
    """(city, load, indicator) of the default substance's top European site in `year`: the
    first wastewater indicator with role 'focus', then comparator, then by id."""
    indicator = sql(
        "SELECT id FROM indicators WHERE source = ?"
        " ORDER BY role = 'focus' DESC, role = 'comparator' DESC, id LIMIT 1",
        (wc.EUDA_WASTEWATER,),
    )["id"].iloc[0]
    west, south, east, north = REGION_EXTENTS["Europe"]
    top = sql(
        "SELECT coalesce(s.city, o.geography) AS city, o.value FROM observations o"
        " JOIN wastewater_sites s ON s.geography = o.geography"
        " WHERE o.indicator = ? AND year(o.period_start) = ?"
        " AND s.latitude BETWEEN ? AND ? AND s.longitude BETWEEN ? AND ?"
        " ORDER BY o.value DESC LIMIT 1",
        (indicator, year, south, north, west, east),
    )
    assert not top.empty, f"no European {indicator} load in {year}"
    return str(top["city"].iloc[0]), float(top["value"].iloc[0]), indicator


def test_highest_load_city_in_2024(served: str, context, browser, sql) -> None:
    city, load, _indicator = highest_load_in_europe(sql, 2024)
    url = f"{served}/use-supply?ww_year=2024"

    def check(tab) -> None:
        cells = table_cells(tab, "Cities ranked by load")
        # rank, city, country, value, year, unit, flags: the first row is the top city
        assert cells[0] == "1" and cells[1] == city, cells[:7]
        assert float(cells[3].replace(",", "")) == pytest.approx(load, abs=0.005)
        assert cells[4] == "2024"

    first = open_view(context, url)
    check(first)
    # 2024 is the latest year, the default: the page's own address (which leaves defaults
    # out) must reopen the same ranking
    fresh_view(browser, first.url, check)


# ---- 3. 2021 poison-center exposures by definition -------------------------------------------


def test_2021_poison_center_exposures_by_definition(served: str, context, browser, sql) -> None:
    expected = sql(
        "SELECT o.indicator, o.value FROM observations o JOIN indicators i ON i.id = o.indicator"
        " WHERE i.domain = 'poison_center' AND o.unit IN ('exposures', 'cases')"
        " AND o.geography = 'United States' AND year(o.period_start) = 2021"
        " AND o.period_end - o.period_start <= 366"
    )
    assert not expected.empty, "no 2021 US poison-center exposures in the seed"
    # the secondary toggle on: every published definition, labelled, is drawn
    url = f"{served}/poison-centers-deaths?secondary=1"
    title = "Ketamine exposures reported to US poison centers, by study definition"

    def check(tab) -> None:
        name, rows = chart_csv(tab, title)
        assert name.endswith(".csv")
        shown = rows[rows["period_start"].astype(str).str.startswith("2021")]
        got = sorted(zip(shown["indicator"], shown["value"].astype(float), strict=True))
        want = sorted(zip(expected["indicator"], expected["value"].astype(float), strict=True))
        assert got == want

    first = open_view(context, url)
    check(first)
    assert "secondary=1" in first.url
    fresh_view(browser, first.url, check)


# ---- 4. NFLIS: latest-year ketamine lab reports -----------------------------------------------


def test_latest_nflis_ketamine_reports(served: str, context, browser, sql) -> None:
    indicator = wc.NFLIS_REPORTS_FAMILY + "ketamine"
    latest = sql(
        "SELECT period_label, value FROM observations WHERE indicator = ?"
        " ORDER BY period_start DESC LIMIT 1",
        (indicator,),
    )
    assert not latest.empty, "no NFLIS ketamine reports in the seed"
    year, value = str(latest["period_label"].iloc[0]), float(latest["value"].iloc[0])
    url = f"{served}/use-supply"

    def check(tab) -> None:
        name, rows = chart_csv(tab, "NFLIS lab reports: ketamine and its analogues")
        assert name == "nflis_reports.csv"
        ketamine = rows[rows["indicator"] == indicator]
        assert ketamine["period_label"].max() == year
        shown = ketamine.loc[ketamine["period_label"] == year, "value"]
        assert shown.astype(float).tolist() == [value]

    first = open_view(context, url)
    check(first)
    fresh_view(browser, first.url, check)


# ---- 5. NFLIS state map: the year control reopens from the link ------------------------------


def test_nflis_state_year_reopens_from_the_link(served: str, context, browser, sql) -> None:
    series = sql(
        "SELECT DISTINCT indicator FROM observations WHERE starts_with(indicator, ?)",
        (wc.NFLIS_STATE_FAMILY,),
    )["indicator"].tolist()
    assert series, "no NFLIS state series in the seed"
    # the page's default series: the share with fentanyl first, then by id
    indicator = sorted(series, key=lambda i: (not i.endswith("_fentanyl_pct"), i))[0]
    years = sql(
        "SELECT DISTINCT period_label FROM observations WHERE indicator = ? ORDER BY 1",
        (indicator,),
    )["period_label"].tolist()
    assert len(years) >= 2, "one NFLIS state year only: no year to choose"
    year = years[-2]  # not the default (latest), so the link must carry it
    expected = sql(
        "SELECT geography, value FROM observations WHERE indicator = ? AND period_label = ?",
        (indicator, year),
    ).set_index("geography")["value"]
    url = f"{served}/use-supply?state_year={year}"

    def check(tab) -> None:
        titles = tab.locator(CHART).all_text_contents()
        assert [t for t in titles if "by state" in t and f", {year}" in t], titles
        name, rows = chart_csv(tab, "by state")
        assert name == f"{indicator}_{year}.csv"
        assert set(rows["period_label"].astype(str)) == {year}
        assert set(rows["indicator"]) == {indicator}
        assert len(rows) >= 40  # the states (and DC) the map knows
        for geography, value in zip(rows["geography"], rows["value"], strict=True):
            assert value == pytest.approx(float(expected[geography])), geography
        assert f"state_year={year}" in tab.url

    first = open_view(context, url)
    check(first)
    fresh_view(browser, first.url, check)


# ---- 6. Spravato Part D claims, latest year ---------------------------------------------------


def test_spravato_part_d_claims_latest_year(served: str, context, browser, sql) -> None:
    latest = sql(
        "SELECT period_label, value FROM observations WHERE indicator = ?"
        " ORDER BY period_start DESC LIMIT 1",
        (wc.CMS_PARTD_CLAIMS_SPRAVATO,),
    )
    assert not latest.empty, "no Spravato Part D claims in the seed"
    year, value = str(latest["period_label"].iloc[0]), float(latest["value"].iloc[0])
    url = f"{served}/therapeutic"

    def check(tab) -> None:
        metrics = tab.locator('[data-testid="stMetric"]').all_inner_texts()
        claims = [m for m in metrics if m.startswith("Spravato Part D claims")]
        assert len(claims) == 1, metrics
        label, shown = [part.strip() for part in claims[0].split("\n") if part.strip()]
        assert label == f"Spravato Part D claims, {year}"
        assert shown == f"{value:,.0f}"

    first = open_view(context, url)
    check(first)
    fresh_view(browser, first.url, check)


# ---- 7. FAERS comparator link on a build without FAERS quarters ------------------------------


def test_faers_comparator_link_on_a_build_without_faers(served: str, context, browser, sql) -> None:
    loaded = sql(
        "SELECT count(*) AS n FROM observations WHERE source IN (?, ?)",
        (wc.FAERS_QUARTERLY, wc.OPENFDA),
    )["n"].iloc[0]
    assert loaded == 0, "this seed has FAERS case data: the empty state is not what it shows"
    url = f"{served}/adverse-events?cmp=antidepressants"

    def check(tab) -> None:
        body = tab.inner_text("body")
        assert "FAERS case data are not loaded in this build" in body
        assert "Published FAERS analyses" in body  # what the seed does carry
        assert "Disproportionality signals" not in body

    first = open_view(context, url)
    check(first)
    # the comparator is named as an ignored link parameter, and removed from the address
    assert "Link parameter cmp" in first.inner_text("body")
    assert "cmp=" not in first.url
    fresh_view(browser, first.url, check)


# ---- 8. An export whose footer names the source and vintage -----------------------------------


def test_wastewater_map_svg_footer_names_source_and_vintage(served: str, context, sql) -> None:
    source = sql("SELECT title, vintage FROM sources WHERE id = ?", (wc.EUDA_WASTEWATER,))
    vintage = str(source["vintage"].iloc[0])
    assert vintage, "the wastewater source has no vintage in the seed"
    tab = open_view(context, f"{served}/use-supply?ww_year=2024")
    chart = tab.locator(CHART).filter(has_text="2024: Europe").first
    chart.scroll_into_view_if_needed()
    chart.locator("xpath=following::button[contains(., 'Export')][1]").click()
    with tab.expect_download() as event:
        tab.get_by_role("button", name="SVG").last.click()
    with open(event.value.path(), encoding="utf-8") as handle:
        svg = handle.read()
    assert event.value.suggested_filename.startswith("wastewater_")
    assert f"Vintage: {vintage}" in svg
    assert "Source: " in svg and "EUDA" in svg.split("Source: ", 1)[1][:400]
    assert f"View: {served}/use-supply" in svg


# ---- 9. Phone: the Overview's charts take the full width --------------------------------------


WIDTHS = """els => els.map(e => {
    const inner = n => { const s = getComputedStyle(n);
        return n.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight); };
    const column = inner(document.querySelector('[data-testid="stMainBlockContainer"]'));
    const card = e.closest('[data-testid="stVerticalBlock"]');
    return [e.getBoundingClientRect().width, card.getBoundingClientRect().width, inner(card),
            column];
})"""


def test_overview_charts_are_full_width_on_a_phone(served: str, browser) -> None:
    """At 390 px every Overview chart fills its card and every card spans the page's column
    (no two charts side by side). A card's padding costs 32 px: a chart is about 84% of the
    viewport, so 80% is the floor."""
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone.set_default_timeout(90_000)
    try:
        tab = phone.new_page()
        tab.goto(served)
        settle(tab)
        measured = tab.locator(CHART).evaluate_all(WIDTHS)
        assert len(measured) >= 4, measured
        for chart, card, card_inner, column in measured:
            assert chart >= card_inner - 2, measured
            assert card >= column - 2, measured
            assert chart >= 0.80 * 390, measured
        assert tab.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        phone.close()
