"""Numbers are read as their publishers write them: a comma groups thousands or the cell is
refused. A decimal comma ('49999095,00', '84,4') once became 100 or 10 times the value."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from etl.contract import ParseError
from etl.rawcsv import strict_number, to_numbers
from etl.sources import cms_partd
from etl.xlsxblocks import to_cell

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("49,999,095.00", 49_999_095.0),
        ("1,172", 1172.0),
        ("84.4", 84.4),
        ("-3", -3.0),
        ("3e+05", 300_000.0),
        ("2\xa0031", 2031.0),
        ("", None),
        ("  ", None),
    ],
)
def test_numbers_as_published(text: str, value: float | None) -> None:
    assert strict_number(text) == value


@pytest.mark.parametrize(
    "text", ["49999095,00", "84,4", "1,5", "12,34,567", "inf", "-inf", "nan", "1e999x", "12 %"]
)
def test_a_comma_that_does_not_group_thousands_or_a_non_number_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        strict_number(text)


def test_a_decimal_comma_in_a_csv_names_the_file_line_and_value(tmp_path: Path) -> None:
    frame = pd.DataFrame({"Daily mean": ["12.5", "84,4"], "line": [2, 3]})
    with pytest.raises(ParseError, match=r"loads\.csv, line 3: Daily mean '84,4'"):
        to_numbers(frame, "Daily mean", tmp_path / "loads.csv")


def test_a_decimal_comma_in_the_cms_file_is_refused_not_multiplied(tmp_path: Path) -> None:
    source = next((FIXTURES / "cms_partd").glob("DSD_PTD_FIXTURE_DY22.csv"))
    text = source.read_text()
    header, *rows = text.splitlines()
    spending = header.split(",").index("Tot_Spndng_2022")
    target = next(i for i, row in enumerate(rows) if "ketamine" in row.lower())
    cells = rows[target].split(",")
    cells[spending] = f'"{float(cells[spending]):.2f}"'.replace(".", ",")
    rows[target] = ",".join(cells)
    damaged = tmp_path / "DSD_PTD_FIXTURE_DY22.csv"
    damaged.write_text("\n".join([header, *rows]) + "\n")
    line = target + 2
    with pytest.raises(ParseError, match=rf"line {line}: Tot_Spndng_2022 .*decimal comma"):
        cms_partd.SOURCE.parse({"spending": [damaged]})


def test_spreadsheet_cells_are_strict_too(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    assert to_cell("4,907", "", "", path, 9, "Persons").value == 4907.0
    with pytest.raises(ParseError, match="line 9"):
        to_cell("84,4", "", "", path, 9, "Rate")
    with pytest.raises(ParseError, match="not finite"):
        to_cell(math.inf, "", "", path, 9, "Rate")


def test_a_fractional_report_count_is_refused_not_truncated(tmp_path: Path) -> None:
    from etl.sources import nflis

    path = tmp_path / "Drug_frequency_annual.csv"
    path.write_text(
        "YYYY,SubstanceDetected,Freq,Percent_p100,Cumsum_p100\n"
        "2022,Ketamine,1792,0.1,50\n"
        "2023,Ketamine,1792.9,0.1,50\n"
    )
    with pytest.raises(ParseError, match=r"line 3: Freq '1792.9' is not a whole number"):
        nflis.read_annual(path)
