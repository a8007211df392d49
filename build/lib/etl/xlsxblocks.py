"""Read a statistical-office table out of an Excel sheet by its content, not by cell addresses.

ONS-style reference tables have title rows, a band of multi-row headers whose labels sit only in
the first cell of a merged range, data blocks whose label ("Persons", "Males", "Females") sits only
on the block's first row, and footnote rows underneath. `read_blocks` finds the header row (the one
whose first cell is the block label heading, e.g. "Sex", and which names a "Year" column), fills
the header labels across their merged ranges, carries the block label down, and stops at the
footnotes. Marker columns (an unlabelled column right of a value, holding "u" for unreliable) are
attached to the value on their left. Every problem raises ParseError with the sheet row number.

Bounds (etl.limits): a workbook whose parts declare more than XLSX_MAX_UNPACKED bytes unpacked is
refused before openpyxl reads it (its shared strings are held in memory), and a sheet is read
for at most XLSX_MAX_CELLS cells (read-only mode pads every row to the sheet's widest, so a few
MB of XML can stand for billions of cells). Quoted cell values are short excerpts.
"""

from __future__ import annotations

import math
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from etl import limits
from etl.contract import ParseError
from etl.limits import RefusedFile, excerpt
from etl.rawcsv import sniff_html, strict_number

FOOTNOTE = re.compile(r"^\s*(\d+\s|source\b|notes?\b|\*)", re.I)


@dataclass(frozen=True)
class Column:
    index: int
    labels: tuple[str, ...]  # header band labels, outermost first, then the column's own label


@dataclass
class Cell:
    value: float | None  # None when the publisher shows a symbol instead of a number
    symbol: str = ""  # ':' (not calculated), 'z', 'x' ... as published
    marker: str = ""  # 'u' (unreliable) from the marker column to the right


@dataclass
class BlockRow:
    line: int  # the sheet's row number
    block: str
    year: int
    cells: dict[int, Cell] = field(default_factory=dict)


def open_workbook(path: Path) -> Workbook:
    sniff_html(path)
    try:
        check_unpacked_size(path)
        return load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as error:
        raise ParseError(f"not an Excel workbook ({error})", file=path) from error


def check_unpacked_size(path: Path) -> None:
    """Refuse a workbook whose parts unpack past XLSX_MAX_UNPACKED (zipfile never reads past
    a part's declared size, so the declared sizes bound what openpyxl can unpack)."""
    with zipfile.ZipFile(path) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > limits.XLSX_MAX_UNPACKED:
        raise RefusedFile(
            f"workbook parts unpack to {unpacked} bytes, over the limit of "
            f"{limits.XLSX_MAX_UNPACKED} bytes; not read",
            file=path,
        )


def sheet_rows(sheet: Worksheet, path: Path) -> list[tuple]:
    """Every row of `sheet` as a tuple of values, refused past XLSX_MAX_CELLS cells."""
    rows: list[tuple] = []
    cells = 0
    for row in sheet.iter_rows(values_only=True):
        cells += len(row)
        if cells > limits.XLSX_MAX_CELLS:
            raise RefusedFile(
                f"sheet '{excerpt(sheet.title, 40)}' has more than {limits.XLSX_MAX_CELLS} cells "
                f"(passed at row {len(rows) + 1}); not read further",
                file=path,
                line=len(rows) + 1,
            )
        rows.append(tuple(row))
    return rows


def find_sheet(workbook: Workbook, title: re.Pattern[str], path: Path) -> Worksheet:
    """The sheet whose first rows contain text matching `title` (sheet names change)."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(min_row=1, max_row=6, values_only=True):
            if any(isinstance(v, str) and title.search(v) for v in row):
                return sheet
    raise ParseError(f"no sheet has a title matching '{title.pattern}'", file=path)


def text(value: object) -> str:
    return "" if value is None else str(value).strip()


def read_blocks(
    sheet: Worksheet, path: Path, *, block_heading: str, blocks: tuple[str, ...]
) -> tuple[list[Column], list[BlockRow]]:
    rows = sheet_rows(sheet, path)
    where = f"sheet '{sheet.title}': "
    header_at = find_header(rows, block_heading, where, path)
    header = rows[header_at]
    year_col = next(j for j, v in enumerate(header) if "year" in text(v).lower())
    columns = header_columns(rows, header_at, year_col)
    grid = _Grid(where, path, header, year_col, frozenset(c.index for c in columns), block_heading)
    data: list[BlockRow] = []
    block = ""
    for i in range(header_at + 1, len(rows)):
        row = rows[i]
        first = text(row[0]) if row else ""
        block = next_block(first, block, blocks, grid, i + 1)
        if block is None:  # the footnotes below the table
            break
        out = block_row(row, block, grid, i + 1)
        if out is not None:
            data.append(out)
    if not data:
        raise ParseError(f"{where}no data rows under the header", file=path, line=header_at + 1)
    return columns, data


@dataclass(frozen=True)
class _Grid:
    """Where a table's header put things, for reading its rows."""

    where: str  # "sheet '...': " for messages
    path: Path
    header: tuple
    year_col: int
    labelled: frozenset[int]  # columns with a header label
    block_heading: str


def find_header(rows: list[tuple], block_heading: str, where: str, path: Path) -> int:
    """The row starting with the block heading and naming a Year column."""
    header_at = next(
        (
            i
            for i, row in enumerate(rows)
            if row
            and text(row[0]).lower() == block_heading.lower()
            and any("year" in text(v).lower() for v in row)
        ),
        None,
    )
    if header_at is None:
        raise ParseError(
            f"{where}no header row starting '{block_heading}' with a Year column", file=path
        )
    return header_at


def header_columns(rows: list[tuple], header_at: int, year_col: int) -> list[Column]:
    """The labelled columns right of Year, each with the band of headings above it."""
    header = rows[header_at]
    band_start = header_at
    while band_start > 0 and any(text(v) for v in rows[band_start - 1][year_col + 1 :]):
        band_start -= 1
    band = [fill_right(rows[i], year_col + 1) for i in range(band_start, header_at)]
    return [
        Column(j, (*(b[j] for b in band), text(header[j])))
        for j in range(year_col + 1, len(header))
        if text(header[j])
    ]


def next_block(
    first: str, block: str, blocks: tuple[str, ...], grid: _Grid, line: int
) -> str | None:
    """The block a row belongs to, from its column-A label; None at the footnotes."""
    if first in blocks:
        return first
    if first and FOOTNOTE.match(first):
        return None
    if first:
        raise ParseError(
            f"{grid.where}unexpected label '{excerpt(first)}' in column A",
            file=grid.path,
            line=line,
        )
    return block


def block_row(row: tuple, block: str, grid: _Grid, line: int) -> BlockRow | None:
    """One data row's cells; None for a blank row."""
    where, path, year_col = grid.where, grid.path, grid.year_col
    year_text = text(row[year_col]) if len(row) > year_col else ""
    values = {j: row[j] for j in grid.labelled if j < len(row) and text(row[j])}
    if not year_text:
        if values:
            raise ParseError(f"{where}a row with values but no year", file=path, line=line)
        return None
    if not re.fullmatch(r"(19|20)\d\d(\.0)?", year_text):
        raise ParseError(f"{where}year '{excerpt(year_text)}' is not a year", file=path, line=line)
    if not block:
        raise ParseError(
            f"{where}data before any '{grid.block_heading}' label", file=path, line=line
        )
    out = BlockRow(line=line, block=block, year=int(float(year_text)))
    for j in grid.labelled:
        raw = row[j] if j < len(row) else None
        marker = text(row[j + 1]) if j + 1 < len(row) and j + 1 not in grid.labelled else ""
        out.cells[j] = to_cell(raw, marker, where, path, line, grid.header[j])
    return out


def fill_right(row: tuple, start: int) -> list[str]:
    """Header labels carried right across their merged range (blank cells take the last label)."""
    filled: list[str] = []
    last = ""
    for j, value in enumerate(row):
        if j >= start and text(value):
            last = text(value)
        filled.append(last if j >= start else text(value))
    return filled


def to_cell(raw: object, marker: str, where: str, path: Path, line: int, label: object) -> Cell:
    if isinstance(raw, bool):
        raise ParseError(f"{where}'{label}' is not a number", file=path, line=line)
    if isinstance(raw, int | float):
        if not math.isfinite(raw):
            raise ParseError(f"{where}'{label}' value {raw} is not finite", file=path, line=line)
        return Cell(float(raw), marker=marker.lower())
    value = text(raw)
    if value == "":
        return Cell(None, marker=marker.lower())
    try:
        return Cell(strict_number(value), marker=marker.lower())
    except ValueError:
        if re.fullmatch(r"[:xzc*.\-–]|\[[a-z]\]|n/?a", value, re.I):
            return Cell(None, symbol=value, marker=marker.lower())
        raise ParseError(
            f"{where}'{excerpt(label)}' value '{excerpt(value)}' is not a number",
            file=path,
            line=line,
        ) from None
