"""The shared observation builder: periods from labels, flags in stored form, broadcast rules."""

from __future__ import annotations

from datetime import date

import pytest

from etl.contract import OBSERVATION_COLUMNS
from etl.observation_frame import join_flags, observations, observations_from_records

COMMON = dict(source="s", geography="US", unit="reports", citation="c", citation_url="https://x")


def test_periods_come_from_their_published_labels() -> None:
    frame = observations(indicator="i", period=["2019", "2020Q3", "2022/23", "2021-02"],
                         value=[1, 2, 3, 4], **COMMON)  # fmt: skip
    assert list(frame.columns) == list(OBSERVATION_COLUMNS)
    assert frame["period_start"].tolist() == [
        date(2019, 1, 1), date(2020, 7, 1), date(2022, 4, 1), date(2021, 2, 1)
    ]  # fmt: skip
    assert frame["period_end"].tolist() == [
        date(2019, 12, 31), date(2020, 9, 30), date(2023, 3, 31), date(2021, 2, 28)
    ]  # fmt: skip
    assert frame["period_label"].tolist() == ["2019", "2020Q3", "2022/23", "2021-02"]


def test_flags_are_sorted_and_joined_per_row() -> None:
    flags = [["proxy", "provisional"], "unreliable;proxy"]
    frame = observations(
        indicator="i", period=["2019", "2020"], value=[1.5, 2], flags=flags, **COMMON
    )
    assert frame["flags"].tolist() == ["provisional;proxy", "proxy;unreliable"]
    assert join_flags(None) == "" and join_flags(" ; proxy") == "proxy"


def test_scalars_repeat_and_columns_must_match_the_row_count() -> None:
    frame = observations(indicator="i", period="2019", value=[1, 2], stratum=["a", "b"], **COMMON)
    assert frame["indicator"].tolist() == ["i", "i"] and frame["stratum"].tolist() == ["a", "b"]
    assert frame["value"].dtype == float and frame["lower"].isna().all()
    with pytest.raises(ValueError, match="2 values for 3 rows"):
        observations(indicator="i", period=["2019"] * 3, value=[1, 2], **COMMON)


def test_a_value_that_is_not_a_number_is_refused() -> None:
    with pytest.raises(ValueError):
        observations(indicator="i", period="2019", value=["about 5"], **COMMON)


def test_records_carry_what_varies_and_constants_the_rest() -> None:
    records = [{"indicator": "a", "period": "2019", "value": 1.0, "note": "row 4"},
               {"indicator": "b", "period": "2020", "value": 2.0, "note": "row 5"}]  # fmt: skip
    frame = observations_from_records(records, vintage="2024 release", **COMMON)
    assert frame["indicator"].tolist() == ["a", "b"]
    assert set(frame["vintage"]) == {"2024 release"} and set(frame["source"]) == {"s"}
    assert observations_from_records([], **COMMON).columns.tolist() == list(OBSERVATION_COLUMNS)
