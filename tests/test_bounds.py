"""Bounds (issue 12, items 8-11): every hostile file stops at a limit, in time, in little memory.

The hostile cases run the real `ketamine-watch refresh` in a subprocess against a local mirror
(http on 127.0.0.1, or a folder) and read that process's own peak RSS (getrusage at its exit,
written to a file), so a regression that buffers a body in memory or opens a FIFO shows as
memory or as a timeout here, not as a hung suite. Each case starts from a published warehouse
(NFLIS and FAERS from small clean files) and checks that the refused source is `failed`, says
which file, value and limit, and that the published rows are unchanged.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path
from urllib.parse import quote

import pytest
from refresh_kit import (
    FAERS_FIXTURES,
    NFLIS_CLEAN,
    faers_zip,
    fingerprint,
    query,
    serve_mirror,
    test_client_factory,
)

from etl import limits, xlsxblocks
from etl.contract import ParseError
from etl.http import FetchError, HttpClient, LimitExceeded
from etl.refresh import RefreshOptions, describe, refresh
from etl.sources import SOURCES, nflis

REPO = Path(__file__).resolve().parents[1]
ANNUAL = "Drug_frequency_annual.csv"
MEMORY_LIMIT_KB = 1_000_000  # 1 GB
# Runs the CLI and records its own peak RSS (kB) at exit, whatever the exit code.
CLI = """
import resource, sys
from etl.cli import app
try:
    app(sys.argv[2:], prog_name="ketamine-watch")
finally:
    open(sys.argv[1], "w").write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
"""


def cli_refresh(
    tmp: Path, data_dir: Path, mirror: str, *ids: str, extra=(), timeout: float = 120
) -> tuple[int, int, float, str]:
    """(exit code, peak RSS kB, seconds, stderr) of `refresh IDS --mirror MIRROR`."""
    rss = tmp / "rss.txt"
    args = [sys.executable, "-c", CLI, str(rss), "refresh", *ids, "--mirror", mirror]
    args += ["--data-dir", str(data_dir), *extra]
    started = time.monotonic()
    done = subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=timeout)
    print(f"refresh took {time.monotonic() - started:.1f} s, peak RSS {rss_kb_of(rss)} kB")
    return done.returncode, int(rss.read_text()), time.monotonic() - started, done.stderr


def mirror_fetch_seconds(stderr: str) -> float:
    """How long the refused mirror fetch took, from the refresh's own stage log line."""
    found = re.search(r"stage=fetch origin=mirror status=failed duration_s=([\d.]+)", stderr)
    assert found, stderr
    return float(found.group(1))


def rss_kb_of(path: Path) -> str:
    return path.read_text() if path.exists() else "?"


def faers_clean_mirror(folder: Path) -> None:
    faers = folder / "faers_quarterly"
    faers.mkdir(parents=True, exist_ok=True)
    for quarter in ("faers_ascii_2019q1", "faers_ascii_2019q2"):
        shutil.copytree(FAERS_FIXTURES / quarter, faers / quarter)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """NFLIS and FAERS published from a folder mirror of small clean files."""
    root = tmp_path_factory.mktemp("bounds")
    mirror = root / "mirror"
    (mirror / "nflis").mkdir(parents=True)
    (mirror / "nflis" / ANNUAL).write_text(NFLIS_CLEAN)
    faers_clean_mirror(mirror)
    data_dir = root / "data"
    options = RefreshOptions(mode="mirror", mirror=str(mirror), data_dir=data_dir)
    run = refresh(SOURCES, ["nflis", "faers_quarterly"], options)
    assert run.status == "ok", [(r.source, r.status, r.message) for r in run.results]
    return data_dir


@pytest.fixture
def data_dir(baseline: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(baseline, tmp_path / "data"))


def outcome(data_dir: Path, source: str) -> tuple[str, str]:
    [(status, message)] = query(
        data_dir / "warehouse.duckdb",
        "SELECT status, message FROM runs WHERE source = ? ORDER BY started DESC LIMIT 1",
        [source],
    )
    return status, message


def assert_refused(data_dir: Path, before: dict[str, str], source: str, *says: str) -> str:
    status, message = outcome(data_dir, source)
    assert status == "failed", message
    assert message.startswith(f"{source}: "), message
    for needle in says:
        assert needle in message, f"{needle!r} not in {message!r}"
    assert "previously published rows kept" in message
    assert fingerprint(data_dir / "warehouse.duckdb") == before  # published rows unchanged
    return message


# -- hostile bodies over http ---------------------------------------------------------------


def endless(handler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/csv")
    handler.end_headers()
    line = b"2019,Ketamine,101\n" * 3000
    handler.wfile.write(b"YYYY,SubstanceDetected,Freq\n")
    try:
        while True:
            handler.wfile.write(line)
    except OSError:
        return  # the client hung up at its limit


def gzip_bomb(handler) -> None:
    """`Content-Encoding: gzip` whose body expands ~1000x, without end."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/csv")
    handler.send_header("Content-Encoding", "gzip")
    handler.end_headers()
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = b"0" * (1 << 20)
    try:
        handler.wfile.write(packer.compress(b"YYYY,SubstanceDetected,Freq\n"))
        while True:
            handler.wfile.write(packer.compress(zeros))
    except OSError:
        return


@pytest.mark.parametrize(
    ("route", "says"),
    [
        (endless, ("body passed the limit of 16777216 bytes", "bytes read")),
        (gzip_bomb, ("body passed the limit of 16777216 bytes", "Content-Encoding: gzip")),
    ],
    ids=["endless_body", "gzip_bomb"],
)
def test_hostile_http_body_stops_at_its_limit(
    route, says, data_dir: Path, tmp_path: Path, local_server
) -> None:
    before = fingerprint(data_dir / "warehouse.duckdb")
    local_server.routes[f"/nflis/{ANNUAL}"] = route
    code, rss_kb, seconds, stderr = cli_refresh(tmp_path, data_dir, local_server.base_url, "nflis")
    assert code == 1, stderr
    assert mirror_fetch_seconds(stderr) < 5 and seconds < 60
    assert rss_kb < MEMORY_LIMIT_KB, f"peak RSS {rss_kb} kB"
    assert_refused(data_dir, before, "nflis", ANNUAL, *says)
    assert local_server.hits(f"/nflis/{ANNUAL}") == 1  # refused, not retried
    assert not list((data_dir / "raw").rglob("*.part"))  # the partial download is removed


def test_json_body_held_in_memory_has_its_own_limit(local_server) -> None:
    local_server.routes["/api.json"] = endless
    with (
        HttpClient(allow_insecure_hosts=["127.0.0.1"], sleep=lambda _s: None) as client,
        pytest.raises(LimitExceeded, match="passed the limit of 1000000 bytes"),
    ):
        client.get_json(local_server.url("/api.json"), max_bytes=1_000_000)


# -- deadlines ------------------------------------------------------------------------------


def never_answers(handler) -> None:
    time.sleep(20)  # holds the connection open, says nothing


def test_a_mirror_that_never_answers_stops_at_the_source_deadline(
    data_dir: Path, tmp_path: Path, local_server
) -> None:
    local_server.routes[f"/nflis/{ANNUAL}"] = never_answers
    extra = ("--source-deadline", "2")
    code, _rss, seconds, stderr = cli_refresh(
        tmp_path, data_dir, local_server.base_url, "nflis", extra=extra
    )
    assert code == 1, stderr
    assert 2 <= mirror_fetch_seconds(stderr) < 4, stderr  # not 5 attempts x 60 s
    assert seconds < 60
    status, message = outcome(data_dir, "nflis")
    assert status == "fallback", message  # a slow publisher: the last good snapshot is used
    assert "per-source deadline of 2 s" in message, message


def test_retries_stop_before_the_deadline(local_server, tmp_path: Path) -> None:
    local_server.routes["/a.csv"] = (503, {"Retry-After": "30"}, b"busy")
    sleeps: list[float] = []
    with HttpClient(allow_insecure_hosts=["127.0.0.1"], sleep=sleeps.append) as client:
        client.set_deadline(time.monotonic() + 5, "the test deadline")
        with pytest.raises(FetchError, match=r"gave up after 1 attempt.*test deadline is near"):
            client.download(local_server.url("/a.csv"), tmp_path, expect="csv")
    assert sleeps == []  # a 30 s backoff would pass the deadline: not slept
    assert local_server.hits("/a.csv") == 1


def test_the_run_deadline_keeps_the_sources_it_left_no_time_for(
    data_dir: Path, local_server
) -> None:
    before = fingerprint(data_dir / "warehouse.duckdb")
    local_server.routes[f"/nflis/{ANNUAL}"] = never_answers
    options = RefreshOptions(
        mode="mirror", mirror=local_server.base_url, data_dir=data_dir, deadline=2
    )
    started = time.monotonic()
    run = refresh(SOURCES, ["nflis", "faers_quarterly"], options, client_factory=fast_client())
    assert time.monotonic() - started < 15
    by_source = {r.source: r for r in run.results}
    assert "run's deadline of 2 s" in by_source["nflis"].message
    faers = by_source["faers_quarterly"]
    assert faers.status == "failed"
    assert faers.message == (
        "faers_quarterly: not refreshed: the run's deadline of 2 s (--deadline) passed; "
        "previously published rows kept"
    )
    after = fingerprint(data_dir / "warehouse.duckdb")
    assert after["faers_quarterly"] == before["faers_quarterly"]


def fast_client():
    return test_client_factory(read_timeout=30.0, connect_timeout=30.0)


# -- a folder mirror: FIFOs, symlinks -------------------------------------------------------


def folder_mirror(tmp_path: Path) -> Path:
    mirror = tmp_path / "mirror"
    (mirror / "nflis").mkdir(parents=True)
    return mirror


def test_a_fifo_in_the_mirror_is_refused_unopened(data_dir: Path, tmp_path: Path) -> None:
    before = fingerprint(data_dir / "warehouse.duckdb")
    mirror = folder_mirror(tmp_path)
    os.mkfifo(mirror / "nflis" / ANNUAL)
    code, rss_kb, seconds, stderr = cli_refresh(tmp_path, data_dir, str(mirror), "nflis")
    assert code == 1, stderr
    assert seconds < 60 and rss_kb < MEMORY_LIMIT_KB
    assert_refused(data_dir, before, "nflis", ANNUAL, "FIFO", "not a regular file")


def test_a_file_over_its_limit_in_a_folder_mirror_is_refused(
    data_dir: Path, tmp_path: Path
) -> None:
    before = fingerprint(data_dir / "warehouse.duckdb")
    mirror = folder_mirror(tmp_path)
    with (mirror / "nflis" / ANNUAL).open("wb") as sparse:  # 3 GB declared, nothing written
        sparse.write(b"YYYY,SubstanceDetected,Freq\n")
        sparse.truncate(3_000_000_000)
    refresh(
        SOURCES, ["nflis"], RefreshOptions(mode="mirror", mirror=str(mirror), data_dir=data_dir)
    )
    assert_refused(
        data_dir, before, "nflis", ANNUAL, "is 3000000000 bytes, over the limit of 16777216 bytes"
    )


def test_a_symlink_out_of_the_mirror_is_not_followed(data_dir: Path, tmp_path: Path) -> None:
    before = fingerprint(data_dir / "warehouse.duckdb")
    mirror = folder_mirror(tmp_path)
    (mirror / "nflis" / ANNUAL).symlink_to("/etc/passwd")
    run = refresh(
        SOURCES, ["nflis"], RefreshOptions(mode="mirror", mirror=str(mirror), data_dir=data_dir)
    )
    message = assert_refused(data_dir, before, "nflis", ANNUAL, "outside the mirror")
    assert "root:" not in message and "root:" not in run.results[0].message
    db = data_dir / "warehouse.duckdb"
    assert not query(db, "SELECT * FROM sources WHERE CAST(sources AS VARCHAR) LIKE '%root:%'")


def test_a_symlink_inside_the_mirror_is_read(data_dir: Path, tmp_path: Path) -> None:
    mirror = folder_mirror(tmp_path)
    (mirror / "store").mkdir()
    (mirror / "store" / "annual.csv").write_text(NFLIS_CLEAN)
    (mirror / "nflis" / ANNUAL).symlink_to(mirror / "store" / "annual.csv")
    run = refresh(
        SOURCES, ["nflis"], RefreshOptions(mode="mirror", mirror=str(mirror), data_dir=data_dir)
    )
    assert [(r.status, r.origin) for r in run.results] == [("ok", "mirror")], run.results


# -- zips and workbooks ---------------------------------------------------------------------


def declare_size(data: bytes, member: str, size: int) -> bytes:
    """The zip with `member`'s uncompressed size rewritten (local and central headers)."""
    out = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(member)
    struct.pack_into("<I", out, info.header_offset + 22, size)
    at = out.find(b"PK\x01\x02")  # the first central directory entry
    while at != -1:
        name_len = struct.unpack_from("<H", out, at + 28)[0]
        if out[at + 46 : at + 46 + name_len].decode() == member:
            struct.pack_into("<I", out, at + 24, size)
            break
        at = out.find(b"PK\x01\x02", at + 4)
    return bytes(out)


def faers_mirror_with(tmp_path: Path, zip_bytes: bytes) -> Path:
    mirror = tmp_path / "mirror"
    faers_clean_mirror(mirror)
    shutil.rmtree(mirror / "faers_quarterly" / "faers_ascii_2019q2")
    (mirror / "faers_quarterly" / "faers_ascii_2019q2.zip").write_bytes(zip_bytes)
    return mirror


def test_a_zip_member_declaring_3_gb_is_not_unpacked(data_dir: Path, tmp_path: Path) -> None:
    before = fingerprint(data_dir / "warehouse.duckdb")
    clean = faers_zip(FAERS_FIXTURES / "faers_ascii_2019q2")
    member = next(n for n in zipfile.ZipFile(io.BytesIO(clean)).namelist() if "drug" in n)
    mirror = faers_mirror_with(tmp_path, declare_size(clean, member, 3_000_000_000))
    code, rss_kb, seconds, stderr = cli_refresh(tmp_path, data_dir, str(mirror), "faers_quarterly")
    assert code == 1, stderr
    assert seconds < 60 and rss_kb < MEMORY_LIMIT_KB
    assert_refused(
        data_dir,
        before,
        "faers_quarterly",
        "faers_ascii_2019q2.zip",
        member,
        "declares 3000000000 bytes",
        f"limit of {limits.UNZIP_MIN_ALLOWANCE} bytes",
    )


def test_a_zip_bomb_quarter_is_refused(data_dir: Path, tmp_path: Path) -> None:
    """A member truly expanding to 200 MB of one byte (~200 kB packed, 1000x)."""
    before = fingerprint(data_dir / "warehouse.duckdb")
    source = FAERS_FIXTURES / "faers_ascii_2019q2"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in source.rglob("*") if p.is_file()):
            if path.name != "outc19q2.txt":
                archive.write(path, path.relative_to(source).as_posix())
        with archive.open("ascii/outc19q2.txt", "w", force_zip64=True) as bomb:
            for _ in range(200):
                bomb.write(b"$" * (1 << 20))
    mirror = faers_mirror_with(tmp_path, buffer.getvalue())
    code, rss_kb, seconds, stderr = cli_refresh(tmp_path, data_dir, str(mirror), "faers_quarterly")
    assert code == 1, stderr
    assert seconds < 60 and rss_kb < MEMORY_LIMIT_KB
    assert_refused(data_dir, before, "faers_quarterly", "outc19q2.txt", "not unpacked")


def test_workbook_parts_and_cells_are_capped(tmp_path: Path, monkeypatch) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Table 1"
    for row in range(1, 101):
        sheet.append([f"r{row}", *range(20)])
    path = tmp_path / "table.xlsx"
    book.save(path)
    assert len(xlsxblocks.sheet_rows(xlsxblocks.open_workbook(path).active, path)) == 100

    monkeypatch.setattr(limits, "XLSX_MAX_CELLS", 1000)
    with pytest.raises(limits.RefusedFile, match=r"more than 1000 cells \(passed at row 48\)"):
        xlsxblocks.sheet_rows(xlsxblocks.open_workbook(path).active, path)
    monkeypatch.setattr(limits, "XLSX_MAX_UNPACKED", 1000)
    with pytest.raises(
        limits.RefusedFile,
        match=r"table.xlsx: workbook parts unpack to .* bytes, over the limit of 1000",
    ):
        xlsxblocks.open_workbook(path)


def test_a_message_quotes_only_an_excerpt() -> None:
    huge = ParseError("value '" + "x" * 1_000_000 + "' is not a number", file="a.csv", line=2)
    text = describe(huge)
    assert text.startswith("a.csv, line 2: value 'xxx")
    assert len(text) < limits.MESSAGE_CHARS + 100
    assert "more characters" in text


# -- the NFLIS http mirror: optional files with spaces in their names --------------------------


def real_nflis(shared_raw: Path) -> dict[str, bytes]:
    folder = shared_raw / "nflis"
    return {p.name: p.read_bytes() for p in folder.glob("*.csv")}


def nflis_rows(options: RefreshOptions, **kwargs) -> int:
    run = refresh([nflis.SOURCE], ["nflis"], options, **kwargs)
    [result] = run.results
    assert result.status == "ok", result.message
    return result.rows


def test_an_http_mirror_of_the_real_nflis_folder_fetches_the_optional_files(
    shared_raw: Path, tmp_path: Path, local_server
) -> None:
    folder_rows = nflis_rows(
        RefreshOptions(mode="mirror", mirror=str(shared_raw), data_dir=tmp_path / "a")
    )
    base = serve_mirror(local_server, {"nflis": real_nflis(shared_raw)})
    http_rows = nflis_rows(
        RefreshOptions(mode="mirror", mirror=base, data_dir=tmp_path / "b"),
        client_factory=test_client_factory(),
    )
    assert http_rows == folder_rows
    assert local_server.hits("/nflis/Figure_1_data_monthly_fentanyl_cooccurrence.csv") == 1
    assert local_server.hits("/nflis/Figure_3_data_state_annual_club_drugs_only.csv") == 1


def test_a_publisher_name_with_spaces_is_asked_for_once_encoded(
    shared_raw: Path, tmp_path: Path, local_server
) -> None:
    files = real_nflis(shared_raw)
    named = {
        ANNUAL: files[ANNUAL],
        "Figure 1 data.csv": files["Figure_1_data_monthly_fentanyl_cooccurrence.csv"],
        "Figure 3 data.csv": files["Figure_3_data_state_annual_club_drugs_only.csv"],
    }
    for name, body in named.items():  # no directory index: only the publisher's names work
        local_server.routes[f"/nflis/{quote(name)}"] = (200, {"Content-Type": "text/csv"}, body)
    folder_rows = nflis_rows(
        RefreshOptions(mode="mirror", mirror=str(shared_raw), data_dir=tmp_path / "a")
    )
    http_rows = nflis_rows(
        RefreshOptions(mode="mirror", mirror=local_server.base_url, data_dir=tmp_path / "b"),
        client_factory=test_client_factory(),
    )
    assert http_rows == folder_rows
    asked = [r.path for r in local_server.requests]
    assert "/nflis/Figure%201%20data.csv" in asked and "/nflis/Figure%203%20data.csv" in asked
    assert not [p for p in asked if "%25" in p]
