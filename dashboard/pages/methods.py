"""Data & methods: every source with provenance and licence, run history with failures, the
rules of the numbers, figures set aside, and the whole warehouse for download."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import streamlit as st

from dashboard import components, queries

RULES = """
- **Reports are not cases and not people.** FAERS counts de-duplicated reports; poison-center
  counts are exposure calls, not poisonings; NFLIS counts are laboratory reports.
- **Definitions are never spliced.** Two publications' "ketamine exposures" are two series.
  ONS "mentioned" is not "detected" or "implicated".
- **Series breaks are drawn, not hidden**: lines are cut at method changes and at missing periods
  (a gap, not a dip).
- **Small counts**: counts under 10 are flagged `suppressed` where the publisher suppresses them;
  rates from fewer than 20 events are flagged `unreliable`.
- **Provisional** periods (still filling in) are shaded; **projected** values are flagged.
- **Secondary** flags mark figures read in a news item, blog or quotation, or that conflict with
  another source.
- Nothing is invented or interpolated: a missing number is missing.
"""

st.title("Data & methods")
components.header()
if not queries.has_warehouse():
    st.stop()

st.header("Sources")
sources = queries.sources()
for row in sources.itertuples():
    with st.container(border=True):
        status = row.status or "never refreshed"
        st.markdown(f"**{row.title}** (`{row.id}`) — status: **{status}**")
        st.markdown(
            f"Publisher: {row.publisher}  \nLicence: {row.licence}  \nCadence: {row.cadence}  \n"
            f"Origin: {row.origin or '—'} · vintage: {row.vintage or '—'} · "
            f"last refresh: {row.last_refresh if pd.notna(row.last_refresh) else 'never'} · "
            f"rows: {int(row.rows or 0):,}"
        )
        if row.homepage:
            st.caption(f"Homepage: {row.homepage}  \nCitation: {row.citation}")
        if row.counts:
            st.caption(f"What it counts: {row.counts}")
        if row.caveats:
            st.caption(f"Caveats: {row.caveats}")
        if status == "failed":
            st.error(row.message)
        elif status in ("fallback", "kept", "empty") and row.message:
            st.warning(row.message)

st.header("Rules of the numbers")
st.markdown(RULES)

st.header("Run history")
history = queries.runs()
st.dataframe(history, hide_index=True, width="stretch")

undated, conflicts = queries.literature_set_aside()
if not conflicts.empty or not undated.empty:
    st.header("Published figures set aside")
    if not conflicts.empty:
        st.markdown(
            "Two publications give **different values for the same point**; neither is drawn."
        )
        st.dataframe(conflicts, hide_index=True, width="stretch")
    if not undated.empty:
        st.markdown("Figures whose period cannot be placed on a time axis:")
        st.dataframe(undated, hide_index=True, width="stretch")

st.header("Download the warehouse")


def warehouse_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in queries.table_names():
            archive.writestr(f"{name}.csv", queries.whole_table(name).to_csv(index=False))
    return buffer.getvalue()


def warehouse_parquet_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name in queries.table_names():
            out = io.BytesIO()
            queries.whole_table(name).to_parquet(out, index=False)
            archive.writestr(f"{name}.parquet", out.getvalue())
    return buffer.getvalue()


left, right = st.columns(2)
left.download_button(
    "All tables as CSV (zip)",
    data=warehouse_zip,
    file_name="ketamine-watch-csv.zip",
    mime="application/zip",
    on_click="ignore",
)
right.download_button(
    "All tables as Parquet (zip)",
    data=warehouse_parquet_zip,
    file_name="ketamine-watch-parquet.zip",
    mime="application/zip",
    on_click="ignore",
)
