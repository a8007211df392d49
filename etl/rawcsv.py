"""Read a publisher's CSV strictly: a wrong file gives a ParseError naming the file and the line.

Publishers' CSVs go wrong in a few recurring ways, and each gets its own clear message rather
than a pandas traceback or, worse, a silently empty table:
- an HTML page (an error or landing page) saved in place of the file;
- a wrong delimiter (`;` or tab), which pandas reads as one wide column;
- a renamed or missing column;
- a cell that should be a number or a year and is not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from etl.contract import ParseError

_HTML = re.compile(rb"^\s*(<!doctype html|<html|<\?xml|<head|<body)", re.I)


def sniff_html(path: Path) -> None:
    """Raise if the file starts like an HTML (or XML) page rather than data."""
    with path.open("rb") as handle:
        head = handle.read(512).lstrip(b"\xef\xbb\xbf")
    if _HTML.match(head):
        raise ParseError("is an HTML page, not the data file (publisher error page?)", file=path)


def csv_error_line(error: Exception) -> int | None:
    """The file line a pandas CSV error points at ('row 3' counts from 0, header included)."""
    text = str(error)
    if match := re.search(r"in line (\d+)", text):
        return int(match[1])
    if match := re.search(r"row (\d+)", text):
        return int(match[1]) + 1
    return None


def read_strict_csv(path: Path, required: Iterable[str]) -> pd.DataFrame:
    """All columns as text, with `line` = the file's line number of each row (header is line 1)."""
    required = tuple(required)
    sniff_html(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise ParseError(
            f"not a readable CSV ({error})", file=path, line=csv_error_line(error)
        ) from error
    columns = [str(c).strip() for c in frame.columns]
    frame.columns = columns
    missing = [c for c in required if c not in columns]
    if missing:
        found = ", ".join(columns[:8])
        hint = ""
        if len(columns) == 1 and any(sep in columns[0] for sep in (";", "\t", "|")):
            hint = " (the header is one column: wrong delimiter, expected commas)"
        raise ParseError(
            f"missing columns {', '.join(missing)}{hint}; found {found}", file=path, line=1
        )
    frame["line"] = range(2, len(frame) + 2)
    return frame


def to_numbers(
    frame: pd.DataFrame, column: str, path: Path, *, blank_ok: bool = False, na: tuple = ()
) -> pd.Series:
    """Column as floats; a cell that is not a number raises with its line."""
    text = frame[column].astype(str).str.strip().str.replace("\xa0", "", regex=False)
    empty = text.eq("") | text.isin(na)
    numbers = pd.to_numeric(text.where(~empty), errors="coerce")
    bad = numbers.isna() & ~empty
    if not blank_ok:
        bad |= empty
    if bad.any():
        row = frame.loc[bad].iloc[0]
        raise ParseError(
            f"{column} '{row[column]}' is not a number", file=path, line=int(row["line"])
        )
    return numbers


def to_years(frame: pd.DataFrame, column: str, path: Path) -> pd.Series:
    """Column of four-digit years as ints; anything else raises with its line."""
    text = frame[column].astype(str).str.strip()
    good = text.str.fullmatch(r"(19|20)\d\d")
    if not good.all():
        row = frame.loc[~good].iloc[0]
        raise ParseError(
            f"{column} '{row[column]}' is not a year", file=path, line=int(row["line"])
        )
    return text.astype(int)
