"""NSDUH detailed tables as published (HTML): the Ketamine rows of Tables 1.102A/B, 2019 and
2020 by age group; significance letters leave the number and stay in the note; 2020 is a break."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from etl.contract import ParseError
from etl.sources.nsduh_detailed_tables import SOURCE

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "nsduh_detailed_tables"
SLICE = FIXTURES / "NSDUHDetTabsSect1pe2020.htm"


def parse(path: Path):
    return SOURCE.parse({"section1": [path]})


def check_values(observations: pd.DataFrame) -> int:
    expected = pd.read_csv(FIXTURES / "expected_values.csv", dtype={"period_label": str})
    for row in expected.itertuples():
        hit = observations[
            (observations["indicator"] == row.indicator)
            & (observations["period_label"] == row.period_label)
            & (observations["stratum"] == row.stratum)
            & (observations["geography"] == row.geography)
        ]
        assert hit["value"].tolist() == [pytest.approx(row.value)], row
    return len(expected)


def test_the_slice_gives_both_tables_by_age_and_year() -> None:
    obs = parse(SLICE).observations
    assert len(obs) == 20  # 2 tables x 5 age groups x 2 years
    assert check_values(obs) == 9
    assert set(obs["unit"]) == {"thousands of people", "percent"}
    assert obs["citation"].str.contains("Table 1.102A|Table 1.102B").all()
    assert set(obs["vintage"]) == {"NSDUH 2020 detailed tables"}


def test_the_real_file_gives_the_same_rows(shared_raw: Path) -> None:
    obs = parse(shared_raw / "nsduh_detailed_tables" / "NSDUHDetTabsSect1pe2020.htm").observations
    assert len(obs) == 20 and check_values(obs) == 9


def test_2020_is_a_break_and_its_cells_carry_the_caution() -> None:
    tables = parse(SLICE)
    breaks = tables.indicators.set_index("id")["series_breaks"]
    assert all("2020-01-01 break" in b for b in breaks)
    obs = tables.observations
    assert obs.loc[obs["period_label"] == "2020", "note"].str.contains("italics").all()
    assert not obs.loc[obs["period_label"] == "2019", "note"].str.contains("italics").any()


def test_significance_letters_are_removed_and_kept_in_the_note(tmp_path: Path) -> None:
    html = SLICE.read_text(encoding="utf-8")
    marked = tmp_path / SLICE.name
    marked.write_text(html.replace('<td class="w7">3,833</td>', '<td class="w7">3,833a</td>', 1))
    obs = parse(marked).observations
    row = obs[(obs["period_label"] == "2019") & (obs["stratum"] == "aged 12+")].iloc[0]
    assert row["value"] == 3833 and "significance letter 'a'" in row["note"]


def test_low_precision_cells_are_not_numbers_and_are_listed(tmp_path: Path) -> None:
    html = SLICE.read_text(encoding="utf-8")
    marked = tmp_path / SLICE.name
    marked.write_text(html.replace('<td class="w7">32</td>', '<td class="w7">*</td>', 1))
    tables = parse(marked)
    assert len(tables.observations) == 19
    assert any("low precision" in note for note in tables.notes)


def test_a_page_without_ketamine_is_refused_naming_the_file(tmp_path: Path) -> None:
    other = tmp_path / SLICE.name
    other.write_text(SLICE.read_text(encoding="utf-8").replace("Ketamine", "Mescaline"))
    with pytest.raises(ParseError) as error:
        parse(other)
    assert SLICE.name in str(error.value)


def test_a_number_damaged_in_the_ketamine_row_names_the_line(tmp_path: Path) -> None:
    html = SLICE.read_text(encoding="utf-8")
    damaged = tmp_path / SLICE.name
    damaged.write_text(html.replace('<td class="w7">539</td>', '<td class="w7">5 39</td>', 1))
    with pytest.raises(ParseError) as error:
        parse(damaged)
    assert error.value.line is not None and "5 39" in str(error.value)
