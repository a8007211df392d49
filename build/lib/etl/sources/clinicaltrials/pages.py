"""Saved API v2 pages -> one row per study (the `trials` detail table), strictly: a page that is
not JSON, lacks its studies list, holds fewer studies than its totalCount, or a study whose NCT id
or start date is malformed is refused with the file and the study."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from etl.contract import ParseError
from etl.sources.clinicaltrials.meta import STUDY_URL, TRIAL_COLUMNS


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
