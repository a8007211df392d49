"""ONS deaths related to drug poisoning, England and Wales (reference tables, by registration year).

What it counts: deaths REGISTERED in a calendar year whose underlying cause is drug poisoning
(ICD-10 codes in the workbook's Definition sheet; ICD-9 before 2001), and the subset that is
"drug misuse" (a subset: the two cannot be added). Deaths, not people at risk; a death can take
months or years to be registered after an inquest, so a year's count is not the deaths that
happened in that year.

Why it is here (domain `context`, not `mortality`: no page or headline takes an all-drug total
for a ketamine count). This release has NO ketamine column (ONS counts of ketamine mentions come
from custom requests or FOI, which the `literature` source carries). It gives the context: the
total drug-poisoning deaths (2022: 4,907) and the comparison substances of Table 4.

Parsed (found by the tables' titles and headers, not by sheet names or cell addresses):
- Table 1 ("by sex, country and underlying cause"), all underlying causes only:
  `ons_drug_poisoning_deaths_all` and `_deaths_misuse`, geography England and Wales / England /
  Wales, stratum persons / males / females.
- Table 4 ("age-standardised mortality rates ... selected substances by sex"): age-standardised
  rates per million (2013 European Standard Population) with their 95% confidence limits, and,
  for each selected substance, deaths with that substance MENTIONED on the death certificate
  (`ons_drug_poisoning_deaths_<substance>`, `_asmr_<substance>`). "Mentioned" is not "caused":
  a death mentioning two substances counts under both.
  Table 4's own all-poisoning and misuse death counts repeat Table 1 and are not loaded twice.

Flags and gaps, as ONS publishes them:
- ONS does not calculate a rate from fewer than 10 deaths (shown ':'): no observation is made up
  for it; the death count stays.
- Rates from 10-19 deaths are marked 'u' by ONS: flagged `unreliable`.
- 2011 coding change (mostly within underlying causes, small for totals) and the ICD-9 to ICD-10
  switch in 2001 are recorded as series breaks on the indicators.

Live: the current edition is `...referencetable/current/2023registrations.xlsx` (matched by
`*registrations*.xlsx`). Seed: the published totals from the reference figures (2022 = 4,907 from
Table 1; 2023 = 5,448 as read in a news report, flagged `secondary`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from etl.contract import (
    INDICATOR_COLUMNS,
    ParseError,
    RemoteFile,
    SourceFiles,
    SourceMeta,
    Tables,
)
from etl.observation_frame import observations_from_records
from etl.xlsxblocks import BlockRow, Column, find_sheet, open_workbook, read_blocks

URL = (
    "https://www.ons.gov.uk/file?uri=/peoplepopulationandcommunity/birthsdeathsandmarriages/"
    "deaths/datasets/deathsrelatedtodrugpoisoningenglandandwalesreferencetable/current/"
    "2023registrations.xlsx"
)
HOMEPAGE = (
    "https://www.ons.gov.uk/peoplepopulationandcommunity/birthsdeathsandmarriages/deaths/"
    "datasets/deathsrelatedtodrugpoisoningenglandandwalesreferencetable"
)
CITATION = (
    "Office for National Statistics (ONS). Deaths related to drug poisoning, England and Wales: "
    "reference tables. Crown copyright, Open Government Licence v3.0."
)
SEXES = ("Persons", "Males", "Females")
TABLE1 = re.compile(r"drug.related poisoning and drug misuse, by sex, country and underlying", re.I)
TABLE4 = re.compile(r"age-standardised mortality rates .*selected substances by sex", re.I)
DEATHS_UNIT = "deaths"
RATE_UNIT = "deaths per 1,000,000 population (age-standardised, 2013 ESP)"
BREAKS = (
    "2001-01-01 break: ICD-9 to ICD-10 cause-of-death coding; "
    "2011-01-01 break: ICD-10 coding software update (large for mental and behavioural causes, "
    "very small for totals)"
)

META = SourceMeta(
    id="ons_drug_poisoning",
    title="ONS deaths related to drug poisoning, England and Wales",
    publisher="Office for National Statistics (ONS)",
    homepage=HOMEPAGE,
    licence="Open Government Licence v3.0 (Crown copyright)",
    citation=CITATION,
    cadence="annual (registrations of the previous year, published each autumn/winter)",
    domain="context",
    counts="deaths registered in the year (not deaths occurring in it)",
    caveats=(
        "No ketamine column in the standard tables. Substances are 'mentioned' on the death "
        "certificate, not necessarily the cause; registration delays shift deaths between years."
    ),
    remote_files=(RemoteFile("workbook", URL, "*registrations*.xlsx", "xlsx"),),
    seed_release=(
        "Deaths related to drug poisoning, England and Wales: 2022 registrations reference "
        "tables, published 19 December 2023, unmodified"
    ),
)


class OnsDrugPoisoning:
    meta = META

    def parse(self, files: SourceFiles) -> Tables:
        path = files["workbook"][0]
        workbook = open_workbook(path)
        try:
            totals = table1_rows(*read_table(workbook, TABLE1, path), path=path)
            substances = table4_rows(*read_table(workbook, TABLE4, path), path=path)
            copyright_year = crown_copyright_year(workbook)
        finally:
            workbook.close()
        observations = observations_from_records(
            [*totals, *substances], source=META.id, citation=CITATION, citation_url=HOMEPAGE
        )
        if observations.empty:
            raise ParseError("Tables 1 and 4 hold no deaths", file=path)
        last = int(pd.to_datetime(observations["period_end"]).dt.year.max())
        observations["vintage"] = f"{last} registrations edition" + (
            f" (Crown copyright {copyright_year})" if copyright_year else ""
        )
        observations = observations.sort_values(
            ["indicator", "geography", "stratum", "period_start"], ignore_index=True
        )
        return Tables(observations=observations, indicators=indicators(observations))


def crown_copyright_year(workbook) -> int | None:
    """The year on the workbook's own '© Crown copyright YYYY' line: when the edition was
    published (the 2022 registrations appeared in December 2023)."""
    for sheet in workbook.worksheets[:4]:
        for row in sheet.iter_rows(max_row=40, values_only=True):
            for cell in row:
                found = re.search(r"crown copyright\s+((?:19|20)\d{2})", str(cell or ""), re.I)
                if found:
                    return int(found[1])
    return None


def read_table(workbook, title: re.Pattern[str], path: Path) -> tuple[list[Column], list[BlockRow]]:
    sheet = find_sheet(workbook, title, path)
    return read_blocks(sheet, path, block_heading="Sex", blocks=SEXES)


def observation(indicator: str, geography: str, row: BlockRow, value: float, path: Path) -> dict:
    """The fields of one row that vary (the builder adds source and citation)."""
    year = str(row.year)
    return {
        "indicator": indicator,
        "geography": geography,
        "period": year,
        "stratum": row.block.lower(),
        "value": value,
        "lower": None,
        "upper": None,
        "unit": DEATHS_UNIT,
        "flags": "",
        "note": f"{path.name}, row {row.line}; deaths registered in {year}",
    }


def measure_of(label: str) -> str | None:
    lowered = label.lower()
    if "misuse" in lowered:
        return "misuse"
    if "all drug poisoning" in lowered:
        return "all"
    return None


def table1_rows(columns: list[Column], rows: list[BlockRow], *, path: Path) -> list[dict]:
    """All-cause drug-poisoning and drug-misuse deaths by country and sex."""
    wanted = [
        (c, measure_of(c.labels[1]))
        for c in columns
        if len(c.labels) >= 3 and c.labels[0].lower() == "all causes" and measure_of(c.labels[1])
    ]
    if not wanted:
        raise ParseError("Table 1 has no 'All causes' drug poisoning columns", file=path)
    records = []
    for row in rows:
        for column, measure in wanted:
            cell = row.cells[column.index]
            if cell.value is None:
                continue
            records.append(
                observation(
                    f"ons_drug_poisoning_deaths_{measure}", column.labels[-1], row, cell.value, path
                )
            )
    return records


def substance_slug(label: str) -> tuple[str, str]:
    """('cocaine', 'Cocaine') from 'Cocaine 8,9': footnote numbers dropped."""
    clean = re.sub(r"\s+\d+(\s*,\s*\d+)*\s*$", "", label).strip()
    measure = measure_of(clean)
    if measure:
        return measure, clean
    short = re.sub(r"\s*\(.*?\)", "", clean)
    return re.sub(r"[^a-z0-9]+", "_", short.lower()).strip("_")[:40], clean


def table4_rows(columns: list[Column], rows: list[BlockRow], *, path: Path) -> list[dict]:
    """Deaths mentioning each substance and age-standardised rates with 95% limits."""
    groups: dict[str, dict[str, Column]] = {}
    for column in columns:
        slug, _ = substance_slug(column.labels[0])
        groups.setdefault(slug, {})[column.labels[-1].lower()] = column
    records = []
    for slug, parts in groups.items():
        deaths, rate = parts.get("deaths"), parts.get("rate")
        lower = parts.get("lower confidence limit")
        upper = parts.get("upper confidence limit")
        for row in rows:
            if deaths is not None and slug not in ("all", "misuse"):
                cell = row.cells[deaths.index]
                if cell.value is not None:
                    records.append(
                        observation(
                            f"ons_drug_poisoning_deaths_{slug}",
                            "England and Wales",
                            row,
                            cell.value,
                            path,
                        )
                    )
            if rate is None:
                continue
            cell = row.cells[rate.index]
            if cell.value is None:  # ':' - ONS calculates no rate from fewer than 10 deaths
                continue
            record = observation(
                f"ons_drug_poisoning_asmr_{slug}", "England and Wales", row, cell.value, path
            )
            record["unit"] = RATE_UNIT
            record["lower"] = row.cells[lower.index].value if lower else None
            record["upper"] = row.cells[upper.index].value if upper else None
            if cell.marker == "u":
                record["flags"] = "unreliable"
                record["note"] += "; ONS: rate from 10-19 deaths, unreliable"
            records.append(record)
    return records


LABELS = {
    "all": "all drug poisoning",
    "misuse": "drug misuse (subset of drug poisoning)",
}


def indicators(observations: pd.DataFrame | None = None) -> pd.DataFrame:
    """Indicator rows for the ids present (all known totals when called without data)."""
    ids = (
        sorted(observations["indicator"].unique())
        if observations is not None
        else [f"ons_drug_poisoning_{k}_{m}" for k in ("deaths", "asmr") for m in LABELS]
    )
    rows = [indicator_row(i) for i in ids]
    return pd.DataFrame(rows).reindex(columns=list(INDICATOR_COLUMNS))


def indicator_row(indicator_id: str) -> dict:
    kind, slug = re.match(r"ons_drug_poisoning_(deaths|asmr)_(.+)", indicator_id).groups()
    what = LABELS.get(slug, slug.replace("_", " "))
    mentioned = slug not in LABELS
    if kind == "deaths":
        label = f"ONS deaths registered: {what}" + (" (mentioned)" if mentioned else "")
        definition = (
            f"Drug-poisoning deaths registered in the year with {what} mentioned on the death "
            "certificate (Table 4)"
            if mentioned
            else f"Deaths registered in the year with an underlying cause of {what} (Table 1)"
        )
        unit = DEATHS_UNIT
    else:
        label = f"ONS age-standardised death rate: {what}" + (" (mentioned)" if mentioned else "")
        definition = (
            f"Age-standardised mortality rate per million, deaths related to {what}, 2013 "
            "European Standard Population; 95% confidence limits; no rate from fewer than 10 "
            "deaths (Table 4)"
        )
        unit = RATE_UNIT
    return {
        "id": indicator_id,
        "source": META.id,
        "label": label,
        "definition": definition,
        "unit": unit,
        "domain": "context",
        "comparability": (
            "Registrations, not occurrences; 'mentioned' is not 'caused'; misuse is a subset "
            "of drug poisoning"
        ),
        "series_breaks": BREAKS,
        "substance": "all drugs" if slug in LABELS else what.lower(),
    }


SOURCE = OnsDrugPoisoning()
