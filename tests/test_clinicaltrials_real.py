"""clinicaltrials on real API v2 study records (tests/fixtures/clinicaltrials/real/SOURCE.md).

The records are real; the page around them (`studies`, `totalCount`, no `nextPageToken`) is put
together here, as SOURCE.md says, because no recorded page of a search was found.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from etl.contract import ParseError
from etl.http import HttpClient
from etl.sources import clinicaltrials
from etl.sources.clinicaltrials import QUERY, ClinicalTrials

REAL = Path(__file__).parent / "fixtures" / "clinicaltrials" / "real"
RECORDS = sorted(REAL.glob("NCT*.json"))


def real_studies() -> list[dict]:
    return [json.loads(path.read_text()) for path in RECORDS]


def write_page(tmp_path: Path, studies: list[dict], name: str = "page-0001.json") -> Path:
    page = tmp_path / name
    page.write_text(json.dumps({"studies": studies, "totalCount": len(studies)}))
    return page


def by_id(studies: list[dict]) -> dict[str, dict]:
    return {s["protocolSection"]["identificationModule"]["nctId"]: s for s in studies}


def test_the_real_records_are_what_the_fixture_says() -> None:
    statuses = {
        nct: (
            s["protocolSection"]["statusModule"]["overallStatus"],
            s["protocolSection"]["statusModule"]["startDateStruct"].get("type"),
        )
        for nct, s in by_id(real_studies()).items()
    }
    assert statuses == {
        "NCT00763412": ("COMPLETED", None),  # an old record: a date without a type
        "NCT00973089": ("WITHDRAWN", None),
        "NCT03418623": ("COMPLETED", "ACTUAL"),
        "NCT05594173": ("COMPLETED", "ACTUAL"),
        "NCT06171568": ("NOT_YET_RECRUITING", "ESTIMATED"),
    }


def test_the_query_asks_for_every_field_the_counts_depend_on() -> None:
    fields = QUERY["fields"].split(",")
    for field in ("StartDate", "StartDateType", "OverallStatus", "NCTId"):
        assert field in fields


def test_only_actual_starts_of_started_studies_are_counted(tmp_path: Path) -> None:
    tables = clinicaltrials.SOURCE.parse({"pages": [write_page(tmp_path, real_studies())]})
    trials = tables.details["trials"].set_index("nct_id")
    assert len(trials) == len(RECORDS)
    assert trials.loc["NCT06171568", "start_date_type"] == "ESTIMATED"
    assert trials.loc["NCT00973089", "status"] == "WITHDRAWN"
    obs = tables.observations
    overall = obs[obs["stratum"] == "all"].set_index("period_label")["value"].to_dict()
    # NCT03418623 started 2018-03-08, NCT05594173 2019-09-13 (both ACTUAL). Not counted: the
    # planned 2024 start of NCT06171568, and the untyped dates of NCT00763412 (2006) and of the
    # withdrawn NCT00973089 (2010).
    assert overall == {"2018": 1, "2019": 1}


@pytest.mark.parametrize("nct", ["NCT06171568", "NCT00973089"])
def test_not_yet_recruiting_or_withdrawn_is_never_a_start(tmp_path: Path, nct: str) -> None:
    """Even when the date says ACTUAL (a hand-made twist on a real record)."""
    studies = by_id(real_studies())
    study = copy.deepcopy(studies[nct])
    study["protocolSection"]["statusModule"]["startDateStruct"]["type"] = "ACTUAL"
    page = write_page(tmp_path, [study, studies["NCT03418623"]])
    obs = clinicaltrials.SOURCE.parse({"pages": [page]}).observations
    overall = obs[obs["stratum"] == "all"].set_index("period_label")["value"].to_dict()
    assert overall == {"2018": 1}


def test_a_response_without_date_types_is_refused_not_counted(tmp_path: Path) -> None:
    """What a real answer to the old query (fields without StartDateType) looks like."""
    studies = real_studies()
    for study in studies:
        study["protocolSection"]["statusModule"]["startDateStruct"].pop("type", None)
    page = write_page(tmp_path, studies)
    with pytest.raises(ParseError, match=r"page-0001\.json: .*StartDateType"):
        clinicaltrials.SOURCE.parse({"pages": [page]})


def test_fetch_asks_for_the_date_type_and_parses_the_real_page(
    local_server, tmp_path: Path
) -> None:
    body = json.dumps({"studies": real_studies(), "totalCount": len(RECORDS)}).encode()
    local_server.routes["/api/v2/studies"] = (200, {"Content-Type": "application/json"}, body)
    source = ClinicalTrials(api_url=local_server.url("/api/v2/studies"))
    with HttpClient(allow_insecure_hosts={"127.0.0.1"}, max_attempts=1) as http:
        files = source.fetch(http, tmp_path / "raw")
    sent = parse_qs(urlsplit(local_server.requests[0].path).query)
    assert "StartDateType" in sent["fields"][0].split(",")
    trials = source.parse(files).details["trials"]
    assert sorted(trials["nct_id"]) == [p.stem for p in RECORDS]


def test_the_dashboard_counts_starts_by_the_same_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import duckdb
    import streamlit as st

    from dashboard.therapeutic import queries

    studies = by_id(real_studies())
    withdrawn = copy.deepcopy(studies["NCT00973089"])  # hand-made twist: says ACTUAL
    withdrawn["protocolSection"]["statusModule"]["startDateStruct"]["type"] = "ACTUAL"
    page = write_page(tmp_path, [*studies.values(), withdrawn])
    trials = clinicaltrials.SOURCE.parse({"pages": [page]}).details["trials"]
    path = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    con.register("t", trials)
    con.execute("CREATE TABLE trials AS SELECT * FROM t")
    con.close()
    monkeypatch.setenv("KETAMINE_WATCH_WAREHOUSE", str(path))
    st.cache_data.clear()
    try:
        by_year = queries.trials_by_area_year().groupby("start_year")["trials"].sum().to_dict()
    finally:
        st.cache_data.clear()
    assert by_year == {2018: 1, 2019: 1}
