"""Time axes that read in the data's own terms: years as `2019`, quarters as `2019Q1`, months as
`Mar 2019`, days as `2019-03-05`; never Vega's default multi-format ('April', 'July' between
the years) and never a number format on a date.

`period_kind` decides from the rows' own period lengths; `time_axis` picks the ticks and the
label format for that kind and for how many years the chart spans (a 20-year quarterly series is
labelled by year, at the first quarter of each)."""

from __future__ import annotations

import altair as alt
import pandas as pd

KINDS = ("year", "quarter", "month", "day")
MAX_TICKS = 12  # about as many labels as fit on a phone-width axis

# Vega expressions for the label of a tick at `datum.value` (a date).
YEAR_FORMAT = "%Y"
MONTH_FORMAT = "%b %Y"
DAY_FORMAT = "%Y-%m-%d"
QUARTER_LABEL = "timeFormat(datum.value, '%Y') + 'Q' + (floor(month(datum.value) / 3) + 1)"


def period_kind(data: pd.DataFrame) -> str:
    """'year', 'quarter', 'month' or 'day': the usual length of the rows' periods (half-years and
    longer count as years, for labelling)."""
    if "span_days" in data and data["span_days"].notna().any():
        usual = float(data["span_days"].median())
    elif {"period_start", "period_end"} <= set(data.columns) and not data.empty:
        spans = pd.to_datetime(data["period_end"]) - pd.to_datetime(data["period_start"])
        usual = float(spans.dt.days.median()) + 1
    else:
        return "year"
    if usual >= 150:
        return "year"
    if usual >= 80:
        return "quarter"
    if usual >= 25:
        return "month"
    return "day"


def time_scale(data: pd.DataFrame) -> alt.Scale:
    """The x range covers whole periods (first start to last end), so a year's point sits
    inside its year and the first and last year get their labels."""
    start, end = time_domain(data)
    return alt.Scale(domain=[start.isoformat(), end.isoformat()])


def time_domain(data: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    return (
        pd.to_datetime(data["period_start"]).min(),
        pd.to_datetime(data["period_end"]).max(),
    )


def axis_plan(data: pd.DataFrame) -> dict:
    """The tick interval, step and label rule for this data: {'kind', 'interval', 'step',
    'format' or 'labelExpr'}. Pure, so tests can check the choice per period kind."""
    start, end = time_domain(data)
    return plan_for(period_kind(data), start, end)


def plan_for(kind: str, start: pd.Timestamp, end: pd.Timestamp) -> dict:
    """`axis_plan` for periods of `kind` between `start` and `end`."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    years = max(end.year - start.year + 1, 1)
    months = max((end.year - start.year) * 12 + end.month - start.month + 1, 1)
    year_plan = {
        "kind": kind,
        "interval": "year",
        "step": max(1, -(-years // MAX_TICKS)),
        "format": YEAR_FORMAT,
    }
    if kind == "year":
        return year_plan
    if kind == "quarter":
        if months // 3 > MAX_TICKS:
            return year_plan  # ticks at each year's first quarter, labelled by year
        return {"kind": kind, "interval": "month", "step": 3, "labelExpr": QUARTER_LABEL}
    if kind == "month":
        if months > 6 * MAX_TICKS:
            return year_plan
        step = next(s for s in (1, 2, 3, 6, 12) if months / s <= MAX_TICKS)
        return {"kind": kind, "interval": "month", "step": step, "format": MONTH_FORMAT}
    days = max((end - start).days, 1)
    if days > 3 * 365:
        return year_plan
    if days > 120:
        step = next(s for s in (1, 2, 3, 6, 12) if months / s <= MAX_TICKS)
        return {"kind": kind, "interval": "month", "step": step, "format": MONTH_FORMAT}
    return {
        "kind": kind,
        "interval": "day",
        "step": max(1, days // MAX_TICKS),
        "format": DAY_FORMAT,
    }


def time_axis(data: pd.DataFrame, **extra) -> alt.Axis:
    """An x axis whose ticks fall on the data's own periods and read in its own terms."""
    return axis_for(axis_plan(data), **extra)


def date_axis(dates: pd.Series, **extra) -> alt.Axis:
    """A year axis for dated events (milestones) between their first and last date."""
    when = pd.to_datetime(dates)
    return axis_for(plan_for("year", when.min(), when.max()), **extra)


def axis_for(plan: dict, **extra) -> alt.Axis:
    label = {"labelExpr": plan["labelExpr"]} if "labelExpr" in plan else {"format": plan["format"]}
    return alt.Axis(
        tickCount={"interval": plan["interval"], "step": plan["step"]},
        labelFlush=False,
        labelOverlap=True,
        labelSeparation=6,  # a year label never touches its neighbour on a phone
        **label,
        **extra,
    )
