"""nflis fentanyl co-occurrence files: real files (golden rows), fixtures, flags, bad inputs."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from etl.contract import ParseError
from etl.sources.nflis import SOURCE
from etl.validate import validate

FIXTURES = Path(__file__).parent / "fixtures" / "nflis"
ANNUAL = FIXTURES / "Drug_frequency_annual.csv"
MONTHLY = FIXTURES / "Figure_1_data_fixture.csv"
STATES = FIXTURES / "Figure_3_data_fixture.csv"


def parse(annual: Path = ANNUAL, monthly: Path | None = MONTHLY, states: Path | None = STATES):
    files = {"annual": [annual]}
    if monthly:
        files["monthly_fentanyl"] = [monthly]
    if states:
        files["state_annual"] = [states]
    return SOURCE.parse(files)


@cache
def parse_real(folder: Path):
    return parse(
        folder / "Drug_frequency_annual.csv",
        folder / "Figure_1_data_monthly_fentanyl_cooccurrence.csv",
        folder / "Figure_3_data_state_annual_club_drugs_only.csv",
    )


@pytest.fixture
def real(shared_raw: Path):
    folder = shared_raw / "nflis"
    if not (folder / "Figure_1_data_monthly_fentanyl_cooccurrence.csv").exists():
        pytest.skip(f"{folder} lacks the Figure files: real publisher files are not here")
    return parse_real(folder)


def row(obs, indicator: str, period: str, geography: str = "United States"):
    found = obs[
        (obs["indicator"] == indicator)
        & (obs["period_label"] == period)
        & (obs["geography"] == geography)
    ]
    assert len(found) == 1, (indicator, period, geography)
    return found.iloc[0]


def test_real_monthly_golden(real) -> None:
    obs = real.observations
    first = row(obs, "nflis_monthly_club_drugs_samples", "2013-01")
    assert first["value"] == 441 and "proxy" in first["flags"]
    assert row(obs, "nflis_monthly_club_drugs_fentanyl_samples", "2013-01")["value"] == 0
    monthly = obs[obs["indicator"] == "nflis_monthly_club_drugs_samples"]
    assert len(monthly) == 132  # 2013-01 .. 2023-12
    smoothed = obs[obs["indicator"] == "nflis_monthly_club_drugs_fentanyl_pct_12m"]
    assert len(smoothed) == 121  # NA at the ends of the centred average are not observations
    cocaine = obs[obs["indicator"] == "nflis_monthly_cocaine_samples"]
    assert len(cocaine) == 132 and not cocaine["flags"].str.contains("proxy").any()
    assert validate(real, source_id="nflis") == []


def test_real_state_rows_golden(real) -> None:
    obs = real.observations
    alaska = row(obs, "nflis_state_club_drugs_samples", "2013", "US-AK")
    assert alaska["value"] == 9 and "proxy" in alaska["flags"]
    share = row(obs, "nflis_state_club_drugs_fentanyl_pct", "2013", "US-AK")
    assert "unreliable" in share["flags"]  # a share of 9 samples
    states = obs[obs["indicator"] == "nflis_state_club_drugs_samples"]
    assert len(states) == 551 and states["geography"].nunique() == 51


def test_real_analogues_and_ketamine_yearly(real) -> None:
    obs = real.observations
    assert row(obs, "nflis_reports_ketamine", "2019")["value"] == 2393
    assert row(obs, "nflis_reports_ketamine", "2023")["flags"] == "provisional"
    assert {"nflis_reports_deschloroketamine", "nflis_reports_2f_dck"} <= set(obs["indicator"])


def test_club_drug_labels_say_proxy(real) -> None:
    labels = real.indicators.set_index("id")
    label = labels.loc["nflis_monthly_club_drugs_samples", "label"]
    assert "proxy" in label and "MDMA" in label
    assert labels.loc["nflis_state_club_drugs_fentanyl_pct", "comparability"].startswith("PROXY")


def test_fixture_flags() -> None:
    obs = parse().observations
    small = row(obs, "nflis_monthly_club_drugs_fentanyl_pct", "2022-12")
    assert small["flags"] == "provisional;proxy;unreliable"  # base of 10 samples, latest year
    assert row(obs, "nflis_monthly_cocaine_fentanyl_pct", "2022-12")["flags"] == "provisional"
    assert row(obs, "nflis_state_club_drugs_samples", "2021", "US-AK")["flags"] == "proxy"
    assert row(obs, "nflis_monthly_club_drugs_fentanyl_pct_12m", "2022-12")["value"] == 4.5
    assert "nflis_monthly_club_drugs_fentanyl_pct_12m" not in set(
        obs.loc[obs["period_label"] == "2022-11", "indicator"]
    )


def test_optional_files_may_be_absent() -> None:
    obs = parse(monthly=None, states=None).observations
    assert set(obs["indicator"]) <= {
        f"nflis_reports_{s}" for s in ("ketamine", "deschloroketamine", "tiletamine")
    }


def write(tmp_path: Path, name: str, text: str) -> Path:
    target = tmp_path / name
    target.write_text(text)
    return target


def test_renamed_column(tmp_path: Path) -> None:
    bad = write(tmp_path, MONTHLY.name, MONTHLY.read_text().replace("Total_samples", "Samples"))
    with pytest.raises(ParseError, match=r"Figure_1_data_fixture.csv, line 1: missing columns"):
        parse(monthly=bad)


def test_wrong_delimiter(tmp_path: Path) -> None:
    bad = write(tmp_path, STATES.name, STATES.read_text().replace(",", "\t"))
    with pytest.raises(ParseError, match=r"Figure_3_data_fixture.csv, line 1: .*wrong delimiter"):
        parse(states=bad)


def test_html_page(tmp_path: Path) -> None:
    bad = write(tmp_path, MONTHLY.name, "<html><body>404: Not Found</body></html>")
    with pytest.raises(ParseError, match=r"Figure_1_data_fixture.csv: is an HTML page"):
        parse(monthly=bad)


def test_added_year_is_read_and_bad_cells_name_the_line(tmp_path: Path) -> None:
    added = write(tmp_path, STATES.name, STATES.read_text() + "TN,Club drugs,2023,310,40,12.9\n")
    obs = parse(states=added).observations
    assert row(obs, "nflis_state_club_drugs_samples", "2023", "US-TN")["value"] == 310
    month = write(tmp_path, MONTHLY.name, MONTHLY.read_text().replace("2022-12", "Dec 2022", 1))
    with pytest.raises(ParseError, match=r"line 3: Time 'Dec 2022' is not YYYY-MM"):
        parse(monthly=month)
    state = write(tmp_path, STATES.name, STATES.read_text().replace("TN,", "Tennessee,"))
    with pytest.raises(ParseError, match=r"line 4: State 'Tennessee' is not a 2-letter code"):
        parse(states=state)
