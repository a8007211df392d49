"""Plausible ranges (etl/data/plausible_ranges.csv) and text limits: the table is well formed,
nonsense is refused with what and where, and no real published row is refused."""

from __future__ import annotations

import re
from datetime import date

import duckdb
import pandas as pd
import pytest

from etl.contract import Tables
from etl.plausible import CELL_LIMIT, range_for, ranges, text_problem
from etl.sources import euda_wastewater
from etl.validate import validate

LOAD = "mg per 1,000 people per day"


def test_every_range_row_is_well_formed():
    assert len(ranges()) >= 10
    for row in ranges():
        re.compile(row.unit)
        assert row.why.strip(), row
        if row.low is not None and row.high is not None:
            assert row.low < row.high, row


@pytest.mark.parametrize(
    ("unit", "value", "problem"),
    [
        (LOAD, 1e12, "is above 10,000"),
        (LOAD, float("inf"), "is not a finite number"),
        (LOAD, -0.5, "is below 0"),
        ("percent", 100.5, "is above 100"),
        ("reports", 1792.9, "is not a whole number"),
        ("deaths", -3, "is below 0"),
        ("percent change", -120, "is below -100"),
        ("degrees latitude", 508.5, "is above 90"),
        ("deaths per 1,000,000 population (age-standardised, 2013 ESP)", 2e6, "is above"),
    ],
)
def test_implausible_values_are_named(unit: str, value: float, problem: str):
    bounds = range_for(unit)
    assert bounds is not None, unit
    assert problem in (bounds.problem(value) or "")


@pytest.mark.parametrize(
    ("unit", "value"),
    [(LOAD, 4751.5), ("percent", 100), ("percent change", 1116.4), ("reports", 0), ("kg", 23300)],
)
def test_real_extremes_pass(unit: str, value: float):
    assert range_for(unit).problem(value) is None  # type: ignore[union-attr]


def fixture_tables(**changes: object) -> Tables:
    indicators = euda_wastewater.indicators()
    row = {
        "source": "euda_wastewater",
        "indicator": "euda_wastewater_load_ketamine",
        "geography": "Brno (CZ)",
        "period_start": date(2022, 1, 1),
        "period_end": date(2022, 12, 31),
        "period_label": "2022",
        "stratum": "daily mean of the sampling week",
        "value": 1.28,
        "lower": None,
        "upper": None,
        "unit": LOAD,
        "flags": "",
        "note": "",
        "citation": "EUDA",
        "citation_url": "https://example.org",
        "vintage": "2025 edition (data to 2024)",
    }
    observations = pd.DataFrame([row | changes])
    return Tables(observations=observations, indicators=indicators)


def test_a_clean_row_validates():
    assert validate(fixture_tables(), source_id="euda_wastewater") == []


def test_validate_names_indicator_place_period_value_and_line():
    problems = validate(fixture_tables(value=1e12, line=7), source_id="euda_wastewater")
    [problem] = problems
    for needle in ("euda_wastewater_load_ketamine", "Brno (CZ)", "2022", "line 7", "1e+12"):
        assert needle in problem, problem
    assert "plausible range 0 to 10,000" in problem


def test_validate_refuses_long_and_damaged_text():
    [problem] = validate(fixture_tables(geography="x" * 5000), source_id="euda_wastewater")
    assert "observations.geography" in problem and "5,000 characters long" in problem
    [problem] = validate(fixture_tables(stratum="a\x00b"), source_id="euda_wastewater")
    assert "control character" in problem and "'\\x00'" in problem
    tables = fixture_tables()
    tables.indicators.loc[0, "label"] = "Wastewater " + "\x00" * 4125
    [problem] = validate(tables, source_id="euda_wastewater")
    assert problem.startswith("indicators.label")


def test_detail_tables_have_a_text_limit():
    tables = fixture_tables()
    tables.details["wastewater_sites"] = pd.DataFrame({"city": ["Brno", "B" * (CELL_LIMIT + 1)]})
    [problem] = validate(tables, source_id="euda_wastewater")
    assert problem.startswith("wastewater_sites.city") and "characters long" in problem


def test_text_problem_is_none_for_ordinary_text():
    assert text_problem("Debrecen (HU)\twith a tab", 100) is None


def test_no_real_published_value_is_out_of_range(real_warehouse):
    """Every unit the real warehouse publishes is either in the table or allowed on purpose,
    and every value published is within its range (the refresh would have refused it)."""
    con = duckdb.connect(str(real_warehouse), read_only=True)
    try:
        units = con.execute("SELECT DISTINCT unit FROM observations").fetchall()
        sources = dict(con.execute("SELECT source, status FROM runs").fetchall())
    finally:
        con.close()
    unranged = sorted(u for (u,) in units if range_for(u) is None)
    assert unranged == [], unranged
    for source in ("nflis", "euda_wastewater", "ons_drug_poisoning", "cms_partd", "literature"):
        assert sources[source] == "ok", source
