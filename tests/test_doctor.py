"""`ketamine-watch doctor`: machine checks, one probe per live source, exit code, output.

Nothing here touches the internet: probes go to `--base-url http://127.0.0.1:PORT`, either a
closed port (offline) or the `local_server` fixture replaying publisher answers at the
publishers' own paths. What is replayed, and how real it is:

- openFDA: tests/fixtures/openfda/real/count-receivedate-2014.json (a recorded date count) and
  the recorded 403 API_KEY_INVALID body from http-errors.json;
- ClinicalTrials.gov: the real record NCT03418623 put into a one-study page (no recorded search
  page exists, see that folder's SOURCE.md);
- CMS: the real Spravato rows of tests/fixtures/cms_partd/real/ turned into the data API's JSON
  array of row objects (the API serves the CSV's columns as keys);
- NFLIS, ONS: the publishers' own files as bundled in data/seed/;
- openFDA labels, FAERS and EUDA landing pages: hand-made in the publishers' shape (no recorded
  answer is stored).
"""

from __future__ import annotations

import csv
import json
import socket
import time
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from etl import doctor, lock_state, machine_checks, probes
from etl.cli import app
from etl.http import HttpClient
from etl.sources import SOURCES, by_id, nflis
from etl.warehouse import WarehousePaths, refresh_lock

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
SEED = REPO / "data" / "seed"
PROBED = sorted(s.meta.id for s in probes.probed_sources(SOURCES))
JSON = {"Content-Type": "application/json"}
NFLIS_FILE = SEED / "nflis" / "Drug_frequency_annual.csv"
ONS_FILE = SEED / "ons_drug_poisoning" / "2022registrations.xlsx"
LABEL_FILE = FIXTURES / "labels" / "label-fixturebrand.json"

NFLIS_PATH = "/tseyanglim/NFLIS-analysis/main/outputs/processed/Drug_frequency_annual.csv"
PATHS = {
    "openfda": "/drug/event.json",
    "labels": "/drug/label.json",
    "clinicaltrials": "/api/v2/studies",
    "cms_partd": "/data-api/v1/dataset/7e0b4365-fd63-4a29-8f5e-e0ac9f66a81b/data",
    "faers_quarterly": "/extensions/FPD-QDE-FAERS/FPD-QDE-FAERS.html",
    "euda_wastewater": "/publications/pods/waste-water-analysis_en",  # the newest address
    "nflis": NFLIS_PATH,
    "ons_drug_poisoning": "/file",
    "unodc_wdr": "/unodc/en/data-and-analysis/world-drug-report-2026-annex.html",
    "nsduh_detailed_tables": (
        "/data/sites/default/files/reports/rpt35323/NSDUHDetailedTabs2020v25/"
        "NSDUHDetailedTabs2020v25/NSDUHDetTabsSect1pe2020.htm"
    ),
}
NSDUH_FILE = FIXTURES / "nsduh_detailed_tables" / "NSDUHDetTabsSect1pe2020.htm"


def unodc_page() -> str:
    name = "7.1_Drug_seizures_2020-2024.xlsx"
    link = f'<a href="/documents/data-and-analysis/WDR_2026/Annex/{name}">{name}</a>'
    return f"<!DOCTYPE html><html><body>{link}</body></html>"


def openfda_count() -> dict:
    return json.loads((FIXTURES / "openfda" / "real" / "count-receivedate-2014.json").read_text())


def ctgov_page() -> dict:
    record = json.loads((FIXTURES / "clinicaltrials" / "real" / "NCT03418623.json").read_text())
    # A page of one, as the probe asks for: the query matches many more studies.
    return {"studies": [record], "totalCount": 412, "nextPageToken": "NF0g5JGBlPMu"}


def cms_rows() -> list[dict]:
    path = FIXTURES / "cms_partd" / "real" / "DSD_PTD_RY24_P04_V10_DY22_BGM_slice.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["Brnd_Name"] == "Spravato"]


def faers_page() -> str:
    links = "".join(
        f'<tr><td><a href="https://fis.fda.gov/content/Exports/faers_ascii_{q}.zip">ASCII</a>'
        f'</td><td><a href="https://fis.fda.gov/content/Exports/faers_xml_{q}.zip">XML</a></td>'
        "</tr>"
        for q in ("2024q4", "2024q3")
    )
    return f"<!DOCTYPE html><html><body><table>{links}</table></body></html>"


def euda_page(
    names: tuple[str, ...] = ("ww2025-all-data.csv", "ww2025-site-info-table.csv"),
) -> str:
    items = "".join(f'<li><a href="/system/files/{n}">{n}</a></li>' for n in names)
    return f"<!DOCTYPE html><html><body><h2>Source data</h2><ul>{items}</ul></body></html>"


def replay(server, **override) -> None:
    """Serve every probed source's answer at its publisher's path; `override` replaces some."""
    routes = {
        "openfda": (200, JSON, json.dumps(openfda_count())),
        "labels": (200, JSON, LABEL_FILE.read_bytes()),
        "clinicaltrials": (200, JSON, json.dumps(ctgov_page())),
        "cms_partd": (200, JSON, json.dumps(cms_rows())),
        "faers_quarterly": (200, {"Content-Type": "text/html"}, faers_page()),
        "euda_wastewater": (200, {"Content-Type": "text/html"}, euda_page()),
        "nflis": (200, {"Content-Type": "text/plain"}, NFLIS_FILE.read_bytes()),
        "ons_drug_poisoning": (200, {}, ONS_FILE.read_bytes()),
        "unodc_wdr": (200, {"Content-Type": "text/html"}, unodc_page()),
        "nsduh_detailed_tables": (200, {"Content-Type": "text/html"}, NSDUH_FILE.read_bytes()),
    }
    routes |= override
    for source_id, route in routes.items():
        server.routes[PATHS[source_id]] = route


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["doctor", *args], env={"COLUMNS": "80"})
    return result.exit_code, result.output


def by_check(results: list[dict]) -> dict[str, dict]:
    return {r["check"]: r for r in results}


# -- the sources ---------------------------------------------------------------------------------


def test_every_live_source_is_probed_and_every_api_source_has_its_own_probe() -> None:
    live = ["clinicaltrials", "cms_partd", "euda_wastewater", "faers_quarterly", "labels"]
    live += ["nsduh_detailed_tables", "unodc_wdr"]
    assert sorted([*live, "nflis", "ons_drug_poisoning", "openfda"]) == PROBED
    assert [s.meta.id for s in SOURCES if probes.needs_own_probe(s)] == []
    assert set(PATHS) == set(PROBED)


def test_offline_every_source_is_unreachable_quickly(tmp_path: Path) -> None:
    started = time.monotonic()
    code, output = run_cli(
        "--json", "--data-dir", str(tmp_path), "--base-url", f"http://127.0.0.1:{closed_port()}"
    )
    elapsed = time.monotonic() - started
    results = by_check(json.loads(output))
    assert code == 1
    assert {c.removeprefix("source:") for c in results if c.startswith("source:")} == set(PROBED)
    for source_id in PROBED:
        assert results[f"source:{source_id}"]["status"] == "unreachable", source_id
    assert elapsed < 30


def test_a_probe_that_never_answers_is_cut_off_at_the_deadline(local_server, tmp_path) -> None:
    def hang(handler):
        time.sleep(3)
        return (200, JSON, "{}")

    local_server.routes[PATHS["openfda"]] = hang
    started = time.monotonic()
    results = doctor.run_checks(
        tmp_path, (by_id("openfda"),), base_url=local_server.base_url, deadline=0.5
    )
    assert time.monotonic() - started < 2.5
    [probe] = [r for r in results if r.check == "source:openfda"]
    assert (probe.status, probe.detail) == ("unreachable", "no answer within 1 s")


def test_replayed_answers_are_ok_and_the_doctor_exits_0(local_server, seed_warehouse) -> None:
    replay(local_server)
    code, output = run_cli(
        "--json", "--data-dir", str(seed_warehouse.parent), "--base-url", local_server.base_url
    )
    results = by_check(json.loads(output))
    assert {name: r["status"] for name, r in results.items() if r["status"] != "ok"} == {}
    assert code == 0
    assert results["source:openfda"]["detail"].endswith("updated 2014-08-06")
    assert "first study NCT03418623 parsed" in results["source:clinicaltrials"]["detail"]
    assert results["source:faers_quarterly"]["detail"] == "2 quarters linked, newest 2024Q4"
    assert "Freq" in results["source:nflis"]["detail"]
    assert results["source:ons_drug_poisoning"]["detail"].startswith("2023registrations.xlsx: ")
    # One small request per source: a page of one study, one label, the first kB of a file.
    assert len(local_server.requests) == len(PROBED)
    asked = {r.path.split("?")[0]: r for r in local_server.requests}
    assert "pageSize=1&" in asked[PATHS["clinicaltrials"]].path + "&"
    assert "limit=1" in asked[PATHS["labels"]].path
    assert asked[NFLIS_PATH].headers["Range"] == f"bytes=0-{probes.HEAD_BYTES - 1}"


def renamed(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new)


CHANGED = {
    "openfda results[].count": (
        "openfda",
        (200, JSON, renamed(json.dumps(openfda_count()), '"count"', '"n"')),
    ),
    "ClinicalTrials.gov protocolSection": (
        "clinicaltrials",
        (200, JSON, renamed(json.dumps(ctgov_page()), '"protocolSection"', '"protocol"')),
    ),
    "NFLIS CSV header column": (
        "nflis",
        (200, {}, renamed(NFLIS_FILE.read_text(), "Freq", "Frequency")),
    ),
    "CMS year columns": (
        "cms_partd",
        (200, JSON, renamed(json.dumps(cms_rows()), "Tot_Clms_", "Total_Claims_")),
    ),
    "label set_id": (
        "labels",
        (200, JSON, renamed(LABEL_FILE.read_text(), '"set_id"', '"setid"')),
    ),
    "FAERS page without zip links": ("faers_quarterly", (200, {}, euda_page())),
    "EUDA page with renamed files": (
        "euda_wastewater",
        (200, {}, euda_page(("ww2025-loads.csv",))),
    ),
    "an HTML page instead of the CSV": ("nflis", (200, {}, "<!DOCTYPE html><html>moved</html>")),
    "ONS serves something not an xlsx": ("ons_drug_poisoning", (200, {}, "Year,Deaths\n")),
    "a 404 for the named file": ("nflis", (404, {}, "Not Found")),
}


@pytest.mark.parametrize("case", list(CHANGED))
def test_an_answer_in_another_shape_is_changed(local_server, case: str) -> None:
    source_id, route = CHANGED[case]
    replay(local_server, **{source_id: route})
    result = probes.probe(by_id(source_id), local_server.base_url)
    assert result.status == "changed", result


def test_the_unchanged_answers_pass_the_same_probes(local_server) -> None:
    replay(local_server)
    for source_id in PROBED:
        assert probes.probe(by_id(source_id), local_server.base_url).status == "ok", source_id


def test_refused_and_server_errors(local_server) -> None:
    interactions = json.loads((FIXTURES / "openfda" / "real" / "http-errors.json").read_text())
    [forbidden] = [i for i in interactions["interactions"] if i["status_code"] == 403]
    replay(
        local_server,
        openfda=(403, JSON, forbidden["body"]),
        clinicaltrials=(429, {"Retry-After": "3600"}, "Too Many Requests"),
        labels=(401, JSON, '{"error": {"code": "UNAUTHORIZED"}}'),
        cms_partd=(503, {}, "Service Unavailable"),
    )
    status = {s: probes.probe(by_id(s), local_server.base_url) for s in PATHS}
    assert status["openfda"].status == "refused"
    assert "API_KEY_INVALID" in status["openfda"].detail
    assert status["clinicaltrials"].status == "refused"
    assert status["labels"].status == "refused"
    assert status["cms_partd"].status == "unreachable"
    # One attempt each: a 429 with Retry-After and a 503 are not retried.
    assert local_server.hits(PATHS["clinicaltrials"]) == 1
    assert local_server.hits(PATHS["cms_partd"]) == 1


def test_the_api_key_is_sent_and_never_shown(local_server, monkeypatch) -> None:
    monkeypatch.setenv("OPENFDA_API_KEY", "sekrit-key-123")
    replay(local_server, openfda=(403, JSON, '{"error": {"code": "API_KEY_INVALID"}}'))
    result = probes.probe(by_id("openfda"), local_server.base_url)
    assert result.status == "refused"
    assert "sekrit-key-123" not in result.detail
    assert "api_key=sekrit-key-123" in local_server.requests[-1].path


def test_rebase_keeps_path_and_query() -> None:
    url = "https://www.ons.gov.uk/file?uri=/a/2023registrations.xlsx"
    local = "http://127.0.0.1:9/file?uri=/a/2023registrations.xlsx"
    assert probes.rebase(url, "http://127.0.0.1:9/") == local
    assert probes.rebase(url, None) == url
    assert probes.rebase(nflis.ANNUAL_URL, "https://proxy.example/p").startswith(
        "https://proxy.example/p/tseyanglim/"
    )


def test_get_start_reads_only_the_first_bytes(local_server, tmp_path) -> None:
    local_server.routes["/big.csv"] = (200, {}, b"a,b\n" + b"1,2\n" * 500_000)
    with HttpClient(allow_insecure_hosts=["127.0.0.1"], max_attempts=1) as client:
        head = client.get_start(local_server.url("/big.csv"), size=100)
    assert head == (b"a,b\n" + b"1,2\n" * 500_000)[:100]
    assert local_server.requests[-1].headers["Range"] == "bytes=0-99"


# -- the machine ---------------------------------------------------------------------------------


def machine(data_dir: Path) -> dict[str, doctor.Check]:
    return {r.check: r for r in doctor.run_checks(data_dir, ())}


def test_machine_checks_on_a_seed_warehouse(seed_warehouse: Path) -> None:
    checks = machine(seed_warehouse.parent)
    assert [c for c in checks.values() if c.status != "ok"] == []
    assert set(checks) == {
        "python", "data_dir", "disk_space", "warehouse", "lock",
        *(f"package:{name}" for name in machine_checks.PACKAGES),
    }  # fmt: skip
    [(run_id,)] = (
        duckdb.connect(str(seed_warehouse), read_only=True)
        .execute("SELECT run_id FROM runs ORDER BY started DESC LIMIT 1")
        .fetchall()
    )
    assert checks["warehouse"].detail.startswith(f"run {run_id} at ")
    assert "GB free" in checks["disk_space"].detail
    assert list(seed_warehouse.parent.glob(".doctor-*")) == []


def test_no_warehouse_and_a_missing_folder(tmp_path: Path) -> None:
    checks = machine(tmp_path / "not-yet")
    assert checks["warehouse"].status == "fail"
    assert "run `ketamine-watch refresh`" in checks["warehouse"].detail
    assert checks["data_dir"].status == "ok"
    assert not (tmp_path / "not-yet").exists()  # the doctor does not create it


def test_a_warehouse_without_the_runs_table_fails(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute("CREATE TABLE observations (source VARCHAR)")
    con.close()
    detail = machine(tmp_path)["warehouse"].detail
    assert machine(tmp_path)["warehouse"].status == "fail"
    assert "no table runs" in detail and "observations lacks" in detail


def test_low_disk_space_fails_and_says_the_figure(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(machine_checks, "MIN_FREE_BYTES", 10**18)
    check = machine(tmp_path)["disk_space"]
    assert check.status == "fail"
    assert "GB free; a refresh needs" in check.detail


def test_a_data_folder_that_cannot_be_written_fails(tmp_path: Path) -> None:
    # Tests run as root here, where a chmod does not stop writes: a path under a regular file
    # is a folder no one can write into.
    (tmp_path / "a-file").write_text("")
    check = machine(tmp_path / "a-file" / "data")["data_dir"]
    assert check.status == "fail"
    assert "NotADirectoryError" in check.detail


def test_the_lock_running_and_stuck(tmp_path: Path) -> None:
    paths = WarehousePaths(tmp_path)
    assert machine(tmp_path)["lock"].detail == "free (no refresh has run here yet)"
    with refresh_lock(paths):
        running = machine(tmp_path)["lock"]
        paths.lock.write_text("pid 1 since 2020-01-01T00:00:00+00:00")
        stuck = machine(tmp_path)["lock"]
    after = machine(tmp_path)["lock"]
    assert running.status == "ok" and running.detail.startswith("a refresh is running (pid ")
    assert stuck.status == "fail" and "stuck?" in stuck.detail
    assert after.status == "ok" and after.detail.startswith("free (last: pid 1 since 2020")


def test_the_lock_without_proc_locks(tmp_path: Path) -> None:
    paths = WarehousePaths(tmp_path)
    paths.lock.write_text("")
    assert lock_state.try_shared_lock(paths.lock) is False
    with refresh_lock(paths):
        assert lock_state.try_shared_lock(paths.lock) is True
    assert lock_state.try_shared_lock(paths.lock) is False


# -- output --------------------------------------------------------------------------------------


def test_json_shape_and_text_width(tmp_path: Path) -> None:
    base = f"http://127.0.0.1:{closed_port()}"
    code, output = run_cli("--json", "--data-dir", str(tmp_path), "--base-url", base)
    rows = json.loads(output)
    assert code == 1
    for row in rows:
        assert set(row) == {"check", "status", "detail", "seconds"}
        assert isinstance(row["seconds"], float) and row["seconds"] >= 0
        assert row["status"] in {"ok", "fail", "unreachable", "changed", "refused"}
    code, text = run_cli("--data-dir", str(tmp_path), "--base-url", base)
    table = text.split("\n\n")[0].splitlines()
    assert code == 1
    assert len(table) == len(rows)
    assert max(len(line) for line in table) <= 80
    assert text.rstrip().endswith(f"of {len(rows)} checks need attention")


def test_help_fits_80_columns() -> None:
    code, output = run_cli("--help")
    assert code == 0
    assert "--base-url" in output and "--json" in output
    assert max(len(line) for line in output.splitlines()) <= 80
