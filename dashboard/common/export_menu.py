"""One compact "Export" menu under every chart: the chart's rows as a long CSV and a wide
period x series CSV, PNG and SVG images with a provenance footer, and the citation as plain
text, CITATION.cff or BibTeX. The files are made by `dashboard.provenance` (pure) only when a
button is pressed.

The view's link in the footer and the citation is the page's address with the query
parameters the filters have written so far (`dashboard.filters`), so it reopens the view.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from urllib.parse import urlencode

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.common import provenance, queries
from dashboard.common.safe_text import md
from dashboard.common.specs import ChartSpec

Chart = alt.TopLevelMixin | ChartSpec


def current_link() -> str:
    """The page's address with its current query parameters (empty when unknown)."""
    try:
        base = str(st.context.url or "")
    except Exception:  # no browser session (bare mode)
        base = ""
    base = base.split("#")[0].split("?")[0]
    pairs = [(k, v) for k in st.query_params for v in st.query_params.get_all(k)]
    query = urlencode(pairs)
    return base + ("?" + query if query else "")


def chart_title(chart: Chart) -> str:
    if isinstance(chart, ChartSpec):
        text = chart.title
    else:
        title = getattr(chart, "title", None)
        text = title.text if isinstance(title, alt.TitleParams) else title
    return str(text) if text and text is not alt.Undefined else "Chart"


def today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


def image(chart: Chart, fmt: str, footer: list[str] | None = None) -> bytes:
    """PNG (2x) or SVG of the chart at a landscape export width, with `footer` lines under it."""
    import vl_convert as vlc

    built = (chart.rebuild() if isinstance(chart, ChartSpec) else chart).to_dict()
    spec = json.dumps(provenance.framed_spec(built, lines=footer or []))
    if fmt == "png":
        return vlc.vegalite_to_png(spec, scale=2)
    return vlc.vegalite_to_svg(spec).encode("utf-8")


def _source_files() -> pd.DataFrame:
    try:
        return queries.source_files()
    except Exception:  # an older warehouse without the table: cite without hashes
        return pd.DataFrame(columns=["source", "file", "origin", "sha256"])


def _button(label: str, make: Callable[[], bytes | str], name: str, mime: str, key: str) -> None:
    st.download_button(
        label,
        data=make,
        file_name=name,
        mime=mime,
        key=key,
        on_click="ignore",
        width="stretch",
    )


def menu(chart: Chart, data: pd.DataFrame, shown: pd.DataFrame, *, name: str) -> None:
    """The Export popover: long and wide CSV, PNG and SVG with footer, citation files."""
    link, accessed, version = current_link(), today(), provenance.dashboard_version()
    title = chart_title(chart)
    cite = {"link": link, "accessed": accessed, "version": version}
    lines = provenance.footer_lines(data, **cite)
    wide = provenance.wide_frame(shown)
    with st.popover("Export", icon=":material/download:"):
        _button("CSV of this chart", lambda: shown.to_csv(index=False), f"{name}.csv",
                "text/csv", f"csv_{name}")  # fmt: skip
        if wide is not None:
            _button("Wide CSV (period × series)", lambda: wide.to_csv(index=False),
                    f"{name}-wide.csv", "text/csv", f"wide_{name}")  # fmt: skip
        _button("PNG", lambda: image(chart, "png", lines), f"{name}.png", "image/png",
                f"png_{name}")  # fmt: skip
        _button("SVG", lambda: image(chart, "svg", lines), f"{name}.svg", "image/svg+xml",
                f"svg_{name}")  # fmt: skip
        _button("Citation file",
                lambda: provenance.citation_text(data, files=_source_files(), **cite),
                f"{name}-citation.txt", "text/plain", f"cite_{name}")  # fmt: skip
        _button("CITATION.cff",
                lambda: provenance.citation_cff(data, files=_source_files(), title=title, **cite),
                f"{name}-CITATION.cff", "text/plain", f"cff_{name}")  # fmt: skip
        _button("BibTeX",
                lambda: provenance.citation_bibtex(data, files=_source_files(), title=title,
                                                   **cite),
                f"{name}.bib", "text/plain", f"bib_{name}")  # fmt: skip
        st.caption(f"Images and citations carry the source, vintage and link: {md(link)}")
