"""EUDA wastewater live fetch: the publisher's page is read and the CSVs it links are found by
file-name pattern (each edition renames them), on a local server serving a page in that shape."""

from __future__ import annotations

from pathlib import Path

import duckdb
from refresh_kit import run_refresh, test_client_factory

from etl.landing import links_matching
from etl.sources.euda_wastewater import EudaWastewater

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "euda_wastewater"
PAGE = "/publications/html/pods/waste-water-analysis_en"


def euda_page(names: list[str]) -> str:
    items = "".join(f'<li><a href="/system/files/documents/{n}">{n}</a> (CSV)</li>' for n in names)
    return (
        "<!DOCTYPE html><html><body><h2>Source data</h2>"
        f'<ul>{items}</ul><a href="/publications_en">Publications</a></body></html>'
    )


def serve_edition(server, names: dict[str, Path]) -> None:
    server.routes[PAGE] = (200, {"Content-Type": "text/html"}, euda_page(list(names)))
    for name, path in names.items():
        server.routes[f"/system/files/documents/{name}"] = (
            200,
            {"Content-Type": "text/csv"},
            path.read_bytes(),
        )


def test_links_are_picked_by_pattern_newest_edition_last() -> None:
    page = euda_page(["ww2024-all-data.csv", "ww2025-all-data.csv", "ww2025-site-info-table.csv"])
    found = links_matching(page, "https://www.euda.europa.eu" + PAGE, "*all-data*.csv")
    assert [u.rsplit("/", 1)[1] for u in found] == ["ww2024-all-data.csv", "ww2025-all-data.csv"]
    assert found[0].startswith("https://www.euda.europa.eu/system/files/documents/")


def test_online_refresh_loads_the_linked_edition(local_server, tmp_path: Path) -> None:
    files = {p.name.replace("ww2099", "ww2030"): p for p in sorted(FIXTURES.glob("*.csv"))}
    serve_edition(local_server, files)
    source = EudaWastewater(landing=local_server.url(PAGE))
    run = run_refresh(
        tmp_path, mode="online", sources=[source], client_factory=test_client_factory()
    )
    result = run.results[0]
    assert (result.status, result.origin) == ("ok", "live"), result.message
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
    try:
        sites = con.execute("SELECT count(*) FROM wastewater_sites").fetchone()[0]
        loads = con.execute(
            "SELECT count(*) FROM observations WHERE source = 'euda_wastewater'"
        ).fetchone()[0]
    finally:
        con.close()
    assert sites > 0 and loads > 0
    stored = [p.name for p in (tmp_path / "raw" / "euda_wastewater").glob("*.csv")]
    assert any(name.endswith("ww2030-all-data.csv") for name in stored), stored


def test_a_page_without_the_files_falls_back_and_says_so(local_server, tmp_path: Path) -> None:
    local_server.routes[PAGE] = (200, {"Content-Type": "text/html"}, euda_page([]))
    source = EudaWastewater(landing=local_server.url(PAGE))
    run = run_refresh(
        tmp_path, mode="online", sources=[source], client_factory=test_client_factory()
    )
    result = run.results[0]
    assert result.status == "fallback"
    assert "no link matching *all-data*.csv" in result.message
    assert "--mirror" in result.message


# The 2026 edition, as projects that downloaded it describe it (tests/fixtures/euda_wastewater/
# real/SOURCE.md): a page without `/html/`, files that may come in Windows-1252, "NA" for a day
# not measured. No copy of a 2026 file exists here, so each case changes the real 2025 file in
# that one way and expects the same rows as the unchanged file.
SEED_LOADS = Path(__file__).resolve().parents[1] / "data" / "seed" / "euda_wastewater"
LOADS_2025 = SEED_LOADS / "ww2025-all-data.csv"


def cp1252_lines() -> list[str]:
    """The real file's lines that Windows-1252 can hold (it has no 'Č', for one)."""
    lines = LOADS_2025.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [
        line for line in lines if line.encode("cp1252", errors="ignore").decode("cp1252") == line
    ]
    assert any(any(ord(c) > 127 for c in line) for line in kept), "no accented name left to test"
    return kept


def parse_loads(path: Path):
    return EudaWastewater().parse({"loads": [path]})


def test_a_windows_1252_export_reads_as_the_same_rows(tmp_path: Path) -> None:
    lines = cp1252_lines()
    utf8 = tmp_path / "utf8" / "ww2026-all-data_en.csv"
    cp1252 = tmp_path / "cp1252" / "ww2026-all-data_en.csv"
    for path, encoding in ((utf8, "utf-8"), (cp1252, "cp1252")):
        path.parent.mkdir()
        path.write_bytes("".join(lines).encode(encoding))
    with_utf8, with_cp1252 = parse_loads(utf8), parse_loads(cp1252)
    assert with_cp1252.observations.equals(with_utf8.observations)
    assert "Goiânia (BR)" in set(with_cp1252.observations["geography"])


def test_na_is_a_day_not_measured_and_a_row_without_a_mean_is_left_out(tmp_path: Path) -> None:
    text = LOADS_2025.read_text(encoding="utf-8")
    assert ",," in text
    lines = text.splitlines(keepends=True)
    # Blank day cells written as NA instead: the same rows.
    na_days = tmp_path / "days" / LOADS_2025.name
    na_days.parent.mkdir()
    na_days.write_text(text.replace(",,", ",NA,"), encoding="utf-8")
    with_na, with_blanks = parse_loads(na_days), parse_loads(LOADS_2025)
    assert with_na.observations.equals(with_blanks.observations)
    assert with_na.details["wastewater_loads"].equals(with_blanks.details["wastewater_loads"])
    # One row's daily mean NA: that site-year is left out, and the refresh message says so.
    row = next(i for i, line in enumerate(lines) if line.startswith("2024,"))
    lines[row] = lines[row].rstrip("\r\n").rsplit(",", 1)[0] + ",NA\n"
    na_mean = tmp_path / "mean" / LOADS_2025.name
    na_mean.parent.mkdir()
    na_mean.write_text("".join(lines), encoding="utf-8")
    tables = parse_loads(na_mean)
    assert len(tables.observations) == len(parse_loads(LOADS_2025).observations) - 1
    assert tables.notes == ["1 site-years with daily mean NA (not measured) left out"]
    # Anything else where a number belongs is still refused, with its line.
    lines[row] = lines[row].replace(",NA\n", ",n/a\n")
    na_mean.write_text("".join(lines), encoding="utf-8")
    try:
        parse_loads(na_mean)
    except ValueError as error:
        assert f"line {row + 1}" in str(error) and "n/a" in str(error)
    else:
        raise AssertionError("'n/a' as a daily mean was not refused")


def test_the_moved_page_is_tried_first_then_the_old_one(local_server, tmp_path: Path) -> None:
    files = {p.name.replace("ww2099", "ww2030"): p for p in sorted(FIXTURES.glob("*.csv"))}
    serve_edition(local_server, files)  # at the old address only; the new one answers 404
    moved = "/publications/pods/waste-water-analysis_en"
    source = EudaWastewater(landings=(local_server.url(moved), local_server.url(PAGE)))
    run = run_refresh(
        tmp_path, mode="online", sources=[source], client_factory=test_client_factory()
    )
    result = run.results[0]
    assert (result.status, result.origin) == ("ok", "live"), result.message
    asked = [request.path for request in local_server.requests]
    assert asked.index(moved) < asked.index(PAGE)
