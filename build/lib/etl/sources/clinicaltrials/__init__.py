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
from pathlib import Path
from typing import TYPE_CHECKING

from etl.contract import SourceFiles, Tables
from etl.sources.clinicaltrials.counts import indicators, trials_started
from etl.sources.clinicaltrials.meta import API_URL, MAX_PAGES, META, QUERY, TRIAL_COLUMNS
from etl.sources.clinicaltrials.pages import phase_label, read_pages, registry_vintage
from etl.trial_areas import classify, load_areas

if TYPE_CHECKING:
    from etl.http import HttpClient

__all__ = ["META", "QUERY", "SOURCE", "ClinicalTrials", "phase_label"]


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


SOURCE = ClinicalTrials()
