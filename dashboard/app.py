"""Ketamine Watch dashboard: one app, pages listed here. Run with `ketamine-watch serve`."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

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

st.set_page_config(page_title="Ketamine Watch", page_icon="📈", layout="wide")

navigation = st.navigation(
    [
        st.Page(PAGES / file, title=title, url_path=url_path, default=(file == "overview.py"))
        for file, title, url_path in PAGE_ORDER
        if (PAGES / file).exists()
    ]
)
navigation.run()
