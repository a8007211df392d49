"""labels: openFDA /drug/label fetch per brand, sections, REMS passages and source links."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from etl.contract import ParseError
from etl.http import FetchError, HttpClient
from etl.sources import labels
from etl.sources.labels import Labels

FIXTURE = Path(__file__).parent / "fixtures" / "labels" / "label-fixturebrand.json"
RECORDED_ERRORS = Path(__file__).parent / "fixtures" / "openfda" / "real" / "http-errors.json"


def recorded_no_matches() -> bytes:
    """openFDA's recorded 404 "No matches found!" body (see the fixture's SOURCE.md)."""
    interactions = json.loads(RECORDED_ERRORS.read_text())["interactions"]
    return next(i["body"] for i in interactions if "No matches found!" in i["body"]).encode()


def test_parse_gives_one_row_per_section_with_its_links() -> None:
    table = labels.SOURCE.parse({"labels": [FIXTURE]}).details["drug_labels"]
    assert list(table["section"]) == ["Indications and usage", "Boxed warning", "REMS (passages)"]
    row = table.iloc[0]
    assert row["brand"] == "FIXTUREBRAND"
    assert row["effective_date"] == "2025-01-21"
    assert row["source_url"].endswith("setid=00000000-aaaa-bbbb-cccc-000000000001")
    assert "openfda.brand_name" in row["api_query"]
    rems = table.loc[table["section"] == "REMS (passages)", "text"].iloc[0].split("\n")
    assert rems == [
        "Available only through a restricted program called the FIXTURE REMS.",
        "Fixture REMS enrolment sentence;",
    ]


def test_fetch_queries_each_brand_and_skips_no_matches(local_server, tmp_path: Path) -> None:
    body = FIXTURE.read_bytes()

    def route(handler):
        search = parse_qs(urlsplit(handler.path).query)["search"][0]
        if "SPRAVATO" in search:
            return (200, {"Content-Type": "application/json"}, body)
        return (404, {"Content-Type": "application/json"}, recorded_no_matches())

    local_server.routes["/drug/label.json"] = route
    source = Labels(api_url=local_server.url("/drug/label.json"))
    with HttpClient(allow_insecure_hosts={"127.0.0.1"}, max_attempts=1) as client:
        files = source.fetch(client, tmp_path)
    assert local_server.hits("/drug/label.json") == 2
    assert [p.name for p in files["labels"]] == ["label-spravato.json"]
    table = source.parse(files).details["drug_labels"]
    assert 'openfda.brand_name:"SPRAVATO"' in table["api_query"].iloc[0]


@pytest.mark.parametrize(
    ("content_type", "answer"),
    [
        ("application/json", b'{"error": {"code": "NOT_FOUND", "message": "Nothing to count"}}'),
        ("text/html", b"<html><body><h1>404 Not Found</h1></body></html>"),
    ],
)
def test_any_other_404_fails_naming_the_brand(
    local_server, tmp_path: Path, content_type: str, answer: bytes
) -> None:
    """Only "No matches found!" means no label: a moved endpoint's or a proxy's 404 read as
    "no label" would publish an empty label table without a word."""
    local_server.routes["/drug/label.json"] = lambda handler: (
        404,
        {"Content-Type": content_type},
        answer,
    )
    source = Labels(api_url=local_server.url("/drug/label.json"), brands=("SPRAVATO",))
    expected = pytest.raises(FetchError, match=r"openFDA label query for SPRAVATO: .*404")
    with HttpClient(allow_insecure_hosts={"127.0.0.1"}, max_attempts=1) as client, expected:
        source.fetch(client, tmp_path)


def test_a_response_without_results_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "label-x.json"
    bad.write_text('{"meta": {}}')
    with pytest.raises(ParseError, match=r"label-x\.json: no 'results' list"):
        labels.SOURCE.parse({"labels": [bad]})
