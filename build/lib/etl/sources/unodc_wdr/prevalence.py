"""Annex tables 1.2 (general population) and 1.4 (youth and students): ketamine prevalence by
country as UNODC compiled it, one observation per published cell (measure x sex), each cited to
the national survey named in the row's `Source` and to UNODC as compiler."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from etl.contract import ParseError
from etl.periods import PeriodError, parse_period
from etl.sources.unodc_wdr.sheets import Table, find_table, label, number

MEASURES = {"lifetime": "lifetime", "pastyear": "past_year", "pastmonth": "past_month"}
MEASURE_WORDS = {"lifetime": "lifetime", "past_year": "past-year", "past_month": "past-month"}
SEXES = {"total": "total", "all": "total", "male": "male", "female": "female"}
UNIT = "percent"
# UNODC's own estimates say so in the Source column ("Estimates for age group 15-64 were
# derived on the basis of published prevalence for the age group 12+ ...").
DERIVED = re.compile(r"estimates? for age group .* (were|was) derived", re.I)
ARQ = "Annual Report Questionnaire (ARQ) reply"


@dataclass(frozen=True)
class Population:
    slug: str
    table_no: str
    header: tuple[str, ...]
    year: str  # header key of the survey-year column
    age: str  # header key of the age band / grade column


GENERAL = Population(
    "general",
    "1.2",
    ("Country/Territory", "Substance", "Lifetime", "Year", "Age", "Source"),
    "year",
    "age",
)
YOUTH = Population(
    "youth",
    "1.4",
    ("Country/ Territory", "Substance", "Year of Estimate", "Coverage (age/grade)", "Source"),
    "yearofestimate",
    "coverageagegrade",
)
LABELS = {
    "general": "general population (national household surveys)",
    "youth": "youth and students (school, university and young-adult surveys)",
}


def indicator_id(population: str, measure: str) -> str:
    return f"unodc_wdr_prevalence_{population}_{measure}"


def read_prevalence(path, population: Population, citation: str) -> tuple[pd.DataFrame, list[str]]:
    table = find_table(path, population.header, two_rows=True)
    rows, notes = [], []
    for line, row in table.rows:
        if label(table.cell(row, "substance")).lower() != "ketamine":
            continue
        found, skipped = cells(table, population, line, row, citation)
        rows.extend(found)
        notes.extend(skipped)
    frame = pd.DataFrame(rows)
    if frame.empty:
        raise ParseError(f"no Ketamine rows in sheet '{table.sheet}'", file=path)
    return frame, notes


def country_of(table: Table, row: tuple) -> str:
    return label(table.cell(row, "countryterritory"))


def cells(
    table: Table, population: Population, line: int, row: tuple, citation: str
) -> tuple[list[dict], list[str]]:
    country = country_of(table, row)
    if not country:
        raise ParseError("a Ketamine row without a country", file=table.path, line=line)
    period = survey_period(table, population, line, row)
    age = label(table.cell(row, population.age)) or "age not stated"
    source = label(table.cell(row, "source"))
    found, skipped = [], []
    for name in table.columns:
        if "|" not in name:
            continue
        group, sub = name.split("|", 1)
        if group not in MEASURES or sub not in SEXES:
            continue
        value, marker = number(table, row, name, line)
        if marker:
            skipped.append(
                f"{table.path.name} line {line}: {country} {period.label} published '{marker}'"
                " (not a number; see the Source note) - not loaded"
            )
        if value is None:
            continue
        found.append(
            observation(population, MEASURES[group], SEXES[sub], country, period, age, source)
            | {"value": value, "line": line, "citation": cite(source, population, citation)}
        )
    return found, skipped


def survey_period(table: Table, population: Population, line: int, row: tuple):
    raw = label(table.cell(row, population.year))
    text = re.sub(r"\.0$", "", raw)
    text = re.sub(r"^(\d{4})-(\d{2})$", r"\1/\2", text)  # '2018-19' is a survey year span
    try:
        period = parse_period(text)
    except PeriodError:
        raise ParseError(
            f"sheet '{table.sheet}': survey year '{raw}' cannot be placed on a time axis",
            file=table.path,
            line=line,
        ) from None
    return period.__class__(period.start, period.end, raw, period.note, period.approximate)


def observation(population, measure, sex, country, period, age, source) -> dict:
    derived = bool(DERIVED.search(source))
    notes = [f"national source: {source or 'not stated'}"]
    if derived:
        notes.insert(0, "UNODC's own age-adjusted estimate, not a published survey figure")
    return {
        "source": "unodc_wdr",
        "indicator": indicator_id(population.slug, measure),
        "geography": country,
        "period_start": period.start,
        "period_end": period.end,
        "period_label": period.label,
        "stratum": f"{age}; {sex}",
        "lower": None,
        "upper": None,
        "unit": UNIT,
        "flags": "projected" if derived else "",
        "note": "; ".join(notes),
    }


def cite(source: str, population: Population, citation: str) -> str:
    national = re.sub(r"\bARQ\b", ARQ, source) if source else "national source not stated"
    return f"{national}; compiled in {citation}, table {population.table_no}"


def indicators() -> list[dict]:
    rows = []
    for population in ("general", "youth"):
        for measure in MEASURES.values():
            rows.append(
                {
                    "id": indicator_id(population, measure),
                    "label": (
                        f"Ketamine {MEASURE_WORDS[measure]} prevalence, "
                        f"{LABELS[population]} (UNODC compilation)"
                    ),
                    "definition": (
                        f"Percentage reporting {MEASURE_WORDS[measure]} ketamine use in a national "
                        f"survey of the {LABELS[population]}, as transcribed by UNODC (World Drug "
                        f"Report annex table {'1.2' if population == 'general' else '1.4'}); the "
                        "age band or grade is in the stratum, the survey in the note"
                    ),
                    "unit": UNIT,
                    "domain": "misuse",
                    "comparability": (
                        "Each country's surveys differ in age band, method and year; compare a "
                        "country's own series with the same age band only, never levels across "
                        "countries as one ranking. Rows flagged 'projected' are UNODC's own "
                        "age-adjusted estimates."
                    ),
                    "substance": "ketamine",
                }
            )
    return rows
