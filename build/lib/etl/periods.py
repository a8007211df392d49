"""Parse a period as publishers write it into a start date, an end date and a label.

A span stays a span: `2019-2021` is 2019-01-01..2021-12-31, never "2021". Forms understood:
`2022`, `2019Q1`, `2019Q1-2023Q4`, `2015-2019`, `2022/23` (a UK survey or financial year,
April to March), `2019-07/2023-06`, `2019-03/2020-03`, `2023-01-15`, `2021-02` (a month),
`2024 (Jan-Jun)`, and any of these followed by a parenthesised remark, which is kept as a note.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    label: str
    note: str = ""
    approximate: bool = False

    @property
    def precision(self) -> str:
        days = (self.end - self.start).days
        if days == 0:
            return "day"
        if days <= 31:
            return "month"
        if days <= 92:
            return "quarter"
        return "year" if days <= 366 else "span"


class PeriodError(ValueError):
    pass


MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}
_REMARK = re.compile(r"^(?P<core>.*?)\s*\((?P<remark>[^)]*)\)\s*$")


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    if not 1 <= quarter <= 4:
        raise PeriodError(f"quarter {quarter} is not 1-4")
    first = 3 * (quarter - 1) + 1
    return date(year, first, 1), month_end(year, first + 2)


def parse_period(text: str) -> Period:
    """Parse one published period. Raises PeriodError when it cannot be placed on a time axis."""
    raw = str(text).strip()
    core, note, approximate = raw, "", False
    if core.lower().startswith(("c.", "ca.")):
        core, approximate = core.split(".", 1)[1].strip(), True
    match = _REMARK.match(core)
    if match:
        core, note = match["core"].strip(), match["remark"].strip()
        months = re.fullmatch(r"(\w{3})\s*-\s*(\w{3})", note)
        if months and core.isdigit() and months[1].lower() in MONTHS:
            year = int(core)
            start = date(year, MONTHS[months[1].lower()], 1)
            end = month_end(year, MONTHS[months[2].lower()])
            return Period(start, end, raw, "", approximate)
    start, end = parse_core(core)
    return Period(start, end, core if not approximate else raw, note, approximate)


def parse_core(core: str) -> tuple[date, date]:
    """The first and last day of a period label without its remark, by the first form that fits."""
    for pattern, bounds in _FORMS:
        if m := pattern.fullmatch(core):
            return bounds(m, core)
    raise PeriodError(f"cannot place '{core}' on a time axis")


def _year(m: re.Match, core: str) -> tuple[date, date]:
    year = int(m[1])
    return date(year, 1, 1), date(year, 12, 31)


def _quarter(m: re.Match, core: str) -> tuple[date, date]:
    return quarter_bounds(int(m[1]), int(m[2]))


def _quarters(m: re.Match, core: str) -> tuple[date, date]:
    return quarter_bounds(int(m[1]), int(m[2]))[0], quarter_bounds(int(m[3]), int(m[4]))[1]


def _survey_year(m: re.Match, core: str) -> tuple[date, date]:
    first = int(m[1])
    second = int(m[2]) if len(m[2]) == 4 else (first // 100) * 100 + int(m[2])
    if second != first + 1:
        raise PeriodError(f"'{core}' is not a consecutive survey year")
    return date(first, 4, 1), date(second, 3, 31)


def _years(m: re.Match, core: str) -> tuple[date, date]:
    first, last = int(m[1]), int(m[2])
    if last < first:
        raise PeriodError(f"'{core}' ends before it starts")
    return date(first, 1, 1), date(last, 12, 31)


def _months(m: re.Match, core: str) -> tuple[date, date]:
    start = date(int(m[1]), int(m[2]), 1)
    end = month_end(int(m[3]), int(m[4]))
    if end < start:
        raise PeriodError(f"'{core}' ends before it starts")
    return start, end


def _day(m: re.Match, core: str) -> tuple[date, date]:
    day = date(int(m[1]), int(m[2]), int(m[3]))
    return day, day


def _month(m: re.Match, core: str) -> tuple[date, date]:
    return date(int(m[1]), int(m[2]), 1), month_end(int(m[1]), int(m[2]))


# In order: the first pattern that matches the whole label decides.
_FORMS: tuple[tuple[re.Pattern, Callable[[re.Match, str], tuple[date, date]]], ...] = (
    (re.compile(r"(\d{4})"), _year),
    (re.compile(r"(\d{4})\s*Q([1-4])", re.I), _quarter),
    (re.compile(r"(\d{4})\s*Q([1-4])\s*-\s*(\d{4})\s*Q([1-4])", re.I), _quarters),
    (re.compile(r"(\d{4})\s*/\s*(\d{2}|\d{4})"), _survey_year),
    (re.compile(r"(\d{4})\s*-\s*(\d{4})"), _years),
    (re.compile(r"(\d{4})-(\d{2})\s*/\s*(\d{4})-(\d{2})"), _months),
    (re.compile(r"(\d{4})-(\d{2})-(\d{2})"), _day),
    (re.compile(r"(\d{4})-(\d{2})"), _month),
    (re.compile(r"search of (\d{4})-(\d{2})-(\d{2})", re.I), _day),
)


def parse_date_label(text: str) -> tuple[date, str]:
    """A milestone date that may be partial (`1970`, `2021-02`): its first day and precision."""
    core = str(text).strip()
    try:
        if re.fullmatch(r"\d{4}", core):
            return date(int(core), 1, 1), "year"
        if m := re.fullmatch(r"(\d{4})-(\d{2})", core):
            return date(int(m[1]), int(m[2]), 1), "month"
        if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", core):
            return date(int(m[1]), int(m[2]), int(m[3])), "day"
    except ValueError as error:  # a month 13 or a day 45
        raise PeriodError(f"cannot read the date '{core}': {error}") from None
    raise PeriodError(f"cannot read the date '{core}'")
