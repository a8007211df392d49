"""Pure change arithmetic on one series: its latest value against the previous comparable point
(`change_summary`) and against the range of its recent comparable points (`recent_range`).
Comparable means the same period length and the same side of every method break. No Streamlit,
no SQL."""

from __future__ import annotations

import pandas as pd

from dashboard.common.transforms import method_breaks, with_midpoints


def comparable_earlier(
    ordered: pd.DataFrame, *, breaks: list[pd.Timestamp] | None = None
) -> tuple[pd.DataFrame, pd.Timestamp | None]:
    """The rows a series' latest point may be compared with: the same period length (within 3
    days), ending before the latest starts, and not across a method break (a break date after an
    earlier period's start and on or before the latest's start, as `add_segments` cuts lines).

    `ordered` comes from `with_midpoints`, sorted by period_start. Returns (those rows, the
    latest break that cut off an otherwise comparable earlier period, or None).
    """
    latest = ordered.iloc[-1]
    same_length = ordered[
        (ordered["span_days"].sub(latest["span_days"]).abs() <= 3)
        & (ordered["period_end"] < latest["period_start"])
    ]
    dates = [d for d in (breaks or []) if d <= latest["period_start"]]
    if not dates or same_length.empty:
        return same_length, None
    latest_break = max(dates)
    kept = same_length[same_length["period_start"] >= latest_break]
    cut = latest_break if len(kept) < len(same_length) else None
    return kept, cut


def change_summary(frame: pd.DataFrame) -> dict | None:
    """Latest value against the previous comparable point of one series (same period length,
    same side of every method break in the rows' `series_breaks`).

    When an earlier period of the same length exists only across a break, there is no change:
    `break_year` says which method change stands between them.
    """
    if frame.empty:
        return None
    ordered = with_midpoints(frame).sort_values("period_start")
    latest = ordered.iloc[-1]
    comparable, cut = comparable_earlier(ordered, breaks=method_breaks(frame))
    summary = {
        "latest_value": float(latest["value"]),
        "latest_period": latest["period_label"],
        "unit": latest["unit"],
        "flags": latest.get("flags", "") or "",
        "vintage": latest.get("vintage"),
        "previous_value": None,
        "previous_period": None,
        "change_pct": None,
        "break_year": int(cut.year) if cut is not None and comparable.empty else None,
    }
    if not comparable.empty:
        previous = comparable.iloc[-1]
        summary["previous_value"] = float(previous["value"])
        summary["previous_period"] = previous["period_label"]
        # A load published as 0 (nothing quantified) is not a fall to nothing: no % change.
        quantified = not any(
            "not_quantified" in str(row.get("flags") or "") for row in (latest, previous)
        )
        if previous["value"] and quantified:
            summary["change_pct"] = (latest["value"] / previous["value"] - 1) * 100
    return summary


def recent_range(
    frame: pd.DataFrame, *, window: int = 5, min_history: int = 3, max_years: int = 10
) -> dict | None:
    """Whether the latest point moved beyond the range of the previous `window` comparable points.

    Comparable = same period length (within 3 days), ending before the latest starts, on the
    same side of every method break (`comparable_earlier`) and no more than `max_years` before
    it (a 1994 figure is not "recent" to a 2023 one). Needs at least `min_history` such points;
    returns None when there are too few, otherwise a dict with `beyond` ('above', 'below' or
    None), `low`, `high`, `periods` (how many points) and the first/last period labels of the
    window.
    """
    if frame.empty:
        return None
    ordered = with_midpoints(frame).sort_values("period_start")
    latest = ordered.iloc[-1]
    comparable, _ = comparable_earlier(ordered, breaks=method_breaks(frame))
    earlier = comparable[
        comparable["period_end"] >= latest["period_start"] - pd.DateOffset(years=max_years)
    ].tail(window)
    if len(earlier) < min_history:
        return None
    low, high = float(earlier["value"].min()), float(earlier["value"].max())
    value = float(latest["value"])
    beyond = "above" if value > high else "below" if value < low else None
    return {
        "beyond": beyond,
        "low": low,
        "high": high,
        "periods": len(earlier),
        "from_period": earlier["period_label"].iloc[0],
        "to_period": earlier["period_label"].iloc[-1],
        "latest_value": value,
        "latest_period": latest["period_label"],
    }
