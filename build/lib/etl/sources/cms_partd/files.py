"""The publisher's rows read strictly: the CSV (found by its header) or the data API's JSON array,
each row numbered for messages; the wide header's year column groups, checked complete; numbers
read strictly; and the release the file belongs to."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from etl.contract import ParseError
from etl.rawcsv import strict_number
from etl.sources.cms_partd.meta import ID_COLUMNS, MEASURES, OUTLIER, YEAR_COLUMN


def read_csv(path: Path) -> tuple[pd.DataFrame, Path]:
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError) as error:
        raise ParseError(f"not a readable CSV ({error})", file=path) from error
    frame["_line"] = range(2, len(frame) + 2)
    return frame, path


def read_api_json(path: Path) -> tuple[pd.DataFrame, Path]:
    try:
        rows = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ParseError(f"not JSON ({error})", file=path) from error
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise ParseError("expected a JSON array of row objects (data.cms.gov data API)", file=path)
    frame = pd.DataFrame.from_records(rows).astype(object)
    frame = frame.where(frame.notna(), "").astype(str)
    frame["_line"] = [f"item {i}" for i in range(len(frame))]
    return frame, path


def year_groups(columns: Iterable[str]) -> dict[int, dict[str, str]]:
    """{year: {measure: column}} for every `<Measure>_YYYY` column, whatever the years."""
    groups: dict[int, dict[str, str]] = {}
    for column in columns:
        match = YEAR_COLUMN.match(column)
        if match:
            groups.setdefault(int(match["year"]), {})[match["measure"]] = column
    return dict(sorted(groups.items()))


def release_vintage(path: Path, years: Iterable[int]) -> str:
    """'RY24 release, data years 2018–2022': CMS names each release in its file name
    (`DSD_PTD_RY24_P04_V10_DY22_BGM.csv`); the data years come from the header, so a renamed
    file or the API's JSON still says which years it holds."""
    years = sorted(years)
    span = f"data years {years[0]}–{years[-1]}"
    release = re.search(r"(?:^|[_-])RY(\d{2})(?:[_-]|$)", path.stem, re.I)
    return f"RY{release[1]} release, {span}" if release else span


def check_layout(frame: pd.DataFrame, path: Path) -> dict[int, dict[str, str]]:
    missing = [c for c in ID_COLUMNS if c not in frame.columns]
    if missing:
        raise ParseError(f"missing columns {', '.join(missing)}", file=path, line=1)
    groups = year_groups(frame.columns)
    if not groups:
        raise ParseError("no year column groups (Tot_Clms_YYYY ...) in the header", file=path)
    for year, measures in groups.items():
        absent = [m for m in (*MEASURES, OUTLIER) if m not in measures]
        if absent:
            raise ParseError(
                f"year {year} lacks columns {', '.join(f'{m}_{year}' for m in absent)}",
                file=path,
                line=1,
            )
    return groups


def number(text: str, *, path: Path, line: object, column: str) -> float | None:
    try:
        return strict_number(text)
    except ValueError as error:
        raise ParseError(
            f"{column} {error}",
            file=path,
            line=line if isinstance(line, int) else None,
        ) from None
