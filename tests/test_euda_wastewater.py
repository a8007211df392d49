"""euda_wastewater: the three real EUDA/SCORE files (golden rows), fixtures, and bad inputs."""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

import pytest

from etl.contract import ParseError
from etl.refresh import RefreshOptions, refresh
from etl.sources.euda_wastewater import SOURCE
from etl.validate import validate
from tests.refresh_kit import fingerprint

FIXTURES = Path(__file__).parent / "fixtures" / "euda_wastewater"
LOADS, SITES, CHANGES = (
    FIXTURES / "ww2099-all-data.csv",
    FIXTURES / "ww2099-site-info-table.csv",
    FIXTURES / "ww2099-changes-all-substances.csv",
)
KETAMINE = "euda_wastewater_load_ketamine"


def parse(loads: Path, sites: Path | None = SITES, changes: Path | None = CHANGES):
    files = {"loads": [loads]}
    if sites:
        files["sites"] = [sites]
    if changes:
        files["changes"] = [changes]
    return SOURCE.parse(files)


@cache
def parse_real(folder: Path):
    return parse(
        folder / "ww2025-all-data.csv",
        folder / "ww2025-site-info-table.csv",
        folder / "ww2025-changes-all-substances.csv",
    )


@pytest.fixture
def real(shared_raw: Path):
    folder = shared_raw / "euda_wastewater"
    if not (folder / "ww2025-all-data.csv").exists():
        pytest.skip(f"{folder} has no EUDA files: real publisher files are not in this checkout")
    return parse_real(folder)


def point(obs, indicator: str, geography: str, year: str) -> float:
    rows = obs[
        (obs["indicator"] == indicator)
        & (obs["geography"] == geography)
        & (obs["period_label"] == year)
    ]
    assert len(rows) == 1
    return float(rows.iloc[0]["value"])


def test_real_ketamine_loads_golden(real) -> None:
    obs = real.observations
    ketamine = obs[obs["indicator"] == KETAMINE]
    assert len(ketamine) == 189
    assert ketamine["period_label"].value_counts().to_dict() == {
        "2024": 103,
        "2023": 59,
        "2022": 27,
    }
    assert point(obs, KETAMINE, "Brno (CZ)", "2022") == 1.28  # = F230, the routed seed figure
    assert point(obs, KETAMINE, "Brno (CZ)", "2024") == 3.82
    assert set(ketamine["unit"]) == {"mg per 1,000 people per day"}
    assert len(obs) == 4376
    assert validate(real, source_id="euda_wastewater") == []


def test_real_country_code_h_is_mapped_openly(real) -> None:
    obs = real.observations
    assert point(obs, KETAMINE, "Debrecen (HU)", "2023") == 0.6
    debrecen = obs[obs["geography"] == "Debrecen (HU)"]
    assert debrecen["note"].str.contains("country code published as 'H', mapped to HU").all()
    assert not obs["geography"].str.endswith("(H)").any()
    loads = real.details["wastewater_loads"]
    assert set(loads.loc[loads["site_id"] == "H001", "country_published"]) == {"H"}


def test_real_other_substances_kept_as_their_own_indicators(real) -> None:
    ids = set(real.indicators["id"])
    assert {KETAMINE, "euda_wastewater_load_cocaine", "euda_wastewater_load_mdma"} <= ids
    assert len(ids) == 6
    cocaine = real.indicators.set_index("id").loc["euda_wastewater_load_cocaine", "definition"]
    assert "benzoylecgonine" in cocaine


def test_real_sites_and_changes(real) -> None:
    sites = real.details["wastewater_sites"].set_index("site_id")
    assert len(sites) == 217
    assert sites.loc["FR003", "latitude"] == pytest.approx(44.837789)  # published with nbsp padding
    assert sites.loc["BE004", "population"] == 300000 and sites.loc["BE004", "population_rounded"]
    assert sites.loc["H001", "country"] == "HU"
    changes = real.details["wastewater_changes"]
    ketamine = changes[changes["metabolite"] == "ketamine"]
    assert len(ketamine) == 81
    assert ketamine["year_previous"].notna().sum() == 42
    assert ketamine["year_previous"].isna().sum() == 39


def test_fixture_rows() -> None:
    tables = parse(LOADS)
    obs = tables.observations
    assert point(obs, KETAMINE, "Testville (ZZ)", "2023") == 4
    assert point(obs, KETAMINE, "Testville (ZZ)", "2024") == 2
    assert point(obs, KETAMINE, "Debrecen (HU)", "2024") == 1.5
    grouped = obs[obs["geography"] == "Grouped (3 sites) (QQ)"].iloc[0]
    assert "aggregate of several treatment plants" in grouped["note"]
    loads = tables.details["wastewater_loads"]
    ketamine_2024 = (
        (loads["site_id"] == "ZZ001")
        & (loads["year"] == 2024)
        & (loads["metabolite"] == "ketamine")
    )
    assert loads.loc[ketamine_2024, "tuesday"].isna().all()
    sites = tables.details["wastewater_sites"].set_index("site_id")
    assert sites.loc["QQ002", "latitude"] == 40.0
    assert sites.loc["H009", "population_rounded"]
    assert validate(tables, source_id="euda_wastewater") == []


def test_code_h_elsewhere_is_not_mapped_silently(tmp_path: Path) -> None:
    text = LOADS.read_text().replace('"H009","H","Debrecen"', '"H010","H","Szeged"')
    target = tmp_path / "ww2099-all-data.csv"
    target.write_text(text)
    obs = parse(target, None, None).observations
    assert "Szeged (H)" in set(obs["geography"])


def test_sites_and_changes_are_optional() -> None:
    tables = parse(LOADS, None, None)
    assert set(tables.details) == {"wastewater_loads"}
    assert len(tables.observations) == 5


def test_an_added_year_is_read(tmp_path: Path) -> None:
    text = LOADS.read_text() + '2025,"ketamine","ZZ001","ZZ","Testville",3,3,3,3,3,3,3,3,3,3\n'
    target = tmp_path / "ww2099-all-data.csv"
    target.write_text(text)
    assert point(parse(target, None, None).observations, KETAMINE, "Testville (ZZ)", "2025") == 3


def write(tmp_path: Path, text: str, name: str = "ww2099-all-data.csv") -> Path:
    target = tmp_path / name
    target.write_text(text)
    return target


def test_renamed_column_names_file_and_line(tmp_path: Path) -> None:
    target = write(tmp_path, LOADS.read_text().replace('"Daily mean"', '"Mean per day"'))
    with pytest.raises(
        ParseError, match=r"ww2099-all-data\.csv, line 1: missing columns Daily mean"
    ):
        parse(target, None, None)


def test_wrong_delimiter_is_named(tmp_path: Path) -> None:
    target = write(tmp_path, LOADS.read_text().replace(",", ";"))
    with pytest.raises(ParseError, match=r"line 1: .*wrong delimiter"):
        parse(target, None, None)


def test_html_page_is_named(tmp_path: Path) -> None:
    target = write(tmp_path, "<!DOCTYPE html>\n<html><head><title>EUDA</title></head></html>\n")
    with pytest.raises(ParseError, match=r"ww2099-all-data\.csv: is an HTML page"):
        parse(target, None, None)


def test_a_bad_year_and_a_bad_number_name_the_line(tmp_path: Path) -> None:
    bad_year = write(tmp_path, LOADS.read_text().replace("2024,", "2O24,", 1))
    with pytest.raises(ParseError, match=r"line 3: Year '2O24' is not a year"):
        parse(bad_year, None, None)
    bad_value = write(tmp_path, LOADS.read_text().replace(",4\n", ",four\n", 1))
    with pytest.raises(ParseError, match=r"line 2: Daily mean 'four' is not a number"):
        parse(bad_value, None, None)


def test_a_repeated_site_year_is_refused(tmp_path: Path) -> None:
    lines = LOADS.read_text().splitlines()
    target = write(tmp_path, "\n".join([*lines, lines[1]]) + "\n")
    with pytest.raises(ParseError, match=r"line 7: site ZZ001 has two ketamine rows for 2023"):
        parse(target, None, None)


def test_a_bad_mirror_file_leaves_the_published_rows_untouched(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror" / "euda_wastewater"
    mirror.mkdir(parents=True)
    for path in (LOADS, SITES, CHANGES):
        shutil.copy(path, mirror / path.name)
    options = RefreshOptions(mode="mirror", mirror=str(mirror.parent), data_dir=tmp_path / "data")
    assert refresh([SOURCE], options=options).results[0].status == "ok"
    before = fingerprint(options.data_dir / "warehouse.duckdb")
    (mirror / LOADS.name).write_text(LOADS.read_text().replace(",4\n", ",n/a\n", 1))
    result = refresh([SOURCE], options=options).results[0]
    assert result.status == "failed"
    assert "euda_wastewater" in result.message and "ww2099-all-data.csv, line 2" in result.message
    assert fingerprint(options.data_dir / "warehouse.duckdb") == before


def test_a_load_published_as_zero_every_day_is_flagged_not_quantified(tmp_path: Path) -> None:
    """Published 0 on every day is 'nothing quantified', never a fall to nothing: flagged, no %
    change, and never an Overview headline."""
    from dashboard.common.changes import change_summary

    text = LOADS.read_text().rstrip("\n") + "\n"
    text += '2024,"ketamine","ZZ002","ZZ","Zeroville",0,0,0,0,0,0,0,0,0,0\n'
    text += '2023,"ketamine","ZZ002","ZZ","Zeroville",1,1,1,1,1,1,1,1,1,1\n'
    text += '2022,"ketamine","ZZ002","ZZ","Zeroville",0,,,,,,,,,0\n'
    loads = tmp_path / "ww2099-all-data.csv"
    loads.write_text(text)
    obs = parse(loads).observations
    zero = obs[obs["value"] == 0]
    assert len(zero) == 2 and zero["flags"].str.contains("not_quantified").all()
    assert not obs.loc[obs["value"] > 0, "flags"].str.contains("not_quantified").any()
    city = obs[(obs["indicator"] == KETAMINE) & obs["geography"].str.contains("Zeroville")]
    summary = change_summary(city.assign(series_breaks=""))
    assert summary["latest_value"] == 0 and summary["change_pct"] is None


def as_2023_edition(folder: Path, loads_text: str) -> dict[str, list[Path]]:
    """The traits reported for the 2023 edition, on the files of a known edition: CRLF line
    ends and a U+00A0 in the site table, a population written `2e+05`, `ww2023` names."""
    loads = folder / "ww2023-all-data.csv"
    loads.write_text(loads_text, encoding="utf-8")
    site_text = (FIXTURES / "ww2099-site-info-table.csv").read_text(encoding="utf-8")
    site_text = site_text.replace('"Testville plant"', '"Testville\u00a0plant"')
    site_text = site_text.replace('"ZZ","Testville"', '"ZZ","Test\u00a0 ville"')
    sites = folder / "ww2023-site-info-table.csv"
    sites.write_bytes(site_text.replace("\n", "\r\n").encode("utf-8"))
    return {"loads": [loads], "sites": [sites]}


def test_2023_edition_traits_are_read_by_content(tmp_path: Path) -> None:
    loads_text = (FIXTURES / "ww2099-all-data.csv").read_text(encoding="utf-8")
    loads_text = loads_text.replace('"ZZ","Testville"', '"ZZ","Test\u00a0ville"')
    tables = SOURCE.parse(as_2023_edition(tmp_path, loads_text))
    assert validate(tables, source_id="euda_wastewater") == []
    assert set(tables.observations["vintage"]) == {"2023 edition (data to 2024)"}
    # U+00A0 in a name is an ordinary space: one series per city, whatever the edition wrote
    assert "Test ville (ZZ)" in set(tables.observations["geography"])
    sites = tables.details["wastewater_sites"].set_index("site_id")
    assert sites.loc["ZZ001", "city"] == "Test ville"
    assert sites.loc["ZZ001", "location"] == "Testville plant"
    assert sites.loc["H009", "population"] == 200_000
    assert bool(sites.loc["H009", "population_rounded"]) is True
    assert not sites["location"].str.contains("\r").any()


def test_real_data_to_2022_reads_as_the_2023_edition(shared_raw: Path, tmp_path: Path) -> None:
    """The real 2025 file cut to 2011-2022 has the 2023 edition's 27 ketamine rows."""
    real_loads = shared_raw / "euda_wastewater" / "ww2025-all-data.csv"
    if not real_loads.exists():
        pytest.skip(f"{real_loads} absent: real publisher files are not in this checkout")
    lines = real_loads.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [lines[0]] + [line for line in lines[1:] if line[:4] <= "2022"]
    tables = SOURCE.parse(as_2023_edition(tmp_path, "".join(kept)))
    assert validate(tables, source_id="euda_wastewater") == []
    assert set(tables.observations["vintage"]) == {"2023 edition (data to 2022)"}
    ketamine = tables.observations[tables.observations["indicator"].str.endswith("_ketamine")]
    assert len(ketamine) == 27
    assert set(ketamine["period_label"]) == {"2022"}
