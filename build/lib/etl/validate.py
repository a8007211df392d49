"""Checks a source's canonical tables before they are staged: schema, ranges, keys, text.

Plausible ranges and text limits come from `etl/plausible.py` (the ranges are data). A parser
may carry the publisher's line in an optional `line` column of `observations` (not staged); a
value out of range is then named with it.

Each check returns human-readable problems; an empty list means the tables may be staged. A problem
stops that source (its previous vintage stays published), never the run.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import numpy as np
import pandas as pd

from etl.contract import (
    DOMAINS,
    EVENT_COLUMNS,
    FLAGS,
    INDICATOR_COLUMNS,
    OBSERVATION_COLUMNS,
    Tables,
)
from etl.plausible import (
    CONTROL,
    DETAIL_TEXT_LIMIT,
    TEXT_LIMITS,
    Range,
    range_for,
    shown,
    text_problem,
)

CHANGE_UNIT = re.compile(r"change|index", re.I)  # may be negative
# Publishers date things a little ahead (a survey year "2025" ends 2025-12-31), never years ahead.
FUTURE_SLACK = timedelta(days=400)
SERIES_KEY = ["indicator", "geography", "stratum", "period_start", "period_end", "period_label"]


def validate(tables: Tables, *, source_id: str, today: date | None = None) -> list[str]:
    today = today or date.today()
    problems: list[str] = []
    problems += check_columns(tables.observations, OBSERVATION_COLUMNS, "observations")
    problems += check_columns(tables.indicators, INDICATOR_COLUMNS, "indicators")
    problems += check_columns(tables.events, EVENT_COLUMNS, "events")
    if problems:
        return problems
    problems += check_observations(tables.observations, tables.indicators, source_id, today)
    problems += check_indicators(tables.indicators, source_id)
    problems += check_events(tables.events, today)
    problems += check_text(tables)
    return problems


def check_columns(frame: pd.DataFrame, expected: dict[str, str], table: str) -> list[str]:
    missing = [column for column in expected if column not in frame.columns]
    return [f"{table}: missing columns {', '.join(missing)}"] if missing else []


def check_observations(
    obs: pd.DataFrame, indicators: pd.DataFrame, source_id: str, today: date
) -> list[str]:
    if obs.empty:
        return []
    return [
        *check_required(obs, source_id),
        *check_ranges(obs),
        *check_dates(obs, today),
        *check_flags(obs),
        *check_series(obs, indicators),
    ]


def check_required(obs: pd.DataFrame, source_id: str) -> list[str]:
    """Every row says what, when, how much, in what unit, citing what, and names its source."""
    problems: list[str] = []
    for column in (
        "indicator",
        "period_start",
        "period_end",
        "value",
        "unit",
        "citation",
        "vintage",
    ):
        blank = obs[column].isna() | (obs[column].astype(str).str.strip() == "")
        if blank.any():
            problems.append(f"observations: {int(blank.sum())} rows without {column}")
    wrong_source = obs["source"] != source_id
    if wrong_source.any():
        problems.append(f"observations: {int(wrong_source.sum())} rows name another source")
    return problems


def check_dates(obs: pd.DataFrame, today: date) -> list[str]:
    problems: list[str] = []
    starts = pd.to_datetime(obs["period_start"], errors="coerce")
    ends = pd.to_datetime(obs["period_end"], errors="coerce")
    if (starts > ends).any():
        problems.append(f"observations: {int((starts > ends).sum())} periods end before they start")
    future = starts > pd.Timestamp(today + FUTURE_SLACK)
    if future.any():
        problems.append(
            f"observations: {int(future.sum())} periods start in the future "
            f"(first: {obs.loc[future, 'period_label'].iloc[0]})"
        )
    return problems


def check_flags(obs: pd.DataFrame) -> list[str]:
    unknown_flags = {
        flag
        for cell in obs["flags"].dropna().astype(str)
        for flag in cell.split(";")
        if flag and flag not in FLAGS
    }
    return [f"observations: unknown flags {sorted(unknown_flags)}"] if unknown_flags else []


def check_series(obs: pd.DataFrame, indicators: pd.DataFrame) -> list[str]:
    """One row per series key and period; every indicator declared, each in one unit."""
    problems: list[str] = []
    duplicated = obs.duplicated(subset=SERIES_KEY, keep=False)
    if duplicated.any():
        first = obs.loc[duplicated].iloc[0]
        problems.append(
            f"observations: {int(duplicated.sum())} rows share a series key "
            f"(first: {first['indicator']} / {first['geography']} / {first['stratum']} / "
            f"{first['period_label']})"
        )
    known = set(indicators["id"]) if not indicators.empty else set()
    undeclared = sorted(set(obs["indicator"]) - known)
    if undeclared:
        problems.append(f"observations: indicators not declared: {', '.join(undeclared[:5])}")
    units = obs.groupby("indicator")["unit"].nunique()
    mixed = units[units > 1]
    if not mixed.empty:
        problems.append(f"observations: indicators mixing units: {', '.join(mixed.index[:5])}")
    return problems


def check_ranges(obs: pd.DataFrame) -> list[str]:
    """Each value within its unit's plausible range (etl/data/plausible_ranges.csv); a unit with
    no range must still be finite and, unless it measures a change, not negative."""
    problems: list[str] = []
    for (indicator, unit), rows in obs.groupby(["indicator", "unit"], dropna=False, sort=True):
        bounds = range_for(str(unit), str(indicator))
        reasons = rows["value"].map(lambda v, b=bounds, u=str(unit): implausible(v, b, u))
        bad = reasons.notna()
        if not bad.any():
            continue
        index = bad.idxmax()
        row = obs.loc[index]
        line = f", line {int(row['line'])}" if "line" in obs and pd.notna(row["line"]) else ""
        why = f" ({bounds.describe()})" if bounds else ""
        problems.append(
            f"observations: {int(bad.sum())} {unit} values of {indicator} implausible "
            f"(first: {row['geography']} / {row['period_label']}{line}: "
            f"value {shown_value(row['value'])} {reasons[index]}){why}"
        )
    return problems


def shown_value(value: object) -> str:
    try:
        return format(float(value), ".12g")  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return repr(value)


def implausible(value: object, bounds: Range | None, unit: str) -> str | None:
    """Why a value is not plausible for its unit, or None (blank values are reported apart)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "is not a number"
    if bounds is not None:
        return bounds.problem(number)
    if not np.isfinite(number):
        return "is not a finite number"
    if number < 0 and not CHANGE_UNIT.search(unit):
        return "is negative"
    return None


def check_text(tables: Tables) -> list[str]:
    """Text cells within their column's limit and free of control characters: a damaged file
    must not publish a 4,000-character label or a 64 MB city name."""
    problems: list[str] = []
    frames = {name: getattr(tables, name) for name in TEXT_LIMITS}
    frames |= {name: frame for name, frame in tables.details.items()}
    for name, frame in frames.items():
        limits = TEXT_LIMITS.get(name, {})
        for column in frame.columns:
            if not pd.api.types.is_string_dtype(frame[column]):
                continue
            limit = limits.get(column, DETAIL_TEXT_LIMIT)
            cells = frame[column].astype(str)
            suspect = (cells.str.len() > limit) | cells.str.contains(CONTROL.pattern)
            if suspect.any():
                index = suspect.idxmax()
                cell = cells.at[index]
                key = next((c for c in ("indicator", "id", "geography") if c in frame), None)
                where = f" ({key} {shown(frame.at[index, key], 40)})" if key else ""
                problems.append(
                    f"{name}.{column}{where}: {shown(cell)} {text_problem(cell, limit)}"
                )
    return problems


def check_indicators(indicators: pd.DataFrame, source_id: str) -> list[str]:
    if indicators.empty:
        return []
    problems: list[str] = []
    if indicators["id"].duplicated().any():
        dupes = indicators.loc[indicators["id"].duplicated(), "id"].tolist()
        problems.append(f"indicators: duplicate ids {dupes[:5]}")
    bad_domain = ~indicators["domain"].isin(DOMAINS)
    if bad_domain.any():
        problems.append(
            f"indicators: unknown domains {sorted(set(indicators.loc[bad_domain, 'domain']))}"
        )
    blank = indicators["substance"].isna() | (indicators["substance"].astype(str).str.strip() == "")
    if blank.any():
        problems.append(
            f"indicators: {int(blank.sum())} without the substance they count "
            f"(first: {indicators.loc[blank, 'id'].iloc[0]})"
        )
    foreign = ~indicators["id"].astype(str).str.startswith(f"{source_id}_")
    if foreign.any():
        problems.append(
            f"indicators: ids must start with '{source_id}_' "
            f"(first: {indicators.loc[foreign, 'id'].iloc[0]})"
        )
    return problems


def check_events(events: pd.DataFrame, today: date) -> list[str]:
    if events.empty:
        return []
    problems: list[str] = []
    dates = pd.to_datetime(events["date"], errors="coerce")
    if dates.isna().any():
        problems.append(f"events: {int(dates.isna().sum())} rows without a date")
    if (dates > pd.Timestamp(today + FUTURE_SLACK)).any():
        problems.append("events: dates in the future")
    if (events["event"].astype(str).str.strip() == "").any():
        problems.append("events: rows without a description")
    return problems
