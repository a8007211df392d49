"""Annex table 7.1: kilograms of "ketamine and phencyclidine-type substances" seized, by country
and year. Every published record is kept in `unodc_wdr_seizures`; one value per country-year
reaches `observations` by the rule in `choose`, never by summing records."""

from __future__ import annotations

import pandas as pd

from etl.contract import ParseError
from etl.sources.unodc_wdr.sheets import Table, find_table, label, number

HEADER = ("Country", "DrugName", "Reference year", "Kilograms")
DRUG = "ketamine and phencyclidine-type substances"
INDICATOR = "unodc_wdr_seizures_ketamine_pcp"
UNIT = "kg"
STRATUM = "all reported seizures"
RULE = (
    "Where UNODC lists several records for one country and year (different reporting forms or "
    "agencies, sometimes the same total twice: Hong Kong 2020 lists 472.9, 472.87 and 31.73 kg), "
    "the largest record is shown: a lower bound on the year's seizures. Records are never summed, "
    "because some repeat one another; every record is kept in the seizures table."
)
DETAIL_COLUMNS = [
    *("region", "subregion", "country", "ms_code", "year", "kilograms"),
    *("record", "records_in_year", "shown", "line", "note"),
]


def read_seizures(path) -> pd.DataFrame:
    """Every ketamine/PCP-type record of table 7.1, in sheet order, numbered within its
    country-year (`record`), with `shown` marking the one drawn."""
    table = find_table(path, HEADER, two_rows=False)
    rows = [record(table, line, row) for line, row in table.rows if is_ketamine(table, row)]
    frame = pd.DataFrame(rows, columns=[c for c in DETAIL_COLUMNS if c not in ("shown",)])
    if frame.empty:
        raise ParseError(f"no '{DRUG}' rows in sheet '{table.sheet}'", file=path)
    group = frame.groupby(["country", "year"], sort=False)
    frame["record"] = group.cumcount() + 1
    frame["records_in_year"] = group["line"].transform("size")
    frame["shown"] = False
    frame.loc[choose(frame), "shown"] = True
    frame["note"] = [
        note_for(frame, country, year, n)
        for country, year, n in zip(
            frame["country"], frame["year"], frame["records_in_year"], strict=True
        )
    ]
    return frame.reindex(columns=DETAIL_COLUMNS)


def is_ketamine(table: Table, row: tuple) -> bool:
    return label(table.cell(row, "drugname")).lower() == DRUG


def record(table: Table, line: int, row: tuple) -> dict:
    year = table.cell(row, "referenceyear")
    try:
        year = int(str(year).strip())
    except ValueError:
        raise ParseError(
            f"sheet '{table.sheet}': reference year {year!r} is not a year",
            file=table.path,
            line=line,
        ) from None
    kilograms, marker = number(table, row, "kilograms", line)
    if kilograms is not None and kilograms < 0:
        raise ParseError(f"negative kilograms ({kilograms})", file=table.path, line=line)
    country = label(table.cell(row, "country"))
    if not country:
        raise ParseError("a seizure row without a country", file=table.path, line=line)
    return {
        "region": label(table.cell(row, "region")),
        "subregion": label(table.cell(row, "subregion")),
        "country": country,
        "ms_code": label(table.cell(row, "mscode")),
        "year": year,
        "kilograms": kilograms,
        "line": line,
        "note": f"published as '{marker}'" if marker else "",
    }


def choose(frame: pd.DataFrame) -> pd.Index:
    """Index of the record drawn for each country-year: the largest published one (blank
    records are never drawn; a country-year with only blanks has no observation)."""
    known = frame[frame["kilograms"].notna()]
    return known.groupby(["country", "year"], sort=False)["kilograms"].idxmax().to_numpy()


def note_for(frame: pd.DataFrame, country: str, year: int, n: int) -> str:
    if n == 1:
        return ""
    values = frame.loc[(frame["country"] == country) & (frame["year"] == year), "kilograms"]
    listed = ", ".join("blank" if pd.isna(v) else f"{v:,.6g}" for v in values)
    return f"{n} records for {year} ({listed} kg); the largest is shown, records are not summed"


def observations(records: pd.DataFrame) -> pd.DataFrame:
    shown = records[records["shown"]]
    years = shown["year"].astype(str)
    return pd.DataFrame(
        {
            "source": "unodc_wdr",
            "indicator": INDICATOR,
            "geography": shown["country"],
            "period_start": pd.to_datetime(years + "-01-01").dt.date,
            "period_end": pd.to_datetime(years + "-12-31").dt.date,
            "period_label": years,
            "stratum": STRATUM,
            "value": shown["kilograms"].astype(float),
            "lower": None,
            "upper": None,
            "unit": UNIT,
            "flags": "proxy",
            "note": [
                "; ".join(filter(None, [n, "ketamine pooled with phencyclidine-type substances"]))
                for n in shown["note"]
            ],
        }
    ).reset_index(drop=True)


def indicator() -> dict:
    return {
        "id": INDICATOR,
        "label": "Seizures of ketamine and phencyclidine-type substances (kg)",
        "definition": (
            "Kilograms of 'ketamine and phencyclidine-type substances' seized by national "
            "authorities in the year, as reported to UNODC (Annual Report Questionnaire and other "
            "official sources). " + RULE
        ),
        "unit": UNIT,
        "domain": "supply",
        "comparability": (
            "A seizure measures enforcement activity, not use; one large seizure can dominate a "
            "year. Ketamine is pooled with PCP-type substances. Countries report differently "
            "and some years are missing."
        ),
        "substance": "ketamine and PCP-type substances",
    }
