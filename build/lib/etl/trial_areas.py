"""Study areas from registered conditions, by keyword rules kept as data (etl/data/trial_areas.csv).

Each condition takes the first area (in the file's order) whose pattern it matches; a study's area
is the first of its conditions' areas in that order, so per-area counts add up to the total. A
study whose conditions match nothing is `other`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import pandas as pd

AREAS_PATH = Path(__file__).resolve().parent / "data" / "trial_areas.csv"
Rules = tuple[tuple[str, str, re.Pattern[str]], ...]


@cache
def load_areas(path: Path = AREAS_PATH) -> Rules:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return tuple((r.area, r.label, re.compile(r.pattern, re.I)) for r in frame.itertuples())


OTHER = ("other", "Other conditions")


def areas_of(conditions: Iterable[str], rules: Rules) -> list[tuple[str, str]]:
    """Each condition's first matching area (rules' order); the distinct areas in that order."""
    hits: set[tuple[str, str]] = set()
    for condition in conditions:
        for area, label, pattern in rules:
            if pattern.search(condition):
                hits.add((area, label))
                break
    ordered = [(area, label) for area, label, _ in rules if (area, label) in hits]
    return list(dict.fromkeys(ordered)) or [OTHER]


def classify(trials: pd.DataFrame, *, rules: Rules) -> pd.DataFrame:
    matched = [areas_of(c.split("; ") if c else [], rules) for c in trials["conditions"]]
    trials = trials.copy()
    trials["area"] = [m[0][0] for m in matched]
    trials["area_label"] = [m[0][1] for m in matched]
    trials["areas"] = ["; ".join(a for a, _ in m) for m in matched]
    return trials
