"""UNODC World Drug Report annex: seizures kept record by record (one drawn by a stated rule,
never summed), prevalence with each row's own age band, sex and national source, expert trends
as categories; files found by pattern and header, live from the annex page's links."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from refresh_kit import run_refresh, test_client_factory

from etl.contract import ParseError
from etl.snapshots import find_in_folder
from etl.sources.unodc_wdr import SOURCE, UnodcWdr

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "unodc_wdr"
PAGE = "/unodc/en/data-and-analysis/world-drug-report-2025-annex.html"


def parse_folder(folder: Path):
    return SOURCE.parse(find_in_folder(folder, SOURCE.meta))


@pytest.fixture(scope="module")
def fixture_tables():
    return parse_folder(FIXTURES)


def expected() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "expected_values.csv", dtype={"period_label": str})


def check_values(observations: pd.DataFrame, rows: pd.DataFrame) -> int:
    checked = 0
    for row in rows.itertuples():
        hit = observations[
            (observations["indicator"] == row.indicator)
            & (observations["geography"] == row.geography)
            & (observations["period_label"] == row.period_label)
            & (observations["stratum"] == row.stratum)
        ]
        assert len(hit) == 1, row
        assert hit["value"].iloc[0] == pytest.approx(row.value), row
        checked += 1
    return checked


def test_hong_kong_2020_records_are_kept_apart_and_the_largest_drawn(fixture_tables) -> None:
    records = fixture_tables.details["unodc_wdr_seizures"]
    hk = records[(records["country"] == "China, Hong Kong SAR") & (records["year"] == 2020)]
    assert hk["kilograms"].tolist() == [472.9, 31.73, 472.87]
    assert hk["records_in_year"].eq(3).all() and hk["shown"].tolist() == [True, False, False]
    obs = fixture_tables.observations
    drawn = obs[(obs["geography"] == "China, Hong Kong SAR") & (obs["period_label"] == "2020")]
    assert drawn["value"].tolist() == [472.9]  # not 977.5, the sum
    assert "3 records" in drawn["note"].iloc[0] and "not summed" in drawn["note"].iloc[0]
    assert "proxy" in drawn["flags"].iloc[0]


def test_a_blank_record_is_kept_but_never_drawn(fixture_tables) -> None:
    records = fixture_tables.details["unodc_wdr_seizures"]
    ph = records[(records["country"] == "Philippines") & (records["year"] == 2021)]
    assert len(ph) == 2 and ph["kilograms"].isna().sum() == 1
    assert ph.loc[ph["shown"], "kilograms"].tolist() == [0.78]


def test_other_drugs_are_left_out(fixture_tables) -> None:
    records = fixture_tables.details["unodc_wdr_seizures"]
    assert "Comoros" not in set(records["country"])  # the slice keeps Comoros' other drugs


def test_prevalence_keeps_age_band_sex_and_national_source(fixture_tables) -> None:
    obs = fixture_tables.observations
    ew = obs[
        (obs["indicator"] == "unodc_wdr_prevalence_general_past_year")
        & (obs["geography"] == "United Kingdom (England and Wales)")
        & (obs["period_label"] == "2019")
    ]
    assert set(ew["stratum"]) >= {"16-64; total", "16-59; total", "16-64; male"}
    row = ew[ew["stratum"] == "16-64; total"].iloc[0]
    assert row["value"] == 0.76
    assert "Office for National Statistics" in row["citation"] and "table 1.2" in row["citation"]
    assert "UNODC" in row["citation"]


def test_unodc_age_adjusted_estimates_are_flagged(fixture_tables) -> None:
    obs = fixture_tables.observations
    us = obs[
        (obs["geography"] == "United States of America")
        & (obs["indicator"] == "unodc_wdr_prevalence_general_past_year")
        & (obs["stratum"] == "15-64; total")
    ].set_index("period_label")
    assert us.loc["2023", "flags"] == "projected" and "age-adjusted" in us.loc["2023", "note"]
    assert us.loc["2020", "flags"] == ""


def test_survey_years_are_spans_as_published(fixture_tables) -> None:
    obs = fixture_tables.observations
    row = obs[obs["period_label"] == "2018-19"].iloc[0]
    assert (str(row["period_start"]), str(row["period_end"])) == ("2018-04-01", "2019-03-31")


def test_youth_series_stay_apart_from_general(fixture_tables) -> None:
    obs = fixture_tables.observations
    mtf = obs[obs["indicator"] == "unodc_wdr_prevalence_youth_past_year"]
    assert set(mtf.loc[mtf["geography"] == "United States of America", "stratum"]) == {
        "12th Grade; total",
        "12th Grade; male",
        "12th Grade; female",
    }
    assert any("'@'" in note for note in fixture_tables.notes)  # published symbol, not loaded


def test_expert_trends_are_categories_not_numbers(fixture_tables) -> None:
    trends = fixture_tables.details["unodc_wdr_trends"]
    hk = trends[(trends["country"] == "China, Hong Kong SAR") & (trends["year"] == 2023)]
    assert hk.set_index("age_group")["category"].to_dict() == {
        "all ages": "Stable situation (+-5%)",
        "0-17": "Large decrease (>10%)",
        "18-24": "Stable situation (+-5%)",
        "25+": "Small increase (5-10%)",
    }
    assert set(trends["direction"]) <= {"increase", "decrease", "stable", ""}
    assert not any(pd.api.types.is_numeric_dtype(trends[c]) for c in ("category", "direction"))


def test_fixture_values_match_the_real_files(fixture_tables) -> None:
    rows = expected()
    obs = fixture_tables.observations
    pairs = set(zip(obs["indicator"], obs["geography"], strict=True))
    present = rows[[p in pairs for p in zip(rows["indicator"], rows["geography"], strict=True)]]
    assert check_values(fixture_tables.observations, present) >= 10


def test_real_annex_counts_and_values(shared_raw: Path) -> None:
    tables = parse_folder(shared_raw / "unodc_wdr")
    records = tables.details["unodc_wdr_seizures"]
    assert len(records) == 203 and records["country"].nunique() == 57
    assert records.groupby("year").size().to_dict() == {
        2019: 46,
        2020: 37,
        2021: 39,
        2022: 36,
        2023: 45,
    }
    drawn = tables.observations[tables.observations["indicator"].str.contains("seizures")]
    assert len(drawn) == 147 and records["shown"].sum() == 147
    assert check_values(tables.observations, expected()) == len(expected())
    assert len(tables.details["unodc_wdr_trends"]["line"].unique()) == 58


def test_a_renamed_edition_is_found_by_pattern(tmp_path: Path) -> None:
    for path in FIXTURES.glob("*.xlsx"):
        shutil.copy(path, tmp_path / path.name.replace("2019-2023", "2020-2024"))
    found = find_in_folder(tmp_path, SOURCE.meta)
    assert found["seizures"][0].name == "7.1_Drug_seizures_2020-2024.xlsx"
    assert set(found) == {"seizures", "prevalence_general", "prevalence_youth", "trends"}


def test_a_look_alike_workbook_is_refused_naming_the_file(tmp_path: Path) -> None:
    shutil.copy(next(FIXTURES.glob("2.1_*.xlsx")), tmp_path / "7.1_Drug_seizures_2020-2024.xlsx")
    with pytest.raises(ParseError) as error:
        SOURCE.parse({"seizures": [tmp_path / "7.1_Drug_seizures_2020-2024.xlsx"]})
    assert "7.1_Drug_seizures_2020-2024.xlsx" in str(error.value)
    assert "Kilograms" in str(error.value)


def annex_page(names: list[str]) -> str:
    items = "".join(
        f'<li><a href="/documents/data-and-analysis/WDR_2030/Annex/{n}">{n}</a></li>' for n in names
    )
    return f"<!DOCTYPE html><html><body><ul>{items}</ul></body></html>"


def test_online_refresh_reads_the_annex_page_links(local_server, tmp_path: Path) -> None:
    names = {p.name.replace("2019-2023", "2028-2032"): p for p in FIXTURES.glob("*.xlsx")}
    local_server.routes[PAGE] = (200, {"Content-Type": "text/html"}, annex_page(list(names)))
    for name, path in names.items():
        local_server.routes[f"/documents/data-and-analysis/WDR_2030/Annex/{name}"] = (
            200,
            {"Content-Type": "application/vnd.ms-excel"},
            path.read_bytes(),
        )
    source = UnodcWdr(landings=(local_server.url("/missing.html"), local_server.url(PAGE)))
    run = run_refresh(
        tmp_path, mode="online", sources=[source], client_factory=test_client_factory()
    )
    result = run.results[0]
    assert (result.status, result.origin) == ("ok", "live"), result.message
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
    try:
        records = con.execute("SELECT count(*) FROM unodc_wdr_seizures").fetchone()[0]
        trends = con.execute("SELECT count(*) FROM unodc_wdr_trends").fetchone()[0]
    finally:
        con.close()
    assert records == 28 and trends > 0
