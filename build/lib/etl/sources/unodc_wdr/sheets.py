"""Find a UNODC annex table in its workbook by its header, not by sheet name or cell address.

The annex sheets have title rows above a header row; prevalence tables add a second header row
(Total/Male/Female under Lifetime/Past year/Past month). A sheet is the one whose first rows hold
every required header label; columns are then addressed by label (the two header rows joined as
"Past year|Total"), so a reordered or renamed-file edition is read the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from etl.contract import ParseError
from etl.limits import excerpt
from etl.rawcsv import strict_number
from etl.xlsxblocks import open_workbook, sheet_rows

HEADER_SEARCH_ROWS = 8


def label(value: object) -> str:
    """A header or text cell as one trimmed line (non-breaking spaces and newlines flattened)."""
    if value is None:
        return ""
    return re.sub(r"\s+", " ", str(value).replace("\xa0", " ")).strip()


def key(value: object) -> str:
    return re.sub(r"[^a-z0-9+]", "", label(value).lower())


@dataclass
class Table:
    path: Path
    sheet: str
    columns: dict[str, int]  # header key ("pastyear|total", "country") -> column index
    rows: list[tuple[int, tuple]]  # (sheet row number, values) below the header band

    def cell(self, row: tuple, name: str) -> object:
        index = self.columns.get(name)
        return row[index] if index is not None and index < len(row) else None


def find_table(path: Path, required: tuple[str, ...], *, two_rows: bool) -> Table:
    """The first sheet whose header row names every label in `required` (compared without case,
    spaces or punctuation). Raises ParseError naming the file when no sheet has them."""
    workbook = open_workbook(path)
    wanted = [key(name) for name in required]
    try:
        for sheet in workbook.worksheets:
            head = [
                tuple(r)
                for r in sheet.iter_rows(min_row=1, max_row=HEADER_SEARCH_ROWS, values_only=True)
            ]
            for index, row in enumerate(head):
                keys = {key(v) for v in row if v is not None}
                if all(name in keys for name in wanted):
                    rows = sheet_rows(sheet, path)
                    return build(path, sheet.title, rows, index, two_rows)
    finally:
        workbook.close()
    raise ParseError(
        f"no sheet has the header {', '.join(required)} (is this the UNODC annex table?)",
        file=path,
    )


def build(path: Path, sheet: str, rows: list[tuple], index: int, two_rows: bool) -> Table:
    top = rows[index]
    sub = rows[index + 1] if two_rows and index + 1 < len(rows) else ()
    columns: dict[str, int] = {}
    group = ""
    for column, value in enumerate(top):
        if value is not None:
            group = key(value)
        below = key(sub[column]) if column < len(sub) and sub[column] is not None else ""
        name = f"{group}|{below}" if below else key(value)
        if name and name not in columns:
            columns[name] = column
    start = index + (2 if two_rows else 1)
    return Table(path, sheet, columns, [(n + 1, rows[n]) for n in range(start, len(rows))])


def number(table: Table, row: tuple, name: str, line: int) -> tuple[float | None, str]:
    """(value, marker) of a numeric cell: blank -> (None, ""); '@' and other symbols -> (None,
    symbol); text that is neither a number nor a short symbol raises ParseError."""
    value = table.cell(row, name)
    if value is None or isinstance(value, bool):
        return None, ""
    if isinstance(value, int | float):
        return float(value), ""
    text = label(value)
    if text == "":
        return None, ""
    try:
        return strict_number(text), ""
    except ValueError:
        if len(text) <= 3 and not any(c.isdigit() for c in text):
            return None, text
        raise ParseError(
            f"sheet '{table.sheet}', column {name}: '{excerpt(text, 40)}' is not a number",
            file=table.path,
            line=line,
        ) from None
