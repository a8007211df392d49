"""The refresh end to end: origins in order, snapshots, partial failure, atomic publish, lock."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from etl import warehouse
from etl.cli import app
from etl.http import FetchError
from etl.refresh import RefreshOptions, refresh
from etl.sources import SOURCES, by_id

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "seed"
FIXTURES = ROOT / "tests" / "fixtures"
FOUNDATION = [by_id("literature"), by_id("milestones"), by_id("nflis")]


def query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def fingerprint(path: Path, source: str) -> list[tuple]:
    return query(
        path,
        "SELECT indicator, period_label, stratum, value, flags FROM observations"
        " WHERE source = ? ORDER BY ALL",
        [source],
    )


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def offline(data_dir: Path, seed_dir: Path = SEED) -> RefreshOptions:
    return RefreshOptions(mode="offline", data_dir=data_dir, seed_dir=seed_dir)


def mirror_of(tmp_path: Path, source_id: str, files: dict[str, str | Path]) -> Path:
    mirror = tmp_path / "mirror"
    folder = mirror / source_id
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        if isinstance(content, Path):
            shutil.copyfile(content, folder / name)
        else:
            (folder / name).write_text(content)
    return mirror


def test_offline_refresh_builds_a_cited_warehouse_and_status_exits_0(data_dir: Path) -> None:
    run = refresh(SOURCES, None, offline(data_dir))
    assert run.status == "ok", [(r.source, r.status, r.message) for r in run.results]
    published = data_dir / "warehouse.duckdb"
    assert query(published, "SELECT count(*) FROM observations")[0][0] > 300
    assert query(
        published, "SELECT count(*) FROM observations WHERE coalesce(trim(citation), '') = ''"
    ) == [(0,)]
    result = CliRunner().invoke(app, ["status", "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output


def test_mirror_loads_nflis_from_real_file(data_dir: Path, shared_raw: Path) -> None:
    run = refresh(FOUNDATION, ["nflis"], RefreshOptions("mirror", str(shared_raw), data_dir, SEED))
    assert run.results[0].status == "ok" and run.results[0].origin == "mirror"
    rows = dict(
        query(
            data_dir / "warehouse.duckdb",
            "SELECT period_label, value FROM observations"
            " WHERE indicator = 'nflis_reports_ketamine' ORDER BY period_label",
        )
    )
    assert sorted(rows) == [str(year) for year in range(2013, 2024)]
    assert rows["2019"] == 2393


def test_mirror_file_is_kept_as_a_content_addressed_snapshot(
    data_dir: Path, tmp_path: Path
) -> None:
    mirror = mirror_of(
        tmp_path,
        "nflis",
        {"Drug_frequency_annual_v2.csv": FIXTURES / "nflis" / "Drug_frequency_annual.csv"},
    )
    refresh(FOUNDATION, ["nflis"], RefreshOptions("mirror", str(mirror), data_dir, SEED))
    stored = [p for p in (data_dir / "raw" / "nflis").iterdir() if p.name.endswith(".csv")]
    assert len(stored) == 1
    meta = json.loads(stored[0].with_name(stored[0].name + ".meta.json").read_text())
    assert stored[0].name.startswith(meta["sha256"])
    assert {"url", "retrieved_at", "sha256", "size", "licence"} <= set(meta)
    # Offline now prefers that last good snapshot over the seed.
    run = refresh(FOUNDATION, ["nflis"], offline(data_dir))
    assert run.results[0].origin == "snapshot"
    values = fingerprint(data_dir / "warehouse.duckdb", "nflis")
    assert (
        "nflis_reports_ketamine",
        "2022",
        "all laboratories in the data file",
        150.0,
        "provisional",
    ) in values


def test_mirror_finds_files_by_pattern_and_header_not_exact_name(tmp_path: Path) -> None:
    from etl.folder_files import find_in_folder

    folder = tmp_path / "nflis"
    folder.mkdir()
    (folder / "drug_frequency_annual_2025-release.csv").write_text(
        "YYYY,SubstanceDetected,Freq\n2024,Ketamine,5\n"
    )
    (folder / "Drug_frequency_annual_notes.csv").write_text("note,text\n1,not the data\n")
    found = find_in_folder(folder, by_id("nflis").meta)
    assert [p.name for p in found["annual"]] == ["drug_frequency_annual_2025-release.csv"]


def test_a_source_whose_parsing_fails_keeps_its_published_rows(
    data_dir: Path, tmp_path: Path
) -> None:
    refresh(FOUNDATION, None, offline(data_dir))
    before = fingerprint(data_dir / "warehouse.duckdb", "nflis")
    broken = "YYYY,SubstanceDetected,Freq\n2021,Ketamine,120\n2022,Ketamine,lots\n"
    mirror = mirror_of(tmp_path, "nflis", {"Drug_frequency_annual.csv": broken})
    run = refresh(FOUNDATION, None, RefreshOptions("mirror", str(mirror), data_dir, SEED))
    result = {r.source: r for r in run.results}["nflis"]
    assert run.status == "partial"
    assert result.status == "failed"
    assert "Drug_frequency_annual.csv, line 3" in result.message
    assert fingerprint(data_dir / "warehouse.duckdb", "nflis") == before
    recorded = query(
        data_dir / "warehouse.duckdb",
        "SELECT status, message FROM runs WHERE source = 'nflis' AND run_id = ?",
        [run.run_id],
    )
    assert recorded[0][0] == "failed" and "line 3" in recorded[0][1]
    status = CliRunner().invoke(app, ["status", "--data-dir", str(data_dir)])
    assert status.exit_code == 1


def test_nothing_to_load_is_empty_not_failed(data_dir: Path, tmp_path: Path) -> None:
    empty_seed = tmp_path / "seed"
    empty_seed.mkdir()
    run = refresh(FOUNDATION, None, offline(data_dir, empty_seed))
    assert {r.status for r in run.results} == {"empty"}
    assert run.status == "ok"


def test_online_failure_falls_back_to_the_seed(data_dir: Path) -> None:
    class Unreachable:
        def download(self, url: str, *args: object, **kwargs: object) -> None:
            raise FetchError(f"{url}: connection refused", url=url)

    run = refresh(
        FOUNDATION,
        ["nflis"],
        RefreshOptions("online", None, data_dir, SEED),
        client_factory=lambda meta, options: Unreachable(),
    )
    result = run.results[0]
    assert (result.status, result.origin) == ("fallback", "seed")
    assert "connection refused" in result.message
    assert run.status == "partial"


def test_refused_publish_leaves_the_published_file_untouched(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    refresh(FOUNDATION, None, offline(data_dir))
    published = data_dir / "warehouse.duckdb"
    before = published.read_bytes()
    monkeypatch.setattr(warehouse, "sanity_problems", lambda con: ["1 planted problem"])
    with pytest.raises(warehouse.PublishRefused, match="planted"):
        refresh(FOUNDATION, None, offline(data_dir))
    assert published.read_bytes() == before
    assert not (data_dir / "warehouse.duckdb.next").exists()


def test_a_second_refresh_is_refused_while_one_holds_the_lock(data_dir: Path) -> None:
    paths = warehouse.WarehousePaths(data_dir)
    with (
        warehouse.refresh_lock(paths),
        pytest.raises(warehouse.RefreshLocked, match="another refresh"),
    ):
        refresh(FOUNDATION, None, offline(data_dir))
    # Released: the next one runs.
    assert refresh(FOUNDATION, None, offline(data_dir)).status == "ok"


def test_leftover_staging_file_is_removed_at_next_start(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "warehouse.duckdb.next").write_bytes(b"half-written")
    refresh(FOUNDATION, None, offline(data_dir))
    assert not (data_dir / "warehouse.duckdb.next").exists()
    assert (data_dir / "warehouse.duckdb").exists()


def test_refreshing_one_source_carries_the_others_over(data_dir: Path) -> None:
    refresh(FOUNDATION, None, offline(data_dir))
    before = fingerprint(data_dir / "warehouse.duckdb", "literature")
    run = refresh(FOUNDATION, ["milestones"], offline(data_dir))
    assert [r.source for r in run.results] == ["milestones"]
    assert fingerprint(data_dir / "warehouse.duckdb", "literature") == before
    runs = query(data_dir / "warehouse.duckdb", "SELECT count(DISTINCT run_id) FROM runs")
    assert runs == [(2,)]


def test_unknown_source_is_a_clear_cli_error(data_dir: Path) -> None:
    result = CliRunner().invoke(app, ["refresh", "--offline", "--data-dir", str(data_dir), "nope"])
    assert result.exit_code == 2
    assert "unknown source" in result.output


def test_up_rebuilds_only_when_the_seed_is_newer(data_dir: Path, tmp_path: Path) -> None:
    from etl.cli import needs_seed_build

    seed = tmp_path / "seed"
    shutil.copytree(SEED / "milestones", seed / "milestones")
    paths = warehouse.WarehousePaths(data_dir)
    assert needs_seed_build(paths, seed)
    refresh(FOUNDATION, None, offline(data_dir, seed))
    assert not needs_seed_build(paths, seed)
    later = paths.published.stat().st_mtime + 10
    import os

    os.utime(seed / "milestones" / "therapeutic_milestones.csv", (later, later))
    assert needs_seed_build(paths, seed)


def test_tables_a_database_source_creates_survive_its_failed_refresh(
    data_dir: Path, tmp_path: Path
) -> None:
    faers = [by_id("faers_quarterly")]
    good = tmp_path / "good"
    shutil.copytree(FIXTURES / "faers_quarterly", good / "faers_quarterly")
    first = refresh(faers, None, RefreshOptions("mirror", str(good), data_dir, SEED))
    assert first.results[0].status == "ok", first.results[0].message
    published = data_dir / "warehouse.duckdb"
    cases = query(published, "SELECT count(*) FROM faers_cases")[0][0]
    assert cases > 0
    assert first.results[0].rows > cases  # detail-table rows are counted, not just observations
    bad = tmp_path / "bad" / "faers_quarterly"
    bad.mkdir(parents=True)
    (bad / "faers_ascii_2020q1.zip").write_bytes(b"PK\x03\x04 this is not a zip")
    second = refresh(faers, None, RefreshOptions("mirror", str(bad.parent), data_dir, SEED))
    assert second.results[0].status == "failed"
    assert "faers_ascii_2020q1.zip" in second.results[0].message
    assert query(published, "SELECT count(*) FROM faers_cases")[0][0] == cases
