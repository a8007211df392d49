"""A real browser: Debian's chromium (never `playwright install`) driven by Python Playwright
against `streamlit run` on a free port, serving the seed warehouse.

Loads every page, waits for its charts to draw (vega-embed renders SVG: `svg.marks`), checks no
exception is shown, changes a filter and sees the chart redraw and the URL change, reopens the
shared link, and saves screenshots in test-artifacts/ (git-ignored; CI keeps them).

/usr/bin/chromium missing is a FAILURE (CI installs it in .ci/run); set
KETAMINE_WATCH_SKIP_BROWSER=1 to skip locally.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.page_kit import page_order

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = REPO / "test-artifacts"
CHART = '[data-testid="stVegaLiteChart"]'
DRAWN = f"{CHART} svg.marks"
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'

pytestmark = pytest.mark.browser


def pages() -> list[tuple[str, str]]:
    """(page folder, url path) of every page app.py registers, in its order."""
    return [(stem, url) for stem, _title, url in page_order()]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(base: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}")
        try:
            with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"streamlit did not answer at {base} within {timeout}s")


@pytest.fixture(scope="module")
def chromium() -> Path:
    if os.environ.get("KETAMINE_WATCH_SKIP_BROWSER") == "1":
        pytest.skip("KETAMINE_WATCH_SKIP_BROWSER=1: browser tests skipped on request")
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} not found: the browser tests need Debian's chromium "
            "(`apt-get install -y chromium`; .ci/run installs it). "
            "Set KETAMINE_WATCH_SKIP_BROWSER=1 to skip them locally.",
            pytrace=False,
        )
    return CHROMIUM


@contextlib.contextmanager
def streamlit_on(warehouse: Path, log_name: str) -> Iterator[str]:
    """`streamlit run dashboard/app.py` on a free port against `warehouse`; yields its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "KETAMINE_WATCH_WAREHOUSE": str(warehouse)}
    ARTIFACTS.mkdir(exist_ok=True)
    with (ARTIFACTS / log_name).open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(REPO / "dashboard" / "app.py"),
                "--server.headless=true",
                f"--server.port={port}",
                "--server.address=127.0.0.1",
                "--server.fileWatcherType=none",
                "--browser.gatherUsageStats=false",
            ],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_healthy(base, process)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="module")
def served(seed_warehouse: Path, chromium: Path) -> Iterator[str]:
    """The dashboard against the seed warehouse."""
    with streamlit_on(seed_warehouse, "streamlit-browser-test.log") as base:
        yield base


@pytest.fixture(scope="module")
def browser(chromium: Path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 2600})
    tab = context.new_page()
    tab.set_default_timeout(90_000)  # generous: CI machines are shared; no timing is asserted
    try:
        yield tab
    finally:
        context.close()


SETTLED = """([idle, chart, drawn, some]) => !!document.querySelector(idle) &&
    (!some || document.querySelectorAll(chart).length > 0) &&
    document.querySelectorAll(chart).length === document.querySelectorAll(drawn).length"""


def settle(tab, *, charts: bool = True, quiet_ms: int = 400) -> float:
    """Wait until the script run finished and every chart on the page has drawn its SVG; return
    `time.perf_counter()` at the moment that first held.

    With `charts`, at least one chart must be there: right after a navigation both counts can
    still be 0, which would pass too early. The state must also still hold, with the same number
    of charts, `quiet_ms` later: on a loaded machine the idle marker and the charts drawn so far
    can agree while the rest of the page is still arriving (the quiet wait is not in the time
    returned)."""
    arg = [IDLE, CHART, DRAWN, charts]
    while True:
        tab.wait_for_selector(IDLE, state="attached")
        tab.wait_for_function(SETTLED, arg=arg)
        done = time.perf_counter()
        count = tab.locator(CHART).count()
        tab.wait_for_timeout(quiet_ms)
        if tab.evaluate(SETTLED, arg) and tab.locator(CHART).count() == count:
            return done


def exceptions(tab) -> list[str]:
    return tab.locator('[data-testid="stException"]').all_inner_texts()


def test_every_page_loads_and_draws_its_charts(served: str, page) -> None:
    drawn = {}
    for stem, url_path in pages():
        page.goto(f"{served}/{url_path}" if stem != "overview" else served)
        page.wait_for_selector("h1")
        settle(page, charts=stem != "methods")
        page.wait_for_timeout(300)  # let vega finish its transition before the screenshot
        page.screenshot(path=str(ARTIFACTS / f"browser-{stem}.png"), full_page=True)
        assert exceptions(page) == [], f"{stem}: {exceptions(page)}"
        assert "Last refresh" in page.inner_text("body"), f"{stem}: no header"
        drawn[stem] = page.locator(DRAWN).count()
    assert drawn["overview"] >= 4, drawn
    assert all(n > 0 for stem, n in drawn.items() if stem != "methods"), drawn


def test_a_filter_change_redraws_and_the_link_reopens_the_view(served: str, page) -> None:
    page.goto(served)
    settle(page)
    chart = page.locator(CHART).last  # the explored series
    before = chart.inner_html()
    selector = page.locator('[data-testid="stSelectbox"]').filter(has_text="Definition")
    selector.scroll_into_view_if_needed()
    selector.locator("input").click()
    # A click at the viewport's edge can leave the list closed; the keyboard opens it either way.
    page.keyboard.press("ArrowDown")
    options = page.locator('[role="option"]')
    options.nth(2).click()
    page.wait_for_url(lambda url: "ind=" in url)
    settle(page)
    page.wait_for_function(
        "([sel, old]) => { const c = document.querySelectorAll(sel);"
        " return c.length && c[c.length - 1].innerHTML !== old; }",
        arg=[CHART, before],
    )
    assert exceptions(page) == []
    shared = page.url
    assert "ind=" in shared
    page.screenshot(path=str(ARTIFACTS / "browser-overview-filtered.png"), full_page=True)

    reopened = page.context.new_page()
    reopened.goto(shared)
    settle(reopened)
    assert reopened.locator(CHART).last.inner_html() == page.locator(CHART).last.inner_html()
    assert "Link parameter" not in reopened.inner_text("body")
    reopened.close()


def test_a_hostile_link_shows_a_notice_not_an_exception(served: str, page) -> None:
    page.goto(f"{served}/?geo=%27%3B%20DROP%20TABLE%20observations%3B%20--&years=99999999999")
    settle(page)
    body = page.inner_text("body")
    assert exceptions(page) == []
    assert "Link parameter" in body and "ignored" in body
    assert page.locator(DRAWN).count() >= 4
    page.screenshot(path=str(ARTIFACTS / "browser-overview-hostile.png"), full_page=True)


def test_file_content_in_messages_is_shown_as_text_not_markdown(
    seed_warehouse: Path, chromium: Path, browser, tmp_path: Path
) -> None:
    """A refresh message quotes file content; a link or image in it must not render (or be
    fetched by every viewer's browser) on Data & methods."""
    import shutil

    import duckdb

    hostile = "bad cell [click](http://127.0.0.1:9/x) ![i](http://127.0.0.1:9/i.png) <b>b</b>"
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(seed_warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute(
            "UPDATE sources SET status = 'failed', message = ? WHERE id = 'nflis'", [hostile]
        )
        con.execute(
            "UPDATE runs SET status = 'failed', message = ? WHERE source = 'nflis'", [hostile]
        )
    with streamlit_on(copy, "streamlit-browser-hostile-message.log") as base:
        context = browser.new_context(viewport={"width": 1400, "height": 2600})
        tab = context.new_page()
        tab.set_default_timeout(90_000)
        fetched: list[str] = []
        tab.on("request", lambda request: fetched.append(request.url))
        tab.goto(f"{base}/methods")
        settle(tab, charts=False)
        html = tab.content()
        assert "bad cell [click](http://127.0.0.1:9/x)" in tab.inner_text("body")
        assert 'href="http://127.0.0.1:9/x"' not in html
        assert "127.0.0.1:9/i.png" not in " ".join(
            tab.locator("img").evaluate_all("els => els.map(e => e.src)")
        )
        assert not any("127.0.0.1:9" in url for url in fetched)
        context.close()


def test_every_page_answers_at_its_url_and_renders_no_file_markup(
    hostile_warehouse: Path, chromium: Path, browser
) -> None:
    """Every page at its own URL path (`/overview` too, not only `/`), served from a warehouse
    with a link, an image, an `<img>` tag and a bare URL in every text field: no page links to
    or loads anything from that host, and no request leaves 127.0.0.1."""
    from urllib.parse import urlsplit

    from tests.hostile_kit import EVIL

    # `/` is visited by test_every_page_loads_and_draws_its_charts; here each page's own path
    visits = [
        (stem, "Ketamine Watch" if stem == "overview" else title, url)
        for stem, title, url in page_order()
    ]
    with streamlit_on(hostile_warehouse, "streamlit-browser-safe-display.log") as base:
        context = browser.new_context(viewport={"width": 1400, "height": 2600})
        outside: list[str] = []

        def gate(route) -> None:
            if urlsplit(route.request.url).hostname == "127.0.0.1":
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        context.route("**/*", gate)
        tab = context.new_page()
        tab.set_default_timeout(90_000)
        for stem, h1, url_path in visits:
            tab.goto(f"{base}/{url_path}")
            tab.wait_for_selector("h1")
            settle(tab, charts=stem != "methods")
            where = f"/{url_path}"
            assert "Page not found" not in tab.inner_text("body"), where
            assert tab.locator("h1").first.inner_text().strip() == h1, where
            assert exceptions(tab) == [], where
            html = tab.content()
            text = tab.evaluate("document.body.textContent").replace("\u2060", "")
            assert f"[click](http://{EVIL}/x)" in text, (
                f"{where}: the hostile text is not on the page, so nothing was tested"
            )
            assert f'href="http://{EVIL}' not in html, where
            assert f'src="http://{EVIL}' not in html, where
            assert 'href="javascript:' not in html, where
            linked = tab.evaluate(
                "() => [...document.querySelectorAll('[href],[src]')]"
                ".map(e => e.getAttribute('href') || e.getAttribute('src'))"
            )
            assert not [u for u in linked if EVIL in u], where
        context.close()
    assert outside == []
