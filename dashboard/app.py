"""Ketamine Watch dashboard: one app, pages listed here. Run with `ketamine-watch serve`.

Every page answers at its own URL path. Streamlit serves the default page only at `/` (its
`url_path` names nothing a browser can open), so Overview is also registered once more, hidden
from the menu, at `/overview`: the same script, so a shared `/overview?...` link opens the same
view as `/?...`.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard.common import page_style

HERE = Path(__file__).resolve().parent
PAGE_SCRIPT = "page.py"

# (folder under dashboard/ holding the page's page.py, title, url path). A page appears once its
# script exists.
PAGE_ORDER = (
    ("overview", "Overview", "overview"),
    ("trends", "Cross-stream trends", "trends"),
    ("poison_deaths", "Poison centers & deaths", "poison-centers-deaths"),
    ("use_supply", "Use & supply", "use-supply"),
    ("adverse_events", "Adverse events", "adverse-events"),
    ("therapeutic", "Therapeutic context", "therapeutic"),
    ("methods", "Data & methods", "methods"),
)
DEFAULT_PAGE = "overview"


def page_list() -> list[st.Page]:
    """The menu's pages in order, then the default page's own path as a hidden alias. A page's
    identity is its url path, so the default page takes the empty path (`/`) and leaves its
    named path to the alias."""
    pages = []
    for folder, title, url_path in PAGE_ORDER:
        script = HERE / folder / PAGE_SCRIPT
        if not script.exists():
            continue
        default = folder == DEFAULT_PAGE
        pages.append(
            st.Page(script, title=title, url_path="" if default else url_path, default=default)
        )
        if default:
            alias = st.Page(script, title=title, url_path=url_path, visibility="hidden")
            pages.append(alias)
    return pages


st.set_page_config(page_title="Ketamine Watch", page_icon="📈", layout="wide")
page_style.apply()

navigation = st.navigation(page_list())
navigation.run()
