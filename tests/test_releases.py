"""Of several releases of one file in a mirror, the newest by its own data year is loaded, and
the others are named in the refresh message (etl/folder_files.match_files, release_notes)."""

from __future__ import annotations

import os
from pathlib import Path

from bad_inputs.cases import CMS, CMS_DY22, cms_csv

from etl.contract import RemoteFile
from etl.folder_files import match_files, release_year
from etl.refresh import RefreshOptions, refresh
from etl.sources import cms_partd, euda_wastewater


def test_release_year_reads_name_then_header():
    assert release_year("DSD_PTD_RY25_P04_V10_DY23_BGM.csv") == 2023  # DY wins over RY
    assert release_year("spending.csv", "Brnd_Name,Tot_Clms_2021,Tot_Clms_2022") == 2022
    assert release_year("ww2025-all-data.csv", "Year,Metabolite") == 2025
    assert release_year("Drug_frequency_annual.csv") == 0
    stored = "a" * 60 + "2019-ww2024-all-data.csv"  # the raw store's sha256 prefix is not a year
    assert release_year(stored) == 2024


def test_newest_by_data_year_then_mtime(tmp_path: Path):
    remote = RemoteFile("spending", "", "*.csv", "csv")
    old = tmp_path / "spending_b.csv"
    new = tmp_path / "spending_a.csv"  # first by name, newer by header
    old.write_text("Brnd_Name,Tot_Clms_2022\n")
    new.write_text("Brnd_Name,Tot_Clms_2023\n")
    assert match_files([old, new], remote)[-1] == new
    plain_old, plain_new = tmp_path / "z.csv", tmp_path / "y.csv"
    for path, when in ((plain_old, 1_000_000), (plain_new, 2_000_000)):
        path.write_text("Brnd_Name\n")
        os.utime(path, (when, when))
    assert match_files([plain_old, plain_new], remote)[-1] == plain_new


def test_cms_dy23_beside_dy22_loads_dy23_and_says_so(tmp_path: Path):
    folder = tmp_path / "mirror" / "cms_partd"
    folder.mkdir(parents=True)
    (folder / CMS).write_bytes(cms_csv((2021, 2022, 2023)))
    (folder / CMS_DY22).write_bytes(cms_csv())
    options = RefreshOptions(mode="mirror", mirror=str(tmp_path / "mirror"), data_dir=tmp_path)
    [result] = refresh([cms_partd.SOURCE], None, options).results
    assert result.status == "ok"
    assert "2023" in result.vintage
    assert f"loaded {CMS} (data year 2023), the newest of 2" in result.message
    assert f"not loaded: {CMS_DY22} (2022)" in result.message


def test_euda_newest_edition_by_name(tmp_path: Path):
    remote = euda_wastewater.META.remote_files[0]
    header = ",".join(f'"{c}"' for c in remote.header) + "\n"
    files = [tmp_path / "ww2024-all-data.csv", tmp_path / "ww2025-all-data.csv"]
    for path in reversed(files):  # the older edition written last: mtime alone would pick it
        path.write_text(header)
    assert match_files(files, remote)[-1].name == "ww2025-all-data.csv"
