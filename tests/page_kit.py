"""Helpers for driving dashboard pages through Streamlit's AppTest (not a test module).

`run_page(page, params)` opens dashboard/app.py, goes to `<page>/page.py` and runs it with
`params` in the page's query string, the way a shared link opens it. The Overview is the app's
default page: it runs with the query string set before the first run, as a link to the site root
opens it. The warehouse is whatever `KETAMINE_WATCH_WAREHOUSE` names (see the `dashboard_env`
fixture in conftest.py).
"""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
DASHBOARD = Path(APP).parent

Params = dict[str, str] | dict[str, str | list[str]]


def page_order() -> list[tuple[str, str, str]]:
    """(page folder, menu title, url path) of every page app.py registers, in its order. Read
    from app.py's source: importing it would start the app."""
    source = (DASHBOARD / "app.py").read_text()
    namespace: dict = {}
    start = source.index("PAGE_ORDER = (")
    end = source.index("\n)\n", start) + 3
    exec(source[start:end], namespace)  # the literal tuple only
    return [
        (folder, title, url)
        for folder, title, url in namespace["PAGE_ORDER"]
        if (DASHBOARD / folder / "page.py").exists()
    ]


def page_ids() -> list[str]:
    """Every page of the app, by its folder in dashboard/ (which holds its page.py)."""
    return sorted(folder for folder, _title, _url in page_order())


def run_page(
    page: str = "overview", params: Params | None = None, *, timeout: int = 120
) -> AppTest:
    """Run the app, open `page` with `params` in its query string, and return the AppTest after
    the page has run (its exceptions, if any, are in `at.exception`)."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    if page == "overview":
        for key, value in (params or {}).items():
            at.query_params[key] = value
        at.run()
        return at
    at.run()
    at.switch_page(f"{page}/page.py")
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    return at
