"""A real browser on the views an analyst shares: a Cross-stream link with its base year and
streams reopens the same view in a fresh browser (the "Copy link" button copies exactly the
address), a heading anchor lands on its section after the charts above it have drawn, and an
exported SVG's footer names the source, vintage and the view's link.

Same harness as tests/test_browser.py (Debian chromium, never `playwright install`; set
KETAMINE_WATCH_SKIP_BROWSER=1 to skip locally)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from tests.test_browser import ARTIFACTS, browser, chromium, served, settle

__all__ = ["browser", "chromium", "served"]  # fixtures used by name below

pytestmark = pytest.mark.browser
BASE_BOX = '[data-testid="stSelectbox"]'


@pytest.fixture
def context(browser):
    made = browser.new_context(
        viewport={"width": 1400, "height": 1000}, permissions=["clipboard-read", "clipboard-write"]
    )
    made.set_default_timeout(90_000)
    try:
        yield made
    finally:
        made.close()


def base_year_text(tab) -> str:
    box = tab.locator(BASE_BOX).filter(has_text="Base year")
    return box.locator("input").input_value().strip()


def test_a_copied_cross_stream_link_reopens_the_view_in_a_fresh_browser(
    served: str, context, browser
) -> None:
    tab = context.new_page()
    tab.goto(f"{served}/trends")
    settle(tab)
    box = tab.locator(BASE_BOX).filter(has_text="Base year")
    box.locator("input").click()
    tab.keyboard.press("ArrowDown")
    tab.locator('[role="option"]').first.click()
    tab.wait_for_url(lambda url: "base=" in url)
    settle(tab)
    chosen = base_year_text(tab)
    frame = tab.frame_locator('iframe[title="Copy link to this view"]').first
    frame.get_by_role("button", name="Copy link to this view").click()
    frame.get_by_text("Link copied.").wait_for()
    copied = tab.evaluate("navigator.clipboard.readText()")
    assert copied == tab.url
    assert parse_qs(urlparse(copied).query)["base"] == [chosen.split(" ")[0]]
    fresh = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        again = fresh.new_page()
        again.set_default_timeout(90_000)
        again.goto(copied)
        settle(again)
        assert base_year_text(again) == chosen
        assert again.url == copied  # nothing in the link was dropped or rewritten
        again.screenshot(path=str(ARTIFACTS / "browser-trends-shared.png"), full_page=True)
        assert f"Since {chosen.split(' ')[0]}, per indicator" in again.inner_text("body")
    finally:
        fresh.close()


def test_a_heading_anchor_lands_on_its_section(served: str, context) -> None:
    tab = context.new_page()
    tab.goto(f"{served}/use-supply")
    settle(tab)
    anchor = tab.evaluate(
        "[...document.querySelectorAll('h2[id]')].find(h => h.textContent.includes('Wastewater'))"
        "?.id"
    )
    assert anchor, "no Wastewater heading with an id"
    landing = context.new_page()
    landing.goto(f"{served}/use-supply#{anchor}")
    settle(landing)
    landing.wait_for_function("() => window.__kwAnchorLanded !== undefined")
    top = landing.evaluate(f"document.getElementById('{anchor}').getBoundingClientRect().top")
    assert 0 <= top <= 150, f"the section heading is {top:.0f} px from the top"


def test_an_exported_svg_names_source_vintage_and_the_views_link(served: str, context) -> None:
    tab = context.new_page()
    tab.goto(f"{served}/trends")
    settle(tab)
    tab.get_by_role("button", name="Export").first.click()
    with tab.expect_download() as event:
        tab.get_by_role("button", name="SVG").first.click()
    path = event.value.path()
    with open(path, encoding="utf-8") as handle:
        svg = handle.read()
    assert "Source: " in svg and "Vintage: " in svg
    assert f"View: {served}/trends" in svg
    assert "Ketamine Watch" in svg and "exported" in svg
    assert 'width="' in svg
