"""Rules kept as data (`etl/data/literature_rules.csv`): each names a kind (route, domain, flag,
unit, substance, measure), the fields it looks at, a pattern and the value it gives."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from etl.sources.literature.meta import RULES_PATH


@dataclass(frozen=True)
class Rule:
    kind: str
    fields: tuple[str, ...]
    pattern: re.Pattern[str]
    value: str


@cache
def load_rules(path: Path = RULES_PATH) -> tuple[Rule, ...]:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return tuple(
        Rule(row.kind, tuple(row.field.split("|")), re.compile(row.pattern, re.I), row.value)
        for row in frame.itertuples()
    )


def first_match(rules: tuple[Rule, ...], kind: str, row: dict) -> str | None:
    for rule in rules:
        if rule.kind == kind and any(rule.pattern.search(str(row.get(f, ""))) for f in rule.fields):
            return rule.value
    return None


def all_matches(rules: tuple[Rule, ...], kind: str, row: dict) -> list[str]:
    return sorted(
        {
            rule.value
            for rule in rules
            if rule.kind == kind
            and any(rule.pattern.search(str(row.get(f, ""))) for f in rule.fields)
        }
    )
