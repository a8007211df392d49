"""The one way a source builds canonical observation rows (`contract.OBSERVATION_COLUMNS`).

A source names what varies (indicator, period labels, values ...) and the builder fills the rest:
the period's start and end come from its published label through `etl.periods.parse_period`
(`2019`, `2019Q1`, `2022/23`, ...), flags are joined the way the warehouse stores them (sorted,
';'-separated), and columns left out take the contract's empty value. Every argument is a scalar
(the same for every row) or a sequence with one entry per row; for `flags`, an entry is a flag,
`'a;b'`, or a list of flags, so flags shared by every row are given as a string.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from functools import cache

import pandas as pd

from etl.contract import OBSERVATION_COLUMNS
from etl.periods import Period, parse_period

Column = object | Sequence[object] | pd.Series


@cache
def _period(label: str) -> Period:
    return parse_period(label)


def join_flags(flags: object) -> str:
    """`'proxy'`, `['proxy', 'provisional']` or `''` -> the stored form `'provisional;proxy'`."""
    if flags is None or (isinstance(flags, float) and pd.isna(flags)):
        return ""
    parts: Iterable[str] = flags.split(";") if isinstance(flags, str) else flags  # type: ignore[assignment]
    return ";".join(sorted({p.strip() for p in parts if p and p.strip()}))


def observations(
    *,
    source: str,
    indicator: Column,
    geography: Column,
    period: Column,
    value: Column,
    unit: Column,
    citation: Column,
    citation_url: Column,
    stratum: Column = "all",
    lower: Column = None,
    upper: Column = None,
    flags: Column = "",
    note: Column = "",
    vintage: Column = "",
) -> pd.DataFrame:
    """Canonical observation rows, in the contract's column order."""
    length = _row_count(indicator, geography, period, value, stratum, flags, note)
    row = functools.partial(_broadcast, length=length)
    frame = pd.DataFrame(
        {
            "source": source,
            "indicator": row(indicator),
            "geography": row(geography),
            **_period_columns(row(period)),
            "stratum": row(stratum),
            "value": _numbers(row(value)),
            "lower": _numbers(row(lower)),
            "upper": _numbers(row(upper)),
            "unit": row(unit),
            "flags": [join_flags(f) for f in row(flags)],
            "note": row(note),
            "citation": row(citation),
            "citation_url": row(citation_url),
            "vintage": row(vintage),
        }
    )
    return frame[list(OBSERVATION_COLUMNS)]


def _row_count(*columns: Column) -> int:
    """The length of the sequences given (1 when every argument is a scalar)."""
    return max((len(list(c)) for c in columns if _is_column(c)), default=1)


def _period_columns(labels: list) -> dict[str, list]:
    """Start, end and label from published period labels; the rows' `period_label` is the parsed
    label (for `2019Q1`, `2019Q1`; for `2022/23`, `2022/23`)."""
    periods = [_period(str(label)) for label in labels]
    return {
        "period_start": [p.start for p in periods],
        "period_end": [p.end for p in periods],
        "period_label": [p.label for p in periods],
    }


def _numbers(values: list) -> pd.Series:
    """Floats; a value that is not a number raises (None and NaN are missing)."""
    return pd.to_numeric(pd.Series(values), errors="raise").astype(float)


def _is_column(value: object) -> bool:
    return isinstance(value, pd.Series | list | tuple | range) or (
        hasattr(value, "__len__") and hasattr(value, "__iter__") and not isinstance(value, str)
    )


def _broadcast(value: Column, length: int) -> list:
    """A per-row list: a scalar repeated, or the sequence itself (which must have `length`)."""
    if not _is_column(value):
        return [value] * length
    items = list(value)  # type: ignore[call-overload]
    if len(items) != length:
        raise ValueError(f"a column of {len(items)} values for {length} rows")
    return items


def observations_from_records(
    records: Sequence[dict[str, object]], **constants: Column
) -> pd.DataFrame:
    """Rows given one dict each (the fields that vary), with the fields every row shares."""
    if not records:
        return pd.DataFrame({name: pd.Series(dtype="object") for name in OBSERVATION_COLUMNS})
    frame = pd.DataFrame.from_records(records)
    return observations(**{str(c): frame[c] for c in frame.columns}, **constants)  # type: ignore[arg-type]
