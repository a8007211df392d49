"""The EUDA "all data" file read strictly: one row per site, substance and year, by header,
with each weekday's load, the weekday and weekend means and the daily mean; and the edition the
file belongs to."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from etl.contract import ParseError
from etl.rawcsv import read_strict_csv, to_numbers, to_years
from etl.sources.euda_wastewater.meta import DAYS, ENCODINGS, LOAD_COLUMNS, NOT_MEASURED, UNIT
from etl.sources.euda_wastewater.places import fix_country, geography, text


def read_loads(path: Path) -> pd.DataFrame:
    raw = read_strict_csv(path, LOAD_COLUMNS, ENCODINGS)
    frame = places(raw, path)
    for column in (*DAYS, "Weekday mean", "Weekend mean"):
        frame[column.lower().replace(" ", "_")] = optional_loads(raw, column, path)
    frame["daily_mean"] = to_numbers(raw, "Daily mean", path, na=NOT_MEASURED, unit=UNIT)
    frame["unit"] = UNIT
    frame["line"] = raw["line"]
    refuse_repeated_rows(frame, path)
    return frame


def places(raw: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Year, substance and site, with the country code as mapped and the geography label."""
    frame = pd.DataFrame(
        {
            "year": to_years(raw, "Year", path),
            "metabolite": text(raw, "Metabolite"),
            "site_id": text(raw, "Site ID"),
            "country_published": text(raw, "Country"),
            "city": text(raw, "City"),
        }
    )
    fixed = [
        fix_country(c, s, y)
        for c, s, y in zip(frame["country_published"], frame["site_id"], frame["city"], strict=True)
    ]
    frame["country"] = [code for code, _ in fixed]
    frame["fix_note"] = [note for _, note in fixed]
    frame["geography"] = [
        geography(c, k) for c, k in zip(frame["city"], frame["country"], strict=True)
    ]
    return frame


def optional_loads(raw: pd.DataFrame, column: str, path: Path) -> pd.Series | float:
    """A day's (or mean's) loads; a column an edition leaves out is not measured."""
    if column not in raw:
        return float("nan")
    return to_numbers(raw, column, path, blank_ok=True, na=NOT_MEASURED, unit=UNIT)


def refuse_repeated_rows(frame: pd.DataFrame, path: Path) -> None:
    duplicated = frame.duplicated(["year", "metabolite", "site_id"], keep="first")
    if duplicated.any():
        row = frame.loc[duplicated].iloc[0]
        raise ParseError(
            f"site {row['site_id']} has two {row['metabolite']} rows for {row['year']}",
            file=path,
            line=int(row["line"]),
        )


def edition_vintage(path: Path, loads: pd.DataFrame) -> str:
    """'2025 edition (data to 2024)': the edition is in the publisher's file name (`ww2025-...`),
    the data year in the file; a renamed file still says which data year it holds."""
    last = int(loads["year"].max())
    edition = re.search(r"ww(\d{4})", path.name.lower())
    if edition:
        return f"{edition[1]} edition (data to {last})"
    return f"edition with data to {last}"
