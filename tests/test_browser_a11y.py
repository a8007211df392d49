"""Accessibility and phone layout in a real browser (Debian's chromium), on the seed warehouse.

Read from Chromium's own accessibility tree (CDP `Accessibility.getFullAXTree`), not by eye:
every chart is one named node whose name summarises it (no tick-by-tick reading), nothing inside
a chart is exposed, Streamlit's duplicate chart toolbar buttons are gone, no icon name is in the
page's text, the focused menu link has a visible outline, and there is no Deploy button. At
390 px, every chart and map spans the content width and a bar chart's labels keep to 40 %.
"""

# ruff: noqa: F811 (the fixtures imported from test_browser are this module's test arguments)
from __future__ import annotations

import re

import pytest

from tests.test_browser import (  # noqa: F401 (fixtures)
    ARTIFACTS,
    CHART,
    DRAWN,
    browser,
    chromium,
    exceptions,
    pages,
    served,
    settle,
)

pytestmark = pytest.mark.browser
ICON_WORDS = re.compile(r"\b(keyboard_[a-z_]+|expand_(more|less)|arrow_[a-z_]+|material/\w+)\b")


def ax_nodes(tab) -> list[dict]:
    cdp = tab.context.new_cdp_session(tab)
    try:
        return cdp.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        cdp.detach()


def named(node: dict) -> tuple[str, str]:
    return node.get("role", {}).get("value", ""), node.get("name", {}).get("value", "")


def open_page(browser, base: str, stem: str, url: str, *, width: int = 1400):
    context = browser.new_context(viewport={"width": width, "height": 2400})
    tab = context.new_page()
    tab.set_default_timeout(90_000)
    tab.goto(f"{base}/{url}" if stem != "overview" else base)
    tab.wait_for_selector("h1")
    settle(tab, charts=stem != "methods")
    return context, tab


@pytest.mark.parametrize("stem", ["overview", "use_supply", "adverse_events"])
def test_each_chart_is_one_summarised_node_in_the_accessibility_tree(
    served: str, browser, stem: str
) -> None:
    url = dict(pages())[stem]
    context, tab = open_page(browser, served, stem, url)
    try:
        assert exceptions(tab) == []
        nodes = [n for n in ax_nodes(tab) if not n.get("ignored")]
        charts = [named(n) for n in nodes if named(n)[0] == "graphics-document"]
        assert len(charts) == tab.locator(CHART).count() > 0
        for _, name in charts:
            assert name.endswith("below the chart lists every number.") or "Numbers" in name, name
            assert len(name) < 600, name  # a summary, not every tick
        # nothing inside a chart is read out: no symbol per point, tick, title or legend entry
        # (Vega's root group stays as an unnamed container)
        inner = [named(n) for n in nodes if named(n)[0] in ("graphics-symbol", "graphics-object")]
        assert not [n for n in inner if n[0] == "graphics-symbol" or n[1]], inner[:5]
        buttons = [name for role, name in map(named, nodes) if role == "button"]
        assert not [
            b for b in buttons if b.startswith(("Show data", "Copy Vega-Lite", "Download as PNG"))
        ]
        assert "Deploy" not in buttons
        text = tab.locator("body").inner_text()
        assert not ICON_WORDS.findall(text), ICON_WORDS.findall(text)[:5]
    finally:
        context.close()


def test_focus_on_the_menu_is_visible(served: str, browser) -> None:
    context, tab = open_page(browser, served, "overview", "")
    try:
        link = tab.locator('[data-testid="stSidebarNav"] a').nth(1)
        link.focus()
        tab.keyboard.press("Shift+Tab")
        tab.keyboard.press("Tab")  # keyboard focus, so :focus-visible applies
        style = link.evaluate(
            "e => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineWidth]; }"
        )
        assert style[0] == "solid" and float(style[1].removesuffix("px")) >= 2, style
    finally:
        context.close()


PHONE = 390


@pytest.mark.parametrize("stem", ["use_supply", "adverse_events", "poison_deaths"])
def test_phone_width_charts_and_maps_use_the_width_and_bars_keep_room(
    served: str, browser, stem: str
) -> None:
    context, tab = open_page(browser, served, stem, dict(pages())[stem], width=PHONE)
    try:
        assert exceptions(tab) == []
        tab.screenshot(path=str(ARTIFACTS / f"a11y-phone-{stem}.png"), full_page=True)
        content = tab.locator('[data-testid="stMainBlockContainer"]').evaluate(
            "e => e.clientWidth - parseFloat(getComputedStyle(e).paddingLeft)"
            " - parseFloat(getComputedStyle(e).paddingRight)"
        )
        widths = tab.locator(DRAWN).evaluate_all(
            "els => els.map(e => e.getBoundingClientRect().width)"
        )
        assert widths and min(widths) >= 0.9 * content, (widths, content)
        # horizontal bars: their category labels (right-aligned, left of the plot) fit in 40 %
        label_widths = tab.locator(DRAWN).evaluate_all(
            """els => els.map(svg => Math.max(0, ...[...svg.querySelectorAll(
                '.role-axis-label text[text-anchor="end"]')].map(t => t.getBBox().width)))"""
        )
        for svg_width, label in zip(widths, label_widths, strict=True):
            assert label <= 0.4 * svg_width + 1, (label, svg_width)
    finally:
        context.close()
