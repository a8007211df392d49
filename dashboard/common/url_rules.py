"""The validation rules of link parameters, pure and tested without Streamlit: which of the
values a link gives a filter are options the page offers, a year range inside the data, or a
flag. Each returns (the usable value or None for the default, a notice or None);
dashboard/common/filters.py draws the widgets around them."""

from __future__ import annotations

import re
from collections.abc import Sequence

MAX_VALUE_LENGTH = 200  # longer than any id or label we publish


MAX_VALUES = 100  # a repeated key beyond this is not a view anyone shared


YEARS_PATTERN = re.compile(r"^\s*(\d{4})\s*(?:[-–:]\s*(\d{4}))?\s*$")


def parse_choices(
    values: Sequence[str], options: Sequence[str], *, single: bool = False
) -> tuple[list[str] | None, str | None]:
    """Keep the values that are options (in the URL's order, without repeats).

    Returns (chosen, notice). `chosen` is None when nothing usable was given (use the default);
    `notice` says what was ignored and why, or None when everything was valid.
    """
    if not values:
        return None, None
    if len(values) > MAX_VALUES:
        return None, f"{len(values)} values is more than this filter takes; ignored"
    allowed = set(options)
    chosen: list[str] = []
    ignored: list[str] = []
    for value in values:
        if value in allowed and len(value) <= MAX_VALUE_LENGTH:
            if value not in chosen:
                chosen.append(value)
        else:
            ignored.append(value)
    notice = None
    if ignored:
        notice = "not available here, ignored: " + ", ".join(_quote(v) for v in ignored[:5])
        if len(ignored) > 5:
            notice += f" and {len(ignored) - 5} more"
    if single and len(chosen) > 1:
        return None, "given more than once; the filter takes one value, so the default is used"
    return (chosen or None), notice


def parse_years(
    values: Sequence[str], available: Sequence[int]
) -> tuple[tuple[int, int] | None, str | None]:
    """`years=2015-2023` (or `years=2020`) -> a range inside the available years.

    A range partly outside the data is clipped (with a notice); one wholly outside, malformed,
    reversed or repeated is ignored (with a notice).
    """
    if not values:
        return None, None
    if not available:
        return None, "there are no years to choose from; ignored"
    if len(values) > 1:
        return None, "given more than once; the default range is used"
    raw = values[0]
    match = YEARS_PATTERN.match(raw) if len(raw) <= 20 else None
    if not match:
        return None, f"{_quote(raw)} is not a year or a range like 2015-2023; ignored"
    first = int(match.group(1))
    last = int(match.group(2) or match.group(1))
    if first > last:
        return None, f"{_quote(raw)} ends before it starts; ignored"
    low, high = min(available), max(available)
    if last < low or first > high:
        return None, f"{_quote(raw)} is outside the data ({low}-{high}); ignored"
    clipped = (max(first, low), min(last, high))
    if clipped != (first, last):
        return clipped, f"{_quote(raw)} clipped to the data: {clipped[0]}-{clipped[1]}"
    return clipped, None


def parse_flag(values: Sequence[str]) -> tuple[bool | None, str | None]:
    if not values:
        return None, None
    if len(values) == 1 and values[0] in ("1", "0", "true", "false"):
        return values[0] in ("1", "true"), None
    return None, f"{_quote(values[-1])} is not 1 or 0; ignored"


def years_text(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}-{last}"


def _quote(value: str) -> str:
    shown = value if len(value) <= 40 else value[:40] + "…"
    return repr(shown)
