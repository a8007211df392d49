"""etl.http against a real local server on 127.0.0.1: retries, limits, content checks, secrets."""

from __future__ import annotations

import hashlib
import io
import logging
import socket
import struct
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from etl.backoff import backoff_delay
from etl.http import Download, FetchError, HttpClient, parse_retry_after, redact

CSV = b"Year,Drug,Reports\n2022,ketamine,10\n2023,ketamine,12\n"
LOCAL = ("127.0.0.1",)


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(sleeps: list[float]) -> HttpClient:
    c = HttpClient(
        allow_insecure_hosts=LOCAL,
        sleep=sleeps.append,
        backoff_base=0.5,
        connect_timeout=2,
        read_timeout=2,
        max_attempts=3,
    )
    yield c
    c.close()


def files_in(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir()) if d.exists() else []


# -- happy paths ----------------------------------------------------------------------------


def test_download_streams_to_content_addressed_file(local_server, client, tmp_path, caplog):
    local_server.routes["/a.csv"] = (
        200,
        {
            "ETag": '"v1"',
            "Content-Type": "text/csv",
            "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT",
        },
        CSV,
    )
    caplog.set_level(logging.INFO, logger="etl.http")
    got = client.download(
        local_server.url("/a.csv"), tmp_path, expect="csv", header=("year", "DRUG")
    )
    digest = hashlib.sha256(CSV).hexdigest()
    assert got.path == tmp_path / f"{digest}.csv"
    assert got.path.read_bytes() == CSV
    assert (got.sha256, got.size, got.not_modified) == (digest, len(CSV), False)
    assert (got.etag, got.last_modified) == ('"v1"', "Mon, 01 Jan 2024 00:00:00 GMT")
    assert got.content_type == "text/csv"
    assert got.url == local_server.url("/a.csv")
    assert files_in(tmp_path) == [f"{digest}.csv"]
    [record] = [r for r in caplog.records if r.name == "etl.http"]
    assert (record.method, record.status, record.bytes) == ("GET", 200, len(CSV))
    assert "/a.csv" in record.getMessage() and "200" in record.getMessage()


def test_same_content_twice_is_one_file(local_server, client, tmp_path):
    local_server.routes["/a.csv"] = (200, {}, CSV)
    first = client.download(local_server.url("/a.csv"), tmp_path, expect="csv")
    second = client.download(local_server.url("/a.csv"), tmp_path, expect="csv")
    assert first.path == second.path
    assert len(files_in(tmp_path)) == 1


def test_conditional_get_304_returns_not_modified(local_server, client, tmp_path):
    def route(handler):
        if handler.headers.get("If-None-Match") == '"v1"':
            return (304, {"ETag": '"v1"'}, b"")
        return (200, {"ETag": '"v1"'}, CSV)

    local_server.routes["/a.csv"] = route
    got = client.download(
        local_server.url("/a.csv"),
        tmp_path,
        expect="csv",
        etag='"v1"',
        last_modified="Mon, 01 Jan 2024 00:00:00 GMT",
    )
    assert got.not_modified is True
    assert (got.path, got.sha256, got.size, got.etag) == (None, None, 0, '"v1"')
    seen = local_server.requests[0].headers
    assert seen["If-None-Match"] == '"v1"'
    assert seen["If-Modified-Since"] == "Mon, 01 Jan 2024 00:00:00 GMT"
    assert files_in(tmp_path) == []


def test_redirect_within_allowlist_is_followed(local_server, client, tmp_path):
    local_server.routes["/old.csv"] = (302, {"Location": "/new.csv"}, b"")
    local_server.routes["/new.csv"] = (200, {}, CSV)
    got = client.download(local_server.url("/old.csv"), tmp_path, expect="csv")
    assert got.url == local_server.url("/new.csv")
    assert got.path.read_bytes() == CSV


def test_zip_and_json_pass_their_checks(local_server, client, tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("ascii/DRUG23Q1.txt", "primaryid$drugname\n1$KETAMINE\n")
    local_server.routes["/q.zip"] = (200, {}, buf.getvalue())
    local_server.routes["/r.json"] = (200, {}, b'\xef\xbb\xbf {"results": [1, 2]}')
    assert client.download(local_server.url("/q.zip"), tmp_path, expect="zip").path.suffix == ".zip"
    assert client.download(local_server.url("/r.json"), tmp_path, expect="json").size > 0


def test_get_json_returns_parsed_body(local_server, client):
    local_server.routes["/api"] = (200, {"Content-Type": "application/json"}, b'{"total": 3}')
    assert client.get_json(local_server.url("/api"), params={"q": "ketamine"}) == {"total": 3}
    assert local_server.requests[0].path == "/api?q=ketamine"


# -- retries --------------------------------------------------------------------------------


def test_429_honours_retry_after_seconds(local_server, client, sleeps, tmp_path):
    local_server.routes["/a.csv"] = [(429, {"Retry-After": "7"}, "slow down"), (200, {}, CSV)]
    got = client.download(local_server.url("/a.csv"), tmp_path, expect="csv")
    assert got.path.read_bytes() == CSV
    assert sleeps == [7.0]
    assert local_server.hits("/a.csv") == 2


def test_retry_after_is_capped_at_backoff_max(local_server, sleeps, tmp_path):
    local_server.routes["/a.csv"] = [(429, {"Retry-After": "3600"}, ""), (200, {}, CSV)]
    with HttpClient(allow_insecure_hosts=LOCAL, sleep=sleeps.append, backoff_max=5) as c:
        c.download(local_server.url("/a.csv"), tmp_path, expect="csv")
    assert sleeps == [5.0]


def test_retry_after_http_date():
    now = datetime(2024, 1, 1, 0, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Mon, 01 Jan 2024 00:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("Sun, 31 Dec 2023 23:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("12", now=now) == 12.0
    assert parse_retry_after("soon", now=now) is None
    assert parse_retry_after(None) is None


def test_503_then_success_backs_off_with_jitter(local_server, client, sleeps, tmp_path, caplog):
    local_server.routes["/a.csv"] = [(503, {}, "busy"), (200, {}, CSV)]
    caplog.set_level(logging.INFO, logger="etl.http")
    got = client.download(local_server.url("/a.csv"), tmp_path, expect="csv")
    assert got.size == len(CSV)
    assert len(sleeps) == 1 and 0.0 <= sleeps[0] <= 0.5  # first wait: uniform in [0, base]
    statuses = [r.status for r in caplog.records if r.name == "etl.http" and hasattr(r, "status")]
    assert statuses == [503, 200]


def test_5xx_every_time_gives_up_after_max_attempts(local_server, client, sleeps, tmp_path):
    local_server.routes["/a.csv"] = (500, {}, "oops")
    with pytest.raises(FetchError) as info:
        client.download(local_server.url("/a.csv"), tmp_path, expect="csv")
    assert info.value.status == 500
    assert "HTTP 500" in str(info.value) and "3 attempt" in str(info.value)
    assert local_server.hits("/a.csv") == 3 and len(sleeps) == 2
    assert files_in(tmp_path) == []


def test_404_is_not_retried(local_server, client, sleeps, tmp_path):
    local_server.routes["/gone.csv"] = (404, {}, "not found")
    with pytest.raises(FetchError) as info:
        client.download(local_server.url("/gone.csv"), tmp_path, expect="csv")
    assert info.value.status == 404
    assert "/gone.csv" in str(info.value) and "404" in str(info.value)
    assert info.value.url == local_server.url("/gone.csv")
    assert local_server.hits("/gone.csv") == 1 and sleeps == []
    assert files_in(tmp_path) == []


def _reset_mid_body(handler):
    handler.send_response(200)
    handler.send_header("Content-Length", "1000")
    handler.end_headers()
    handler.wfile.write(b"Year,Drug\n" + b"x" * 90)
    handler.wfile.flush()
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.connection.close()  # linger 0: the peer sees a TCP reset


def test_connection_reset_mid_body_is_retried(local_server, client, sleeps, tmp_path):
    local_server.routes["/a.csv"] = [_reset_mid_body, (200, {}, CSV)]
    got = client.download(local_server.url("/a.csv"), tmp_path, expect="csv")
    assert got.path.read_bytes() == CSV
    assert local_server.hits("/a.csv") == 2 and len(sleeps) == 1
    assert files_in(tmp_path) == [got.path.name]


def test_connection_reset_every_time_fails_clean(local_server, client, tmp_path):
    local_server.routes["/a.csv"] = _reset_mid_body
    with pytest.raises(FetchError) as info:
        client.download(local_server.url("/a.csv"), tmp_path, expect="csv")
    assert "/a.csv" in str(info.value) and "3 attempt" in str(info.value)
    assert local_server.hits("/a.csv") == 3
    assert files_in(tmp_path) == []


def test_silent_server_read_timeout_is_retried(local_server, sleeps, tmp_path):
    def silent(handler):
        time.sleep(0.5)
        return (200, {}, CSV)

    local_server.routes["/a.csv"] = silent
    with (
        HttpClient(
            allow_insecure_hosts=LOCAL, sleep=sleeps.append, read_timeout=0.1, max_attempts=2
        ) as c,
        pytest.raises(FetchError, match="Timeout"),
    ):
        c.download(local_server.url("/a.csv"), tmp_path, expect="csv")
    assert local_server.hits("/a.csv") == 2
    assert files_in(tmp_path) == []


def test_slow_drip_body_hits_whole_body_deadline(local_server, sleeps, tmp_path, caplog):
    def drip(handler):
        send_headers_only(handler)
        handler.wfile.write(b"Year,Drug\n")
        for _ in range(100):  # at most ~2 s; ends sooner when the client hangs up
            try:
                handler.wfile.write(b"1")
                handler.wfile.flush()
            except OSError:
                return
            time.sleep(0.02)

    local_server.routes["/a.csv"] = drip
    caplog.set_level(logging.INFO, logger="etl.http")
    with (
        HttpClient(
            allow_insecure_hosts=LOCAL, sleep=sleeps.append, read_timeout=0.2, total_timeout=0.3
        ) as c,
        pytest.raises(FetchError, match="deadline") as info,
    ):
        c.download(local_server.url("/a.csv"), tmp_path, expect="csv")
    assert "/a.csv" in str(info.value)
    [record] = [r for r in caplog.records if r.name == "etl.http" and hasattr(r, "bytes")]
    assert record.bytes < len(b"Year,Drug\n") + 100  # cut mid-drip, not after the server gave up
    assert local_server.hits("/a.csv") == 1  # the deadline is the whole budget: no retry
    assert files_in(tmp_path) == []


def send_headers_only(handler, **headers):
    handler.send_response(200)
    for name, value in headers.items():
        handler.send_header(name.replace("_", "-"), value)
    handler.end_headers()


# -- size limit -----------------------------------------------------------------------------


def test_huge_content_length_rejected_before_reading(local_server, sleeps, tmp_path, caplog):
    def huge(handler):
        send_headers_only(handler, Content_Length=str(10**12))
        handler.wfile.write(b"Year,Drug\n" * 500)

    local_server.routes["/big.csv"] = huge
    caplog.set_level(logging.INFO, logger="etl.http")
    with (
        HttpClient(allow_insecure_hosts=LOCAL, sleep=sleeps.append, max_bytes=1000) as c,
        pytest.raises(FetchError, match="Content-Length 1000000000000 exceeds") as info,
    ):
        c.download(local_server.url("/big.csv"), tmp_path, expect="csv")
    assert "/big.csv" in str(info.value)
    [record] = [r for r in caplog.records if r.name == "etl.http" and hasattr(r, "bytes")]
    assert record.bytes == 0  # refused on the header, not one body byte read
    assert local_server.hits("/big.csv") == 1
    assert files_in(tmp_path) == []


def test_body_over_limit_without_content_length_is_cut(local_server, sleeps, tmp_path):
    local_server.routes["/big.csv"] = (200, {"Content-Length": None}, b"Year,Drug\n" * 1000)
    with (
        HttpClient(allow_insecure_hosts=LOCAL, sleep=sleeps.append, max_bytes=1000) as c,
        pytest.raises(FetchError, match="passed the limit of 1000 bytes"),
    ):
        c.download(local_server.url("/big.csv"), tmp_path, expect="csv")
    assert local_server.hits("/big.csv") == 1
    assert files_in(tmp_path) == []


def test_lying_small_content_length_is_still_cut(local_server, sleeps, tmp_path):
    def liar(handler):
        local_server.send(handler, 200, {"Content-Length": "10"}, b"")
        handler.wfile.write(b"x" * 5000)

    local_server.routes["/big.csv"] = liar
    with HttpClient(allow_insecure_hosts=LOCAL, sleep=sleeps.append, max_bytes=1000) as c:
        got = c.download(local_server.url("/big.csv"), tmp_path, expect="csv")
    assert got.size == 10  # httpx reads only what was declared; never more than max_bytes
    assert got.size <= 1000


# -- content checks -------------------------------------------------------------------------

HTML = b"\xef\xbb\xbf\r\n  <!DOCTYPE html><html><body>Page moved</body></html>"


@pytest.mark.parametrize("expect", ["csv", "tsv", "txt", "json"])
def test_html_page_with_200_rejected(local_server, client, tmp_path, expect):
    local_server.routes["/f"] = (200, {"Content-Type": "text/html"}, HTML)
    with pytest.raises(FetchError, match="HTML page") as info:
        client.download(local_server.url("/f"), tmp_path, expect=expect)
    assert info.value.status == 200 and "/f" in str(info.value)
    assert local_server.hits("/f") == 1
    assert files_in(tmp_path) == []


def test_json_where_csv_expected_rejected_by_header(local_server, client, tmp_path):
    local_server.routes["/a.csv"] = (200, {}, b'{"error": "rate limited"}')
    with pytest.raises(FetchError, match="missing column") as info:
        client.download(local_server.url("/a.csv"), tmp_path, expect="csv", header=("Year",))
    assert "Year" in str(info.value)
    assert files_in(tmp_path) == []


def test_missing_header_column_named(local_server, client, tmp_path):
    local_server.routes["/a.csv"] = (200, {}, b"Year,Substance,Reports\n2022,ketamine,10\n")
    with pytest.raises(FetchError) as info:
        client.download(
            local_server.url("/a.csv"), tmp_path, expect="csv", header=("year", "Drug", "Reports")
        )
    message = str(info.value)
    assert "missing column(s) Drug " in message
    assert "Reports" not in message.split("(first line")[0]
    assert files_in(tmp_path) == []


def test_header_found_below_title_rows_and_in_tsv_and_dollar_files(local_server, client, tmp_path):
    local_server.routes["/t.tsv"] = (200, {}, b"Table 1. Reports\n\nYear\tDrug\n2022\tk\n")
    local_server.routes["/f.txt"] = (200, {}, b"primaryid$caseid$drugname\r\n1$2$KETAMINE\r\n")
    client.download(local_server.url("/t.tsv"), tmp_path, expect="tsv", header=("Year", "Drug"))
    client.download(local_server.url("/f.txt"), tmp_path, expect="txt", header=("CASEID",))
    assert len(files_in(tmp_path)) == 2


@pytest.mark.parametrize(
    ("expect", "body", "problem"),
    [
        ("zip", b"Year,Drug\n", "PK"),
        ("xlsx", b"<html>error</html>", "PK"),
        ("json", b'{"results": [1, 2', "does not parse"),
        ("json", b"Year,Drug\n", "starts with"),
        ("csv", b"", "empty body"),
    ],
)
def test_wrong_content_rejected(local_server, client, tmp_path, expect, body, problem):
    local_server.routes["/f"] = (200, {}, body)
    with pytest.raises(FetchError, match=problem):
        client.download(local_server.url("/f"), tmp_path, expect=expect)
    assert files_in(tmp_path) == []


def test_get_json_rejects_html_and_garbage(local_server, client):
    local_server.routes["/html"] = (200, {}, HTML)
    local_server.routes["/bad"] = (200, {}, b"{not json")
    with pytest.raises(FetchError, match="HTML page"):
        client.get_json(local_server.url("/html"))
    with pytest.raises(FetchError, match="not JSON"):
        client.get_json(local_server.url("/bad"))


def test_unknown_expect_is_a_programming_error(client, tmp_path):
    with pytest.raises(ValueError, match="expect must be one of"):
        client.download("https://example.org/x", tmp_path, expect="pdf")


# -- hosts and schemes ----------------------------------------------------------------------


def test_host_not_in_allowlist_refused(local_server, tmp_path):
    local_server.routes["/a.csv"] = (200, {}, CSV)
    with (
        HttpClient(allowed_hosts=("www.fda.gov",)) as c,
        pytest.raises(FetchError, match=r"host '127.0.0.1' is not in the allowlist \(www.fda.gov"),
    ):
        c.download(local_server.url("/a.csv"), tmp_path, expect="csv")
    assert local_server.hits("/a.csv") == 0


def test_plain_http_refused_unless_allowed(local_server, tmp_path):
    local_server.routes["/a.csv"] = (200, {}, CSV)
    with HttpClient() as c, pytest.raises(FetchError, match="only https is allowed"):
        c.download(local_server.url("/a.csv"), tmp_path, expect="csv")
    with HttpClient(allowed_hosts=LOCAL) as c, pytest.raises(FetchError, match="only https"):
        c.get_json(local_server.url("/a.csv"))
    assert local_server.hits("/a.csv") == 0
    with HttpClient(allowed_hosts=("www.fda.gov",), allow_insecure_hosts=LOCAL) as c:
        assert c.download(local_server.url("/a.csv"), tmp_path, expect="csv").size == len(CSV)


def test_redirect_to_other_host_refused(local_server, client, tmp_path):
    # localhost reaches the same server, so a followed redirect would show up as a second hit
    target = f"http://localhost:{local_server.port}/a.csv"
    local_server.routes["/old.csv"] = (301, {"Location": target}, b"")
    local_server.routes["/a.csv"] = (200, {}, CSV)
    with pytest.raises(FetchError, match="only https is allowed for host 'localhost'"):
        client.download(local_server.url("/old.csv"), tmp_path, expect="csv")
    assert local_server.hits("/a.csv") == 0
    assert files_in(tmp_path) == []


# -- secrets --------------------------------------------------------------------------------

KEY = "s3cr3t/KEY+123"


def test_api_key_never_in_errors_or_logs(local_server, sleeps, tmp_path, caplog):
    local_server.routes["/api"] = (500, {}, "boom")
    caplog.set_level(logging.DEBUG)  # includes httpx's own request log
    with HttpClient(allow_insecure_hosts=LOCAL, sleep=sleeps.append, max_attempts=2) as c:
        with pytest.raises(FetchError) as info:
            c.download(local_server.url("/api"), tmp_path, expect="json", params={"api_key": KEY})
        with pytest.raises(FetchError) as info2:
            c.get_json(local_server.url("/api"), params={"api_key": KEY, "search": "ketamine"})
    assert "s3cr3t%2FKEY%2B123" in local_server.requests[0].path  # the key was really sent
    for exc in (info.value, info2.value):
        for text in (str(exc), repr(exc), exc.url, repr(exc.args)):
            assert "s3cr3t" not in text
        assert "api_key=REDACTED" in exc.url
    assert "api_key=REDACTED" in caplog.text
    assert "s3cr3t" not in caplog.text
    for record in caplog.records:
        assert "s3cr3t" not in record.getMessage()
        assert "s3cr3t" not in str(getattr(record, "url", ""))


def test_api_key_not_in_download_url_or_repr(local_server, client, tmp_path, caplog):
    local_server.routes["/api"] = (200, {}, b'{"results": []}')
    caplog.set_level(logging.DEBUG)
    got = client.download(
        local_server.url("/api"), tmp_path, expect="json", params={"api_key": KEY, "limit": "1"}
    )
    assert isinstance(got, Download)
    assert "s3cr3t" not in got.url and "s3cr3t" not in repr(got)
    assert "api_key=REDACTED" in got.url and "limit=1" in got.url
    assert "s3cr3t" not in caplog.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "https://api.fda.gov/drug/event.json?api_key=abc123&limit=1",
            "https://api.fda.gov/drug/event.json?api_key=REDACTED&limit=1",
        ),
        ("https://x.org/?search=k&API-KEY=abc", "https://x.org/?search=k&API-KEY=REDACTED"),
        ("token=xyz; other=1", "token=REDACTED; other=1"),
        ("https://user:pw@host.org/f.csv", "https://REDACTED@host.org/f.csv"),
        ("https://x.org/?monkey=1&keyword=ketamine", "https://x.org/?monkey=1&keyword=ketamine"),
    ],
)
def test_redact(text, expected):
    assert redact(text) == expected


def test_backoff_delay_is_exponential_full_jitter_and_capped():
    top = lambda lo, hi: hi  # noqa: E731  (the largest draw, to see the ceiling)
    ceilings = [
        backoff_delay(n, retry_after=None, base=1, cap=10, uniform=top) for n in range(1, 6)
    ]
    assert ceilings == [1, 2, 4, 8, 10]
    assert backoff_delay(3, retry_after=None, base=1, cap=10, uniform=lambda lo, hi: lo) == 0
    assert backoff_delay(1, retry_after=30, base=1, cap=10) == 10
    assert backoff_delay(1, retry_after=0, base=1, cap=10) == 0


def test_an_html_data_page_must_be_html_and_name_what_it_holds(tmp_path: Path) -> None:
    """SAMHSA's detailed tables are an HTML page: kind `html` wants HTML that names the survey,
    so a landing or error page (HTML too) is refused, and so is a CSV where a page should be."""
    from etl.content_check import check_content

    page = tmp_path / "tables.htm"
    page.write_text("<!DOCTYPE html><html><title>National Survey on Drug Use and Health</title>")
    phrase = ("National Survey on Drug Use and Health",)
    assert check_content(page, expect="html", header=phrase) is None
    page.write_text("<!DOCTYPE html><html><title>Page not found</title></html>")
    assert "does not say 'National Survey" in check_content(page, expect="html", header=phrase)
    page.write_text("YYYY,Freq\n2019,1\n")
    assert "does not start like one" in check_content(page, expect="html", header=phrase)
