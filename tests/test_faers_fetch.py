"""FAERS live fetch: FDA's landing page is read, the newest N ASCII quarter zips are downloaded
(N from KETAMINE_WATCH_FAERS_QUARTERS), and an unchanged quarter is not downloaded again
(conditional GET against the etag in the last good raw snapshot). All on a local server that
serves a page in the shape of FDA's and tiny zips built from the hand-made fixture quarters."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from refresh_kit import FAERS_FIXTURES, faers_zip, run_refresh, test_client_factory

from etl.contract import ApiSource, DatabaseSource
from etl.faers.remote import (
    FROM_ENV,
    QUARTERS_ENV,
    Window,
    fetch_quarters,
    first_wanted,
    quarter_links,
    quarters_wanted,
)
from etl.fetch import make_client
from etl.http import FetchError, HttpClient
from etl.refresh import RefreshOptions
from etl.sources import faers_quarterly
from etl.sources.faers_quarterly import FaersQuarterly

PAGE_PATH = "/extensions/FPD-QDE-FAERS/FPD-QDE-FAERS.html"
ZIPS = {
    "faers_ascii_2019q2.zip": faers_zip(FAERS_FIXTURES / "faers_ascii_2019q2"),
    "faers_ascii_2019q1.zip": faers_zip(FAERS_FIXTURES / "faers_ascii_2019q1"),
    "aers_ascii_2011q3.zip": faers_zip(FAERS_FIXTURES / "aers_ascii_2011q3"),
}


def fda_page(base: str, names: list[str]) -> str:
    """A page in the shape of FDA's: one table row per quarter, ASCII and XML links."""
    rows = "".join(
        f"<tr><td>{name[-10:-6]} {name[-6:-4].upper()}</td>"
        f'<td><a href="{base}/content/Exports/{name}" title="ASCII">ASCII</a> (60.1MB)</td>'
        f'<td><a href="{base}/content/Exports/{name.replace("ascii", "xml")}">XML</a></td></tr>'
        for name in names
    )
    return (
        "<!DOCTYPE html><html><head><title>FAERS QDE</title></head><body>"
        '<h2>FAERS Quarterly Data Extract Files</h2><a href="/extensions/">Home</a>'
        f'<table class="table">{rows}</table></body></html>'
    )


@pytest.fixture
def fda(local_server):
    """The local server as fis.fda.gov: the landing page plus one zip route per quarter that
    answers 304 to a matching If-None-Match and counts the full bodies it sends."""
    sent: dict[str, int] = {}

    def zip_route(name: str):
        etag = f'"etag-{name}"'

        def handler(request):
            if request.headers.get("If-None-Match") == etag:
                return 304, {"ETag": etag}, b""
            sent[name] = sent.get(name, 0) + 1
            headers = {"Content-Type": "application/zip", "ETag": etag}
            headers["Last-Modified"] = "Tue, 16 Jul 2019 10:00:00 GMT"
            return 200, headers, ZIPS[name]

        return handler

    for name in ZIPS:
        local_server.routes[f"/content/Exports/{name}"] = zip_route(name)
    local_server.routes[PAGE_PATH] = (
        200,
        {"Content-Type": "text/html; charset=utf-8"},
        fda_page(local_server.base_url, list(ZIPS)),
    )
    local_server.sent = sent
    return local_server


def refresh_online(server, data_dir: Path):
    source = FaersQuarterly(landing=server.url(PAGE_PATH))
    run = run_refresh(
        data_dir,
        mode="online",
        selected=["faers_quarterly"],
        client_factory=test_client_factory(),
        sources=(source,),
    )
    [result] = run.results
    return result


def counts(db: Path) -> dict[tuple[str, str], int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "SELECT quarter, ingredient, reports FROM faers_quarterly_counts"
            " WHERE role_scope = 'any'"
        ).fetchall()
    finally:
        con.close()
    return {(q, i): n for q, i, n in rows}


def test_source_is_an_api_source_and_still_loads_with_duckdb() -> None:
    assert isinstance(faers_quarterly.SOURCE, ApiSource)
    assert isinstance(faers_quarterly.SOURCE, DatabaseSource)
    assert faers_quarterly.SOURCE.landing == faers_quarterly.HOMEPAGE


def test_the_client_may_reach_fis_fda_gov_only(tmp_path: Path) -> None:
    client = make_client(faers_quarterly.META, RefreshOptions(mode="online", data_dir=tmp_path))
    with client:
        assert client.allowed_hosts == frozenset({"fis.fda.gov"})
        page = (
            '<a href="https://elsewhere.example/content/Exports/faers_ascii_2024q1.zip">ASCII</a>'
        )
        links = quarter_links(page, faers_quarterly.HOMEPAGE)
        with pytest.raises(FetchError, match="not in the allowlist"):
            client.download(links[0].url, tmp_path, expect="zip")


def test_quarter_links_newest_first_ascii_only() -> None:
    page = fda_page("https://fis.fda.gov", ["faers_ascii_2023q4.zip", "faers_ascii_2024Q1.zip"])
    page += '<a href="../../content/Exports/aers_ascii_2012q3.zip">ASCII</a>'
    page += '<a href="https://fis.fda.gov/content/Exports/faers_ascii_2023q4.zip">again</a>'
    page += '<a href="https://fis.fda.gov/content/Exports/faers_ascii_2023q4.zip.md5">md5</a>'
    links = quarter_links(page, faers_quarterly.HOMEPAGE)
    assert [link.label for link in links] == ["2024Q1", "2023Q4", "2012Q3"]
    assert links[0].url == "https://fis.fda.gov/content/Exports/faers_ascii_2024Q1.zip"
    assert links[0].file_name == "faers_ascii_2024Q1.zip"
    assert links[2].url == "https://fis.fda.gov/content/Exports/aers_ascii_2012q3.zip"


@pytest.mark.parametrize(
    ("value", "expected"), [(None, None), ("", None), ("2", 2), (" 12 ", 12), ("200", 200)]
)
def test_quarters_wanted(value: str | None, expected: int | None) -> None:
    """Unset means the full history (every quarter linked)."""
    environ = {} if value is None else {QUARTERS_ENV: value}
    assert quarters_wanted(environ) == expected


@pytest.mark.parametrize("value", ["0", "-1", "four", "2.5", "201"])
def test_quarters_wanted_rejects_bad_values(value: str) -> None:
    with pytest.raises(ValueError, match=QUARTERS_ENV):
        quarters_wanted({QUARTERS_ENV: value})


@pytest.mark.parametrize(
    ("first", "count", "expected"),
    [
        (None, None, ["2024Q1", "2023Q4", "2012Q3"]),
        ("2013Q1", None, ["2024Q1", "2023Q4"]),
        (None, 1, ["2024Q1"]),
        ("2012Q3", 2, ["2024Q1", "2023Q4"]),
        ("2024Q2", None, []),
    ],
)
def test_window_selects_newest_first(first, count, expected) -> None:
    assert Window(first=first, count=count).select(["2012Q3", "2024Q1", "2023Q4"]) == expected


@pytest.mark.parametrize("value", ["2003Q4", "2015", "2015Q5", "Q1-2015"])
def test_faers_from_rejects_bad_values(value: str) -> None:
    with pytest.raises(ValueError, match=FROM_ENV):
        first_wanted({FROM_ENV: value})


def test_online_refresh_loads_the_newest_quarters_then_reuses_unchanged_ones(
    fda, monkeypatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(QUARTERS_ENV, "2")
    data_dir = tmp_path / "data"
    result = refresh_online(fda, data_dir)
    assert (result.status, result.origin) == ("ok", "live"), result.message
    # The two newest ASCII quarters only: not the legacy quarter, never the XML twins.
    assert fda.sent == {"faers_ascii_2019q2.zip": 1, "faers_ascii_2019q1.zip": 1}
    assert not any("xml" in r.path for r in fda.requests)
    first = counts(data_dir / "warehouse.duckdb")
    # The fixture's known counts (tests/test_faers_quarterly.py): case 200 counted once, in Q1.
    assert first[("2019Q1", "all")] == 4 and first[("2019Q2", "all")] == 2
    assert first[("2019Q1", "esketamine")] == 1 and first[("2019Q2", "esketamine")] == 1
    assert not any(q == "2011Q3" for q, _ in first)
    # The raw store keeps each zip under its publisher's name, with its URL and etag.
    stored = sorted(
        (data_dir / "raw" / "faers_quarterly").glob("*-faers_ascii_*.zip"),
        key=lambda p: p.name.split("-", 1)[1],
    )
    assert [p.name.split("-", 1)[1] for p in stored] == [
        "faers_ascii_2019q1.zip",
        "faers_ascii_2019q2.zip",
    ]
    meta = json.loads(stored[0].with_name(stored[0].name + ".meta.json").read_text())
    assert meta["etag"] == '"etag-faers_ascii_2019q1.zip"'
    assert meta["url"] == fda.url("/content/Exports/faers_ascii_2019q1.zip")
    assert meta["last_modified"] == "Tue, 16 Jul 2019 10:00:00 GMT"

    # Second night: the page is read again, both zips answer 304, nothing is downloaded again,
    # and the same rows are published from the stored copies.
    requests_before = len(fda.requests)
    again = refresh_online(fda, data_dir)
    assert (again.status, again.origin) == ("ok", "live"), again.message
    assert fda.sent == {"faers_ascii_2019q2.zip": 1, "faers_ascii_2019q1.zip": 1}
    conditional = [r for r in fda.requests[requests_before:] if "Exports" in r.path]
    assert len(conditional) == 2
    assert all(r.headers.get("If-None-Match", "").startswith('"etag-') for r in conditional)
    assert counts(data_dir / "warehouse.duckdb") == first


def test_a_changed_quarter_is_downloaded_again(fda, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv(QUARTERS_ENV, "1")
    data_dir = tmp_path / "data"
    assert refresh_online(fda, data_dir).status == "ok"
    # FDA republishes 2019Q2 (new etag): the stored etag no longer matches, so a full GET.
    name = "faers_ascii_2019q2.zip"
    fda.routes[f"/content/Exports/{name}"] = (
        200,
        {"Content-Type": "application/zip", "ETag": '"etag-v2"'},
        ZIPS[name],
    )
    before = len(fda.requests)
    assert refresh_online(fda, data_dir).status == "ok"
    [request] = [r for r in fda.requests[before:] if "Exports" in r.path]
    assert request.headers.get("If-None-Match") == f'"etag-{name}"'
    stored = next((data_dir / "raw" / "faers_quarterly").glob(f"*-{name}"))
    meta = json.loads(stored.with_name(stored.name + ".meta.json").read_text())
    assert meta["etag"] == '"etag-v2"'


def test_a_page_without_quarter_links_is_a_clear_fetch_failure(
    local_server, tmp_path: Path
) -> None:
    local_server.routes[PAGE_PATH] = (
        200,
        {"Content-Type": "text/html"},
        "<!DOCTYPE html><html><body>Site maintenance</body></html>",
    )
    result = refresh_online(local_server, tmp_path / "data")
    assert result.status in ("empty", "failed")
    assert "no faers_ascii_YYYYqN.zip link" in result.message
    assert "--mirror" in result.message


def test_an_html_page_served_as_a_zip_is_refused(fda, tmp_path: Path) -> None:
    fda.routes["/content/Exports/faers_ascii_2019q2.zip"] = (
        200,
        {"Content-Type": "text/html"},
        "<!DOCTYPE html><html><body>Please log in</body></html>",
    )
    client = HttpClient(allow_insecure_hosts=["127.0.0.1"], max_attempts=1)
    with client, pytest.raises(FetchError, match="PK"):
        fetch_quarters(
            client, tmp_path / "dl", landing=fda.url(PAGE_PATH), wanted=Window(count=1), previous={}
        )
    assert not list((tmp_path / "dl").glob("*.zip"))


def test_an_interrupted_full_history_download_resumes(fda, monkeypatch, tmp_path: Path) -> None:
    """Full history by default, newest first; the quarters a failed run finished are stored at
    once, so the next run asks for them conditionally and downloads only the rest."""
    monkeypatch.delenv(QUARTERS_ENV, raising=False)
    monkeypatch.delenv(FROM_ENV, raising=False)
    legacy = "/content/Exports/aers_ascii_2011q3.zip"
    working = fda.routes[legacy]
    fda.routes[legacy] = (404, {"Content-Type": "text/plain"}, "gone for now")
    data_dir = tmp_path / "data"
    first = refresh_online(fda, data_dir)
    assert first.status != "ok"
    order = [r.path.rsplit("/", 1)[-1] for r in fda.requests if "Exports" in r.path]
    assert order[:2] == ["faers_ascii_2019q2.zip", "faers_ascii_2019q1.zip"]  # newest first
    assert fda.sent == {"faers_ascii_2019q2.zip": 1, "faers_ascii_2019q1.zip": 1}

    fda.routes[legacy] = working
    before = len(fda.requests)
    again = refresh_online(fda, data_dir)
    assert (again.status, again.origin) == ("ok", "live"), again.message
    # The two finished quarters answered 304 (not sent again); only the legacy one downloaded.
    assert fda.sent == {n: 1 for n in ZIPS}
    conditional = [r for r in fda.requests[before:] if "faers_ascii" in r.path]
    assert all(r.headers.get("If-None-Match", "").startswith('"etag-') for r in conditional)
    quarters = {q for q, _ in counts(data_dir / "warehouse.duckdb")}
    assert quarters == {"2011Q3", "2019Q1", "2019Q2"}
