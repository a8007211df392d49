"""Since year X: indexing each series to its own base-year value, never across a method break."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.common import transforms
from dashboard.trends import base_year

NSDUH_BREAKS = (
    "2015-01-01 break: NSDUH 2015 questionnaire redesign; 2020-01-01..2020-12-31 caveat: "
    "NSDUH 2020 collected in two quarters only; "
    "2021-01-01 break: NSDUH 2021 new data collection mode"
)


def yearly(label: str, values: dict[int, float], breaks: str = "") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator": label,
            "label": label,
            "definition": f"{label} definition",
            "geography": "United States",
            "stratum": "total",
            "period_start": [f"{y}-01-01" for y in values],
            "period_end": [f"{y}-12-31" for y in values],
            "period_label": [str(y) for y in values],
            "value": list(values.values()),
            "unit": "count",
            "flags": "",
            "series_breaks": breaks,
        }
    )


def frame(*parts: pd.DataFrame) -> pd.DataFrame:
    return transforms.chart_frame(pd.concat(parts, ignore_index=True))


def test_each_series_is_indexed_to_its_own_base_year_value() -> None:
    data = frame(yearly("a", {2018: 50, 2019: 100, 2020: 150}), yearly("b", {2019: 4, 2021: 2}))
    out = base_year.index_since(data, 2019)
    got = out.set_index(["series", "year"])["index"]
    assert got[("a", 2018)] == 50 and got[("a", 2020)] == 150
    assert got[("b", 2019)] == 100 and got[("b", 2021)] == 50
    assert set(out["base_year"]) == {2019}


def test_points_across_a_method_break_are_left_out_not_indexed() -> None:
    data = frame(yearly("nsduh", {y: 10.0 + y - 2015 for y in range(2015, 2024)}, NSDUH_BREAKS))
    out = base_year.index_since(data, 2019)
    # 2015-2020 share the era of 2019; 2021 onward lie after the 2021 break: a gap
    assert sorted(out["year"]) == [2015, 2016, 2017, 2018, 2019, 2020]
    table = base_year.since_table(data, 2019).iloc[0]
    assert table["change_since_base_pct"] is None
    assert table["direction"] == "not comparable"
    assert "2021: NSDUH 2021 new data collection mode" in table["break_since_base"]
    assert "caveat" not in table["break_since_base"]  # a caveat is not a method change


def test_a_series_without_the_base_year_or_with_a_zero_base_is_not_drawn() -> None:
    data = frame(yearly("a", {2019: 10, 2020: 20}), yearly("z", {2019: 0, 2020: 5}))
    out = base_year.index_since(data, 2019)
    assert set(out["series"]) == {"a"}
    assert base_year.index_since(data, 2005).empty


def test_since_table_change_direction_first_and_latest() -> None:
    data = frame(yearly("a", {2017: 80, 2019: 100, 2023: 130}))
    row = base_year.since_table(data, 2019).iloc[0]
    assert row["change_since_base_pct"] == pytest.approx(30.0)
    assert row["direction"] == "up"
    assert row["first"].startswith("80") and "(2017)" in row["first"]
    assert row["latest"].startswith("130") and "(2023)" in row["latest"]
    assert row["definition"] == "a definition"
    assert row["break_since_base"] == "none"


def test_default_is_the_year_from_which_most_series_show_a_change() -> None:
    data = frame(
        yearly("a", {2010: 1, 2015: 1, 2019: 1}),
        yearly("b", {2015: 1, 2019: 1}),
        yearly("c", {2019: 1, 2020: 1}),
    )
    # 2019 is shared by all three but is the latest year of two: their change would be +0 %
    assert base_year.default_base_year(data) == 2015
    choice = base_year.base_year_choice(data, 2015)
    assert choice["year"] == 2015 and choice["shared"] == 2 and not choice["common"]
    assert choice["nearest"] == 2019


def test_no_common_year_offers_the_year_most_series_share() -> None:
    data = frame(
        yearly("a", {2010: 1, 2011: 2}), yearly("b", {2011: 1, 2012: 2}), yearly("c", {2020: 1})
    )
    choice = base_year.base_year_choice(data, None)
    assert choice == {"year": 2011, "shared": 2, "total": 3, "common": False, "nearest": None}
    # the chart is never blank: the series that have the year are drawn
    assert set(base_year.index_since(data, 2011)["series"]) == {"a", "b"}


def test_a_year_not_in_the_data_falls_back_to_the_default() -> None:
    data = frame(yearly("a", {2019: 1, 2020: 2}))
    assert base_year.base_year_choice(data, 1990)["year"] == 2019


def test_among_years_with_as_many_changes_the_default_is_the_most_shared_then_earliest() -> None:
    data = frame(
        yearly("a", {2010: 1, 2012: 1, 2014: 1, 2016: 1}),
        yearly("b", {2012: 1, 2014: 1, 2016: 1}),
    )
    assert base_year.default_base_year(data) == 2012  # 2012 and 2014: both change; earliest
    single = frame(yearly("a", {2020: 5}), yearly("b", {2020: 7}))
    assert base_year.default_base_year(single) == 2020  # no later value anywhere: most shared
