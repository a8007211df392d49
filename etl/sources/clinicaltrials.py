"""ClinicalTrials.gov registry: studies with ketamine or esketamine as an intervention.

What it counts: registered studies (interventional and observational records), not patients and
not results. One row per NCT id in the detail table `trials` (start date, conditions, phase,
status, interventions, area); observations are **trials started per year**, overall, by area and
by phase.

Caveats, and why each choice was made:
- Registration is not evidence of effect, and a registered study may never start or finish
  (status is kept). Ketamine may be one arm of many, or the comparator.
- Area comes from the study's conditions through keyword rules kept as data
  (`etl/data/trial_areas.csv`); the first area in that file's order that any condition matches is
  the study's area, so per-area counts add up to the total. All matched areas are kept in
  `areas`. Conditions that match nothing give `other`.
- Only start dates the registry marks ACTUAL are counted per year: an ESTIMATED start date is a
  plan (the study has not started), and a date with no type is not evidence of a start (old
  records, e.g. NCT00973089 in tests/fixtures/clinicaltrials/real/, carry none). A study whose
  status is NOT_YET_RECRUITING or WITHDRAWN (withdrawn before its first participant) is never a
  start, whatever its date says. Such studies stay in `trials` with their date type and status.
  The latest year is flagged `provisional` (registry records are updated late).
- API v2 returns only the fields asked for: `startDateStruct.type` comes back only when
  `StartDateType` is in `fields`. The query asks for every field the counts depend on
  (`COUNTED_FIELDS`), and a page where no dated study has a date type is refused as a query that
  lost a field, rather than counted.
- Phases are as registered: `PHASE2, PHASE3` becomes "Phase 2/3"; device and behavioural studies
  have "Not applicable"; observational studies have no phase ("Not stated").
- Live only (API v2, paginated with `nextPageToken`); each page is kept as a raw JSON file. The
  seed has no rows: the published trial counts (Brendle et al. 2022 and a 2020 review) stay in the
  `literature` source because their searches and dates differ from this query, and the seed must
  not hold a snapshot we cannot cite.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from etl.contract import (
    INDICATOR_COLUMNS,
    OBSERVATION_COLUMNS,
    ParseError,
    RemoteFile,
    SourceFiles,
    SourceMeta,
    Tables,
)
from etl.observation_frame import observations
from etl.trial_areas import classify, load_areas

if TYPE_CHECKING:
    from etl.http import HttpClient

API_URL = "https://clinicaltrials.gov/api/v2/studies"
# Every field a count depends on (a start needs its date, its date type and the status).
COUNTED_FIELDS = ("NCTId", "StartDate", "StartDateType", "OverallStatus", "Condition", "Phase")
DETAIL_FIELDS = ("BriefTitle", "StudyType", "InterventionType", "InterventionName")
QUERY: dict[str, str] = {
    "query.intr": "ketamine OR esketamine",
    "countTotal": "true",
    "pageSize": "1000",
    "fields": ",".join(COUNTED_FIELDS + DETAIL_FIELDS),
}
# Statuses that are never a start, whatever the start date says.
NOT_STARTED = frozenset({"NOT_YET_RECRUITING", "WITHDRAWN"})
MAX_PAGES = 200
HOMEPAGE = "https://clinicaltrials.gov/"
CITATION = (
    "ClinicalTrials.gov, U.S. National Library of Medicine. Studies with intervention "
    "'ketamine OR esketamine' (API v2). https://clinicaltrials.gov/search?intr=ketamine%20OR%20esketamine"
)
STUDY_URL = "https://clinicaltrials.gov/study/{}"
INDICATOR = "clinicaltrials_trials_started"
TRIAL_COLUMNS = (
    "nct_id",
    "title",
    "study_type",
    "start_date",
    "start_year",
    "start_date_type",
    "conditions",
    "phase",
    "status",
    "interventions",
    "area",
    "area_label",
    "areas",
    "url",
)

META = SourceMeta(
    id="clinicaltrials",
    title="ClinicalTrials.gov studies of ketamine and esketamine",
    publisher="U.S. National Library of Medicine (ClinicalTrials.gov)",
    homepage=HOMEPAGE,
    licence="ClinicalTrials.gov data are US Government data, public domain (see its terms)",
    citation=CITATION,
    cadence="live registry (daily updates)",
    domain="therapeutic",
    counts="registered studies (not patients, not results)",
    caveats=(
        "Registration is not evidence of effect; ketamine may be one arm or the comparator. "
        "Area comes from keyword rules on the listed conditions. Only actual start dates count."
    ),
    remote_files=(RemoteFile(name="pages", url="", pattern="*.json", kind="json", many=True),),
    allowed_hosts=("clinicaltrials.gov",),
    detail_tables=("trials",),
)


class ClinicalTrials:
    meta = META

    def __init__(self, api_url: str = API_URL, max_pages: int = MAX_PAGES) -> None:
        self.api_url = api_url
        self.max_pages = max_pages

    def fetch(self, client: HttpClient, dest: Path) -> SourceFiles:
        """Follow `nextPageToken` to the end, one JSON file per page; check the total."""
        dest.mkdir(parents=True, exist_ok=True)
        pages: list[Path] = []
        token: str | None = None
        seen_tokens: set[str] = set()
        total: int | None = None
        studies = 0
        while True:
            params = dict(QUERY) | ({"pageToken": token} if token else {})
            body = client.get_json(self.api_url, params=params)
            if not isinstance(body, dict) or not isinstance(body.get("studies"), list):
                raise ValueError(f"{self.api_url}: page {len(pages) + 1} has no 'studies' list")
            if total is None and isinstance(body.get("totalCount"), int):
                total = body["totalCount"]
            studies += len(body["studies"])
            path = dest / f"page-{len(pages) + 1:04d}.json"
            path.write_text(json.dumps(body))
            pages.append(path)
            token = body.get("nextPageToken")
            if not token:
                break
            if token in seen_tokens or len(pages) >= self.max_pages:
                raise ValueError(
                    f"{self.api_url}: pagination does not end after {len(pages)} pages"
                )
            seen_tokens.add(token)
        if total is not None and studies < total:
            raise ValueError(f"{self.api_url}: got {studies} studies of totalCount {total}")
        return {"pages": pages}

    def parse(self, files: SourceFiles) -> Tables:
        pages = files.get("pages", [])
        trials = classify(read_pages(pages), rules=load_areas())
        return Tables(
            observations=trials_started(trials).assign(vintage=registry_vintage(pages)),
            indicators=indicators(),
            details={"trials": trials.reindex(columns=list(TRIAL_COLUMNS))},
        )


def registry_vintage(pages: list[Path]) -> str:
    """The registry changes daily and its answers carry no data date, so its release is the day
    the pages were saved (the fetch writes them as they arrive)."""
    if not pages:
        return ""
    saved = max(path.stat().st_mtime for path in pages)
    day = datetime.fromtimestamp(saved, UTC).date().isoformat()
    return f"registry as retrieved on {day}"


def dig(obj: Any, *keys: str) -> Any:
    for key in keys:
        obj = obj.get(key) if isinstance(obj, dict) else None
    return obj


def phase_label(phases: list[str] | None) -> str:
    if not phases:
        return "Not stated"
    if phases == ["NA"]:
        return "Not applicable"
    numbers = [p.replace("EARLY_PHASE", "Early phase ").replace("PHASE", "") for p in phases]
    if all(n.isdigit() for n in numbers):
        return "Phase " + "/".join(numbers)
    return ", ".join(n if not n.isdigit() else f"Phase {n}" for n in numbers)


def start_year(text: str) -> int | None:
    """The year of a start date as API v2 writes it ('2019', '2019-03' or '2019-03-14'); None when
    there is none. A date that is not one of these, or not a real day, raises ValueError: it must
    not count as a start in the wrong year, nor vanish from the counts unsaid."""
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%Y-%m", "%Y"):
        try:
            return datetime.strptime(text, pattern).year
        except ValueError:
            continue
    raise ValueError(f"start date {text!r} is not YYYY, YYYY-MM or YYYY-MM-DD")


def checked_start_year(nct: str, text: str) -> int | None:
    try:
        return start_year(text)
    except ValueError as error:
        raise ParseError(f"{nct}: {error}") from None


def study_row(study: dict, index: int) -> dict:
    section = study.get("protocolSection") if isinstance(study, dict) else None
    nct = dig(section, "identificationModule", "nctId")
    if not isinstance(nct, str) or not re.fullmatch(r"NCT\d{8}", nct):
        raise ParseError(f"study {index} has no valid protocolSection.identificationModule.nctId")
    start = dig(section, "statusModule", "startDateStruct") or {}
    interventions = dig(section, "armsInterventionsModule", "interventions") or []
    conditions = dig(section, "conditionsModule", "conditions") or []
    return {
        "nct_id": nct,
        "title": dig(section, "identificationModule", "briefTitle") or "",
        "study_type": dig(section, "designModule", "studyType") or "",
        "start_date": start.get("date", ""),
        "start_year": checked_start_year(nct, start.get("date", "")),
        "start_date_type": start.get("type", ""),
        "conditions": "; ".join(str(c) for c in conditions),
        "phase": phase_label(dig(section, "designModule", "phases")),
        "status": dig(section, "statusModule", "overallStatus") or "",
        "interventions": "; ".join(
            f"{i.get('type', '')}: {i.get('name', '')}".strip(": ")
            for i in interventions
            if isinstance(i, dict)
        ),
        "url": STUDY_URL.format(nct),
    }


def read_pages(paths: list[Path]) -> pd.DataFrame:
    rows: dict[str, dict] = {}
    listed, total = 0, None
    for path in paths:
        try:
            body = json.loads(path.read_text(encoding="utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ParseError(f"not JSON ({error})", file=path) from error
        if not isinstance(body, dict) or not isinstance(body.get("studies"), list):
            raise ParseError("no 'studies' list (not a ClinicalTrials.gov v2 page)", file=path)
        if total is None and isinstance(body.get("totalCount"), int):
            total = (body["totalCount"], path)
        listed += len(body["studies"])
        for index, study in enumerate(body["studies"]):
            try:
                row = study_row(study, index)
            except ParseError as error:
                raise ParseError(str(error), file=path) from None
            rows[row["nct_id"]] = row  # a study moving between pages mid-fetch is kept once
    if total is not None and listed < total[0]:
        # The same rule as the live fetch: a saved or mirrored set with a page missing says less.
        raise ParseError(
            f"the pages list {listed} studies of the {total[0]} its totalCount announces: "
            "a page is missing",
            file=total[1],
        )
    frame = pd.DataFrame.from_records(list(rows.values()), columns=list(TRIAL_COLUMNS))
    frame["start_year"] = frame["start_year"].astype("Int64")
    dated = frame[frame["start_year"].notna()]
    if not dated.empty and (dated["start_date_type"].fillna("") == "").all():
        where = paths[0] if paths else None
        raise ParseError(
            f"none of {len(dated)} dated studies has startDateStruct.type: the query must ask "
            "for StartDateType (API v2 returns only the fields asked for)",
            file=where,
        )
    return frame.sort_values("nct_id", ignore_index=True)


def started_studies(trials: pd.DataFrame) -> pd.DataFrame:
    """Studies the registry says have started: an ACTUAL start date, and a status that is not
    NOT_YET_RECRUITING or WITHDRAWN."""
    actual = trials["start_date_type"].fillna("").str.upper() == "ACTUAL"
    status = trials["status"].fillna("").str.upper()
    return trials[trials["start_year"].notna() & actual & ~status.isin(NOT_STARTED)]


def trials_started(trials: pd.DataFrame) -> pd.DataFrame:
    """Studies with an actual start date, counted per start year: all, by area, by phase."""
    started = started_studies(trials)
    if started.empty:
        return pd.DataFrame(columns=list(OBSERVATION_COLUMNS))
    latest = int(started["start_year"].max())
    parts = [
        started.groupby("start_year").size().rename("value").reset_index().assign(stratum="all")
    ]
    for column, prefix in (("area_label", "area"), ("phase", "phase")):
        counts = started.groupby(["start_year", column]).size().rename("value").reset_index()
        counts["stratum"] = prefix + ": " + counts[column]
        parts.append(counts[["start_year", "value", "stratum"]])
    counts = pd.concat(parts, ignore_index=True)
    years = counts["start_year"].astype(int)
    return observations(
        source=META.id,
        indicator=INDICATOR,
        geography="ClinicalTrials.gov (all countries)",
        period=years.astype(str),
        stratum=counts["stratum"],
        value=counts["value"],
        unit="trials",
        flags=["provisional" if y == latest else "" for y in years],
        note="actual start dates only; area from etl/data/trial_areas.csv",
        citation=CITATION,
        citation_url=HOMEPAGE,
    ).sort_values(["stratum", "period_start"], ignore_index=True)


def indicators() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "id": INDICATOR,
                "source": META.id,
                "label": "Registered ketamine/esketamine studies started, per year",
                "definition": (
                    "ClinicalTrials.gov studies with ketamine or esketamine as an intervention, "
                    "by year of actual start; strata: all, area (from conditions), phase"
                ),
                "unit": "trials",
                "domain": "therapeutic",
                "comparability": (
                    "Not comparable with published review counts (other searches, other dates, "
                    "registration vs start year)"
                ),
                "series_breaks": "",
                "substance": "ketamine and esketamine",
            }
        ]
    ).reindex(columns=list(INDICATOR_COLUMNS))


SOURCE = ClinicalTrials()
