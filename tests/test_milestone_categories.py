"""milestones: each curated event gets its category from etl/data/milestone_categories.csv."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.sources import milestones
from etl.sources.milestones import categorise

SEED = Path(__file__).resolve().parents[1] / "data" / "seed" / "milestones"
EXPECTED = {
    "1970": "approval",
    "1971": "marketing",
    "1981-06-02": "scheduling",
    "1999-04-09": "scheduling",
    "1999-07-13": "scheduling",
    "1999-08-12": "scheduling",
    "2014-06-10": "scheduling",
    "2019-03-05": "approval",
    "2019-10-18": "approval",
    "2019-12-19": "approval",
    "2020-08-03": "approval",
    "2021-02": "approval",
    "2025-01-21": "approval",
    "2022-02": "safety alert",
    "2023-10": "safety alert",
}


def test_every_curated_milestone_has_its_category() -> None:
    events = milestones.SOURCE.parse({"milestones": sorted(SEED.glob("*.csv"))}).events
    assert dict(zip(events["date_label"], events["category"], strict=True)) == EXPECTED


@pytest.mark.parametrize(
    ("event", "category"),
    [
        ("FDA Drug Safety Communication on esketamine", "safety alert"),
        ("FDA approves a label update adding REMS and risk information", "approval"),
        ("FDA alerts health care professionals of risks of compounded products", "safety alert"),
        (
            "NSDUH questionnaire redesign and change to web data collection",
            "survey or method change",
        ),
        (
            "Monitoring the Future drops the ketamine question for grades 8 and 10",
            "survey or method change",
        ),
        ("Placement of a substance into Schedule III", "scheduling"),
        ("Something else entirely", "other"),
    ],
)
def test_category_rules(event: str, category: str) -> None:
    assert categorise(event, "") == category
