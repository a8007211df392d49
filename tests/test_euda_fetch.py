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
