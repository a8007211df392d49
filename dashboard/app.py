"""Ketamine Watch dashboard: one app, pages listed here. Run with `ketamine-watch serve`."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

PAGES = Path(__file__).resolve().parent / "pages"

st.set_page_config(page_title="Ketamine Watch", page_icon="📈", layout="wide")

navigation = st.navigation(
    [
        st.Page(PAGES / "overview.py", title="Overview", url_path="overview", default=True),
        st.Page(PAGES / "methods.py", title="Data & methods", url_path="methods"),
    ]
)
navigation.run()
