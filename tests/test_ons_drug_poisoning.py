"""ons_drug_poisoning: the real 2022 workbook (golden rows), a hand-made fixture, and bad inputs."""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

import pytest
from openpyxl import load_workbook

from etl.contract import ParseError
from etl.refresh import RefreshOptions, refresh
from etl.sources.ons_drug_poisoning import SOURCE
from etl.validate import validate
from tests.refresh_kit import fingerprint

FIXTURE = Path(__file__).parent / "fixtures" / "ons_drug_poisoning" / "2002registrations.xlsx"


def parse(path: Path):
    return SOURCE.parse({"workbook": [path]})


def value(obs, indicator: str, year: str, *, geography="England and Wales", stratum="persons"):
    rows = obs[
        (obs["indicator"] == indicator)
        & (obs["period_label"] == year)
        & (obs["geography"] == geography)
        & (obs["stratum"] == stratum)
    ]
    assert len(rows) == 1, (indicator, year, geography, stratum, len(rows))
    return rows.iloc[0]


@cache
def parse_once(path: Path):
    return parse(path)


@pytest.fixture
def real(shared_raw: Path):
    workbook = shared_raw / "ons_drug_poisoning" / "2022registrations.xlsx"
    if not workbook.exists():
        pytest.skip(f"{workbook} not present: real publisher files are not in this checkout")
    return parse_once(workbook)


def test_real_table1_totals_golden(real) -> None:
    obs = real.observations
    expected = {"2022": 4907, "2021": 4859, "2020": 4561, "2019": 4393, "2018": 4359}
    for year, deaths in expected.items():
        assert value(obs, "ons_drug_poisoning_deaths_all", year)["value"] == deaths
    assert value(obs, "ons_drug_poisoning_deaths_all", "2022", stratum="males")["value"] == 3240
    assert value(obs, "ons_drug_poisoning_deaths_all", "2022", stratum="females")["value"] == 1667
    assert value(obs, "ons_drug_poisoning_deaths_all", "2022", geography="England")["value"] == 4572
    assert value(obs, "ons_drug_poisoning_deaths_all", "2022", geography="Wales")["value"] == 318
    assert value(obs, "ons_drug_poisoning_deaths_misuse", "2022")["value"] == 3127
    assert value(obs, "ons_drug_poisoning_deaths_all", "1993")["value"] == 2178
    years = obs.loc[obs["indicator"] == "ons_drug_poisoning_deaths_all", "period_label"]
    assert years.min() == "1993" and years.max() == "2022"


def test_real_table4_rates_with_confidence_limits(real) -> None:
    rate = value(real.observations, "ons_drug_poisoning_asmr_all", "2022")
    assert (rate["value"], rate["lower"], rate["upper"]) == (84.4, 82.1, 86.8)
    assert rate["unit"].startswith("deaths per 1,000,000")
    fentanyl = real.observations[
        real.observations["indicator"] == "ons_drug_poisoning_asmr_fentanyl"
    ]
    # ONS marks rates from 10-19 deaths 'u' and calculates none below 10 (':'): flagged, not made up
    assert (fentanyl["flags"] == "unreliable").any()
    deaths = real.observations[
        real.observations["indicator"] == "ons_drug_poisoning_deaths_fentanyl"
    ]
    assert len(fentanyl) < len(deaths)
    assert value(real.observations, "ons_drug_poisoning_deaths_fentanyl", "1993")["value"] == 0


def test_real_tables_validate_and_keep_one_unit_per_indicator(real) -> None:
    assert validate(real, source_id="ons_drug_poisoning") == []
    units = real.observations.groupby("indicator")["unit"].nunique()
    assert (units == 1).all()
    declared = real.indicators.set_index("id")["unit"]
    first = real.observations.groupby("indicator")["unit"].first()
    assert (declared[first.index] == first).all()


def test_fixture_found_by_content_with_blocks_and_footnotes() -> None:
    tables = parse(FIXTURE)
    obs = tables.observations
    # sheets are named Tbl_A / Tbl_B and ordered 4 before 1: found by their titles
    assert value(obs, "ons_drug_poisoning_deaths_all", "2002")["value"] == 120
    # the sex label sits only on the block's first row; the second row belongs to the same block
    assert value(obs, "ons_drug_poisoning_deaths_all", "2001", stratum="males")["value"] == 60
    assert value(obs, "ons_drug_poisoning_deaths_misuse", "2002", geography="Wales")["value"] == 5
    # the "Accidental poisoning" cause block is not read as all-cause totals
    assert set(obs["geography"]) == {"England and Wales", "England", "Wales"}
    assert len(obs[obs["indicator"] == "ons_drug_poisoning_deaths_all"]) == 18
    # Table 4 repeats the totals: not loaded twice
    totals = obs[(obs["indicator"] == "ons_drug_poisoning_deaths_all")]
    assert not totals.duplicated(["geography", "stratum", "period_label"]).any()
    cocaine = obs[obs["indicator"] == "ons_drug_poisoning_asmr_cocaine"]
    assert len(cocaine) == 1 and cocaine.iloc[0]["flags"] == "unreliable"  # ':' gave no rows
    assert value(obs, "ons_drug_poisoning_deaths_cocaine", "2001")["value"] == 4
    assert validate(tables, source_id="ons_drug_poisoning") == []


def rewrite(tmp_path: Path, edit) -> Path:
    book = load_workbook(FIXTURE)
    edit(book)
    target = tmp_path / "2002registrations.xlsx"
    book.save(target)
    return target


def test_an_added_year_is_read(tmp_path: Path) -> None:
    def add_year(book) -> None:
        sheet = book["Tbl_B"]
        sheet.insert_rows(9)
        for column, cell in enumerate([None, 2003, None, 130, 120, 10], start=1):
            sheet.cell(row=9, column=column, value=cell)

    obs = parse(rewrite(tmp_path, add_year)).observations
    assert value(obs, "ons_drug_poisoning_deaths_all", "2003")["value"] == 130
    assert value(obs, "ons_drug_poisoning_deaths_all", "2002")["value"] == 120


def test_a_renamed_header_names_file_and_sheet(tmp_path: Path) -> None:
    def rename(book) -> None:
        book["Tbl_B"]["A7"] = "Gender"

    with pytest.raises(ParseError, match=r"2002registrations\.xlsx: sheet 'Tbl_B': no header"):
        parse(rewrite(tmp_path, rename))


def test_a_year_that_is_not_a_year_names_the_line(tmp_path: Path) -> None:
    def corrupt(book) -> None:
        book["Tbl_B"]["B10"] = "2O02"

    with pytest.raises(ParseError) as error:
        parse(rewrite(tmp_path, corrupt))
    assert error.value.line == 10
    assert "2002registrations.xlsx, line 10" in str(error.value)


def test_text_in_a_number_cell_names_the_line(tmp_path: Path) -> None:
    def corrupt(book) -> None:
        book["Tbl_B"]["D9"] = "four"

    with pytest.raises(ParseError, match=r"line 9.*'England and Wales' value 'four'"):
        parse(rewrite(tmp_path, corrupt))


@pytest.mark.parametrize(
    "content",
    [b"<!DOCTYPE html><html><body>Page not found</body></html>", b"Year;Sex;Deaths\n2022;P;1\n"],
    ids=["html-page", "csv-with-semicolons"],
)
def test_not_a_workbook_names_the_file(tmp_path: Path, content: bytes) -> None:
    target = tmp_path / "2023registrations.xlsx"
    target.write_bytes(content)
    with pytest.raises(
        ParseError, match=r"2023registrations\.xlsx: (is an HTML page|not an Excel)"
    ):
        parse(target)


def test_a_bad_workbook_leaves_the_published_rows_untouched(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror" / "ons_drug_poisoning"
    mirror.mkdir(parents=True)
    shutil.copy(FIXTURE, mirror / FIXTURE.name)
    options = RefreshOptions(mode="mirror", mirror=str(mirror.parent), data_dir=tmp_path / "data")
    first = refresh([SOURCE], options=options)
    assert first.results[0].status == "ok"
    before = fingerprint(options.data_dir / "warehouse.duckdb")
    (mirror / FIXTURE.name).write_bytes(b"<html><body>Service unavailable</body></html>")
    second = refresh([SOURCE], options=options)
    result = second.results[0]
    assert result.status == "failed"
    assert "ons_drug_poisoning" in result.message and "2002registrations.xlsx" in result.message
    assert fingerprint(options.data_dir / "warehouse.duckdb") == before
