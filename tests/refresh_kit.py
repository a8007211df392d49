"""Helpers shared by the isolation, bad-input, fault and security tests (not a test module).

- `fingerprint(db)`: a digest per source of everything it published (observations, indicators,
  events and the detail tables it owns), so "published rows unchanged" is one equality.
- `clean_files()`: tiny, hand-written files in each publisher's real format (never copied from
  ../shared/data/raw), used as the good version of every bad-input case.
- `serve_mirror(server, files)`: registers `<source>/<file>` routes and a directory index per
  source folder on the `local_server` fixture, like `python -m http.server` over a mirror folder.
- `test_client_factory(...)`: an HttpClient for 127.0.0.1 with short timeouts and no real sleeps.
"""

from __future__ import annotations

import hashlib
import html
import io
import shutil
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import quote

import duckdb

from etl.http import HttpClient
from etl.refresh import DEFAULT_SEED_DIR, RefreshOptions, RunResult, refresh
from etl.sources import SOURCES

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = REPO_ROOT / "tests" / "fixtures"
FAERS_FIXTURES = FIXTURES / "faers_quarterly"

# The sources these tests refresh: every source in the registry (the bad-input corpus test
# requires cases for each).
TEST_SOURCES = SOURCES
TEXT_SOURCES = ("literature", "milestones", "nflis")
CANONICAL = ("observations", "indicators", "events")


def fingerprint(db: Path) -> dict[str, str]:
    """source id -> sha256 of its published rows (canonical tables + owned detail tables).

    Rows are compared by their repr: pandas 3's `astype(str)` leaves a missing float as NaN,
    which does not sort beside strings."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        ids = [r[0] for r in con.execute("SELECT id FROM sources ORDER BY id").fetchall()]
        details = con.execute("SELECT table_name, source FROM detail_tables").fetchall()
        out = {}
        for sid in ids:
            digest = hashlib.sha256()
            for table in CANONICAL:
                frame = con.execute(f"SELECT * FROM {table} WHERE source = ?", [sid]).df()
                rows = sorted(map(repr, frame.itertuples(index=False, name=None)))
                digest.update(f"{table}:{rows!r}".encode())
            for name, owner in sorted(details):
                if owner == sid:
                    frame = con.execute(f'SELECT * FROM "{name}"').df()
                    rows = sorted(map(repr, frame.itertuples(index=False, name=None)))
                    digest.update(f"{name}:{rows!r}".encode())
            out[sid] = digest.hexdigest()
        return out
    finally:
        con.close()


def query(db: Path, sql: str, params: Sequence[object] = ()) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


# -- hand-written files in each publisher's format --------------------------------------------

NFLIS_CLEAN = (
    "YYYY,SubstanceDetected,Freq\n"
    "2019,Ketamine,101\n"
    "2019,Cocaine,5000\n"
    "2020,Ketamine,87\n"
    "2020,Methoxetamine,3\n"
    "2021,Ketamine,120\n"
)

LIT_HEADER = (
    "id,source,indicator,geography,year,group,value,unit,citation_url,citation_text,where_seen,"
    "tier,verified\n"
)
LIT_CLEAN = LIT_HEADER + (
    "T001,Test Survey Report 2021,ketamine use in the past year (test),Testland,2019,all adults,"
    '0.8,percent,https://example.org/t1,"Test A. A survey. Test J. 2021;1:1",report table 2,'
    "primary,read in table 2\n"
    "T002,Test Survey Report 2021,ketamine use in the past year (test),Testland,2020,all adults,"
    '0.9,percent,https://example.org/t1,"Test A. A survey. Test J. 2021;1:1",report table 2,'
    "primary,read in table 2\n"
    "T003,Test Poison Centre Annual,ketamine exposure calls (test),Testland,2020,all ages,"
    '"1,204",cases,https://example.org/t2,"Test B. Calls. Test Tox. 2021;2:2",annual report,'
    "primary,read in the annual report\n"
)
CLAIMS_NAME = "claim_evidence.csv"
CLAIMS_CLEAN = (
    "claim_id,claim,kind,verdict,evidence,citation_url,citation_text\n"
    "C01,A test claim about an approved use,approved use,approved,The test label says so.,"
    "https://example.org/label,Test label 2020\n"
    "C02,A test claim without support,risk,not supported,No source was found.,,none found\n"
)

MS_CLEAN = (
    "date,event,agency,citation_url\n"
    '2019-03-05,"Test: esketamine nasal spray approved for treatment-resistant depression",'
    "FDA,https://example.org/m1\n"
    '1999,"Test: ketamine placed in Schedule III",DEA,https://example.org/m2\n'
    '2021-02,"Test: method change in a survey",Test Agency,https://example.org/m3\n'
)

CLEAN_NAMES = {
    "nflis": "Drug_frequency_annual.csv",
    "literature": "published_figures.csv",
    "milestones": "therapeutic_milestones.csv",
}
CLEAN_BODIES = {"nflis": NFLIS_CLEAN, "literature": LIT_CLEAN, "milestones": MS_CLEAN}


def clean_files() -> dict[str, dict[str, bytes]]:
    files = {sid: {CLEAN_NAMES[sid]: CLEAN_BODIES[sid].encode()} for sid in TEXT_SOURCES}
    files["literature"][CLAIMS_NAME] = CLAIMS_CLEAN.encode()  # the source's second file
    return files


def fixture_files(source_id: str, pattern: str) -> dict[str, bytes]:
    """The hand-made fixture files of a source (tests/fixtures/<source>/, not its real/ folder)."""
    folder = FIXTURES / source_id
    return {p.name: p.read_bytes() for p in sorted(folder.glob(pattern)) if p.is_file()}


def faers_zip(folder: Path, *, prefix: str = "") -> bytes:
    """Zip a hand-made FAERS fixture quarter folder (members under `prefix`)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            archive.write(path, prefix + path.relative_to(folder).as_posix())
    return buffer.getvalue()


def write_mirror(root: Path, files: dict[str, dict[str, bytes]]) -> Path:
    for sid, named in files.items():
        (root / sid).mkdir(parents=True, exist_ok=True)
        for name, body in named.items():
            (root / sid / name).write_bytes(body)
    return root


def serve_mirror(server, files: dict[str, dict[str, bytes]]) -> str:
    """Serve `files` as an http mirror on `server` (a conftest LocalServer); returns the base."""
    for sid, named in files.items():
        links = "".join(
            f'<li><a href="{quote(name)}">{html.escape(name)}</a></li>' for name in sorted(named)
        )
        index = f"<!DOCTYPE HTML><html><body><ul>{links}</ul></body></html>"
        server.routes[f"/{sid}/"] = (200, {"Content-Type": "text/html"}, index)
        for name, body in named.items():
            route = server.routes.get(f"/{sid}/{name}")
            if route is None:  # a test may have set a fault route for this file already
                server.routes[f"/{sid}/{name}"] = (200, {"Content-Type": "text/csv"}, body)
    return server.base_url


def test_client_factory(sleeps: list[float] | None = None, **overrides: object) -> Callable:
    settings: dict[str, object] = dict(
        allow_insecure_hosts=["127.0.0.1"],
        connect_timeout=2.0,
        read_timeout=2.0,
        max_attempts=3,
        backoff_base=0.01,
        backoff_max=60.0,
        sleep=(sleeps.append if sleeps is not None else lambda _s: None),
    )
    settings.update(overrides)

    def factory(meta, options) -> HttpClient:
        return HttpClient(**settings)  # type: ignore[arg-type]

    return factory


test_client_factory.__test__ = False  # not a test, despite the name


def run_refresh(
    data_dir: Path,
    *,
    mode: str = "offline",
    mirror: str | None = None,
    selected: Sequence[str] | None = None,
    client_factory: Callable | None = None,
    sources=TEST_SOURCES,
    accept_shrink: bool = False,
) -> RunResult:
    options = RefreshOptions(
        mode=mode,
        mirror=mirror,
        data_dir=data_dir,
        seed_dir=DEFAULT_SEED_DIR,
        accept_shrink=accept_shrink,
    )
    return refresh(sources, selected, options, client_factory=client_factory)


def build_baseline(data_dir: Path, mirror_dir: Path, files: dict[str, dict[str, bytes]]) -> None:
    """The published state a test starts from: every test source loaded from a folder mirror of
    small hand-made files (`files`, plus the hand-made FAERS fixture quarters), so each has a
    good raw snapshot to fall back to and no case has to parse the (large) seed."""
    write_mirror(mirror_dir, files)
    faers = mirror_dir / "faers_quarterly"
    faers.mkdir(parents=True, exist_ok=True)
    for quarter in ("faers_ascii_2019q1", "faers_ascii_2019q2"):
        shutil.copytree(FAERS_FIXTURES / quarter, faers / quarter, dirs_exist_ok=True)
    run = run_refresh(data_dir, mode="mirror", mirror=str(mirror_dir))
    assert run.status == "ok", [(r.source, r.status, r.message) for r in run.results]
    assert all(r.origin == "mirror" for r in run.results), run.results
    # Publish FAERS and ONS from their raw snapshots, as every later run without them in the
    # mirror will: `faers_loaded_quarters.origin` and ONS's observation notes record the file
    # name, which differs in the raw store.
    from_raw = ["faers_quarterly", "ons_drug_poisoning"]
    again = run_refresh(data_dir, mode="offline", selected=from_raw)
    assert [r.origin for r in again.results] == ["snapshot"] * len(from_raw), again.results


def copy_data_dir(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst
