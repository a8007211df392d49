"""Pure transforms from warehouse rows to what a chart draws. No Streamlit, no SQL."""

from __future__ import annotations

import pandas as pd

# A gap between two consecutive periods longer than this many times the series' usual period
# length is drawn as a gap in the line (CSEW has no 2020/21-2021/22 estimates: a gap, not a dip).
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
    """One legend entry per series: the indicator label, plus geography/stratum when they vary."""
    parts = frame["label"].astype(str)
    for column in ("geography", "stratum"):
        if column in frame and frame[column].nunique() > 1:
            parts = parts + " · " + frame[column].astype(str)
    return parts


def add_segments(
    frame: pd.DataFrame, *, breaks: pd.Series | None = None, key: str = "series"
) -> pd.DataFrame:
    """Number the connected stretches of each series, so a line is cut at gaps and at breaks.

    A new segment starts when a period begins long after the previous one ended (a missing year),
    or when a series-break date falls between two points (a method change).
    """
    out = frame.sort_values([key, "period_start"]).copy()
    break_dates = pd.to_datetime(pd.Series([] if breaks is None else list(breaks))).sort_values()
    segments = []
    for _, group in out.groupby(key, sort=False):
        usual = group["span_days"].median()
        previous_end = None
        segment = 0
        for start, end in zip(group["period_start"], group["period_end"], strict=True):
            if previous_end is not None:
                gap = (start - previous_end).days
                crosses_break = ((break_dates > previous_end) & (break_dates <= start)).any()
                if gap > GAP_FACTOR * usual or crosses_break:
                    segment += 1
            segments.append(segment)
            previous_end = end
    out["segment"] = segments
    out["segment_key"] = out[key].astype(str) + "#" + out["segment"].astype(str)
    return out


def flag_text(flags: pd.Series) -> pd.Series:
    return flags.fillna("").astype(str).str.replace(";", ", ")


def chart_frame(frame: pd.DataFrame, *, breaks: pd.Series | None = None) -> pd.DataFrame:
    """Observations -> the exact rows a time chart draws (also what its CSV download holds)."""
    if frame.empty:
        return frame
    out = with_midpoints(frame)
    out["series"] = series_label(out)
    out["flags"] = flag_text(out["flags"])
    out["provisional"] = out["flags"].str.contains("provisional|projected")
    return add_segments(out, breaks=breaks)


def index_to_first_common(frame: pd.DataFrame, *, key: str = "series") -> pd.DataFrame:
    """Rebase each series to 100 at the first year all of them share (unlike units compare)."""
    if frame.empty:
        return frame
    out = frame.copy()
    out["year"] = pd.to_datetime(out["period_start"]).dt.year
    years_per_series = out.groupby(key)["year"].apply(set)
    common = set.intersection(*years_per_series) if len(years_per_series) else set()
    if not common:
        out["index"] = pd.NA
        out["base_year"] = pd.NA
        return out
    base_year = min(common)
    base = out[out["year"] == base_year].groupby(key)["value"].first()
    out["base_year"] = base_year
    out["index"] = out["value"] / out[key].map(base) * 100
    return out


def change_summary(frame: pd.DataFrame) -> dict | None:
    """Latest value against the previous comparable point of one series (same period length)."""
    if frame.empty:
        return None
    ordered = with_midpoints(frame).sort_values("period_start")
    latest = ordered.iloc[-1]
    comparable = ordered[
        (ordered["span_days"].sub(latest["span_days"]).abs() <= 3)
        & (ordered["period_end"] < latest["period_start"])
    ]
    summary = {
        "latest_value": float(latest["value"]),
        "latest_period": latest["period_label"],
        "unit": latest["unit"],
        "flags": latest.get("flags", "") or "",
        "previous_value": None,
        "previous_period": None,
        "change_pct": None,
    }
    if not comparable.empty:
        previous = comparable.iloc[-1]
        summary["previous_value"] = float(previous["value"])
        summary["previous_period"] = previous["period_label"]
        if previous["value"]:
            summary["change_pct"] = (latest["value"] / previous["value"] - 1) * 100
    return summary
