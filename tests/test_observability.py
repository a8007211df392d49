"""What the operator sees: structured log lines per source and stage, the `runs` table, exit codes
of `refresh` and `status`; and `--mirror` as an http base URL end to end."""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

import pytest
from bad_inputs.cases import CMS, NFLIS, baseline_files
from refresh_kit import (
    NFLIS_CLEAN,
    build_baseline,
    fingerprint,
    query,
    run_refresh,
    serve_mirror,
    test_client_factory,
    write_mirror,
)
from typer.testing import CliRunner

from etl.cli import app
from etl.observe import kv

LINE = re.compile(r'^(?:\w+=(?:"(?:[^"\\]|\\.)*"|\S+))(?: \w+=(?:"(?:[^"\\]|\\.)*"|\S+))*$')


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("obs_baseline")
    build_baseline(root / "data", root / "mirror", baseline_files())
    return root / "data"


@pytest.fixture
def data_dir(baseline: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(baseline, tmp_path / "data"))


def fields(message: str) -> dict[str, str]:
    assert LINE.match(message), message
    return {
        m[1]: (m[2][1:-1] if m[2].startswith('"') else m[2])
        for m in re.finditer(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)', message)
    }


def test_kv_quotes_what_needs_quoting():
    line = kv(source="nflis", rows=3, duration_s=0.12345, error='a "b" c', skip=None, empty="")
    assert line == 'source=nflis rows=3 duration_s=0.123 error="a \\"b\\" c" empty=""'


def test_one_line_per_source_and_stage(data_dir: Path, tmp_path: Path, caplog) -> None:
    bad_nflis = NFLIS_CLEAN.replace("2020,Ketamine,87", "2020,Ketamine,-87")
    mirror = write_mirror(tmp_path / "m", baseline_files() | {"nflis": {NFLIS: bad_nflis.encode()}})
    caplog.set_level(logging.INFO, logger="etl.refresh")
    run = run_refresh(
        data_dir, mode="mirror", mirror=str(mirror), selected=["nflis", "milestones", "cms_partd"]
    )
    lines = [fields(r.getMessage()) for r in caplog.records if r.name == "etl.refresh"]
    assert all(f["run"] == run.run_id for f in lines)
    by = {(f.get("source"), f["stage"]): f for f in lines}
    for sid in ("milestones", "cms_partd"):
        for stage in ("fetch", "parse", "validate", "stage", "done"):
            line = by[(sid, stage)]
            assert line["status"] == "ok"
            assert "duration_s" in line
        assert int(by[(sid, "stage")]["rows"]) > 0
        assert by[(sid, "done")]["rows"] == by[(sid, "stage")]["rows"]
    # the failing source: its parse line carries the error; it never reaches validate/stage
    failed = by[("nflis", "parse")]
    assert failed["status"] == "failed"
    assert "line 4" in failed["error"] and NFLIS in failed["error"]
    assert ("nflis", "validate") not in by
    assert by[("nflis", "done")]["status"] == "failed"
    warnings = [
        r for r in caplog.records if r.levelno == logging.WARNING and r.name == "etl.refresh"
    ]
    assert {fields(r.getMessage())["stage"] for r in warnings} == {"parse", "done"}
    publish = by[(None, "publish")]
    assert publish["status"] == "partial"
    assert int(publish["sources"]) == 3
    # the runs table says the same thing
    rows = query(
        data_dir / "warehouse.duckdb",
        "SELECT source, status FROM runs WHERE run_id = ? ORDER BY source",
        [run.run_id],
    )
    assert rows == [("cms_partd", "ok"), ("milestones", "ok"), ("nflis", "failed")]


def cli(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_status_exit_codes(data_dir: Path, tmp_path: Path) -> None:
    assert cli("status", "--data-dir", str(tmp_path / "nothing")).exit_code == 1
    healthy = cli("status", "--data-dir", str(data_dir))
    assert healthy.exit_code == 0, healthy.output
    bad = {"cms_partd": {CMS: b"Brnd_Name,Gnrc_Name,Mftr_Name,Tot_Clms_2022\nx\n"}}
    bad_mirror = write_mirror(tmp_path / "bad", bad)
    run = run_refresh(data_dir, mode="mirror", mirror=str(bad_mirror), selected=["cms_partd"])
    assert run.status == "partial"
    failing = cli("status", "--data-dir", str(data_dir))
    assert failing.exit_code == 1
    assert "cms_partd" in failing.output
    # a good refresh of that source makes it healthy again
    good = write_mirror(tmp_path / "good", {"cms_partd": baseline_files()["cms_partd"]})
    run_refresh(data_dir, mode="mirror", mirror=str(good), selected=["cms_partd"])
    assert cli("status", "--data-dir", str(data_dir)).exit_code == 0


def same_rows(data_dir: Path, before: dict[str, str]) -> bool:
    """The test sources' rows are as before (the CLI's registry may add empty sources)."""
    after = fingerprint(data_dir / "warehouse.duckdb")
    return {k: after.get(k) for k in before} == before


def test_refresh_exit_codes(data_dir: Path, tmp_path: Path) -> None:
    """Through the CLI with the registry: 2 for a mirror that does not exist or an unknown
    source (nothing published); 1 when a source failed (run partial)."""
    before = fingerprint(data_dir / "warehouse.duckdb")
    missing = cli(
        "refresh", "nflis", "--mirror", str(tmp_path / "nope"), "--data-dir", str(data_dir)
    )
    assert missing.exit_code == 2
    unknown = cli("refresh", "no_such_source", "--offline", "--data-dir", str(data_dir))
    assert unknown.exit_code == 2 and "Known sources" in unknown.output
    assert same_rows(data_dir, before)
    bad = write_mirror(
        tmp_path / "bad", {"nflis": {NFLIS: b"YYYY,SubstanceDetected,Freq\n2019,Ketamine,x\n"}}
    )
    partial = cli("refresh", "nflis", "--mirror", str(bad), "--data-dir", str(data_dir))
    assert partial.exit_code == 1
    assert same_rows(data_dir, before)
    ok = write_mirror(tmp_path / "ok", {"nflis": baseline_files()["nflis"]})
    assert cli("refresh", "nflis", "--mirror", str(ok), "--data-dir", str(data_dir)).exit_code == 0


# -- --mirror http://... end to end ----------------------------------------------------------


def test_http_mirror_end_to_end(data_dir: Path, local_server) -> None:
    """Files by the publisher's name (nflis) or by pattern from the folder index (curated
    sources with no URL, cms_partd, FAERS quarters); kept in the raw store under their names."""
    files = baseline_files() | {"nflis": {NFLIS: (NFLIS_CLEAN + "2022,Ketamine,140\n").encode()}}
    from refresh_kit import FAERS_FIXTURES, faers_zip

    files["faers_quarterly"] = {
        "faers_ascii_2019q1.zip": faers_zip(FAERS_FIXTURES / "faers_ascii_2019q1"),
        "faers_ascii_2019q2.zip": faers_zip(FAERS_FIXTURES / "faers_ascii_2019q2"),
    }
    before = fingerprint(data_dir / "warehouse.duckdb")
    faers_rows = "SELECT count(*), sum(value) FROM observations WHERE source = 'faers_quarterly'"
    faers_before = query(data_dir / "warehouse.duckdb", faers_rows)
    base = serve_mirror(local_server, files)
    run = run_refresh(data_dir, mode="mirror", mirror=base, client_factory=test_client_factory())
    assert run.status == "ok", [(r.source, r.status, r.message) for r in run.results]
    assert {r.source: r.origin for r in run.results} == dict.fromkeys(before, "mirror")
    after = fingerprint(data_dir / "warehouse.duckdb")
    assert after["nflis"] != before["nflis"]  # the new year arrived
    assert query(data_dir / "warehouse.duckdb", faers_rows) == faers_before  # same quarters
    assert after["literature"] == before["literature"]
    assert local_server.hits(f"/nflis/{NFLIS}") == 1
    # the annual file is found by name; the index is read once, for the optional figure files
    # the mirror does not have under the publisher's names
    assert local_server.hits("/nflis/") == 1
    assert local_server.hits("/literature/") == 1  # no URL: found through the index
    raw = data_dir / "raw"
    assert list((raw / "nflis").glob(f"*-{NFLIS}"))
    assert len(list((raw / "faers_quarterly").glob("*-faers_ascii_2019q*.zip"))) == 2
    # offline afterwards uses exactly those snapshots: same rows, no network
    local_server.routes.clear()
    again = run_refresh(data_dir, mode="offline")
    assert {r.origin for r in again.results} == {"snapshot"}
    final = fingerprint(data_dir / "warehouse.duckdb")
    # (FAERS records each quarter's file name and ONS each row's, which differ in the raw store)
    named = ("faers_quarterly", "ons_drug_poisoning")
    assert {k: v for k, v in final.items() if k not in named} == {
        k: v for k, v in after.items() if k not in named
    }
    assert query(data_dir / "warehouse.duckdb", faers_rows) == faers_before


def test_http_mirror_renamed_release_found_through_the_index(data_dir: Path, local_server) -> None:
    """The publisher's name is 404 on the mirror; a renamed file matching the pattern is listed."""
    renamed = "drug_frequency_annual_2024_release.csv"
    base = serve_mirror(local_server, {"nflis": {renamed: NFLIS_CLEAN.encode()}})
    run = run_refresh(
        data_dir,
        mode="mirror",
        mirror=base,
        selected=["nflis"],
        client_factory=test_client_factory(),
    )
    [result] = run.results
    assert (result.status, result.origin) == ("ok", "mirror")
    assert local_server.hits(f"/nflis/{NFLIS}") == 1 and local_server.hits(f"/nflis/{renamed}") == 1


def test_status_alerts_when_a_source_fell_back(data_dir: Path, tmp_path: Path) -> None:
    """A mirror that serves an HTML page instead of the CSV: the source loads its last good
    copy (`fallback`), and `status` exits 1 naming it, so a persistently bad file alerts."""
    assert cli("status", "--data-dir", str(data_dir)).exit_code == 0
    bad = write_mirror(
        tmp_path / "html", {"nflis": {"Drug_frequency_annual.csv": b"<html>error</html>\n"}}
    )
    run = run_refresh(data_dir, mode="mirror", mirror=str(bad), selected=["nflis"])
    assert run.results[0].status == "fallback"
    alert = cli("status", "--data-dir", str(data_dir))
    assert alert.exit_code == 1
    assert "nflis" in alert.output and "fell back" in alert.output
    good = write_mirror(tmp_path / "good", {"nflis": baseline_files()["nflis"]})
    run_refresh(data_dir, mode="mirror", mirror=str(good), selected=["nflis"])
    assert cli("status", "--data-dir", str(data_dir)).exit_code == 0
