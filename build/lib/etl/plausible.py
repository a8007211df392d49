"""What a published number or text can be before it is nonsense: plausible ranges and text limits.

Ranges are data (`etl/data/plausible_ranges.csv`), one row per unit (a regular expression matched
against the whole unit, case-insensitive), optionally narrowed to indicators whose id matches
`indicator`: min, max (blank = unbounded), whether the value must be a whole number, and why
the bounds are what they are. The first row that matches wins, indicator-specific rows before
unit-only rows. A unit with no row is checked only for being finite and (in `validate`) not
negative.

They are applied twice, with the same table:
- at parse time, by the CSV reader (`rawcsv.to_numbers(..., unit=...)`), where the file's line
  and column are known, so the message names file, line, column and value;
- at validation, on every canonical observation of every source (xlsx and JSON readers too),
  where the message names the indicator, geography, period and value, and the refresh adds the
  file names.

Text limits guard against a damaged file publishing a 64 MB city name or a label made of a NUL
block: every cell a CSV reader hands on is at most `CELL_LIMIT` characters with no control
characters, and each canonical text column has its own limit (`TEXT_LIMITS`), chosen well above
the longest real value (measured on the warehouse built from the publishers' files).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

DATA = Path(__file__).resolve().parent / "data" / "plausible_ranges.csv"

# Longest real value (publishers' files, Dec 2026) in brackets; the limits leave ample room.
CELL_LIMIT = 4000  # any CSV cell (literature `verified` text: 772)
DETAIL_TEXT_LIMIT = 4000  # any text cell of a detail table (literature `reason`: 794)
TEXT_LIMITS: dict[str, dict[str, int]] = {
    "observations": {
        "indicator": 120,  # 66
        "geography": 200,  # 45
        "stratum": 300,  # 82
        "period_label": 60,  # 39
        "unit": 120,  # 60
        "note": 2000,  # 769
        "citation": 1500,  # 390
        "citation_url": 2000,  # 177
        "vintage": 300,  # 99
    },
    "indicators": {
        "id": 120,  # 66
        "label": 400,  # 237
        "definition": 1500,  # 223
        "comparability": 1500,  # 157
        "series_breaks": 1500,  # 180
        "substance": 120,  # 40
        "unit": 120,  # 60
    },
    "events": {"event": 1500, "agency": 200, "category": 120, "citation_url": 2000},  # 358
}
# Tab, line feed and carriage return may sit in a quoted cell; other control bytes (a NUL block)
# mean a damaged file.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Range:
    unit: str
    indicator: str
    low: float | None
    high: float | None
    integer: bool
    why: str

    def matches(self, unit: str, indicator: str) -> bool:
        if not re.fullmatch(self.unit, unit.strip(), re.I):
            return False
        return not self.indicator or bool(re.fullmatch(self.indicator, indicator))

    def problem(self, value: float) -> str | None:
        """Why `value` is implausible, or None."""
        if not math.isfinite(value):
            return "is not a finite number"
        if self.low is not None and value < self.low:
            return f"is below {number(self.low)}"
        if self.high is not None and value > self.high:
            return f"is above {number(self.high)}"
        if self.integer and value != round(value):
            return "is not a whole number"
        return None

    def describe(self) -> str:
        low = "-inf" if self.low is None else number(self.low)
        high = "no ceiling" if self.high is None else number(self.high)
        whole = ", whole numbers" if self.integer else ""
        return f"plausible range {low} to {high}{whole}: {self.why}"


def number(value: float) -> str:
    return f"{value:,.0f}" if value == round(value) and abs(value) < 1e15 else f"{value:g}"


@cache
def ranges() -> tuple[Range, ...]:
    table = pd.read_csv(DATA, dtype=str, keep_default_na=False)
    rows = [
        Range(
            unit=row.unit,
            indicator=row.indicator,
            low=float(row.min) if row.min else None,
            high=float(row.max) if row.max else None,
            integer=row.integer == "yes",
            why=row.why,
        )
        for row in table.itertuples()
    ]
    return tuple(sorted(rows, key=lambda r: not r.indicator))  # indicator-specific rows first


def range_for(unit: str, indicator: str = "") -> Range | None:
    return next((r for r in ranges() if r.matches(str(unit), str(indicator))), None)


def text_problem(text: str, limit: int) -> str | None:
    """Why a text cell is not plausible (too long, control characters), or None."""
    if bad := CONTROL.search(text):
        return f"holds a control character ({bad[0]!r} at position {bad.start() + 1})"
    if len(text) > limit:
        return f"is {len(text):,} characters long (limit {limit:,})"
    return None


def shown(text: str, width: int = 60) -> str:
    """A cell as it may appear in a message: printable, and cut short."""
    text = str(text)
    return repr(text[:width]) + ("..." if len(text) > width else "")
