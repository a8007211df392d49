"""AppTest: every page renders from the seed warehouse with no exception and draws its charts."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.common.safe_text import unescape
from tests.page_kit import page_ids, run_page


@pytest.mark.parametrize("page", page_ids())
def test_page_renders_with_header_and_chart_blocks(dashboard_env: Path, page: str) -> None:
    """Every page: no exception, a title, the shared header (vintage + last refresh), and under
    every chart the chart_block set: CSV, citation, PNG and SVG buttons and a data table."""
    at = run_page(page)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, f"page {page} shows no title"
    captions = [c.value for c in at.caption]
    assert any(c.startswith("Last refresh") and "published numbers" in c for c in captions), (
        f"page {page} does not start with header.page_head()"
    )
    # The header names every source's release: each published source's line carries the
    # vintages its rows carry in the warehouse.
    vintages = [e for e in at.expander if e.label == "Vintage of each source"]
    assert vintages, f"page {page}: no per-source vintages in the header"
    listed = unescape(" ".join(m.value for m in vintages[0].markdown))
    from dashboard.common import queries

    for row in queries.source_vintages().itertuples():
        assert row.title in listed, row.title
        if row.releases <= 2:
            assert row.vintages in listed, row.vintages
    buttons = [b.label for b in at.get("download_button")]
    csv = buttons.count("CSV of this chart")
    assert csv == buttons.count("Citation file") == buttons.count("PNG") == buttons.count("SVG")
    charts = len(at.get("vega_lite_chart"))
    if charts:
        assert csv >= 1, f"{page}: {charts} charts but no chart_block downloads"
    assert len(at.dataframe) >= csv, f"{page}: a chart without its data table"


def test_overview_draws_a_card_per_headline_stream(dashboard_env: Path) -> None:
    at = run_page("overview")
    cards = [
        unescape(m.value) for m in at.markdown if m.value.startswith("**") and "  \n" in m.value
    ]
    titles = {c.split("**")[1] for c in cards}
    # The seed has dated series for these streams (literature figures and NFLIS).
    assert {"Supply: lab reports and seizures", "Therapeutic use", "Deaths"} <= titles, titles
    assert len(at.metric) == len(titles)
    charts = at.get("vega_lite_chart")
    assert len(charts) == len(titles) + 1  # a sparkline per card + the explored series
    captions = " ".join(c.value for c in at.caption)
    assert "Source:" in captions and "Vintage:" in captions and "vintage:" in captions


def test_overview_numbers_come_from_the_warehouse(dashboard_env: Path) -> None:
    at = run_page("overview")
    # The NFLIS ketamine series' latest seeded year is 2023 with 2,031 reports (and 1,792 in
    # 2022): the card, its change and the "What changed" sentence all say so.
    nflis = [m for m in at.metric if m.label == "2023 · reports"]
    assert nflis and nflis[0].value == "2,031", [(m.label, m.value) for m in at.metric]
    assert nflis[0].delta == "+13% vs 2022"
    changed = " ".join(m.value for m in at.markdown)
    assert "2,031 reports in 2023, up 13% from 1,792 reports in 2022" in changed
    assert "The latest figure is provisional" in changed  # NFLIS latest year is flagged


def test_overview_flags_exactly_the_streams_beyond_their_recent_range(
    dashboard_env: Path,
) -> None:
    """The flag follows changes.recent_range (unit-tested on hand-made series) for every
    headline; at least one seeded stream is beyond its range, so the flag is exercised."""
    from dashboard.common import changes, narrative, queries

    at = run_page("overview")
    text = " ".join(m.value for m in at.markdown)
    headlines = queries.headline_indicators(2)
    flagged = 0
    for row in headlines.itertuples():
        spread = changes.recent_range(
            queries.series(row.indicator, row.geography, row.stratum, include_secondary=False)
        )
        flag = narrative.range_flag(spread, row.unit)
        if flag:
            flagged += 1
            assert flag in text, row.indicator
    assert flagged >= 1
    assert text.count("Beyond its recent range") == flagged


def test_explore_button_selects_the_series(dashboard_env: Path) -> None:
    at = run_page("overview")
    before = next(w for w in at.selectbox if w.key == "filter__ind").value
    button = next(b for b in at.button if b.key.startswith("explore_supply"))
    button.click().run()
    after = next(w for w in at.selectbox if w.key == "filter__ind").value
    assert after == "nflis_reports_ketamine" != before
    assert at.query_params["ind"] == "nflis_reports_ketamine"


def test_methods_page_lists_every_source_and_run(dashboard_env: Path) -> None:
    from etl.sources import SOURCES

    at = run_page("methods")
    text = " ".join(m.value for m in at.markdown)
    for source in SOURCES:
        assert f"`{source.meta.id}`" in text
        assert "Licence:" in text and "Cadence:" in text and "Rows:" in text
    assert "Rules of the numbers" in [h.value for h in at.header]
    assert at.dataframe, "no run history table"
    labels = [b.label for b in at.get("download_button")]
    assert "All tables as CSV (zip)" in labels and "All tables as Parquet (zip)" in labels


def test_warehouse_exports_hold_every_table(dashboard_env: Path) -> None:
    import io
    import zipfile

    import duckdb
    import pandas as pd

    from dashboard.common import exports

    con = duckdb.connect(str(dashboard_env), read_only=True)
    try:
        tables = {
            name: con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            for (name,) in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
            ).fetchall()
        }
        observations = con.execute("SELECT * FROM observations").df()
    finally:
        con.close()
    assert "observations" in tables and "sources" in tables

    with zipfile.ZipFile(io.BytesIO(exports.warehouse_csv_zip())) as archive:
        names = set(archive.namelist())
        assert names == {f"{t}.csv" for t in tables} | {"README.txt"}
        for table, rows in tables.items():
            assert len(pd.read_csv(archive.open(f"{table}.csv"))) == rows, table

    with zipfile.ZipFile(io.BytesIO(exports.warehouse_parquet_zip())) as archive:
        assert set(archive.namelist()) == {f"{t}.parquet" for t in tables} | {"README.txt"}
        back = pd.read_parquet(io.BytesIO(archive.read("observations.parquet")))
    assert len(back) == len(observations)
    assert back["value"].sum() == pytest.approx(observations["value"].sum())
    assert str(back["period_start"].dtype).startswith("datetime64")
