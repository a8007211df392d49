"""Which detector a series gets: the rules in etl/data/alert_rules.csv, matched in file order by
the series' frequency, kind and number of points (the first rule that fits wins).

- frequency comes from the periods' length (about 30, 91 or 365 days); a series of mixed or other
  lengths (weeks, multi-year spans) is `other` and only the catch-all rule matches it;
- kind comes from the unit: `percent` is a proportion, a unit with "per" (deaths per million,
  mg per 1,000 people per day) or a currency is a rate (non-integer: Farrington's delta threshold),
  anything else counts events (reports, samples, deaths, claims).

The parameters (baseline, guard band, α, ...) sit beside their references in the same file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

RULES_CSV = Path(__file__).resolve().parent.parent / "data" / "alert_rules.csv"
TOO_SHORT = "too short to test"


@dataclass(frozen=True)
class Rule:
    rule: str
    frequency: str
    kind: str
    min_points: int
    method: str
    params: dict
    evaluate_last: int
    reference: str

    def fits(self, frequency: str, kind: str, points: int) -> bool:
        return (
            _matches(self.frequency, frequency)
            and _matches(self.kind, kind)
            and points >= self.min_points
        )


def _matches(pattern: str, value: str) -> bool:
    return pattern == "any" or value in pattern.split("|")


def load_rules(path: Path = RULES_CSV) -> list[Rule]:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    rules = []
    for row in frame.to_dict("records"):
        fixed = ("rule", "frequency", "kind", "min_points", "method", "evaluate_last", "reference")
        params = {k: _number(v) for k, v in row.items() if k not in fixed and v != ""}
        rules.append(
            Rule(
                rule=row["rule"],
                frequency=row["frequency"],
                kind=row["kind"],
                min_points=int(row["min_points"]),
                method=row["method"],
                params=params,
                evaluate_last=int(row["evaluate_last"]),
                reference=row["reference"],
            )
        )
    return rules


def _number(text: str) -> float | int | str:
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() else number


def frequency_named(days: float) -> str:
    """monthly / quarterly / annual from the periods' median length in days, else other."""
    for name, low, high in (("monthly", 27, 31), ("quarterly", 88, 92), ("annual", 363, 366)):
        if low <= days <= high:
            return name
    return "other"


def kind_of(unit: str) -> str:
    text = (unit or "").strip().lower()
    if text in ("percent", "%", "per cent"):
        return "proportion"
    if " per " in f" {text} " or text in ("usd", "gbp", "eur"):
        return "rate"
    return "count"


PERIODS_PER_YEAR = {"monthly": 12, "quarterly": 4, "annual": 1}


def rule_for(rules: list[Rule], frequency: str, kind: str, points: int) -> Rule:
    for rule in rules:
        if rule.fits(frequency, kind, points):
            return rule
    raise LookupError(f"no alert rule fits a {frequency} {kind} series of {points} points")
