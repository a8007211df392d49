"""Pure transforms: gaps and breaks cut lines, years filter, change and recent-range summaries,
per-capita rates, and the sentences written from them."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.common import changes, narrative, transforms


def annual(values: dict[int, float], **extra: object) -> pd.DataFrame:
    """Hand-made yearly rows in the warehouse's observation shape."""
    rows = [
        {
            "indicator": "x_reports",
            "label": "X reports",
            "geography": "Testland",
            "stratum": "all",
            "period_start": pd.Timestamp(year, 1, 1),
            "period_end": pd.Timestamp(year, 12, 31),
            "period_label": str(year),
            "value": value,
            "lower": None,
            "upper": None,
            "unit": "reports",
            "flags": "",
            "citation": "Test publication",
            **extra,
        }
        for year, value in values.items()
    ]
    return pd.DataFrame(rows)


def test_a_missing_year_cuts_the_line() -> None:
    frame = transforms.chart_frame(annual({2018: 1, 2019: 2, 2021: 3, 2022: 4}))
    assert frame["segment"].tolist() == [0, 0, 1, 1]


def test_a_documented_series_break_cuts_only_its_own_series() -> None:
    broken = annual({2011: 1, 2012: 2, 2013: 3}, series_breaks="2012Q4 AERS -> FAERS")
    other = annual({2011: 5, 2012: 6, 2013: 7}, series_breaks="").assign(
        label="Y reports", indicator="y"
    )
    frame = transforms.chart_frame(pd.concat([broken, other], ignore_index=True))
    segments = frame.groupby("series")["segment"].apply(list).to_dict()
    assert segments == {"X reports": [0, 0, 1], "Y reports": [0, 0, 0]}


def test_parse_breaks_reads_dates_quarters_and_years() -> None:
    found = transforms.parse_breaks(
        "2012Q4 AERS -> FAERS; 2019-03-05 Spravato approval; 2001: ICD-10; no date here"
    )
    assert found == [
        (pd.Timestamp(2012, 10, 1), "AERS -> FAERS"),
        (pd.Timestamp(2019, 3, 5), "Spravato approval"),
        (pd.Timestamp(2001, 1, 1), "ICD-10"),
    ]
    assert transforms.parse_breaks("") == []
    assert transforms.parse_breaks("2019-02-30 not a day") == []


def test_provisional_flag_marks_rows() -> None:
    frame = annual({2022: 1, 2023: 2})
    frame.loc[1, "flags"] = "provisional;secondary"
    out = transforms.chart_frame(frame)
    assert out["provisional"].tolist() == [False, True]
    assert out["flags"].iloc[1] == "provisional, secondary"


def test_filter_years_counts_a_period_by_the_year_it_ends() -> None:
    frame = annual({2019: 1, 2020: 2, 2021: 3})
    span = frame.iloc[[0]].assign(
        period_start=pd.Timestamp(2022, 4, 1), period_end=pd.Timestamp(2023, 3, 31)
    )
    frame = pd.concat([frame, span], ignore_index=True)
    assert transforms.filter_years(frame, 2020, 2021)["value"].tolist() == [2, 3]
    assert len(transforms.filter_years(frame, 2023, None)) == 1
    assert len(transforms.filter_years(frame, None, None)) == 4
    assert transforms.years_of(span) == [2022, 2023]


def test_change_summary_compares_the_previous_period_of_the_same_length() -> None:
    frame = annual({2021: 100, 2022: 150})
    quarter = frame.iloc[[0]].assign(
        period_start=pd.Timestamp(2021, 10, 1),
        period_end=pd.Timestamp(2021, 12, 31),
        value=5,
        period_label="2021Q4",
    )
    summary = changes.change_summary(pd.concat([quarter, frame], ignore_index=True))
    assert summary["latest_value"] == 150
    assert summary["previous_period"] == "2021"
    assert summary["change_pct"] == pytest.approx(50)


@pytest.mark.parametrize(
    ("values", "beyond"),
    [
        ({2018: 10, 2019: 12, 2020: 11, 2021: 13, 2022: 20}, "above"),
        ({2018: 10, 2019: 12, 2020: 11, 2021: 13, 2022: 9}, "below"),
        ({2018: 10, 2019: 12, 2020: 11, 2021: 13, 2022: 12}, None),
    ],
)
def test_recent_range(values: dict[int, float], beyond: str | None) -> None:
    spread = changes.recent_range(annual(values))
    assert spread["beyond"] == beyond
    assert (spread["low"], spread["high"], spread["periods"]) == (10, 13, 4)
    assert (spread["from_period"], spread["to_period"]) == ("2018", "2021")


def test_recent_range_needs_recent_history() -> None:
    assert changes.recent_range(annual({2021: 1, 2022: 5})) is None
    # 1994-1996 are more than ten years before 2023: not "recent".
    assert changes.recent_range(annual({1994: 1, 1995: 2, 1996: 3, 2023: 9})) is None


def test_per_capita_uses_the_same_geography_and_year_and_drops_the_rest() -> None:
    frame = annual({2020: 50, 2021: 60}).assign(lower=[40.0, 50.0], upper=[60.0, 70.0])
    population = pd.DataFrame(
        {"geography": ["Testland", "Elsewhere"], "year": [2021, 2020], "population": [2e6, 1e6]}
    )
    out = transforms.per_capita(frame, population)
    assert out["value"].tolist() == [3.0]  # 60 / 2,000,000 * 100,000; 2020 has no denominator
    assert (out["lower"].iloc[0], out["upper"].iloc[0]) == pytest.approx((2.5, 3.5))
    assert out["unit"].iloc[0] == "reports per 100,000 people"
    assert transforms.per_capita(frame, population.iloc[0:0]).empty


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (2031.0, "reports", "2,031 reports"),
        (2.9, "percent", "2.9%"),
        (0.01234, "ROR", "0.0123 ROR"),
        (1.54, "per 1,000,000 population", "1.54 per 1,000,000 population"),
        (None, "reports", "—"),
    ],
)
def test_format_value(value: float | None, unit: str, text: str) -> None:
    assert narrative.format_value(value, unit) == text


def test_what_changed_is_written_from_the_numbers() -> None:
    frame = annual({2018: 10, 2019: 12, 2020: 11, 2021: 13, 2022: 20})
    frame.loc[4, "flags"] = "provisional"
    summary = changes.change_summary(frame)
    spread = changes.recent_range(frame)
    text = narrative.what_changed(
        stream="Supply", label="X reports", where="Testland", summary=summary, spread=spread
    )
    assert text == (
        "**Supply**: X reports (Testland) was 20 reports in 2022, up 54% from 13 reports in 2021."
        " The latest figure is provisional. That is above its range over the previous 4"
        " comparable periods (10 reports to 13 reports, 2018–2021)."
    )
    steady = changes.change_summary(annual({2021: 100, 2022: 101}))
    assert "about the same as in 2021" in narrative.what_changed(
        stream="S", label="L", where="W", summary=steady
    )
    assert narrative.range_flag(spread, "reports").startswith("▲ Beyond its recent range")
