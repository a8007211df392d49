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
from dashboard.basemaps import REGION_EXTENTS
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
