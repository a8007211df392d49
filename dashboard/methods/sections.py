"""The sections of the Data & methods page, in page order: every source with provenance and
licence, the files loaded, the rules of the numbers, run history with failures, revised values,
figures set aside, the figure register, and the whole warehouse for download. Each draws frames
the page script fetched (dashboard/common/queries.py). Text from the warehouse reaches markdown
only through `safe_text`."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.common import components, exports, header
from dashboard.common.safe_text import code, md, md_link, safe_url

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
- **Primary first.** Each published figure has a tier: `primary` when the citation is the producer
  of the number, `secondary` (flagged) when it was read in news, a blog, a campaign page, a
  parliamentary answer or an "as cited in" fact sheet. Figures the curator marked "do not use"
  are never drawn. Clinic and seller links are never loaded.
- **One published number is one point**, wherever it was transcribed; the same measure with two
  values is a conflict, listed below with both citations.
- Nothing is invented or interpolated: a missing number is missing.
"""

# Streamlit's bundled Material icons (no emoji font needed), always beside the status word.
STATUS_ICONS = {
    "ok": ":green[:material/check_circle:]",
    "failed": ":red[:material/error:]",
    "held": ":red[:material/error:]",
    "fallback": ":orange[:material/warning:]",
    "kept": ":orange[:material/warning:]",
    "empty": ":orange[:material/warning:]",
}


def when(value: object) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M UTC") if pd.notna(value) else "never"


def section_sources(sources: pd.DataFrame, published: pd.DataFrame) -> None:
    """Counts by status, then one card per source, two to a row."""
    st.header("Sources")
    counts = sources["status"].value_counts()
    st.markdown(
        f"{len(sources)} sources · "
        + " · ".join(f"{int(n)} {md(status)}" for status, n in counts.items())
        + f" · {int(published['observations'].sum()) if not published.empty else 0:,} published "
        f"numbers from {len(published)} sources (the header's count) · "
        f"{int(sources['rows'].fillna(0).sum()):,} rows in all, with dated events"
    )
    for start in range(0, len(sources), 2):
        columns = st.columns(2)
        rows = sources.iloc[start : start + 2].itertuples()
        for column, row in zip(columns, rows, strict=False):
            with column.container(border=True):
                source_card(row)


def source_card(row) -> None:
    """One source: title and status, publisher, licence, cadence, vintage, refreshes, rows,
    links and caveats, and the last refresh's message when it did not succeed."""
    status = row.status or "never refreshed"
    icon = STATUS_ICONS.get(status, ":material/help:")
    st.markdown(f"**{md(row.title)}** ({code(row.id)})  \n{icon} status: **{md(status)}**")
    st.markdown(
        f"Publisher: {md(row.publisher)}  \nLicence: {md(row.licence)}  \n"
        f"Cadence: {md(row.cadence)}  \nVintage: {md(row.vintage) or '—'} "
        f"({header.ORIGIN_WORDS.get(str(row.origin), md(row.origin) or '—')})  \n"
        f"Last refresh: {when(row.last_refresh)} · "
        f"last success: {when(row.last_success)}  \nRows: {int(row.rows or 0):,}"
    )
    if row.homepage:
        # A curated source's "home page" is a file in this repository, not a link.
        page = (
            md_link("Publisher page", row.homepage)
            if safe_url(row.homepage)
            else f"Home: {md(row.homepage)}"
        )
        st.caption(f"{page}  \nCitation: {md(row.citation)}")
    if row.counts:
        st.caption(f"What it counts: {md(row.counts)}")
    if row.caveats:
        st.caption(f"Caveats: {md(row.caveats)}")
    if status == "failed":
        components.message_box("error", "Last refresh failed", row.message)
    elif status == "held":
        components.message_box("error", "Last refresh held: it would lose data", row.message)
    elif status in ("fallback", "kept", "empty") and row.message:
        components.message_box("warning", md(status), row.message)


def section_files(files: pd.DataFrame) -> None:
    st.header("Files loaded")
    st.markdown(
        "Every file the published numbers were parsed from: where it was read (the publisher's "
        "URL, a mirror folder or the bundled seed), its SHA-256 and when it was retrieved."
    )
    if files.empty:
        components.notice("No file provenance is recorded yet: run `ketamine-watch refresh`.")
    else:
        st.dataframe(files, hide_index=True, width="stretch")


def section_rules() -> None:
    st.header("Rules of the numbers")
    st.markdown(RULES)


def section_runs(history: pd.DataFrame) -> None:
    st.header("Run history")
    failures = history[history["status"] == "failed"]
    if not failures.empty:
        st.subheader("Failures")
        for row in failures.head(20).itertuples():
            components.message_box("error", f"{when(row.started)} · {md(row.source)}", row.message)
    st.dataframe(
        history,
        hide_index=True,
        width="stretch",
        column_config={"message": st.column_config.TextColumn("message", width="large")},
    )


def section_revisions(revised: pd.DataFrame) -> None:
    st.header("Revised values")
    if revised.empty:
        st.markdown("No refresh has changed a published value yet.")
    else:
        st.markdown(
            "Published values that a later release changed: the value before and after, by run. "
            "A revision is published; a refresh that would drop published series, years, places or "
            "more than 5 % of a source's rows is held instead (status `held`)."
        )
        st.dataframe(revised, hide_index=True, width="stretch")


def section_set_aside(
    undated: pd.DataFrame,
    conflicts: pd.DataFrame,
    set_aside: pd.DataFrame,
    duplicates: pd.DataFrame,
) -> None:
    """Conflicting values, figures never drawn, transcribed duplicates and undated figures."""
    if conflicts.empty and undated.empty and set_aside.empty and duplicates.empty:
        return
    st.header("Published figures set aside")
    if not conflicts.empty:
        st.markdown(
            "Two publications give **different values for the same measure**. Neither is drawn, "
            "unless exactly one of the values comes from a primary source (`drawn`)."
        )
        st.dataframe(conflicts, hide_index=True, width="stretch")
    if not set_aside.empty:
        st.markdown("Figures **never drawn**, with the reason (the curator's 'do not use'):")
        st.dataframe(
            set_aside[["figure_id", "publication", "indicator_text", "value", "unit", "reason"]],
            hide_index=True,
            width="stretch",
        )
    if not duplicates.empty:
        st.markdown(
            "The **same number transcribed again** (drawn once, on the row named in "
            "`duplicate_of`):"
        )
        st.dataframe(duplicates, hide_index=True, width="stretch")
    if not undated.empty:
        st.markdown("Figures whose period cannot be placed on a time axis:")
        st.dataframe(undated, hide_index=True, width="stretch")


def section_register(register: pd.DataFrame) -> None:
    if register.empty:
        return
    st.header("Every published figure: tier, verification and fate")
    st.dataframe(register, hide_index=True, width="stretch")


def section_download(tables: list[str]) -> None:
    st.header("Download the warehouse")
    st.markdown(
        f"Every table ({len(tables)}: {', '.join(code(t) for t in tables)}) as CSV or Parquet. "
        "Cite the original publications listed in `sources` and `observations.citation`."
    )
    left, right = st.columns(2)
    left.download_button(
        "All tables as CSV (zip)",
        data=exports.warehouse_csv_zip,
        file_name="ketamine-watch-csv.zip",
        mime="application/zip",
        on_click="ignore",
    )
    right.download_button(
        "All tables as Parquet (zip)",
        data=exports.warehouse_parquet_zip,
        file_name="ketamine-watch-parquet.zip",
        mime="application/zip",
        on_click="ignore",
    )
