"""clinicaltrials: pagination against a local server, condition areas, phases, per-year counts."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from etl.contract import ParseError
from etl.http import HttpClient
from etl.sources import clinicaltrials
from etl.sources.clinicaltrials import ClinicalTrials, phase_label
from etl.trial_areas import areas_of, load_areas
from etl.validate import validate

FIXTURES = Path(__file__).parent / "fixtures" / "clinicaltrials"
PAGES = sorted(FIXTURES.glob("page-*.json"))


def serve_pages(local_server, pages: list[bytes]) -> None:
    """Serve page N for pageToken 'tok-N' (page 1 without a token), like the v2 API."""

    def route(handler):
        query = parse_qs(urlsplit(handler.path).query)
        token = query.get("pageToken", ["tok-1"])[0]
        index = int(token.split("-")[1]) - 1
        return (200, {"Content-Type": "application/json"}, pages[index])

    local_server.routes["/api/v2/studies"] = route


def client() -> HttpClient:
    return HttpClient(allow_insecure_hosts={"127.0.0.1"}, max_attempts=1)


def test_fetch_follows_next_page_token_over_three_pages(local_server, tmp_path: Path) -> None:
    serve_pages(local_server, [p.read_bytes() for p in PAGES])
    source = ClinicalTrials(api_url=local_server.url("/api/v2/studies"))
    with client() as http:
        files = source.fetch(http, tmp_path)
    assert [p.name for p in files["pages"]] == [
        "page-0001.json",
        "page-0002.json",
        "page-0003.json",
    ]
    tokens = [parse_qs(urlsplit(r.path).query).get("pageToken") for r in local_server.requests]
    assert tokens == [None, ["tok-2"], ["tok-3"]]
    first = parse_qs(urlsplit(local_server.requests[0].path).query)
    assert first["query.intr"] == ["ketamine OR esketamine"]
    assert "InterventionName" in first["fields"][0]
    assert "StartDateType" in first["fields"][0].split(",")
    trials = source.parse(files).details["trials"]
    assert len(trials) == 8
    assert trials["nct_id"].is_unique


def test_fetch_refuses_a_short_result(local_server, tmp_path: Path) -> None:
    first = json.loads(PAGES[0].read_text())
    first.pop("nextPageToken")  # the server stops after page 1 although totalCount says 8
    serve_pages(local_server, [json.dumps(first).encode()])
    source = ClinicalTrials(api_url=local_server.url("/api/v2/studies"))
    with client() as http, pytest.raises(ValueError, match="got 3 studies of totalCount 8"):
        source.fetch(http, tmp_path)


def test_fetch_stops_on_a_repeating_token(local_server, tmp_path: Path) -> None:
    looping = json.loads(PAGES[1].read_text()) | {"nextPageToken": "tok-2"}
    serve_pages(local_server, [PAGES[0].read_bytes(), json.dumps(looping).encode()])
    source = ClinicalTrials(api_url=local_server.url("/api/v2/studies"))
    with client() as http, pytest.raises(ValueError, match="pagination does not end"):
        source.fetch(http, tmp_path)


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        (["Treatment Resistant Depression"], "depression"),
        (["Major Depressive Disorder", "Suicidal Ideation"], "depression"),
        (["Bipolar Depression"], "depression"),
        (["PTSD"], "ptsd_anxiety"),
        (["Social Anxiety Disorder"], "ptsd_anxiety"),
        (["Complex Regional Pain Syndromes"], "chronic_pain"),
        (["Neuropathic Pain"], "chronic_pain"),
        (["Chronic Post-surgical Pain"], "chronic_pain"),
        (["Alcohol Use Disorder"], "substance_use"),
        (["Opioid Use Disorder", "Chronic Pain"], "substance_use"),
        (["Postoperative Pain"], "anesthesia_analgesia"),
        (["Anesthesia", "Tonsillectomy"], "anesthesia_analgesia"),
        (["Procedural Sedation"], "anesthesia_analgesia"),
        (["Depression, Postpartum", "Cesarean Section"], "depression"),
        (["Healthy Volunteers"], "other"),
        ([], "other"),
    ],
)
def test_conditions_map_to_areas_by_the_rules_file(conditions: list[str], expected: str) -> None:
    assert areas_of(conditions, load_areas())[0][0] == expected


def test_all_matched_areas_are_kept() -> None:
    found = [a for a, _ in areas_of(["Opioid Use Disorder", "Chronic Pain"], load_areas())]
    assert found == ["substance_use", "chronic_pain"]


def test_areas_come_from_data_not_code(tmp_path: Path) -> None:
    rules = tmp_path / "areas.csv"
    rules.write_text("area,label,pattern,why\nsleep,Sleep,insomnia,test\n")
    load_areas.cache_clear()
    try:
        assert areas_of(["Insomnia"], load_areas(rules))[0] == ("sleep", "Sleep")
    finally:
        load_areas.cache_clear()


@pytest.mark.parametrize(
    ("phases", "label"),
    [
        (["PHASE2"], "Phase 2"),
        (["PHASE2", "PHASE3"], "Phase 2/3"),
        (["EARLY_PHASE1"], "Early phase 1"),
        (["NA"], "Not applicable"),
        (None, "Not stated"),
    ],
)
def test_phase_labels(phases, label: str) -> None:
    assert phase_label(phases) == label


def test_parse_builds_trials_and_counts_actual_starts_per_year() -> None:
    tables = clinicaltrials.SOURCE.parse({"pages": PAGES})
    assert validate(tables, source_id="clinicaltrials") == []
    trials = tables.details["trials"].set_index("nct_id")
    assert trials.loc["NCT90000003", "area"] == "depression"
    assert trials.loc["NCT90000003", "areas"] == "depression; anesthesia_analgesia"
    assert trials.loc["NCT90000003", "interventions"] == "DRUG: Esketamine; DRUG: Placebo"
    assert trials.loc["NCT90000003", "phase"] == "Phase 2/3"
    assert trials.loc["NCT90000007", "phase"] == "Not stated"
    assert trials.loc["NCT90000001", "url"] == "https://clinicaltrials.gov/study/NCT90000001"
    obs = tables.observations
    overall = obs[obs["stratum"] == "all"].set_index("period_label")["value"].to_dict()
    # NCT90000006 has an ESTIMATED (future) start: a plan, not counted; NCT90000008's 2021 date
    # has no type, which is not evidence of a start either
    assert overall == {"2019": 2, "2020": 2, "2021": 2}
    for prefix in ("area: ", "phase: "):
        by = obs[obs["stratum"].str.startswith(prefix)].groupby("period_label")["value"].sum()
        assert by.to_dict() == overall  # one area and one phase per trial: strata add up
    depression = obs[obs["stratum"].str.startswith("area: Depression")]
    assert depression.set_index("period_label")["value"].to_dict() == {"2019": 1, "2021": 1}
    assert set(obs.loc[obs["period_label"] == "2021", "flags"]) == {"provisional"}
    assert set(obs.loc[obs["period_label"] == "2019", "flags"]) == {""}


def test_a_page_without_studies_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "page-0009.json"
    bad.write_text('{"error": "rate limited"}')
    with pytest.raises(ParseError, match=r"page-0009\.json: no 'studies' list"):
        clinicaltrials.SOURCE.parse({"pages": [bad]})


def test_a_study_without_nct_id_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "page-0001.json"
    bad.write_text('{"studies": [{"protocolSection": {"identificationModule": {}}}]}')
    with pytest.raises(ParseError, match=r"page-0001\.json: study 0 has no valid"):
        clinicaltrials.SOURCE.parse({"pages": [bad]})
