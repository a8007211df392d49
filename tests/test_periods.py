"""Periods are parsed as published; a span stays a span."""

from __future__ import annotations

from datetime import date

import pytest

from etl.periods import PeriodError, parse_date_label, parse_period


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2022", date(2022, 1, 1), date(2022, 12, 31)),
        ("2019Q1", date(2019, 1, 1), date(2019, 3, 31)),
        ("2021Q4", date(2021, 10, 1), date(2021, 12, 31)),
        ("2019Q1-2023Q4", date(2019, 1, 1), date(2023, 12, 31)),
        ("2015-2019", date(2015, 1, 1), date(2019, 12, 31)),
        ("2022/23", date(2022, 4, 1), date(2023, 3, 31)),
        ("1999/2000", date(1999, 4, 1), date(2000, 3, 31)),
        ("2019-07/2023-06", date(2019, 7, 1), date(2023, 6, 30)),
        ("2019-03/2020-03", date(2019, 3, 1), date(2020, 3, 31)),
        ("2024 (Jan-Jun)", date(2024, 1, 1), date(2024, 6, 30)),
        ("2021-02", date(2021, 2, 1), date(2021, 2, 28)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("search of 2020-02-21", date(2020, 2, 21), date(2020, 2, 21)),
    ],
)
def test_published_periods(text: str, start: date, end: date) -> None:
    period = parse_period(text)
    assert (period.start, period.end) == (start, end)


def test_a_span_is_never_collapsed_to_one_year() -> None:
    period = parse_period("2019-2021")
    assert period.precision == "span"
    assert period.label == "2019-2021"


def test_remarks_are_kept_as_notes() -> None:
    period = parse_period("2012/13 (reported as 2013)")
    assert (period.start, period.end) == (date(2012, 4, 1), date(2013, 3, 31))
    assert period.label == "2012/13"
    assert period.note == "reported as 2013"


def test_circa_marks_the_period_approximate() -> None:
    period = parse_period("c.2006-2008 (two years before May 2008)")
    assert period.approximate
    assert (period.start.year, period.end.year) == (2006, 2008)


@pytest.mark.parametrize(
    "text",
    ["period not stated in excerpt", "inception to 2022-02-05", "2019/21", "2020-2019", "2019Q5"],
)
def test_unplaceable_periods_raise(text: str) -> None:
    with pytest.raises(PeriodError):
        parse_period(text)


@pytest.mark.parametrize(
    ("text", "day", "precision"),
    [
        ("1970", date(1970, 1, 1), "year"),
        ("2021-02", date(2021, 2, 1), "month"),
        ("2019-03-05", date(2019, 3, 5), "day"),
    ],
)
def test_partial_milestone_dates_stay_partial(text: str, day: date, precision: str) -> None:
    assert parse_date_label(text) == (day, precision)


def test_an_impossible_date_is_a_period_error_naming_it() -> None:
    with pytest.raises(PeriodError, match="2019-13-45"):
        parse_date_label("2019-13-45")
