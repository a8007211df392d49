"""Sentences written from the data ("What changed"). Pure functions: no Streamlit, no SQL.

Every number in a sentence comes from the summary dicts of `transforms.change_summary` and
`transforms.recent_range`; nothing is typed in. `what_changed` and `range_flag` return markdown:
the warehouse's words in them (labels, places, units, period labels) are escaped
(`safe_text.md`), so a link or image in a file cell is never rendered.
"""

from __future__ import annotations

import math

from dashboard.common.safe_text import md

# Changes smaller than this (in percent) are described as "about the same".
STEADY_PCT = 2.0


def format_value(value: float | None, unit: str | None = None) -> str:
    """1234.5 -> '1,234.5', 0.0123 -> '0.0123', with the unit after it ('2.9 percent')."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    magnitude = abs(value)
    if magnitude >= 1000 or float(value).is_integer():
        text = f"{value:,.0f}"
    elif magnitude >= 1:
        text = f"{value:,.3g}" if magnitude < 100 else f"{value:,.1f}".rstrip("0").rstrip(".")
    else:
        text = f"{value:.3g}"
    unit = (unit or "").strip()
    if unit in ("percent", "%"):
        return f"{text}%"
    return f"{text} {unit}".strip()


def format_change(change_pct: float | None) -> str:
    if change_pct is None or math.isnan(change_pct):
        return ""
    if abs(change_pct) < STEADY_PCT:
        return "about the same"
    return f"{'up' if change_pct > 0 else 'down'} {abs(change_pct):.0f}%"


def what_changed(
    *, stream: str, label: str, where: str, summary: dict, spread: dict | None = None
) -> str:
    """One sentence (or two) about a stream's latest published number.

    e.g. 'Supply: NFLIS lab reports: Ketamine (United States) was 2,031 reports in 2023, up 12%
    from 1,812 in 2022. That is above its range over the previous 5 years (…).'
    """
    latest = md(format_value(summary["latest_value"], summary.get("unit")))
    sentence = (
        f"**{md(stream)}**: {md(label)} ({md(where)}) was {latest} in "
        f"{md(summary['latest_period'])}"
    )
    change = format_change(summary.get("change_pct"))
    if summary.get("previous_value") is not None and change:
        previous = md(format_value(summary["previous_value"], summary.get("unit")))
        previous_period = md(summary["previous_period"])
        if change == "about the same":
            sentence += f", about the same as in {previous_period} ({previous})"
        else:
            sentence += f", {change} from {previous} in {previous_period}"
    elif summary.get("previous_value") is None:
        sentence += f" ({no_comparison_text(summary)})"
    sentence += "."
    flags = str(summary.get("flags") or "")
    if "provisional" in flags:
        sentence += " The latest figure is provisional."
    if spread and spread.get("beyond"):
        low = md(format_value(spread["low"], summary.get("unit")))
        high = md(format_value(spread["high"], summary.get("unit")))
        sentence += (
            f" That is {spread['beyond']} its range over the previous {spread['periods']}"
            f" comparable periods ({low} to {high}, {md(spread['from_period'])}–"
            f"{md(spread['to_period'])})."
        )
    return sentence


def no_comparison_text(summary: dict) -> str:
    """Why a latest figure has no % change: a method change stands between it and every earlier
    period of the same length, or there is no such period at all."""
    year = summary.get("break_year")
    if year:
        return f"no comparable earlier period (method change in {year})"
    return "no earlier comparable period"


def range_flag(spread: dict | None, unit: str | None = None) -> str | None:
    """Short flag for a card (markdown), or None when the latest point is inside its recent
    range."""
    if not spread or not spread.get("beyond"):
        return None
    arrow = "▲" if spread["beyond"] == "above" else "▼"
    bound = spread["high"] if spread["beyond"] == "above" else spread["low"]
    return (
        f"{arrow} Beyond its recent range: {spread['beyond']} the "
        f"{'highest' if spread['beyond'] == 'above' else 'lowest'} of the previous "
        f"{spread['periods']} periods ({md(format_value(bound, unit))})"
    )
