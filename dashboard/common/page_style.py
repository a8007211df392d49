"""Page-wide style the app adds once (from `app.py`): visible keyboard focus, icon names kept out
of the page's text, and fewer tab stops per chart.

- Focus: a 3 px outline on whatever has keyboard focus (menu links above all), which Streamlit's
  theme draws barely visible.
- Icons: Streamlit draws Material icons as ligature text ("keyboard_arrow_right"). It marks them
  `aria-hidden`, but the words still come out in the page's text (copy, reader views,
  `innerText`). A small script copies each icon's name to `data-icon`; CSS hides the word
  (`visibility: hidden` is not text) and draws the same glyph from the attribute as decorative
  generated content (`/ ""`: no alternative text).
- Chart toolbars: Streamlit's "Show data", "Download as PNG" and "Copy Vega-Lite spec" repeat
  the block under every chart (the data table and the exports, which carry the source and
  vintage); hiding them leaves one toolbar stop ("Fullscreen") per chart.

Constant text only: nothing from the warehouse goes into this HTML.
"""

from __future__ import annotations

import streamlit as st

FOCUS_COLOUR = "#0969da"  # 4.6:1 on white, 5.2:1 on the sidebar's grey

CSS = f"""
<style>
a:focus-visible, button:focus-visible, summary:focus-visible, [role="tab"]:focus-visible,
[data-testid="stSidebarNav"] a:focus-visible, [data-baseweb="select"] input:focus-visible {{
  outline: 3px solid {FOCUS_COLOUR} !important;
  outline-offset: 2px !important;
  border-radius: 4px;
}}
[data-testid="stSidebarNav"] a:focus-visible {{
  background: #ddf4ff !important;
}}
[data-testid="stIconMaterial"][data-icon] {{
  position: relative;
  visibility: hidden;
}}
[data-testid="stIconMaterial"][data-icon]::before {{
  content: attr(data-icon) / "";
  position: absolute;
  left: 0;
  top: 0;
  visibility: visible;
}}
[data-testid="stElementToolbar"] button[aria-label^="Show data"],
[data-testid="stElementToolbar"] button[aria-label^="Download as PNG"],
[data-testid="stElementToolbar"] button[aria-label^="Copy Vega-Lite spec"] {{
  display: none !important;
}}
</style>
"""

SCRIPT = """
<script>
(() => {
  const doc = window.parent && window.parent.document ? window.parent.document : document;
  if (doc.body.dataset.kwIcons) return;
  doc.body.dataset.kwIcons = "1";
  const mark = () => doc.querySelectorAll('[data-testid="stIconMaterial"]').forEach((el) => {
    const name = el.textContent.trim();
    if (name && el.dataset.icon !== name) el.dataset.icon = name;
  });
  mark();
  new MutationObserver(mark).observe(doc.body, {
    subtree: true, childList: true, characterData: true,
  });
})();
</script>
"""


def apply() -> None:
    """Add the style and the icon script to the page (call once, before the page runs)."""
    st.html(CSS + SCRIPT, unsafe_allow_javascript=True)
