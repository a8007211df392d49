"""Pure transforms from warehouse rows to what a chart draws. No Streamlit, no SQL."""

from __future__ import annotations

import re

import pandas as pd

from dashboard.common import selection

# Consecutive periods whose starts are more than this many usual period lengths apart are drawn
# with a gap in the line (CSEW has no 2020/21-2021/22 estimates: a gap, not a dip).
GAP_FACTOR = 1.5


def with_midpoints(frame: pd.DataFrame) -> pd.DataFrame:
    """Add `period_mid` (where a point sits on a time axis) and `span_days`."""
    out = frame.copy()
    start = pd.to_datetime(out["period_start"])
    end = pd.to_datetime(out["period_end"])
    out["period_start"] = start
    out["period_end"] = end
    out["period_mid"] = start + (end - start) / 2
    out["span_days"] = (end - start).dt.days + 1
    return out


def series_label(frame: pd.DataFrame) -> pd.Series:
    """One legend entry per series: geography/stratum when they vary, then the indicator label.

    What tells series apart comes first, so a legend that truncates long labels still shows it.
    A comparator or context series says so first ("comparator: cocaine · ..."), and a mostly
    secondary one ends in "(secondary)", when the rows carry `role`, `substance` and
    `secondary_share`.
    """
    parts = frame["label"].astype(str)
    for column in ("stratum", "geography"):
        if column in frame and frame[column].nunique() > 1:
            parts = frame[column].astype(str) + " · " + parts
    if {"role", "substance", "secondary_share"} <= set(frame.columns):
        parts = pd.Series(
            [
                selection.tagged_label(
                    label=label, role=role, substance=substance, secondary=selection.is_secondary(s)
                )
                for label, role, substance, s in zip(
                    parts, frame["role"], frame["substance"], frame["secondary_share"], strict=True
                )
            ],
            index=frame.index,
        )
    return parts


def add_segments(
    frame: pd.DataFrame,
    *,
    breaks: pd.Series | None = None,
    key: str = "series",
    breaks_by_key: dict[str, list[pd.Timestamp]] | None = None,
) -> pd.DataFrame:
    """Number the connected stretches of each series, so a line is cut at gaps and at breaks.

    A new segment starts when a period begins more than GAP_FACTOR usual period lengths after the
    previous one began (a missing year), or when a series-break date falls after the previous
    period's start and on or before this one's (a method change: the period containing the
    break ends the old stretch). `breaks` apply to
    every series; `breaks_by_key` to one series each.
    """
    out = frame.sort_values([key, "period_start"]).copy()
    common = list(pd.to_datetime(pd.Series([] if breaks is None else list(breaks))))
    segments = []
    for name, group in out.groupby(key, sort=False):
        own = (breaks_by_key or {}).get(name, [])
        break_dates = pd.Series(pd.to_datetime(common + list(own)), dtype="datetime64[ns]")
        usual = group["span_days"].median()
        previous_start = None
        segment = 0
        for start in group["period_start"]:
            if previous_start is not None:
                step = (start - previous_start).days
                crosses_break = ((break_dates > previous_start) & (break_dates <= start)).any()
                if step > GAP_FACTOR * usual or crosses_break:
                    segment += 1
            segments.append(segment)
            previous_start = start
    out["segment"] = segments
    out["segment_key"] = out[key].astype(str) + "#" + out["segment"].astype(str)
    return out


def flag_text(flags: pd.Series) -> pd.Series:
    return flags.fillna("").astype(str).str.replace(";", ", ")


def chart_frame(frame: pd.DataFrame, *, breaks: pd.Series | None = None) -> pd.DataFrame:
    """Observations -> the exact rows a time chart draws (also what its CSV download holds).

    Lines are cut at `breaks` (dates) and, when the rows carry `series_breaks` (the indicator's
    documented method changes, e.g. "2012Q4 AERS -> FAERS"), at those dates too.
    """
    if frame.empty:
        return frame
    out = with_midpoints(frame)
    out["series"] = series_label(out)
    out["flags"] = flag_text(out["flags"])
    out["provisional"] = out["flags"].str.contains("provisional|projected")
    own: dict[str, list[pd.Timestamp]] = {}
    if "series_breaks" in out:
        for name, text in (
            out[["series", "series_breaks"]].drop_duplicates().itertuples(index=False)
        ):
            own.setdefault(name, []).extend(d for d, _ in parse_breaks(str(text or "")))
    return add_segments(out, breaks=breaks, breaks_by_key=own)


def method_breaks(frame: pd.DataFrame) -> list[pd.Timestamp]:
    """The method-change dates of the rows' indicators (`series_breaks`, kinds 'break' and
    'stop', or entries without a kind): a value is never compared across them. Gaps and
    caveats are not method changes."""
    if frame.empty or "series_breaks" not in frame:
        return []
    found: set[pd.Timestamp] = set()
    for text in frame["series_breaks"].dropna().astype(str).unique():
        for when, rest in parse_breaks(text):
            kind = BREAK_KIND.match(rest)
            if kind is None or kind.group(1) in ("break", "stop"):
                found.add(when)
    return sorted(found)


BREAK_KIND = re.compile(r"^(?:\.\.\S+\s+)?(break|gap|stop|caveat)\s*:", re.I)


BREAK_DATE = re.compile(r"^\s*(\d{4})(?:-(\d{2})(?:-(\d{2}))?|Q([1-4]))?\b\s*:?\s*(.*)$")


def parse_breaks(text: str) -> list[tuple[pd.Timestamp, str]]:
    """'2012Q4 AERS -> FAERS; 2019-03-05 Spravato' -> [(2012-10-01, 'AERS -> FAERS'), ...].

    Parts that do not start with a date (YYYY, YYYY-MM, YYYY-MM-DD or YYYYQn) are skipped.
    """
    found = []
    for part in (text or "").split(";"):
        match = BREAK_DATE.match(part)
        if not match:
            continue
        year, month, day, quarter, rest = match.groups()
        if quarter:
            month = str(3 * int(quarter) - 2)
        try:
            when = pd.Timestamp(int(year), int(month or 1), int(day or 1))
        except ValueError:
            continue
        found.append((when, rest.strip()))
    return found


def years_of(frame: pd.DataFrame) -> list[int]:
    """Every calendar year any period of the rows touches (for a year-range filter)."""
    if frame.empty:
        return []
    start = pd.to_datetime(frame["period_start"]).dt.year
    end = pd.to_datetime(frame["period_end"]).dt.year
    return sorted({y for a, b in zip(start, end, strict=True) for y in range(int(a), int(b) + 1)})


def filter_years(frame: pd.DataFrame, first: int | None, last: int | None) -> pd.DataFrame:
    """Rows whose period lies inside [first, last] (a period counts by the year it ends in, so
    '2022/23' belongs to 2023 and a 2019-2021 span to 2021)."""
    if frame.empty or (first is None and last is None):
        return frame
    year = pd.to_datetime(frame["period_end"]).dt.year
    keep = pd.Series(True, index=frame.index)
    if first is not None:
        keep &= year >= first
    if last is not None:
        keep &= year <= last
    return frame[keep]


def per_capita(
    frame: pd.DataFrame, denominators: pd.DataFrame, *, per: int = 100_000
) -> pd.DataFrame:
    """Counts -> rates per `per` people, using a population denominator of the same geography and
    year (the year the period ends in). Rows without a denominator are dropped, not guessed.

    `denominators`: geography, year, population (and optionally population_source).
    """
    if frame.empty or denominators.empty:
        return frame.iloc[0:0]
    out = frame.copy()
    out["year"] = pd.to_datetime(out["period_end"]).dt.year
    keyed = denominators[["geography", "year", "population"]].drop_duplicates(["geography", "year"])
    out = out.merge(keyed, on=["geography", "year"], how="inner")
    for column in ("value", "lower", "upper"):
        if column in out:
            out[column] = out[column] / out["population"] * per
    out["unit"] = out["unit"].astype(str) + f" per {per:,} people"
    return out
