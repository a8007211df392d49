"""FAERS quarter integrity (etl/faers/integrity.py): a few orphan report ids are a warning that
reaches the refresh message; a quarter given twice is named, not the first quarter in the list."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from refresh_kit import FAERS_FIXTURES, faers_zip

from etl.contract import ParseError
from etl.faers.locate import locate_quarters
from etl.refresh import RefreshOptions, refresh
from etl.sources import faers_quarterly

DEMO = (
    "primaryid$caseid$caseversion$i_f_code$event_dt$mfr_dt$init_fda_dt$fda_dt$rept_cod$auth_num$"
    "mfr_num$mfr_sndr$lit_ref$age$age_cod$age_grp$sex$e_sub$wt$wt_cod$rept_dt$to_mfr$occp_cod$"
    "reporter_country$occr_country\n"
)
DRUG = "primaryid$caseid$drug_seq$role_cod$drugname$prod_ai$val_vbm$route\n"
REAC = "primaryid$caseid$pt$drug_rec_act\n"


def write_quarter(folder: Path, reports: int, orphans: int) -> Path:
    """A 2019Q3 quarter of `reports` reports (the first names ketamine) plus `orphans` DRUG and
    REAC ids with no DEMO row."""
    quarter = folder / "faers_ascii_2019q3" / "ASCII"
    quarter.mkdir(parents=True)
    demo, drug, reac = [DEMO], [DRUG], [REAC]
    for i in range(1, reports + orphans + 1):
        pid, case = 9000 + i, 900 + i
        if i <= reports:
            demo.append(
                f"{pid}${case}$1$I$$$20190801$20190801$EXP$$M-{i}$T$$40$YR$A$F$Y$$$$$MD$US$US\n"
            )
        name = "KETAMINE$KETAMINE" if i in (1, reports + 1) else "ASPIRIN$ASPIRIN"
        drug.append(f"{pid}${case}$1$PS${name}$1$Oral\n")
        reac.append(f"{pid}${case}$Nausea$\n")
    for kind, lines in (("DEMO", demo), ("DRUG", drug), ("REAC", reac)):
        (quarter / f"{kind}19Q3.txt").write_text("".join(lines))
    return quarter.parent


def test_a_few_orphans_load_with_a_warning_in_the_message(tmp_path: Path):
    mirror = tmp_path / "mirror"
    write_quarter(mirror / "faers_quarterly", reports=200, orphans=1)
    options = RefreshOptions(mode="mirror", mirror=str(mirror), data_dir=tmp_path / "data")
    run = refresh([faers_quarterly.SOURCE], None, options)
    [result] = run.results
    assert result.status == "ok", result.message
    assert "1 of 201 DRUG report ids (0.5%) have no DEMO row in 2019Q3" in result.message
    assert "1 of them with a drug name that may be ketamine" in result.message
    assert "1 of 201 REAC report ids" in result.message


def test_many_orphans_fail(tmp_path: Path):
    folder = write_quarter(tmp_path, reports=50, orphans=5)
    with pytest.raises(ParseError, match=r"5 of 55 DRUG report ids \(9.1%\).*do not belong"):
        faers_quarterly.SOURCE.parse({"quarters": [folder]})


def test_a_quarter_as_zip_and_folder_names_that_quarter(tmp_path: Path):
    for name in ("aers_ascii_2011q3", "faers_ascii_2019q1"):
        shutil.copytree(FAERS_FIXTURES / name, tmp_path / name)
    (tmp_path / "faers_ascii_2019q1.zip").write_bytes(
        faers_zip(FAERS_FIXTURES / "faers_ascii_2019q1")
    )
    paths = sorted(tmp_path.iterdir())
    with pytest.raises(ParseError) as caught:
        locate_quarters(paths, tmp_path / "work")
    message = str(caught.value)
    assert "quarter 2019Q1 given twice (faers_ascii_2019q1 and faers_ascii_2019q1.zip)" in message
    assert "2011" not in message


def test_real_sample_quarters_pass_the_identity_checks(shared_raw: Path, tmp_path: Path):
    """Both real samples' names, member names and fda_dt dates agree (they are then refused as
    format samples with no ketamine report, which is a different rule)."""
    for name in ("faers_ascii_2017q2", "aers_ascii_2004q1"):
        with pytest.raises(ParseError, match="format sample"):
            faers_quarterly.SOURCE.parse({"quarters": [shared_raw / "faers_quarterly" / name]})
