"""Series breaks kept as data (`etl/data/series_breaks.csv`), applied to a source's tables.

A break row names the publications (regex on the publication), the indicator wording (regex)
and optionally the strata (regex: MTF's 8th and 10th grades) it applies to, and one of four kinds:
- `break`: a method change; values before and after `start` are not one line;
- `gap`: no comparable estimates between `start` and `end` (a gap in the line, not a dip);
- `stop`: the question was dropped from `start` on (for the matching strata);
- `caveat`: values within `start`..`end` carry the publisher's warning in their note.

What it writes:
- `indicators.series_breaks`: '; '-joined entries `YYYY-MM-DD[..YYYY-MM-DD] kind: label`
  (the dashboard splits lines at these dates; labels never contain ';');
- a note on observations inside a caveat or gap period;
- one `events` row per break (category "survey or method change", with its citation), drawn
  as a rule on time charts.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pandas as pd

from etl.contract import EVENT_COLUMNS

BREAKS_PATH = Path(__file__).resolve().parent / "data" / "series_breaks.csv"
CATEGORY = "survey or method change"


@cache
def load_breaks(path: Path = BREAKS_PATH) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    for column in ("start", "end"):
        frame[column + "_date"] = pd.to_datetime(frame[column].replace("", None)).dt.date
    return frame


def matches(rule: pd.Series, publication: str, indicator_text: str, strata: set[str]) -> bool:
    if not re.search(rule["publication"], publication, re.I):
        return False
    if not re.search(rule["indicator"], indicator_text, re.I):
        return False
    return not rule["stratum"] or any(re.search(rule["stratum"], s, re.I) for s in strata)


def entry(rule: pd.Series) -> str:
    span = rule["start"] + (f"..{rule['end']}" if rule["end"] else "")
    return f"{span} {rule['kind']}: {rule['label']}"


def apply_breaks(
    observations: pd.DataFrame,
    indicators: pd.DataFrame,
    publications: dict[str, str],
    *,
    source_id: str,
    breaks: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(observations with caveat notes, indicators with series_breaks, break events)."""
    breaks = load_breaks() if breaks is None else breaks
    observations = observations.copy()
    indicators = indicators.copy()
    strata = observations.groupby("indicator")["stratum"].agg(lambda s: set(map(str, s)))
    entries: list[str] = []
    for _, row in indicators.iterrows():
        publication = publications.get(row["id"], "")
        found = [
            rule
            for _, rule in breaks.iterrows()
            if matches(rule, publication, str(row["definition"]), strata.get(row["id"], set()))
        ]
        entries.append("; ".join(entry(rule) for rule in found))
        for rule in found:
            if rule["kind"] not in ("caveat", "gap") or rule["end_date"] is None:
                continue
            inside = (
                (observations["indicator"] == row["id"])
                & (pd.to_datetime(observations["period_start"]).dt.date <= rule["end_date"])
                & (pd.to_datetime(observations["period_end"]).dt.date >= rule["start_date"])
            )
            observations.loc[inside, "note"] = [
                "; ".join(filter(None, [str(n) if pd.notna(n) else "", rule["label"]]))
                for n in observations.loc[inside, "note"]
            ]
    indicators["series_breaks"] = entries
    return observations, indicators, break_events(breaks, source_id=source_id)


def break_events(breaks: pd.DataFrame, *, source_id: str) -> pd.DataFrame:
    rows = [
        {
            "source": source_id,
            "date": rule["start_date"],
            "date_label": rule["start"][:4] if yearly(rule) else rule["start"][:7],
            "precision": "year" if yearly(rule) else "month",
            "category": CATEGORY,
            "event": f"{rule['label']}: {rule['description']}",
            "agency": rule["agency"],
            "citation_url": rule["citation_url"],
        }
        for _, rule in breaks.iterrows()
    ]
    return pd.DataFrame(rows, columns=list(EVENT_COLUMNS))


def yearly(rule: pd.Series) -> bool:
    """A break dated 1 January is known to the year (survey years), not to the day."""
    return rule["start"].endswith("-01-01")
