"""openFDA against real recorded responses (tests/fixtures/openfda/real/SOURCE.md): a true zero
told apart from a broken query, openFDA's own error text in messages, no retry of permanent
errors, every attempt counted against the limiter and the daily budget."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etl.contract import ParseError
from etl.http import FetchError, HttpClient
from etl.publisher_errors import publisher_error
from etl.sources.openfda import (
    SOURCE,
    DailyLimitReached,
    OpenFda,
    RateLimiter,
    fetch_count,
    queries,
)

REAL = Path(__file__).parent / "fixtures" / "openfda" / "real"
JSON = {"Content-Type": "application/json; charset=utf-8"}
PARAMS = {"search": 'patient.drug.openfda.generic_name.exact:"KETAMINE HYDROCHLORIDE"'}


def recorded(status: int, message: str | None = None) -> dict:
    """The first recorded interaction with this status (and openFDA message)."""
    for it in json.loads((REAL / "http-errors.json").read_text())["interactions"]:
        said = json.loads(it["body"])["error"]["message"]
        if it["status_code"] == status and message in (None, said):
            return it
    raise LookupError((status, message))


def served(it: dict) -> tuple[int, dict[str, str], bytes]:
    return it["status_code"], JSON, it["body"].encode()


def nothing_to_count() -> tuple[int, dict[str, str], bytes]:
    """Hand-made in the recorded format: openFDA's server (api/faers/api.js) answers a count
    whose field matches nothing with ApiError(NOT_FOUND, 'Nothing to count')."""
    real = json.loads(recorded(404)["body"])
    real["error"]["message"] = "Nothing to count"
    return 404, JSON, json.dumps(real).encode()


def client(**kw) -> HttpClient:
    return HttpClient(allow_insecure_hosts=["127.0.0.1"], sleep=lambda s: None, **kw)


def no_wait_limiter(**kw: int) -> RateLimiter:
    return RateLimiter(clock=lambda: 0.0, sleep=lambda s: None, **kw)


@pytest.mark.parametrize(
    ("status", "code", "message"),
    [
        (400, "BAD_REQUEST", "Sorting allowed by non-analyzed fields only: invalid_field"),
        (403, "API_KEY_INVALID", "An invalid api_key was supplied. Get one at https://api.fda.gov:443"),
        (404, "NOT_FOUND", "No matches found!"),
        (500, "SERVER_ERROR", "Check your request and try again"),
    ],
)  # fmt: skip
def test_publisher_error_reads_every_recorded_error_body(
    status: int, code: str, message: str
) -> None:
    got_code, got_message, shown = publisher_error(recorded(status)["body"].encode())
    assert (got_code, got_message) == (code, message)
    assert shown.startswith(f"{code}: {message}")


def test_the_500_keeps_openfdas_details() -> None:
    _, _, shown = publisher_error(recorded(500)["body"].encode())
    assert "Lexical error at line 1, column 32" in shown


@pytest.mark.parametrize("status", [400, 403])
def test_openfdas_own_error_text_is_in_the_message(local_server, status: int) -> None:
    it = recorded(status)
    local_server.routes["/drug/event.json"] = served(it)
    with client() as http, pytest.raises(FetchError) as info:
        http.get_json(local_server.url("/drug/event.json"), params=PARAMS)
    message = json.loads(it["body"])["error"]["message"]
    assert f"HTTP {status}" in str(info.value)
    assert message in str(info.value)
    assert info.value.publisher_message == message


def test_no_matches_found_is_a_true_zero(local_server) -> None:
    local_server.routes["/drug/event.json"] = served(recorded(404, "No matches found!"))
    with client() as http:
        body = fetch_count(http, local_server.url("/drug/event.json"), PARAMS, name="x_death")
    assert body["results"] == [] and body["meta"]["results"]["total"] == 0


@pytest.mark.parametrize(
    "response",
    [nothing_to_count(), (404, {"Content-Type": "text/html"}, b"<html>Not Found</html>")],
    ids=["nothing-to-count", "html-404"],
)
def test_any_other_404_is_an_error_naming_the_query(local_server, response) -> None:
    local_server.routes["/drug/event.json"] = response
    params = {**PARAMS, "count": "patient.reaction.reactionmeddrapt.exactt"}
    with client() as http, pytest.raises(FetchError) as info:
        fetch_count(http, local_server.url("/drug/event.json"), params, name="ketamine_reactions")
    text = str(info.value)
    assert "ketamine_reactions" in text and "reactionmeddrapt.exactt" in text
    assert "HTTP 404" in text
    if response[2].startswith(b"{"):
        assert "Nothing to count" in text


def test_a_permanent_500_is_not_retried(local_server) -> None:
    local_server.routes["/drug/event.json"] = served(recorded(500))
    with client(max_attempts=4) as http, pytest.raises(FetchError) as info:
        fetch_count(http, local_server.url("/drug/event.json"), PARAMS, name="ketamine_sex")
    assert local_server.hits("/drug/event.json") == 1
    assert "Check your request and try again" in str(info.value)
    assert "ketamine_sex" in str(info.value)


def test_a_transient_500_is_still_retried(local_server) -> None:
    counts = (REAL.parent / "openfda-ketamine_sex.json").read_bytes()
    transient = (500, JSON, b'{"error": {"code": "X"}}')
    local_server.routes["/drug/event.json"] = [transient, (200, JSON, counts)]
    with client(max_attempts=3) as http:
        body = fetch_count(http, local_server.url("/drug/event.json"), PARAMS)
    assert body["results"] and local_server.hits("/drug/event.json") == 2


def make_source(local_server, limiter: RateLimiter) -> OpenFda:
    source = OpenFda(limiter_factory=lambda keyed: limiter)
    source.endpoint = local_server.url("/drug/event.json")
    return source


def test_every_attempt_counts_against_the_limiter(
    local_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENFDA_API_KEY", raising=False)
    ok = served(recorded(404, "No matches found!"))
    too_many = (429, {"Retry-After": "1", **JSON}, b'{"error": {"code": "OVER_RATE_LIMIT"}}')
    local_server.routes["/drug/event.json"] = [too_many, too_many, ok]
    limiter = no_wait_limiter()
    with client() as http:
        make_source(local_server, limiter).fetch(http, tmp_path)
    assert local_server.hits("/drug/event.json") == len(queries()) + 2
    assert limiter.sent == local_server.hits("/drug/event.json")


def test_retries_stop_at_the_daily_budget(
    local_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENFDA_API_KEY", raising=False)
    local_server.routes["/drug/event.json"] = (503, JSON, b"{}")
    with client(max_attempts=5) as http, pytest.raises(DailyLimitReached):
        make_source(local_server, no_wait_limiter(per_day=2)).fetch(http, tmp_path)
    assert local_server.hits("/drug/event.json") == 2


def test_a_real_date_count_response_parses_into_quarters() -> None:
    """A recorded `count=<date field>` answer (food/enforcement count=report_date, 2014: the
    same server code path as drug/event count=receivedate)."""
    path = REAL / "count-receivedate-2014.json"
    days = json.loads(path.read_text())["results"]
    tables = SOURCE.parse({"ketamine_receivedate": [path]})
    ket = tables.observations.set_index("period_label")
    assert ket["value"].sum() == sum(d["count"] for d in days)
    assert ket.loc["2012Q3", "value"] == 30  # 20120801: 1, 20120905: 29
    assert ket.loc["2006Q2", "value"] == 0  # no day listed: a zero between reports
    assert ket.loc["2014Q3", "flags"] == "provisional"  # last_updated 2014-08-06
    assert set(ket.loc[ket.index != "2014Q3", "flags"]) == {""}


def test_a_saved_openfda_error_body_is_not_parsed_as_zero(tmp_path: Path) -> None:
    bad = tmp_path / "openfda-ketamine_sex.json"
    bad.write_text(recorded(400)["body"])
    with pytest.raises(ParseError, match="BAD_REQUEST: Sorting allowed"):
        SOURCE.parse({"ketamine_sex": [bad]})
