"""cms_partd: generic year groups, Overall rows only, outlier flags, API path, real CMS rows."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from etl.contract import ParseError
from etl.http import HttpClient
from etl.sources import cms_partd
from etl.sources.cms_partd import CmsPartD
from etl.sources.cms_partd.drug_rows import drug_observations
from etl.sources.cms_partd.files import read_csv, year_groups
from etl.validate import validate

FIXTURES = Path(__file__).parent / "fixtures" / "cms_partd"
DY22 = FIXTURES / "DSD_PTD_FIXTURE_DY22.csv"
DY23 = FIXTURES / "DSD_PTD_FIXTURE_DY23.csv"
SEED = Path(__file__).resolve().parents[1] / "data" / "seed" / "cms_partd"


def values(tables, measure: str, brand: str = "testbrand") -> dict[str, float]:
    obs = tables.observations
    rows = obs[obs["indicator"] == f"cms_partd_{measure}_{brand}"]
    return dict(zip(rows["period_label"], rows["value"], strict=True))


def test_year_groups_are_found_from_the_header_whatever_the_years() -> None:
    header = pd.read_csv(DY23, nrows=0).columns
    groups = year_groups(header)
    assert list(groups) == [2018, 2019, 2020, 2021, 2022, 2023]
    assert groups[2023]["Tot_Clms"] == "Tot_Clms_2023"
    assert groups[2023]["Outlier_Flag"] == "Outlier_Flag_2023"
    # the two-digit change columns are not a year group
    assert all("Chg_Avg" not in m for g in groups.values() for m in g)


def test_fixture_parse_keeps_overall_rows_of_ketamine_generics_only() -> None:
    tables = cms_partd.SOURCE.parse({"spending": [DY22]})
    assert validate(tables, source_id="cms_partd") == []
    # three manufacturer rows carry the same numbers: only the Overall row is counted
    assert values(tables, "claims") == {"2019": 10, "2020": 20, "2021": 30, "2022": 40}
    assert values(tables, "beneficiaries")["2022"] == 9
    assert values(tables, "spending")["2019"] == pytest.approx(1000.5)
    # the non-ketamine drug is not loaded; the empty 2018 group gives no row, never a zero
    assert not tables.observations["indicator"].str.contains("acmeprofen").any()
    assert "2018" not in set(tables.observations["period_label"])
    assert set(tables.indicators["id"]) == set(tables.observations["indicator"])


def test_outlier_flag_is_kept_as_note_and_flag() -> None:
    obs = cms_partd.SOURCE.parse({"spending": [DY22]}).observations
    flagged = obs[obs["period_label"] == "2020"]
    assert (flagged["flags"] == "unreliable").all()
    assert flagged["note"].str.contains("Outlier_Flag_2020=1").all()
    assert (obs.loc[obs["period_label"] == "2021", "flags"] == "").all()


def test_a_release_that_adds_a_year_is_parsed_without_code_change() -> None:
    tables = cms_partd.SOURCE.parse({"spending": [DY23]})
    assert values(tables, "claims")["2023"] == 50
    assert values(tables, "spending")["2023"] == 5000
    assert len(tables.observations) == 5 * 3


def test_api_json_gives_the_same_rows_as_the_csv() -> None:
    from_csv = cms_partd.SOURCE.parse({"spending": [DY22]}).observations
    from_api = cms_partd.SOURCE.parse({"api": [FIXTURES / "partd_testbrand.json"]}).observations
    columns = ["indicator", "period_label", "value", "flags"]
    pd.testing.assert_frame_equal(
        from_csv[columns].reset_index(drop=True), from_api[columns].reset_index(drop=True)
    )


def test_a_year_group_missing_a_measure_is_a_parse_error(tmp_path: Path) -> None:
    frame = pd.read_csv(DY22, dtype=str, keep_default_na=False)
    broken = tmp_path / "DSD_broken.csv"
    frame.drop(columns=["Tot_Benes_2021"]).to_csv(broken, index=False)
    with pytest.raises(
        ParseError, match=r"DSD_broken.csv, line 1: year 2021 lacks .*Tot_Benes_2021"
    ):
        cms_partd.SOURCE.parse({"spending": [broken]})


def test_a_non_number_names_the_file_and_line(tmp_path: Path) -> None:
    text = DY22.read_text().replace(
        "Esketamine HCl,2,Overall,,,,,,,,,1000.5", "Esketamine HCl,2,Overall,,,,,,,,,n/a"
    )
    broken = tmp_path / "DSD_text.csv"
    broken.write_text(text)
    with pytest.raises(ParseError, match=r"DSD_text.csv, line 3: Tot_Spndng_2019 'n/a'"):
        cms_partd.SOURCE.parse({"spending": [broken]})


def test_fetch_calls_the_data_api_with_the_brand_filter(local_server, tmp_path: Path) -> None:
    body = (FIXTURES / "partd_testbrand.json").read_bytes()
    local_server.routes["/data"] = (200, {"Content-Type": "application/json"}, body)
    source = CmsPartD(api_url=local_server.url("/data"), brands=("Testbrand",))
    with HttpClient(allow_insecure_hosts={"127.0.0.1"}, max_attempts=1) as client:
        files = source.fetch(client, tmp_path)
    assert "filter%5BBrnd_Name%5D=Testbrand" in local_server.requests[0].path
    assert [p.name for p in files["api"]] == ["partd_testbrand.json"]
    assert values(source.parse(files), "claims")["2022"] == 40


def test_fetch_refuses_an_empty_answer(local_server, tmp_path: Path) -> None:
    local_server.routes["/data"] = (200, {"Content-Type": "application/json"}, b"[]")
    source = CmsPartD(api_url=local_server.url("/data"), brands=("Nothing",))
    with (
        HttpClient(allow_insecure_hosts={"127.0.0.1"}, max_attempts=1) as client,
        pytest.raises(ValueError, match="no Part D rows"),
    ):
        source.fetch(client, tmp_path)


def test_mirror_finds_a_renamed_release_by_its_header(tmp_path: Path) -> None:
    from etl.snapshots import mirror_snapshot

    folder = tmp_path / "cms_partd"
    folder.mkdir()
    shutil.copy(DY23, folder / "DSD_PTD_RY25_P04_V10_DY23_BGM.csv")
    (folder / "notes.csv").write_text("a,b\n1,2\n")
    snap = mirror_snapshot(tmp_path, cms_partd.META)
    assert snap is not None
    assert [p.name for p in snap.files["spending"]] == ["DSD_PTD_RY25_P04_V10_DY23_BGM.csv"]


def test_real_cms_rows_golden(shared_raw: Path) -> None:
    folder = shared_raw / "cms_partd"
    if not folder.is_dir():
        pytest.skip(f"{folder} not present: real publisher files are not in this checkout")
    from etl.folder_files import find_in_folder

    files = find_in_folder(folder, cms_partd.META)
    tables = cms_partd.SOURCE.parse(files)
    assert validate(tables, source_id="cms_partd") == []
    assert values(tables, "claims", "spravato") == {
        "2019": 6173,
        "2020": 17095,
        "2021": 24140,
        "2022": 36488,
    }
    assert values(tables, "spending", "spravato")["2022"] == pytest.approx(49_999_095.00)
    assert values(tables, "beneficiaries", "spravato")["2022"] == 2618
    # the bundled seed is the publisher's own file: it parses to exactly these rows
    seed = cms_partd.SOURCE.parse(find_in_folder(SEED, cms_partd.META)).observations
    key = ["indicator", "period_label", "value", "unit", "stratum", "flags", "vintage"]
    pd.testing.assert_frame_equal(
        seed[key].sort_values(key[:2], ignore_index=True),
        tables.observations[key].sort_values(key[:2], ignore_index=True),
    )


def test_cms_reference_rows_are_routed_out_of_literature() -> None:
    """The reference figures F258-F269 are the CMS file's own numbers: literature leaves them to
    this source, and the seed's file gives the same values."""
    from etl.folder_files import find_in_folder
    from etl.sources import literature
    from etl.sources.literature.convert import convert_figures
    from etl.sources.literature.figures import read_figures
    from etl.sources.literature.rules import load_rules

    reference = Path(__file__).resolve().parents[1] / "data" / "seed" / "literature"
    figures = read_figures(reference / "published_figures.csv")
    converted = convert_figures(figures, rules=load_rules())
    routed = converted[converted["route"] == "cms_partd"]
    assert len(routed) == 12
    tables = literature.SOURCE.parse({"figures": [reference / "published_figures.csv"]})
    assert not tables.observations["note"].str.contains(r"figure F26[89]\b").any()
    parsed = cms_partd.SOURCE.parse(find_in_folder(SEED, cms_partd.META)).observations
    published = set(zip(parsed["period_label"].astype(str), parsed["value"].round(2), strict=True))
    for row in routed.itertuples():
        assert (row.period_label, round(row.value, 2)) in published, row.figure_id


REAL = FIXTURES / "real" / "DSD_PTD_RY24_P04_V10_DY22_BGM_slice.csv"
EVERY_GENERIC = re.compile(".")


def real_rows() -> pd.DataFrame:
    frame, path = read_csv(REAL)
    return drug_observations(frame, path, generic_pattern=EVERY_GENERIC)


def test_real_slice_is_read_with_its_release_and_spravato_rows() -> None:
    tables = cms_partd.SOURCE.parse({"spending": [REAL]})
    assert validate(tables, source_id="cms_partd") == []
    assert values(tables, "claims", "spravato")["2022"] == 36488
    assert set(tables.observations["vintage"]) == {"RY24 release, data years 2018–2022"}
    # only the ketamine-family generic is loaded by the source
    assert not tables.observations["indicator"].str.contains("spevigo|stalevo").any()


def test_outlier_flag_of_a_manufacturer_row_flags_the_year() -> None:
    """Spevigo 2022 (real DY22): Overall's flag is blank, Boehringer Ing.'s is 1."""
    obs = real_rows()
    spevigo = obs[obs["indicator"].str.endswith("_spevigo")]
    assert set(spevigo["period_label"]) == {"2022"}
    assert (spevigo["flags"] == "unreliable").all()
    assert spevigo["note"].str.contains("Outlier_Flag_2022=1 on Mftr_Name=Boehringer Ing.").all()
    # the blanked beneficiary count (<11) gives no row, never a zero
    assert "cms_partd_beneficiaries_spevigo" not in set(spevigo["indicator"])
    claims = spevigo[spevigo["indicator"] == "cms_partd_claims_spevigo"]
    assert claims["value"].tolist() == [11]
    # Stalevo 100 2020: Overall says 0, the manufacturer row says 1
    stalevo_2020 = obs[
        obs["indicator"].str.endswith("_stalevo_100") & (obs["period_label"] == "2020")
    ]
    assert len(stalevo_2020) == 3
    assert (stalevo_2020["flags"] == "unreliable").all()
    # a year no row flags stays unflagged
    spravato = obs[obs["indicator"].str.endswith("_spravato")]
    assert (spravato["flags"] == "").all()


def test_beneficiaries_only_overall_rows_are_kept_and_flagged() -> None:
    """Stalevo 100 2018-2019 (real DY22): Tot_Benes 122 and 86, no claims, no spending."""
    obs = real_rows()
    stalevo = obs[obs["indicator"].str.endswith("_stalevo_100")]
    early = stalevo[stalevo["period_label"].isin(["2018", "2019"])]
    assert dict(zip(early["period_label"], early["value"], strict=True)) == {
        "2018": 122,
        "2019": 86,
    }
    assert set(early["indicator"]) == {"cms_partd_beneficiaries_stalevo_100"}
    assert (early["flags"] == "unreliable").all()
    assert early["note"].str.contains("beneficiaries only").all()
    later = stalevo[stalevo["period_label"] == "2021"]
    assert len(later) == 3
    assert not later["note"].str.contains("beneficiaries only").any()
