"""The bad-input corpus: one row per case, each a small hand-written file (in `files/`) or a tiny
generator in the publisher's real format. Nothing here is copied from ../shared/data/raw.

A case says which source's mirror folder gets which files, how they are served (`dir`: a folder
mirror; `http`: the `local_server` on 127.0.0.1, optionally with a fault route), and what must
happen:

- `outcome="rejected"`: the source's previously published rows stay exactly as they were. A file
  that fails to parse or validate gives status `failed` (rows kept); a file refused on arrival
  (HTML page, wrong header, size, timeout) gives `fallback` (the last good snapshot or the seed,
  which is what was published). Either way the run is `partial`.
- `status="held"` (still `outcome="rejected"`): the file parsed, but the shrink guard
  (etl/shrink.py) held the source because publishing it would lose published indicators, years
  or more than 5% of rows; the previous rows stay and the run is `partial`.
- `outcome="recovered"`: the refresh loads the file anyway (status `ok`, run `ok`) and the rows
  equal those of the `clean` version of the same data.

`says` lists what the source's message must contain: the file and, where it applies, the line.

`defect` marks a case that shows a defect in etl/ (left for the owners of etl/ to fix): the test
runs it as xfail(strict=True), so it starts failing the day the defect is fixed and the mark must
then be removed.
"""

from __future__ import annotations

import io
import json
import socket
import struct
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from openpyxl import load_workbook
from refresh_kit import (
    CLAIMS_CLEAN,
    CLAIMS_NAME,
    FAERS_FIXTURES,
    LIT_CLEAN,
    LIT_HEADER,
    MS_CLEAN,
    NFLIS_CLEAN,
    clean_files,
    faers_zip,
    fixture_files,
)

from bad_inputs.generic import fixture_baselines, generic_cases
from bad_inputs.kit import FILES, Case, Files, html_page, status

NFLIS = "Drug_frequency_annual.csv"
LIT = "published_figures.csv"
MS = "therapeutic_milestones.csv"
CMS = "DSD_PTD_RY25_P04_V10_DY23_BGM.csv"
CMS_DY22 = "partd_spending_by_drug_DY22_spravato_rows.csv"  # after CMS by name, older by data


def text(name: str, body: str | bytes) -> Callable[[], Files]:
    data = body.encode() if isinstance(body, str) else body
    return lambda: {name: data}


def lit(body: str | bytes) -> Callable[[], Files]:
    """A literature mirror: the figures file (first, so an http fault route applies to it) and
    the source's clean claims file."""
    data = body.encode() if isinstance(body, str) else body
    return lambda: {LIT: data, CLAIMS_NAME: CLAIMS_CLEAN.encode()}


def from_file(name: str, fixture: str) -> Callable[[], Files]:
    return lambda: {name: (FILES / fixture).read_bytes()}


def replace(clean: str, old: str, new: str) -> str:
    assert old in clean, old
    return clean.replace(old, new)


# -- CMS Part D: a wide file, one column group per year ----------------------------------------

CMS_MEASURES = (
    "Tot_Spndng",
    "Tot_Dsg_Unts",
    "Tot_Clms",
    "Tot_Benes",
    "Avg_Spnd_Per_Dsg_Unt_Wghtd",
    "Avg_Spnd_Per_Clm",
    "Avg_Spnd_Per_Bene",
    "Outlier_Flag",
)
CMS_YEAR_VALUES = {  # hand-made, round numbers: spending, units, claims, benes, avgs, outlier
    2021: ("1000", "40", "10", "4", "25", "100", "250", "0"),
    2022: ("2000", "80", "20", "6", "25", "100", "333.3", "0"),
    2023: ("3000", "120", "30", "9", "25", "100", "333.3", "1"),
}


def cms_csv(years=(2021, 2022), drop: tuple[str, ...] = ()) -> bytes:
    header = ["Brnd_Name", "Gnrc_Name", "Tot_Mftr", "Mftr_Name"]
    row = ["Spravato", "Esketamine Hcl", "1", "Overall"]
    other = ["Testdrug", "Testdrug Sodium", "1", "Overall"]
    for year in years:
        for measure, value in zip(CMS_MEASURES, CMS_YEAR_VALUES[year], strict=True):
            column = f"{measure}_{year}"
            if column in drop:
                continue
            header.append(column)
            row.append(value)
            other.append("7")
    return ("\n".join(",".join(r) for r in (header, row, other)) + "\n").encode()


# -- EUDA wastewater: the hand-made ww2099 edition in tests/fixtures -----------------------------

EUDA_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "euda_wastewater"
LOADS, SITES = "ww2099-all-data.csv", "ww2099-site-info-table.csv"


def euda_files(**changed: tuple[str, str | bytes]) -> Files:
    """The fixture edition, with `name=(old, new)` replacing text in one file (`loads`, `sites`)."""
    files = {p.name: p.read_bytes() for p in sorted(EUDA_FIXTURES.glob("*.csv"))}
    for which, (old, new) in changed.items():
        name = {"loads": LOADS, "sites": SITES}[which]
        body = files[name].decode()
        assert old in body, old
        new_bytes = new if isinstance(new, bytes) else new.encode()
        files[name] = body.encode().replace(old.encode(), new_bytes)
    return files


def euda(**changed: tuple[str, str | bytes]) -> Callable[[], Files]:
    return lambda: euda_files(**changed)


# -- FAERS quarters ------------------------------------------------------------------------------


def faers_nested() -> Files:
    """The 2019Q1 quarter zipped under an unexpected folder name (members still found), beside
    the baseline's 2019Q2 (with Q1 alone, the shrink guard would rightly hold the source)."""
    body = faers_zip(FAERS_FIXTURES / "faers_ascii_2019q1", prefix="Export 2019 Q1 (copy)/")
    return {"faers_ascii_2019q1.zip": body} | faers_q2()


def faers_q2() -> Files:
    return {"faers_ascii_2019q2.zip": faers_zip(FAERS_FIXTURES / "faers_ascii_2019q2")}


def faers_clean_q1() -> Files:
    return {"faers_ascii_2019q1.zip": faers_zip(FAERS_FIXTURES / "faers_ascii_2019q1")} | (
        faers_q2()
    )


def faers_renamed_members() -> Files:
    """A zip whose tables are not named DEMOyyQn.txt ... (someone re-exported them)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted((FAERS_FIXTURES / "faers_ascii_2019q1" / "ASCII").iterdir()):
            archive.write(path, f"tables/{path.stem[:4].lower()}_table.txt")
    return {"faers_ascii_2020q1.zip": buffer.getvalue()}


def faers_truncated() -> Files:
    whole = faers_zip(FAERS_FIXTURES / "faers_ascii_2019q1")
    return {"faers_ascii_2020q1.zip": whole[: len(whole) // 2]}


def faers_zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return buffer.getvalue()


def q1_members(rename: str = "19Q1", drop_demo: str = "") -> dict[str, bytes]:
    """The 2019Q1 fixture's tables, optionally renamed (`DEMO20Q1.txt`) or with DEMO rows whose
    primaryid starts with `drop_demo` removed (their DRUG and REAC rows stay: orphans)."""
    members = {}
    for path in sorted((FAERS_FIXTURES / "faers_ascii_2019q1" / "ASCII").iterdir()):
        body = path.read_bytes()
        if drop_demo and path.name.startswith("DEMO"):
            lines = body.splitlines(keepends=True)
            body = b"".join(x for x in lines if not x.startswith(drop_demo.encode()))
        members[f"ASCII/{path.name.replace('19Q1', rename)}"] = body
    return members


def faers_edited(member: str, line: int, old: str, new: str) -> Callable[[], Files]:
    """2019Q1 with one line of one table edited."""

    def files() -> Files:
        members = q1_members()
        lines = members[f"ASCII/{member}"].decode().splitlines(keepends=True)
        assert old in lines[line - 1], (old, lines[line - 1])
        lines[line - 1] = lines[line - 1].replace(old, new, 1)
        members[f"ASCII/{member}"] = "".join(lines).encode()
        return {"faers_ascii_2019q1.zip": faers_zip_of(members)}

    return files


def faers_misfiled() -> Files:
    """A zip named for 2020Q1 that holds 2019Q1's files, names and all."""
    return {"faers_ascii_2020q1.zip": faers_zip_of(q1_members())}


def faers_relabelled() -> Files:
    """2019Q1's tables renamed DEMO20Q1.txt ... in a zip named for 2020Q1: only the dates tell."""
    return {"faers_ascii_2020q1.zip": faers_zip_of(q1_members("20Q1"))}


def faers_orphans() -> Files:
    """The ketamine report 5001 has DRUG and REAC rows but no DEMO row."""
    return {"faers_ascii_2019q1.zip": faers_zip_of(q1_members(drop_demo="5001$"))}


def faers_zip_and_folder() -> Files:
    """2019Q1 as a zip and, beside it, as its extracted folder's files (the mirror writer takes
    flat names, so the folder is given as a second zip name that is a quarter folder)."""
    body = faers_zip(FAERS_FIXTURES / "faers_ascii_2019q1")
    return {"faers_ascii_2019q1.zip": body, "faers_ascii_2019Q1 (copy).zip": body}


# -- ONS drug poisoning: the hand-made 2002registrations.xlsx in tests/fixtures -------------------

ONS = "2002registrations.xlsx"
ONS_FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "ons_drug_poisoning" / ONS


def ons_book(*edits: tuple[str, object, object]) -> bytes:
    """The fixture workbook with `(sheet, old, new)` edits: the first cell of `sheet` (top to
    bottom, left to right) whose value is `old` becomes `new`; `new=None` with sheet "*" drops
    the sheet named `old`."""
    book = load_workbook(ONS_FIXTURE)
    for sheet, old, new in edits:
        if sheet == "*":
            del book[old]
            continue
        cell = next((c for row in book[sheet].iter_rows() for c in row if c.value == old), None)
        assert cell is not None, (sheet, old)
        cell.value = new
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def ons(*edits: tuple[str, object, object]) -> Callable[[], Files]:
    return lambda: {ONS: ons_book(*edits)}


def ons_every_rate_renamed() -> Files:
    """Table 4's 'Rate' columns renamed 'ASMR' (a format change): the rate series are lost."""
    book = load_workbook(ONS_FIXTURE)
    for row in book["Tbl_A"].iter_rows():
        for cell in row:
            if cell.value == "Rate":
                cell.value = "ASMR"
    buffer = io.BytesIO()
    book.save(buffer)
    return {ONS: buffer.getvalue()}


def ons_truncated() -> Files:
    whole = ONS_FIXTURE.read_bytes()
    return {ONS: whole[: len(whole) * 2 // 3]}


def ons_extra_sheet() -> Files:
    """A notes sheet in front and the tables' sheets renamed: tables are found by their titles."""
    book = load_workbook(ONS_FIXTURE)
    book.create_sheet("Notes", 0).append(["Notes", "Made-up notes sheet added in front"])
    book["Tbl_A"].title = "Table 4 (revised)"
    book["Tbl_B"].title = "1"
    buffer = io.BytesIO()
    book.save(buffer)
    return {ONS: buffer.getvalue()}


# -- openFDA: one JSON answer per count query (tests/fixtures/openfda) ---------------------------


def openfda_files() -> Files:
    return fixture_files("openfda", "openfda-*.json")


def openfda(name: str, body: Callable[[dict], object] | bytes) -> Callable[[], Files]:
    """The fixture answers with `openfda-<name>.json` replaced: by `body` bytes, or by
    `body(parsed fixture)` written as JSON."""

    def files() -> Files:
        out = openfda_files()
        key = f"openfda-{name}.json"
        assert key in out, key
        if isinstance(body, bytes):
            out[key] = body
        else:
            out[key] = (json.dumps(body(json.loads(out[key])), indent=1) + "\n").encode()
        return out

    return files


def edit_results(field_name: str, index: int, value: object) -> Callable[[dict], dict]:
    def edit(answer: dict) -> dict:
        answer["results"][index][field_name] = value
        return answer

    return edit


def renamed_count(answer: dict) -> dict:
    answer["results"] = [{"term": r["term"], "reports": r["count"]} for r in answer["results"]]
    return answer


def without(key: str) -> Callable[[dict], dict]:
    return lambda answer: {k: v for k, v in answer.items() if k != key}


def with_extras(answer: dict) -> dict:
    """openFDA adding fields it did not send before: unknown keys are ignored."""
    answer["meta"]["new_field"] = {"nested": [1, 2, 3]}
    answer["warnings"] = ["a field openFDA might add"]
    for row in answer["results"]:
        row["percent"] = 12.5
    return answer


def openfda_bom_crlf() -> Files:
    out = openfda_files()
    return {k: b"\xef\xbb\xbf" + v.replace(b"\n", b"\r\n") for k, v in out.items()}


# -- ClinicalTrials.gov: API v2 pages (tests/fixtures/clinicaltrials) ------------------------------

CT_PAGE = "page-0001.json"


def ct_files() -> Files:
    return fixture_files("clinicaltrials", "page-*.json")


def ct(page: str, body: Callable[[dict], object] | bytes) -> Callable[[], Files]:
    """The fixture pages with `page` replaced by bytes or by `body(parsed page)` as JSON."""

    def files() -> Files:
        out = ct_files()
        if isinstance(body, bytes):
            out[page] = body
        else:
            out[page] = json.dumps(body(json.loads(out[page])), indent=1).encode()
        return out

    return files


def ct_start(index: int, date: str) -> Callable[[dict], dict]:
    def edit(page: dict) -> dict:
        page["studies"][index]["protocolSection"]["statusModule"]["startDateStruct"]["date"] = date
        return page

    return edit


def ct_nct(index: int, nct: str) -> Callable[[dict], dict]:
    def edit(page: dict) -> dict:
        page["studies"][index]["protocolSection"]["identificationModule"]["nctId"] = nct
        return page

    return edit


def ct_without_middle_page() -> Files:
    """Page 2 of 3 missing: page 1's nextPageToken leads to a page that is not there."""
    return {k: v for k, v in ct_files().items() if k != "page-0002.json"}


def ct_extras(page: dict) -> dict:
    page["apiVersion"] = "2.9"
    for study in page["studies"]:
        study["derivedSection"] = {"miscInfoModule": {"versionHolder": "2026-01-01"}}
        study["protocolSection"]["statusModule"]["newModuleField"] = True
    return page


# -- openFDA drug labels (tests/fixtures/labels) ------------------------------------------------

LABEL = "label-fixturebrand.json"


def label_files() -> Files:
    return fixture_files("labels", "label*.json")


def label(body: Callable[[dict], object] | bytes) -> Callable[[], Files]:
    def files() -> Files:
        out = label_files()
        if isinstance(body, bytes):
            out[LABEL] = body
        else:
            out[LABEL] = json.dumps(body(json.loads(out[LABEL])), indent=1).encode()
        return out

    return files


def label_total(total: int) -> Callable[[dict], dict]:
    def edit(answer: dict) -> dict:
        answer["meta"]["results"]["total"] = total
        return answer

    return edit


def label_field(field_name: str, value: object) -> Callable[[dict], dict]:
    def edit(answer: dict) -> dict:
        answer["results"][0][field_name] = value
        return answer

    return edit


def label_garbage(answer: dict) -> dict:
    """A 64 KB text field of NULs and control bytes inside the boxed warning."""
    junk = ("\x00" * 32768) + "".join(chr(i % 32) for i in range(32768))
    answer["results"][0]["boxed_warning"] = [answer["results"][0]["boxed_warning"][0] + junk]
    return answer


def label_unchanged_extras(answer: dict) -> dict:
    answer["meta"]["last_updated"] = "2026-01-01"
    answer["results"][0]["spl_product_data_elements"] = ["FIXTURE KETAMINE"]
    answer["results"][0]["openfda"]["new_key"] = ["value"]
    return answer


# -- http faults (routes for the conftest local_server) ----------------------------------------


def json_body(_clean: bytes):
    return (200, {"Content-Type": "application/json"}, b'{"error": "moved", "rows": []}\n')


def huge_length(clean: bytes):
    return (200, {"Content-Type": "text/csv", "Content-Length": str(10**13)}, clean)


def slow_drip(clean: bytes):
    def route(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "text/csv")
        handler.send_header("Content-Length", str(len(clean) * 100))
        handler.end_headers()
        try:
            for _ in range(200):  # ~10 s at most; the client gives up after 0.6 s
                handler.wfile.write(clean[:8])
                handler.wfile.flush()
                time.sleep(0.05)
        except OSError:
            pass  # the client hung up: that is the point

    return route


def reset_mid_body(clean: bytes):
    def route(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "text/csv")
        handler.send_header("Content-Length", str(len(clean) + 500))
        handler.end_headers()
        handler.wfile.write(clean[: len(clean) // 2])
        handler.wfile.flush()
        # RST instead of FIN: the client sees "connection reset" in the middle of the body.
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.connection.close()

    return route


def then_ok(first: Callable[[bytes], object]) -> Callable[[bytes], object]:
    return lambda clean: [first(clean), (200, {"Content-Type": "text/csv"}, clean)]


def baseline_files() -> dict[str, Files]:
    """What the published warehouse holds before every case (see refresh_kit.build_baseline):
    the hand-made files below, and for any other source its fixture folder's files."""
    return (
        fixture_baselines()
        | clean_files()
        | {
            "cms_partd": {CMS: cms_csv()},
            "euda_wastewater": euda_files(),
            "ons_drug_poisoning": {ONS: ONS_FIXTURE.read_bytes()},
            "openfda": openfda_files(),
            "clinicaltrials": ct_files(),
            "labels": label_files(),
        }
    )


NFLIS_OK = text(NFLIS, NFLIS_CLEAN)
LIT_OK = lit(LIT_CLEAN)
MS_OK = text(MS, MS_CLEAN)
FAST = {"read_timeout": 0.3, "total_timeout": 0.6}

HAND_CASES: tuple[Case, ...] = (
    # ---- nflis: Drug_frequency_annual.csv (YYYY, SubstanceDetected, Freq) -------------------
    Case("nflis_empty", "nflis", "empty file", text(NFLIS, b""), status="fallback",
         says=(NFLIS, "line 1", "empty file")),
    Case("nflis_truncated", "nflis", "truncated file",
         text(NFLIS, NFLIS_CLEAN[: NFLIS_CLEAN.index("2020,Methox") + 6]),
         says=(NFLIS, "line 5", "Freq"), full=True),
    Case("nflis_wrong_delimiter", "nflis", "wrong delimiter",
         from_file(NFLIS, "nflis_semicolon.csv"), says=(NFLIS, "line 1", "missing columns")),
    Case("nflis_bom_crlf", "nflis", "BOM with CRLF",
         text(NFLIS, b"\xef\xbb\xbf" + NFLIS_CLEAN.replace("\n", "\r\n").encode()),
         outcome="recovered", status="ok", clean=NFLIS_OK),
    Case("nflis_latin1", "nflis", "latin-1 bytes", from_file(NFLIS, "nflis_latin1.csv"),
         says=(NFLIS, "line 3", "0xe9")),
    Case("nflis_json_for_csv", "nflis", "JSON where CSV is expected",
         from_file(NFLIS, "nflis_as_json.csv"), says=(NFLIS, "line 1", "missing columns")),
    Case("nflis_renamed_column", "nflis", "renamed column",
         text(NFLIS, replace(NFLIS_CLEAN, "YYYY,", "Year,")), status="fallback",
         says=(NFLIS, "line 1", "YYYY")),
    Case("nflis_missing_column", "nflis", "missing column",
         text(NFLIS, "YYYY,SubstanceDetected\n2019,Ketamine\n"), status="fallback",
         says=(NFLIS, "line 1", "Freq")),
    Case("nflis_extra_column", "nflis", "unknown extra column",
         text(NFLIS, "".join(line + (",Region\n" if i == 0 else ",All\n")
                             for i, line in enumerate(NFLIS_CLEAN.splitlines()))),
         outcome="recovered", status="ok", clean=NFLIS_OK),
    Case("nflis_duplicate_keys", "nflis", "duplicate keys",
         text(NFLIS, NFLIS_CLEAN + "2021,Ketamine,121\n"),
         says=(NFLIS, "share a series key", "nflis_reports_ketamine")),
    Case("nflis_negative_count", "nflis", "negative count",
         text(NFLIS, replace(NFLIS_CLEAN, "2020,Ketamine,87", "2020,Ketamine,-87")),
         says=(NFLIS, "line 4", "negative")),
    Case("nflis_future_year", "nflis", "date in the future",
         text(NFLIS, NFLIS_CLEAN + "2091,Ketamine,5\n"), says=(NFLIS, "future", "2091")),
    Case("nflis_not_a_number", "nflis", "a count that is not a number",
         text(NFLIS, replace(NFLIS_CLEAN, "2021,Ketamine,120", "2021,Ketamine,n/a")),
         says=(NFLIS, "line 6", "n/a")),
    # ---- nflis over http: faults on the wire -------------------------------------------------
    Case("nflis_html_200", "nflis", "HTML error page served with status 200", NFLIS_OK,
         transport="http", route=html_page, status="fallback", says=(NFLIS, "HTML page"),
         full=True),
    Case("nflis_huge_content_length", "nflis", "huge Content-Length", NFLIS_OK,
         transport="http", route=huge_length, status="failed",
         says=(NFLIS, "Content-Length", "exceeds the limit"), client={"max_bytes": 10**6}),
    Case("nflis_slow_drip", "nflis", "slow-drip body past the timeout", NFLIS_OK,
         transport="http", route=slow_drip, status="fallback",
         says=(NFLIS, "whole-body deadline"), client=FAST),
    Case("nflis_429_retry_after", "nflis", "429 with Retry-After", NFLIS_OK, transport="http",
         route=then_ok(status(429, {"Retry-After": "7"})), outcome="recovered", status="ok",
         clean=NFLIS_OK, sleeps=(7.0,)),
    Case("nflis_503_then_ok", "nflis", "503 then success", NFLIS_OK, transport="http",
         route=then_ok(status(503)), outcome="recovered", status="ok", clean=NFLIS_OK),
    Case("nflis_reset_then_ok", "nflis", "connection reset mid-body, then success", NFLIS_OK,
         transport="http", route=then_ok(reset_mid_body), outcome="recovered", status="ok",
         clean=NFLIS_OK),
    Case("nflis_reset_always", "nflis", "connection reset mid-body, every attempt", NFLIS_OK,
         transport="http", route=reset_mid_body, status="fallback",
         says=(NFLIS, "gave up after 3 attempt")),
    Case("nflis_503_always", "nflis", "503 on every attempt", NFLIS_OK, transport="http",
         route=status(503), status="fallback", says=(NFLIS, "HTTP 503", "gave up")),
    # ---- literature: published_figures.csv ---------------------------------------------------
    Case("literature_header_only", "literature", "empty file (header, no rows)",
         lit(LIT_HEADER), says=(LIT, "no rows")),
    Case("literature_truncated", "literature", "truncated file (cut inside a quoted field)",
         lit(LIT_CLEAN[: LIT_CLEAN.index("Test Tox")]),
         says=(LIT, "EOF inside string", "line 4")),
    Case("literature_latin1", "literature", "latin-1 bytes",
         lit(replace(LIT_CLEAN, "Testland,2020,all ages", "Testl\xe4nd,2020,all ages")
              .encode("latin-1")), says=(LIT, "line 4", "0xe4")),
    Case("literature_percent_over_100", "literature", "a percentage over 100",
         lit(replace(LIT_CLEAN, "2020,all adults,0.9,", "2020,all adults,109,")),
         says=(LIT, "value 109 is above 100", "plausible range 0 to 100")),
    Case("literature_value_not_number", "literature", "a value that is not a number",
         lit(replace(LIT_CLEAN, "2019,all adults,0.8,", "2019,all adults,about a third,")),
         says=(LIT, "line 2", "not a number")),
    Case("literature_missing_column", "literature", "missing column",
         lit(LIT_CLEAN.replace(",citation_url", "", 1)), status="fallback",
         says=(LIT, "line 1", "citation_url")),
    Case("literature_extra_column", "literature", "unknown extra column",
         lit(LIT_CLEAN.replace(",verified\n", ",verified,reviewer\n", 1)),
         outcome="recovered", status="ok", clean=LIT_OK),
    Case("literature_unknown_tier", "literature", "a tier that is neither primary nor secondary",
         lit(replace(LIT_CLEAN, "primary,read in table 2\nT002", "tertiary,read in table 2\nT002")),
         says=(LIT, "line 2", "tertiary")),
    Case("literature_claim_bad_verdict", "literature", "a claim verdict outside the four",
         lambda: {LIT: LIT_CLEAN.encode(),
                  CLAIMS_NAME: CLAIMS_CLEAN.replace(",not supported,", ",maybe,").encode()},
         says=(CLAIMS_NAME, "line 3", "maybe")),
    Case("literature_json_for_csv", "literature", "JSON where CSV is expected", LIT_OK,
         transport="http", route=json_body, status="fallback", says=(LIT, "header")),
    # ---- milestones: therapeutic_milestones.csv ----------------------------------------------
    Case("milestones_bad_date", "milestones", "a date that does not exist",
         from_file(MS, "milestones_bad_date.csv"), says=(MS, "month", "line 3", "2019-13-45")),
    Case("milestones_future_date", "milestones", "date in the future",
         text(MS, MS_CLEAN + '2093-01-01,"Test: a date decades ahead",FDA,https://example.org\n'),
         says=(MS, "future")),
    Case("milestones_bom_crlf", "milestones", "BOM with CRLF",
         text(MS, b"\xef\xbb\xbf" + MS_CLEAN.replace("\n", "\r\n").encode()),
         outcome="recovered", status="ok", clean=MS_OK),
    Case("milestones_html_200", "milestones", "HTML error page served with status 200", MS_OK,
         transport="http", route=html_page, status="fallback", says=(MS, "HTML page")),
    # ---- cms_partd: wide file, one column group per year -------------------------------------
    Case("cms_new_year_group", "cms_partd", "a new year column group",
         lambda: {CMS: cms_csv((2021, 2022, 2023))}, outcome="recovered", status="ok",
         clean=lambda: {CMS: cms_csv((2021, 2022, 2023))}),
    Case("cms_incomplete_year_group", "cms_partd", "a new year group missing a column",
         lambda: {CMS: cms_csv((2021, 2022, 2023), drop=("Outlier_Flag_2023",))},
         says=(CMS, "line 1", "Outlier_Flag_2023")),
    Case("cms_negative_claims", "cms_partd", "negative count",
         lambda: {CMS: cms_csv().replace(b",20,6,", b",-20,6,")}, says=(CMS, "line 2", "negative")),
    # ---- faers_quarterly: quarter zips -------------------------------------------------------
    Case("faers_corrupt_zip", "faers_quarterly", "corrupt zip",
         text("faers_ascii_2020q1.zip", b"PK\x03\x04" + bytes(range(256)) * 4),
         says=("faers_ascii_2020q1.zip", "zip")),
    Case("faers_truncated_zip", "faers_quarterly", "truncated zip", faers_truncated,
         says=("faers_ascii_2020q1.zip", "zip")),
    Case("faers_unexpected_folder", "faers_quarterly", "zip with an unexpected folder name",
         faers_nested, outcome="recovered", status="ok", clean=faers_clean_q1),
    Case("faers_renamed_members", "faers_quarterly", "zip whose tables are renamed",
         faers_renamed_members, says=("faers_ascii_2020q1.zip", "DEMO")),
    # ---- the newest of several releases (issue 12, item 7) ------------------------------------
    Case("cms_older_release_beside", "cms_partd", "DY22 beside DY23 (DY22 last by name)",
         lambda: {CMS: cms_csv((2021, 2022, 2023)), CMS_DY22: cms_csv()}, outcome="recovered",
         status="ok", clean=lambda: {CMS: cms_csv((2021, 2022, 2023))}),
    Case("cms_older_release_beside_http", "cms_partd", "DY22 beside DY23 on an http mirror",
         lambda: {CMS: cms_csv((2021, 2022, 2023)), CMS_DY22: cms_csv()}, transport="http",
         outcome="recovered", status="ok", clean=lambda: {CMS: cms_csv((2021, 2022, 2023))}),
    # ---- FAERS quarter identity and orphans (issue 12, items 6 and 13) ----------------------
    Case("faers_misfiled_quarter", "faers_quarterly", "a 2020Q1 zip holding 2019Q1's files",
         faers_misfiled, says=("faers_ascii_2020q1.zip", "named for quarter 2020Q1",
                               "2019Q1", "DEMO19Q1.txt")),
    Case("faers_relabelled_quarter", "faers_quarterly", "2019Q1's tables renamed to 2020Q1",
         faers_relabelled, says=("faers_ascii_2020q1.zip", "only 0 of 5 DEMO fda_dt dates",
                                 "2019-01-05 to 2019-03-20")),
    Case("faers_orphan_drug_rows", "faers_quarterly", "DRUG rows of a report with no DEMO row",
         faers_orphans, says=("faers_ascii_2019q1.zip", "1 of 5 DRUG report ids (20.0%)",
                              "1 of them with a drug name that may be ketamine",
                              "do not belong together")),
    Case("faers_quarter_twice", "faers_quarterly", "one quarter given twice",
         faers_zip_and_folder, says=("quarter 2019Q1 given twice", "faers_ascii_2019q1.zip",
                                     "faers_ascii_2019Q1 (copy).zip")),
    # ---- plain messages instead of library errors (issue 12, item 13) ------------------------
    Case("nflis_header_only", "nflis", "header and no rows (was: float NaN to integer)",
         text(NFLIS, "YYYY,SubstanceDetected,Freq\n"), says=(NFLIS, "line 2", "header only")),
    Case("euda_header_only", "euda_wastewater", "loads header and no rows",
         lambda: euda_files() | {LOADS: euda_files()[LOADS].splitlines(keepends=True)[0]},
         says=(LOADS, "line 2", "header only")),
    Case("cms_no_spravato_row", "cms_partd", "a Part D file without the Spravato row",
         lambda: {CMS: b"\n".join(cms_csv().splitlines()[::2]) + b"\n"},
         says=(CMS, "no Overall row of a ketamine or esketamine generic")),
    Case("faers_id_not_a_number", "faers_quarterly", "a report id that is not a number",
         faers_edited("DEMO19Q1.txt", 4, "3001$", "30x1$"),
         says=("faers_ascii_2019q1.zip", "DEMO19Q1.txt", "line 4",
               "column primaryid: '30x1' is not a whole number")),
    Case("faers_extra_fields", "faers_quarterly", "a line with more fields than the header",
         faers_edited("REAC19Q1.txt", 3, "\n", "$x$y\n"),
         says=("faers_ascii_2019q1.zip", "REAC19Q1.txt", "line 3",
               "where the header names")),
    # ---- implausible values and text (issue 12, item 5) --------------------------------------
    Case("euda_infinite_load", "euda_wastewater", "a load published as inf",
         euda(loads=("2.5,4.5,4\n", "2.5,4.5,inf\n")),
         says=(LOADS, "line 2", "Daily mean", "'inf' is not a number")),
    Case("euda_huge_load", "euda_wastewater", "a load of 1e12 mg/1,000/day",
         euda(loads=("2.5,4.5,4\n", "2.5,4.5,1e12\n")),
         says=(LOADS, "line 2", "column Daily mean: 1e12", "above 10,000")),
    Case("euda_negative_weekday", "euda_wastewater", "a negative weekday load",
         euda(loads=('"Testville",2,2,2,', '"Testville",-2,2,2,')),
         says=(LOADS, "line 3", "column Wednesday: -2", "below 0")),
    Case("euda_latitude_508", "euda_wastewater", "latitude 508.5",
         euda(sites=('"50.5","10.25"', '"508.5","10.25"')),
         says=(SITES, "line 2", "column Latitude: 508.5", "-90 to 90")),
    Case("euda_huge_city_name", "euda_wastewater", "a 100,000-character city name",
         euda(sites=('"ZZ","Testville"', '"ZZ","Testville' + "e" * 100_000 + '"')),
         says=(SITES, "line 2", "column City", "100,009 characters long")),
    Case("euda_nul_block", "euda_wastewater", "a 4 KB NUL block inside the loads file",
         euda(loads=('"cocaine"', b'"coca' + bytes(4096) + b'ine"')),
         says=(LOADS, "line 5", "column Metabolite", "control character")),
    Case("literature_fractional_count", "literature", "1,204.9 cases (a count with a fraction)",
         lit(replace(LIT_CLEAN, '"1,204",cases', '"1,204.9",cases')),
         says=(LIT, "value 1204.9 is not a whole number", "ketamine")),
    Case("cms_spending_1e15", "cms_partd", "spending of 1e15 USD",
         lambda: {CMS: cms_csv().replace(b",2000,80,", b",1000000000000000,80,")},
         says=(CMS, "USD values", "above 200,000,000,000")),
    # ---- ons_drug_poisoning: the reference-table workbook (issue 13) --------------------------
    Case("ons_html_for_xlsx", "ons_drug_poisoning", "an HTML page saved as the workbook",
         from_file(ONS, "html_error_page.html"), says=(ONS, "HTML page")),
    Case("ons_truncated_xlsx", "ons_drug_poisoning", "a truncated workbook (zip cut short)",
         ons_truncated, says=(ONS, "not an Excel workbook")),
    Case("ons_rate_renamed", "ons_drug_poisoning", "Table 4's Rate columns renamed 'ASMR'",
         ons_every_rate_renamed, status="held",
         says=(ONS, "would vanish", "indicator ons_drug_poisoning_asmr_all", "--accept-shrink")),
    Case("ons_decimal_comma", "ons_drug_poisoning", "a rate with a decimal comma ('2,1')",
         ons(("Tbl_A", 2.1, "2,1")),
         says=(ONS, "line 8", "sheet 'Tbl_A'", "'2,1' is not a number")),
    Case("ons_table1_missing", "ons_drug_poisoning", "Table 1 removed from the workbook",
         ons(("*", "Tbl_B", None)), says=(ONS, "no sheet has a title", "underlying")),
    Case("ons_year_not_a_year", "ons_drug_poisoning", "a registration year written '2002p'",
         ons(("Tbl_B", 2002, "2002p")),
         says=(ONS, "line 9", "sheet 'Tbl_B'", "year '2002p' is not a year")),
    Case("ons_extra_sheet_renamed", "ons_drug_poisoning", "a notes sheet added, sheets renamed",
         ons_extra_sheet, outcome="recovered", status="ok", clean=lambda: {ONS: ons_book()}),
    # ---- openfda: one JSON answer per count query (issue 13) --------------------------------
    Case("openfda_results_missing", "openfda", "a count answer without its results list",
         openfda("ketamine_reactions", without("results")), status="held",
         says=("openfda-ketamine_reactions.json", "would lose 4 of 39 published rows")),
    Case("openfda_count_renamed", "openfda", "the count field renamed 'reports'",
         openfda("ketamine_reactions", renamed_count),
         says=("openfda-ketamine_reactions.json: ", "count")),
    Case("openfda_error_body", "openfda", "an openFDA error answer saved as the file",
         openfda("ketamine_sex", b'{"error": {"code": "NOT_FOUND", '
                                 b'"message": "Nothing to count"}}\n'),
         says=("openfda-ketamine_sex.json", "NOT_FOUND", "Nothing to count")),
    Case("openfda_negative_count", "openfda", "a negative count",
         openfda("ketamine_receivedate", edit_results("count", 1, -3)),
         says=("openfda-ketamine_receivedate.json", "openfda_ketamine_reports",
               "2019Q1: value -3 is below 0")),
    Case("openfda_fractional_count", "openfda", "a count of 2.5 reports",
         openfda("ketamine_serious", edit_results("count", 0, 2.5)),
         says=("openfda-ketamine_serious.json: ", "2.5")),
    Case("openfda_count_as_text", "openfda", "a count written as text ('many')",
         openfda("ketamine_sex", edit_results("count", 0, "many")),
         says=("openfda-ketamine_sex.json: ", "many")),
    Case("openfda_html", "openfda", "an HTML page saved as a count answer",
         openfda("ketamine_total", (FILES / "html_error_page.html").read_bytes()),
         says=("openfda-ketamine_total.json", "not JSON")),
    Case("openfda_bad_day", "openfda", "a receivedate that is not a date",
         openfda("ketamine_receivedate", edit_results("time", 0, "20181305")),
         says=("openfda-ketamine_receivedate.json: ", "20181305")),
    Case("openfda_extra_fields", "openfda", "unknown extra fields in meta and results",
         openfda("ketamine_reactions", with_extras), outcome="recovered", status="ok",
         clean=openfda_files),
    Case("openfda_bom_crlf", "openfda", "BOM with CRLF in every answer", openfda_bom_crlf,
         outcome="recovered", status="ok", clean=openfda_files),
    # ---- clinicaltrials: API v2 pages (issue 13) --------------------------------------------
    Case("ct_no_studies", "clinicaltrials", "a page without a studies list",
         ct(CT_PAGE, without("studies")), says=(CT_PAGE, "studies")),
    Case("ct_truncated_json", "clinicaltrials", "a truncated page",
         lambda: ct_files() | {CT_PAGE: ct_files()[CT_PAGE][:700]}, says=(CT_PAGE, "not JSON")),
    Case("ct_bad_start_date", "clinicaltrials", "a start date that does not exist",
         ct(CT_PAGE, ct_start(0, "2019-13-45")), says=(CT_PAGE, "NCT90000001", "2019-13-45")),
    Case("ct_start_date_words", "clinicaltrials", "a start date written 'March 2019'",
         ct(CT_PAGE, ct_start(0, "March 2019")), says=(CT_PAGE, "NCT90000001", "March 2019")),
    Case("ct_bad_nct", "clinicaltrials", "a study whose NCT id is malformed",
         ct("page-0002.json", ct_nct(1, "NCT123")), says=("page-0002.json", "nctId")),
    Case("ct_missing_page", "clinicaltrials", "page 2 of 3 missing (nextPageToken chain broken)",
         ct_without_middle_page,
         says=("page-0001.json", "list 5 studies of the 8 its totalCount announces")),
    Case("ct_extra_fields", "clinicaltrials", "unknown extra fields on every study",
         ct(CT_PAGE, ct_extras), outcome="recovered", status="ok", clean=ct_files),
    # ---- labels: openFDA /drug/label answers (issue 13) -------------------------------------
    Case("labels_truncated_json", "labels", "a truncated label answer",
         label(label_files()[LABEL][:500]), says=(LABEL, "not JSON")),
    Case("labels_results_missing", "labels", "an answer without its results list",
         label(without("results")), says=(LABEL, "results")),
    Case("labels_nul_garbage", "labels", "a 64 KB boxed warning of NULs and control bytes",
         label(label_garbage), says=(LABEL, "drug_labels.text", "control character ('\\x00'")),
    Case("labels_total_larger", "labels", "meta.results.total larger than the results returned",
         label(label_total(3)), says=(LABEL, "matched 3 labels", "holds 1")),
    Case("labels_no_set_id", "labels", "a label without its set_id",
         label(label_field("set_id", "")), says=(LABEL, "result 0 has no set_id")),
    Case("labels_extra_fields", "labels", "unknown extra fields in meta and the label",
         label(label_unchanged_extras), outcome="recovered", status="ok", clean=label_files),
)  # fmt: skip


# Every source the hand-written cases above do not cover (a new one) gets the generic cases,
# made from its fixture folder: adding a source needs no new test plumbing. NFLIS gets them too,
# so the generic cases are run against a source whose faults we know even before a new one comes.
CASES: tuple[Case, ...] = (
    HAND_CASES
    + generic_cases("nflis", clean_files()["nflis"])
    + tuple(
        case
        for source_id, files in fixture_baselines().items()
        if source_id not in {c.source for c in HAND_CASES}
        for case in generic_cases(source_id, files)
    )
)
