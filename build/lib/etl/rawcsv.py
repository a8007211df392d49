"""Read a publisher's CSV strictly: a wrong file gives a ParseError naming the file and the line.

Publishers' CSVs go wrong in a few recurring ways, and each gets its own clear message rather
than a pandas traceback or, worse, a silently empty table:
- an HTML page (an error or landing page) saved in place of the file;
- a wrong delimiter (`;` or tab), which pandas reads as one wide column;
- a renamed or missing column, or a header with no rows below it;
- a cell that should be a number or a year and is not;
- a cell too long to be real, or holding control characters (a NUL block from a damaged copy);
- a number outside its unit's plausible range (`etl/plausible.py`), named with its line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from etl.contract import ParseError
from etl.plausible import CELL_LIMIT, CONTROL, range_for, shown, text_problem

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


def read_strict_csv(
    path: Path, required: Iterable[str], encodings: tuple[str, ...] = ("utf-8-sig",)
) -> pd.DataFrame:
    """All columns as text, with `line` = the file's line number of each row (header is line 1).

    `encodings` are tried in order: a publisher known to export in a Windows code page as well
    as UTF-8 (EUDA) names both; UTF-8 comes first, because cp1252 decodes almost any bytes."""
    required = tuple(required)
    sniff_html(path)
    frame = None
    for encoding in encodings:
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding)
            break
        except UnicodeDecodeError as error:
            if encoding == encodings[-1]:
                raise ParseError(f"not a readable CSV ({error})", file=path) from error
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
            raise ParseError(
                f"not a readable CSV ({error})", file=path, line=csv_error_line(error)
            ) from error
    assert frame is not None
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
    if frame.empty:  # every publisher file read here has rows; a header alone is a cut file
        raise ParseError("header only: no rows", file=path, line=2)
    frame["line"] = range(2, len(frame) + 2)
    check_cells(frame, path)
    return frame


def check_cells(frame: pd.DataFrame, path: Path) -> None:
    """Refuse a cell longer than any real one or holding control characters (file, line,
    column and the cell's start): a damaged copy must not publish a 64 MB city name."""
    for column in frame.columns.drop("line"):
        cells = frame[column]
        suspect = (cells.str.len() > CELL_LIMIT) | cells.str.contains(CONTROL.pattern)
        if suspect.any():
            index = suspect.idxmax()
            cell = str(cells.at[index])
            raise ParseError(
                f"column {column}: {shown(cell)} {text_problem(cell, CELL_LIMIT)}",
                file=path,
                line=int(frame.at[index, "line"]),
            )


GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
PLAIN = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def strict_number(text: object) -> float | None:
    """A publisher's number as written: '49,999,095.00', '84.4', '3e+05' or blank (None).

    A comma is a thousands separator only where it groups three digits: '49999095,00' or '84,4'
    (a decimal comma, or a damaged cell) raises ValueError instead of being read as 100 or 10
    times the value, and so do 'inf', 'nan' and anything else that is not a finite number."""
    cleaned = str(text).strip().replace("\xa0", "").replace("\u202f", "")
    if cleaned == "":
        return None
    if "," in cleaned:
        if not GROUPED.fullmatch(cleaned):
            raise ValueError(f"'{text}': a comma that does not group thousands (decimal comma?)")
        cleaned = cleaned.replace(",", "")
    if not PLAIN.fullmatch(cleaned):
        raise ValueError(f"'{text}' is not a number")
    return float(cleaned)


def to_numbers(
    frame: pd.DataFrame,
    column: str,
    path: Path,
    *,
    blank_ok: bool = False,
    na: tuple = (),
    unit: str | None = None,
) -> pd.Series:
    """Column as floats (`strict_number`); a cell that is not a number, or (given its `unit`)
    is outside the unit's plausible range, raises with its line, column and value."""
    bounds = range_for(unit) if unit else None
    values: list[float | None] = []
    for index, cell in frame[column].astype(str).str.strip().items():
        try:
            value = None if cell in na else strict_number(cell)
        except ValueError as error:
            raise ParseError(
                f"{column} {error}", file=path, line=int(frame.at[index, "line"])
            ) from None
        if value is not None and bounds and (problem := bounds.problem(value)):
            raise ParseError(
                f"column {column}: {cell} {unit} {problem} ({bounds.describe()})",
                file=path,
                line=int(frame.at[index, "line"]),
            )
        values.append(value)
    numbers = pd.Series(values, index=frame.index, dtype="float64")
    # A cell in `na` is the publisher's own "missing" mark, allowed where a blank is not.
    empty = numbers.isna() & ~frame[column].astype(str).str.strip().isin(na)
    if not blank_ok and empty.any():
        row = frame.loc[empty].iloc[0]
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
