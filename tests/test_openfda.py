"""openFDA counts: parsing openFDA-shaped responses, fetching from a local server, limits, key."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from etl.contract import ApiSource, ParseError
from etl.http import HttpClient
from etl.sources.openfda import (
    KEY_ENV,
    SOURCE,
    DailyLimitReached,
    OpenFda,
    RateLimiter,
    queries,
)

FIXTURES = Path(__file__).parent / "fixtures" / "openfda"
SECRET = "s3cr3t-key-do-not-log"


def fixture_files() -> dict[str, list[Path]]:
    return {name: [FIXTURES / f"openfda-{name}.json"] for name in queries()}


def test_is_api_source_with_one_remote_file_per_query() -> None:
    assert isinstance(SOURCE, ApiSource)
    assert {r.name for r in SOURCE.meta.remote_files} == set(queries())
    assert all((FIXTURES / f"openfda-{name}.json").exists() for name in queries())


def test_parse_quarters_zero_fill_and_provisional() -> None:
    tables = SOURCE.parse(fixture_files())
    obs = tables.observations.set_index(["indicator", "period_label"])
    ket = obs.loc["openfda_ketamine_reports"]
    # 20181205 -> 2018Q4: 2; 20190110 -> 2019Q1: 3; no day in 2019Q2 -> 0; 20190704 -> 2019Q3: 1
    assert ket["value"].to_dict() == {"2018Q4": 2, "2019Q1": 3, "2019Q2": 0, "2019Q3": 1}
    # last_updated 2019-07-30 is in 2019Q3: that quarter is still filling in.
    assert ket.loc["2019Q3", "flags"] == "provisional"
    assert ket.loc["2019Q1", "flags"] == ""
    esk = obs.loc["openfda_esketamine_reports"]
    assert esk["value"].to_dict() == {"2019Q2": 5, "2019Q3": 0}
    assert str(ket.loc["2019Q1", "period_end"]) == "2019-03-31"


def test_parse_counts_labels_and_totals() -> None:
    counts = SOURCE.parse(fixture_files()).details["openfda_counts"]
    sex = counts[(counts.ingredient == "ketamine") & (counts.dimension == "sex")]
    assert dict(zip(sex.label, sex.reports, strict=True)) == {"male": 2, "female": 4}
    qual = counts[(counts.ingredient == "esketamine") & (counts.dimension == "qualification")]
    assert dict(zip(qual.label, qual.reports, strict=True)) == {
        "physician": 4,
        "other health professional": 1,
    }
    totals = counts[counts.dimension == "total"].set_index("ingredient")["reports"]
    assert totals.to_dict() == {"ketamine": 6, "esketamine": 5, "all": 165}
    assert counts[(counts.ingredient == "esketamine") & (counts.dimension == "death")].empty


def test_parse_signals_against_background() -> None:
    sig = SOURCE.parse(fixture_files()).details["openfda_signals"].set_index(["ingredient", "pt"])
    row = sig.loc[("esketamine", "DISSOCIATION")]
    # a=4, n_drug=5, n_event=8, N=165 -> b=1, c=4, d=156; PRR = (4/5) / (4/160) = 32
    assert (row["a"], row["b"], row["c"], row["d"]) == (4, 1, 4, 156)
    assert row["prr"] == pytest.approx(32.0)
    assert bool(row["label_expected"]) is True
    assert bool(sig.loc[("ketamine", "NAUSEA"), "label_expected"]) is True


def serve_openfda(local_server, *, first_status: int | None = None) -> None:
    """Answer /drug/event.json from the fixtures by matching the query parameters."""
    by_params = {json.dumps(p, sort_keys=True): name for name, p in queries().items()}
    state = {"first": first_status}

    def handler(h):
        params = {k: v[0] for k, v in parse_qs(urlsplit(h.path).query).items()}
        params.pop("api_key", None)
        if state["first"] is not None:
            status, state["first"] = state["first"], None
            return status, {"Retry-After": "2", "Content-Type": "application/json"}, b"{}"
        name = by_params.get(json.dumps(params, sort_keys=True))
        if name == "esketamine_death":
            body = {"error": {"code": "NOT_FOUND", "message": "No matches found!"}}
            return 404, {"Content-Type": "application/json"}, json.dumps(body)
        if name is None:
            return 400, {"Content-Type": "application/json"}, b'{"error": {"code": "BAD"}}'
        return (
            200,
            {"Content-Type": "application/json"},
            (FIXTURES / f"openfda-{name}.json").read_bytes(),
        )

    local_server.routes["/drug/event.json"] = handler


def make_source(local_server, limiter: RateLimiter) -> OpenFda:
    source = OpenFda(limiter_factory=lambda keyed: limiter)
    source.endpoint = local_server.url("/drug/event.json")
    return source


def no_wait_limiter(**kw: int) -> RateLimiter:
    return RateLimiter(clock=lambda: 0.0, sleep=lambda s: None, **kw)


def test_fetch_from_local_server_429_retry_after_and_key_never_logged(
    local_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv(KEY_ENV, SECRET)
    serve_openfda(local_server, first_status=429)
    slept: list[float] = []
    source = make_source(local_server, no_wait_limiter())
    caplog.set_level(logging.DEBUG)
    with HttpClient(allow_insecure_hosts=["127.0.0.1"], sleep=slept.append) as client:
        files = source.fetch(client, tmp_path / "raw")
    assert set(files) == set(queries())
    assert slept == [2.0]  # the 429's Retry-After was honoured
    assert len(local_server.requests) == len(queries()) + 1
    assert all(f"api_key={SECRET}" in r.path for r in local_server.requests)  # the key is sent
    assert SECRET not in caplog.text  # ... and never logged
    for paths in files.values():
        assert SECRET not in paths[0].read_text()  # ... nor written
    tables = source.parse(files)
    ket = tables.observations[tables.observations.indicator == "openfda_ketamine_reports"]
    assert ket["value"].sum() == 6
    death = json.loads(files["esketamine_death"][0].read_text())
    assert death["results"] == []  # 404 "No matches found" = zero reports


def test_daily_limit_stops_with_clear_message(
    local_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    serve_openfda(local_server)
    source = make_source(local_server, no_wait_limiter(per_day=5))
    with (
        HttpClient(allow_insecure_hosts=["127.0.0.1"], sleep=lambda s: None) as client,
        pytest.raises(DailyLimitReached, match=KEY_ENV),
    ):
        source.fetch(client, tmp_path)
    assert local_server.hits("/drug/event.json") == 5


def test_rate_limiter_spaces_requests_at_240_per_minute() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(s)
        now[0] += s

    limiter = RateLimiter(clock=lambda: now[0], sleep=sleep)
    for _ in range(4):
        limiter.wait("u")
    assert slept == pytest.approx([0.25, 0.25, 0.25])  # 60 s / 240
    now[0] += 10  # idle: no wait
    limiter.wait("u")
    assert len(slept) == 3
    assert limiter.sent == 5


def test_parse_rejects_non_openfda_json(tmp_path: Path) -> None:
    bad = tmp_path / "openfda-ketamine_sex.json"
    bad.write_text('{"results": "nope"}')
    with pytest.raises(ParseError, match=r"openfda-ketamine_sex\.json"):
        SOURCE.parse({"ketamine_sex": [bad]})
