"""Checks a source's canonical tables before they are staged: schema, ranges, keys.

Each check returns human-readable problems; an empty list means the tables may be staged. A problem
stops that source (its previous vintage stays published), never the run.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from etl.contract import (
    DOMAINS,
    EVENT_COLUMNS,
    FLAGS,
    INDICATOR_COLUMNS,
    OBSERVATION_COLUMNS,
    Tables,
)

PERCENT_UNITS = ("percent",)
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
    return problems


def check_columns(frame: pd.DataFrame, expected: dict[str, str], table: str) -> list[str]:
    missing = [column for column in expected if column not in frame.columns]
    return [f"{table}: missing columns {', '.join(missing)}"] if missing else []


def check_observations(
    obs: pd.DataFrame, indicators: pd.DataFrame, source_id: str, today: date
) -> list[str]:
    if obs.empty:
        return []
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
    values = pd.to_numeric(obs["value"], errors="coerce")
    is_count = ~obs["unit"].astype(str).str.contains("percent change|change|index", case=False)
    negative = (values < 0) & is_count
    if negative.any():
        first = obs.loc[negative].iloc[0]
        problems.append(
            f"observations: {int(negative.sum())} negative values "
            f"(first: {first['indicator']} {first['period_label']} = {first['value']})"
        )
    is_percent = obs["unit"].astype(str).str.lower().isin(PERCENT_UNITS)
    over = is_percent & (values > 100)
    if over.any():
        first = obs.loc[over].iloc[0]
        problems.append(
            f"observations: {int(over.sum())} percentages over 100 "
            f"(first: {first['indicator']} {first['period_label']} = {first['value']})"
        )
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
    unknown_flags = {
        flag
        for cell in obs["flags"].dropna().astype(str)
        for flag in cell.split(";")
        if flag and flag not in FLAGS
    }
    if unknown_flags:
        problems.append(f"observations: unknown flags {sorted(unknown_flags)}")
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
