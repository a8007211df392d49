"""The shrink guard: a refresh whose files would lose published data is held, never published.

Each case starts from a warehouse built offline from the bundled seed (which carries the
publishers' own NFLIS, EUDA, CMS and ONS files), then refreshes one source from a mirror holding
the same files with one change, as an operator's mirror or a publisher's changed release would.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from etl import shrink
from etl.cli import app
from etl.refresh import DEFAULT_SEED_DIR, RefreshOptions, refresh
from etl.sources import SOURCES
from tests.refresh_kit import copy_data_dir, fingerprint, query


@pytest.fixture(scope="module")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("seed-build")
    run = refresh(SOURCES, options=RefreshOptions(mode="offline", data_dir=data_dir))
    assert {r.source: r.status for r in run.results}["nflis"] == "ok"
    return data_dir


@pytest.fixture
def data_dir(seed_build: Path, tmp_path: Path) -> Path:
    return copy_data_dir(seed_build, tmp_path / "data")


def mirror_of(tmp_path: Path, source_id: str, change: Callable[[Path], None]) -> Path:
    """A mirror folder holding the seed's publisher files for one source, after `change`."""
    root = tmp_path / "mirror"
    folder = root / source_id
    shutil.copytree(DEFAULT_SEED_DIR / source_id, folder)
    (folder / "seed.meta.json").unlink()
    change(folder)
    return root


def refresh_from(mirror: Path, data_dir: Path, source_id: str, *, accept: bool = False):
    options = RefreshOptions(
        mode="mirror", mirror=str(mirror), data_dir=data_dir, accept_shrink=accept
    )
    run = refresh(SOURCES, [source_id], options)
    return {r.source: r for r in run.results}[source_id], run


def edit(pattern: str, old: str, new: str, count: int = -1) -> Callable[[Path], None]:
    def change(folder: Path) -> None:
        (path,) = folder.glob(pattern)
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path.name}: the case no longer tests anything"
        path.write_text(text.replace(old, new, count), encoding="utf-8")

    return change


def keep_header_only(pattern: str) -> Callable[[Path], None]:
    def change(folder: Path) -> None:
        (path,) = folder.glob(pattern)
        path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")

    return change


def drop_lines(pattern: str, prefix: str) -> Callable[[Path], None]:
    def change(folder: Path) -> None:
        (path,) = folder.glob(pattern)
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [line for line in lines if not line.startswith(prefix)]
        assert len(kept) < len(lines), f"no line of {path.name} starts with {prefix!r}"
        path.write_text("".join(kept), encoding="utf-8")

    return change


def remove(pattern: str) -> Callable[[Path], None]:
    def change(folder: Path) -> None:
        (path,) = folder.glob(pattern)
        path.unlink()

    return change


def cut_last_lines(pattern: str, share: float) -> Callable[[Path], None]:
    def change(folder: Path) -> None:
        (path,) = folder.glob(pattern)
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join(lines[: int(len(lines) * (1 - share))]), encoding="utf-8")

    return change


HELD_CASES = {
    # Substance names upper-cased: the ketamine series is no longer recognised.
    "nflis-names-upper-cased": (
        "nflis",
        edit("Drug_frequency_annual.csv", "Ketamine", "KETAMINE"),
        "indicator nflis_reports_ketamine",
    ),
    # An optional file gone: three quarters of the rows with it.
    "nflis-figure-1-removed": (
        "nflis",
        remove("Figure_1*.csv"),
        "published rows",
    ),
    # The newest year cut from the annual file: the series ends a year early.
    "nflis-last-year-cut": (
        "nflis",
        drop_lines("Drug_frequency_annual.csv", "2023,"),
        "nflis_reports_ketamine 2023",
    ),
    # The site table gone: every city's coordinates, so the map, with it.
    "euda-site-file-removed": (
        "euda_wastewater",
        remove("*site-info*.csv"),
        "table wastewater_sites",
    ),
    # A file cut at a line boundary parses cleanly but says less.
    "euda-cut-at-a-line-boundary": (
        "euda_wastewater",
        cut_last_lines("*all-data*.csv", 0.3),
        "would",
    ),
}


@pytest.mark.parametrize("case", sorted(HELD_CASES))
def test_a_refresh_that_loses_published_data_is_held(
    case: str, data_dir: Path, tmp_path: Path
) -> None:
    source_id, change, named = HELD_CASES[case]
    published = data_dir / "warehouse.duckdb"
    before = fingerprint(published)
    result, run = refresh_from(mirror_of(tmp_path, source_id, change), data_dir, source_id)
    assert result.status == "held", result.message
    assert run.status == "partial"
    assert named in result.message
    assert f"ketamine-watch refresh {source_id} --accept-shrink" in result.message
    assert fingerprint(published) == before
    stored = query(published, "SELECT status, message FROM sources WHERE id = ?", [source_id])
    assert stored == [("held", result.message)]


def test_accept_shrink_publishes_it_once(data_dir: Path, tmp_path: Path) -> None:
    mirror = mirror_of(tmp_path, "nflis", edit("Drug_frequency_annual.csv", "Ketamine", "KETAMINE"))
    result, _ = refresh_from(mirror, data_dir, "nflis", accept=True)
    assert result.status == "ok", result.message
    assert "shrink accepted (--accept-shrink): would vanish: indicator nflis_reports_ketamine" in (
        result.message
    )
    published = data_dir / "warehouse.duckdb"
    left = query(
        published,
        "SELECT count(*) FROM observations WHERE indicator = ?",
        ["nflis_reports_ketamine"],
    )
    assert left == [(0,)]
    # Once: the next plain refresh compares with what is now published, so it is not held.
    again, _ = refresh_from(mirror, data_dir, "nflis")
    assert again.status == "ok", again.message
    logged = query(
        published, "SELECT message FROM runs WHERE source = 'nflis' AND message LIKE '%accepted%'"
    )
    assert len(logged) == 1


def test_revised_values_are_published_counted_and_listed(data_dir: Path, tmp_path: Path) -> None:
    published = data_dir / "warehouse.duckdb"
    rows = query(
        published,
        "SELECT geography, value FROM observations WHERE indicator = 'nflis_reports_ketamine'"
        " AND period_label = '2019'",
    )
    assert len(rows) == 1, "the seed no longer has one NFLIS ketamine count for 2019"
    geography, old = rows[0]
    line = f"2019,Ketamine,{int(old)},"
    revise = edit("Drug_frequency_annual.csv", line, f"2019,Ketamine,{int(old) + 7},")
    result, run = refresh_from(mirror_of(tmp_path, "nflis", revise), data_dir, "nflis")
    assert result.status == "ok", result.message
    assert "1 published values revised (listed on Data & methods)" in result.message
    listed = query(
        published,
        "SELECT run_id, indicator, geography, period_label, previous_value, value FROM revisions",
    )
    assert listed == [(run.run_id, "nflis_reports_ketamine", geography, "2019", old, old + 7)]


def test_growth_and_unchanged_files_are_not_held(data_dir: Path, tmp_path: Path) -> None:
    less = mirror_of(tmp_path / "less", "nflis", remove("Figure_1*.csv"))
    assert refresh_from(less, data_dir, "nflis", accept=True)[0].status == "ok"
    full = mirror_of(tmp_path / "full", "nflis", lambda folder: None)
    grown, _ = refresh_from(full, data_dir, "nflis")
    assert grown.status == "ok", grown.message
    same, _ = refresh_from(full, data_dir, "nflis")
    assert same.status == "ok", same.message
    assert "revised" not in grown.message + same.message


def test_status_exits_1_when_a_source_is_held(data_dir: Path, tmp_path: Path) -> None:
    mirror = mirror_of(tmp_path, "nflis", drop_lines("Drug_frequency_annual.csv", "2023,"))
    assert refresh_from(mirror, data_dir, "nflis")[0].status == "held"
    outcome = CliRunner().invoke(app, ["status", "--data-dir", str(data_dir)])
    assert outcome.exit_code == 1, outcome.output
    assert "nflis" in outcome.output.split("needs attention")[-1]


def test_accept_shrink_needs_named_sources(data_dir: Path) -> None:
    outcome = CliRunner().invoke(
        app, ["refresh", "--offline", "--accept-shrink", "--data-dir", str(data_dir)]
    )
    assert outcome.exit_code == 2
    assert "name the source(s)" in outcome.output


# The comparison itself, on a hand-made pair of warehouses.


def tiny_pair(previous: list[tuple], new: list[tuple]) -> duckdb.DuckDBPyConnection:
    """A staging connection with `prev` attached; rows are (indicator, geography, year, value)."""
    con = duckdb.connect()
    con.execute("ATTACH ':memory:' AS prev")
    for schema, rows in (("prev", previous), ("main", new)):
        con.execute(
            f"CREATE TABLE {schema}.observations (source VARCHAR, indicator VARCHAR,"
            " geography VARCHAR, period_start DATE, period_end DATE, period_label VARCHAR,"
            " stratum VARCHAR, value DOUBLE)"
        )
        con.execute(f"CREATE TABLE {schema}.events (source VARCHAR)")
        con.execute(f"CREATE TABLE {schema}.detail_tables (table_name VARCHAR, source VARCHAR)")
        for indicator, geography, year, value in rows:
            con.execute(
                f"INSERT INTO {schema}.observations VALUES ('s', ?, ?, make_date(?, 1, 1),"
                " make_date(?, 12, 31), ?, NULL, ?)",
                [indicator, geography, year, year, str(year), value],
            )
    return con


def test_rolling_window_may_drop_only_the_years_before_its_new_start() -> None:
    previous = [("q", "US", year, 1.0) for year in (2020, 2021, 2022)]
    new = [("q", "US", year, 1.0) for year in (2021, 2022, 2023)]
    con = tiny_pair(previous, new)
    assert shrink.compare(con, "s", rolling_window=True).vanished == []
    assert shrink.compare(con, "s", rolling_window=False).vanished == ["q 2020"]
    gap = tiny_pair(previous, [("q", "US", 2020, 1.0), ("q", "US", 2022, 1.0)])
    assert shrink.compare(gap, "s", rolling_window=True).vanished == ["q 2021"]


def test_duplicate_keys_are_not_reported_as_revisions() -> None:
    previous = [("q", "HK", 2020, 472.9), ("q", "HK", 2020, 31.73), ("q", "US", 2020, 5.0)]
    new = [("q", "HK", 2020, 472.87), ("q", "HK", 2020, 31.73), ("q", "US", 2020, 6.0)]
    report = shrink.compare(tiny_pair(previous, new), "s")
    assert report.revision_count == 1
    assert report.revisions[["geography", "previous_value", "value"]].values.tolist() == [
        ["US", 5.0, 6.0]
    ]


def test_a_small_loss_within_tolerance_passes_and_a_larger_one_is_named() -> None:
    previous = [("q", f"g{i}", 2020, 1.0) for i in range(100)] + [
        ("r", f"g{i}", 2020, 1.0) for i in range(100)
    ]
    report = shrink.compare(tiny_pair(previous, previous[:-10]), "s")
    # Ten places of indicator r vanish: held for the places, though 5 % is within tolerance.
    assert report.lost_share == pytest.approx(0.05)
    assert report.shrinks(0.05)
    assert report.describe(0.05).startswith("would vanish: r in g90; r in g91;")
    assert report.describe(0.05).endswith("r in g97; and 2 more")
    assert "would lose 10 of 200 published rows (5%, more than the 2% tolerated)" in (
        report.describe(0.02)
    )
    assert not shrink.compare(tiny_pair(previous, previous), "s").shrinks(0.0)


def test_data_and_methods_shows_held_sources_and_revised_values(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import streamlit as st

    from tests.page_kit import run_page

    published = data_dir / "warehouse.duckdb"
    (old,) = query(
        published,
        "SELECT value FROM observations WHERE indicator = 'nflis_reports_ketamine'"
        " AND period_label = '2019'",
    )[0]
    line = f"2019,Ketamine,{int(old)},"
    revise = edit("Drug_frequency_annual.csv", line, f"2019,Ketamine,{int(old) + 7},")
    refresh_from(mirror_of(tmp_path / "a", "nflis", revise), data_dir, "nflis")
    held, _ = refresh_from(
        mirror_of(tmp_path / "b", "euda_wastewater", remove("*site-info*.csv")),
        data_dir,
        "euda_wastewater",
    )
    assert held.status == "held", held.message
    monkeypatch.setenv("KETAMINE_WATCH_WAREHOUSE", str(published))
    st.cache_data.clear()
    at = run_page("methods")
    assert not at.exception, [e.value for e in at.exception]
    assert "Revised values" in [h.value for h in at.header]
    revised = next(d.value for d in at.dataframe if "previous_value" in d.value.columns)
    assert revised[["indicator", "previous_value", "value"]].values.tolist() == [
        ["nflis_reports_ketamine", old, old + 7]
    ]
    assert held.message in [t.value for t in at.text]
    assert any("Last refresh held" in m.value for m in at.markdown)
