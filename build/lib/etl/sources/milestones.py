"""Dated regulatory and method milestones, drawn as rules on every time chart.

What it counts: events, not numbers — approvals (Spravato 2019, 2020, EU 2019/2021, monotherapy
2025), scheduling (US Schedule III 1999, UK Class B 2014) and FDA safety alerts on compounded
ketamine (2022, 2023). Curated from `shared/data/reference/therapeutic_milestones.csv`, each with
its citation URL.

Caveats: some dates are partial (`1970`, `2021-02`). They stay partial: `date` is the first day of
the period so a chart can place the rule, and `precision` says "year" or "month" so the label can
say the day is not known. The category (approval, scheduling, safety alert, survey or method
change, marketing) comes from keyword rules in `etl/data/milestone_categories.csv`.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pandas as pd

from etl.contract import EVENT_COLUMNS, ParseError, RemoteFile, SourceFiles, SourceMeta, Tables
from etl.periods import PeriodError, parse_date_label
from etl.rawcsv import read_strict_csv

CATEGORIES_PATH = Path(__file__).resolve().parent.parent / "data" / "milestone_categories.csv"

META = SourceMeta(
    id="milestones",
    title="Regulatory and method milestones",
    publisher="FDA, DEA, EMA, European Commission, UK Home Office (each row cites its own)",
    homepage="data/seed/milestones/therapeutic_milestones.csv (curated in this repository)",
    licence="Facts with citations",
    citation="Ketamine Watch curated milestones; see each event's citation",
    cadence="curated",
    domain="therapeutic",
    counts="dated events",
    caveats="Partial dates stay partial (year or month precision).",
    remote_files=(
        RemoteFile(
            name="milestones",
            url="",
            pattern="*milestones*.csv",
            kind="csv",
            header=("date", "event", "agency", "citation_url"),
        ),
    ),
    seed_reference=("therapeutic_milestones.csv",),
)


@cache
def load_categories(path: Path = CATEGORIES_PATH) -> tuple[tuple[re.Pattern[str], str], ...]:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return tuple((re.compile(r.pattern, re.I), r.category) for r in frame.itertuples())


def categorise(event: str, agency: str) -> str:
    for pattern, category in load_categories():
        if pattern.search(event) or pattern.search(agency):
            return category
    return "other"


class Milestones:
    meta = META

    def parse(self, files: SourceFiles) -> Tables:
        path = files["milestones"][0]
        frame = read_strict_csv(path, ("date", "event", "agency", "citation_url"))
        records = []
        for row in frame.to_dict("records"):
            line = row["line"]
            try:
                day, precision = parse_date_label(row["date"])
            except PeriodError as error:
                raise ParseError(str(error), file=path, line=line) from error
            records.append(
                {
                    "source": self.meta.id,
                    "date": day,
                    "date_label": row["date"],
                    "precision": precision,
                    "category": categorise(row["event"], row["agency"]),
                    "event": row["event"],
                    "agency": row["agency"],
                    "citation_url": row["citation_url"],
                }
            )
        events = pd.DataFrame.from_records(records, columns=list(EVENT_COLUMNS))
        return Tables(events=events)


SOURCE = Milestones()
