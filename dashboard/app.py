"""Ketamine Watch dashboard: one app, pages listed here. Run with `ketamine-watch serve`.

Every page answers at its own URL path. Streamlit serves the default page only at `/` (its
`url_path` names nothing a browser can open), so Overview is also registered once more, hidden
from the menu, at `/overview`: the same script, so a shared `/overview?...` link opens the same
view as `/?...`.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import page_style

PAGES = Path(__file__).resolve().parent / "views"

# (file in views/, title, url path). A page appears once its file exists.
PAGE_ORDER = (
    ("overview.py", "Overview", "overview"),
    ("cross_stream.py", "Cross-stream trends", "trends"),
    ("poison_deaths.py", "Poison centers & deaths", "poison-centers-deaths"),
    ("use_supply.py", "Use & supply", "use-supply"),
    ("adverse_events.py", "Adverse events", "adverse-events"),
    ("therapeutic.py", "Therapeutic context", "therapeutic"),
    ("methods.py", "Data & methods", "methods"),
)
DEFAULT_FILE = "overview.py"


def page_list() -> list[st.Page]:
    """The menu's pages in order, then the default page's own path as a hidden alias. A page's
    identity is its url path, so the default page takes the empty path (`/`) and leaves its
    named path to the alias."""
    pages = []
    for file, title, url_path in PAGE_ORDER:
        if not (PAGES / file).exists():
            continue
        default = file == DEFAULT_FILE
        pages.append(
            st.Page(
                PAGES / file, title=title, url_path="" if default else url_path, default=default
            )
        )
        if default:
            alias = st.Page(PAGES / file, title=title, url_path=url_path, visibility="hidden")
            pages.append(alias)
    return pages


st.set_page_config(page_title="Ketamine Watch", page_icon="📈", layout="wide")
page_style.apply()

navigation = st.navigation(page_list())
navigation.run()
