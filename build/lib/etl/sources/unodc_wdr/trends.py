"""Annex table 2.1: experts' perception of the trend in ketamine use, by country and year.

Qualitative categories as published ("Large increase (>10%)", "Stable situation (+-5%)" ...):
stored as text in `unodc_wdr_trends`, one row per country, year and age group, never as a number.
"""

from __future__ import annotations

import pandas as pd

from etl.contract import ParseError
from etl.sources.unodc_wdr.sheets import find_table, label

HEADER = ("Country", "Year", "Drug", "Overall", "msCode")
AGE_GROUPS = {"overall": "all ages", "017": "0-17", "1824": "18-24", "25+": "25+"}
COLUMNS = [
    *("region", "subregion", "country", "ms_code", "year"),
    *("age_group", "category", "direction", "size", "line"),
]


def direction_of(category: str) -> tuple[str, str]:
    """('increase' | 'decrease' | 'stable' | '', 'large' | 'small' | '') from the wording."""
    text = category.lower()
    direction = next((d for d in ("increase", "decrease", "stable") if d in text), "")
    size = next((s for s in ("large", "small") if s in text), "")
    return direction, size


def read_trends(path) -> pd.DataFrame:
    table = find_table(path, HEADER, two_rows=False)
    rows = []
    for line, row in table.rows:
        if label(table.cell(row, "drug")).lower() != "ketamine":
            continue
        try:
            year = int(str(table.cell(row, "year")).strip())
        except ValueError:
            raise ParseError(
                f"sheet '{table.sheet}': year {table.cell(row, 'year')!r} is not a year",
                file=path,
                line=line,
            ) from None
        for column, age_group in AGE_GROUPS.items():
            category = label(table.cell(row, column))
            if not category:
                continue
            direction, size = direction_of(category)
            rows.append(
                {
                    "region": label(table.cell(row, "region")),
                    "subregion": label(table.cell(row, "subregion")),
                    "country": label(table.cell(row, "country")),
                    "ms_code": label(table.cell(row, "mscode")),
                    "year": year,
                    "age_group": age_group,
                    "category": category,
                    "direction": direction,
                    "size": size,
                    "line": line,
                }
            )
    return pd.DataFrame(rows, columns=COLUMNS)
