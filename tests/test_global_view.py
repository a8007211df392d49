"""The global view: UNODC seizures placed on the world map by a name -> map id file, ranked with
region filters; prevalence series never joined across countries or age bands; UNODC rows checked
against published figures; the page says how to load the annex offline and draws the map, the
comparison and the trends table once it is loaded (from the fixture slices here)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from dashboard.common.basemaps import country_names
from dashboard.use_supply import global_charts, global_frames
from etl.refresh import RefreshOptions, refresh
from etl.snapshots import find_in_folder
from etl.sources import SOURCES
from etl.sources.unodc_wdr import SOURCE
from tests.page_kit import run_page

FIXTURES = Path(__file__).parent / "fixtures" / "unodc_wdr"


@pytest.fixture(scope="module")
def parsed():
    return SOURCE.parse(find_in_folder(FIXTURES, SOURCE.meta))


@pytest.fixture(scope="module")
def seizures(parsed) -> pd.DataFrame:
    """The fixture rows in the shape `queries_global.seizures` returns."""
    obs = parsed.observations
    obs = obs[obs["indicator"] == "unodc_wdr_seizures_ketamine_pcp"]
    records = parsed.details["unodc_wdr_seizures"]
    shown = records[records["shown"]][["country", "year", "region", "subregion", "records_in_year"]]
    frame = obs.rename(columns={"geography": "country"}).assign(
        year=obs["period_label"].astype(int)
    )
    return frame.merge(shown, on=["country", "year"], how="left")


def test_every_map_id_is_a_shape_on_the_basemap() -> None:
    ids = global_frames.map_ids()
    placed = ids[ids["map_id"] != ""]
    assert set(placed["map_id"]) <= set(country_names()["id"])
    assert not ids["unodc_name"].duplicated().any()
    assert (ids.loc[ids["map_id"] == "", "why"] != "").all()  # a blank id says why


def test_every_real_seizure_country_has_a_map_row(shared_raw: Path) -> None:
    records = SOURCE.parse(find_in_folder(shared_raw / "unodc_wdr", SOURCE.meta)).details[
        "unodc_wdr_seizures"
    ]
    missing = set(records["country"]) - set(global_frames.map_ids()["unodc_name"])
    assert not missing, missing


def test_hong_kong_and_macao_are_their_own_shapes(seizures: pd.DataFrame) -> None:
    shown = global_frames.seizure_map_frame(seizures, 2020).set_index("country")
    assert shown.loc["China, Hong Kong SAR", "map_id"] == "344"
    assert shown.loc["China, Hong Kong SAR", "band"] == "100-1,000 kg"


def test_bands_cover_zero_and_the_largest_seizure() -> None:
    assert global_frames.band(0) == "0 kg (reported zero)"
    assert global_frames.band(0.5) == "under 1 kg"
    assert global_frames.band(13504.49) == "1,000 kg or more"


def test_ranked_table_filters_by_region_and_ranks_largest_first(seizures: pd.DataFrame) -> None:
    table = global_frames.ranked(seizures, 2023, [])
    assert table["kg"].is_monotonic_decreasing and table["rank"].tolist()[0] == 1
    assert table.iloc[0]["country"] == "Thailand"  # 6,385 kg in 2023
    africa = global_frames.ranked(seizures, 2023, ["Africa"])
    assert set(africa["region"]) == {"Africa"} and "Kenya" in set(africa["country"])


def test_compare_frame_keeps_age_bands_apart(parsed) -> None:
    obs = parsed.observations
    rows = obs[obs["indicator"] == "unodc_wdr_prevalence_general_past_year"].rename(
        columns={"geography": "country"}
    )
    data = global_frames.compare_frame(rows, ["United Kingdom (England and Wales)"])
    assert set(data["age_band"]) == {"16-59", "16-64"}
    assert data.groupby("series")["age_band"].nunique().max() == 1
    us = global_frames.compare_frame(rows, ["United States of America"])
    assert "UNODC's own estimate" in set(us["estimate"])


def test_cross_check_shows_agreement_and_conflict(parsed) -> None:
    obs = parsed.observations.rename(columns={"geography": "country"})
    general = obs[obs["indicator"] == "unodc_wdr_prevalence_general_past_year"]
    published = pd.DataFrame(
        {
            "geography": ["England and Wales", "England and Wales"],
            "period_label": ["2018/19", "2008/09"],
            "stratum": ["16-59", "16-59"],
            "value": [0.8, 0.5],
            "flags": ["secondary", "secondary"],
            "citation": ["Home Office 2018/19 bulletin", "Home Office 2018/19 bulletin"],
        }
    )
    checks = global_frames.cross_check({"general": general}, published).set_index("survey year")
    assert checks.loc["2018/19", "verdict"] == "agree"  # UNODC 0.77 vs 0.8
    assert checks.loc["2008/09", "verdict"] == "conflict"  # UNODC 0.6 vs 0.5
    assert checks["UNODC citation"].str.contains("UNODC").all()


def test_trends_table_holds_words_not_numbers(parsed) -> None:
    table = global_frames.trends_table(parsed.details["unodc_wdr_trends"], "all ages")
    hk = table.set_index("country").loc["China, Hong Kong SAR"]
    assert hk["2022"] == "Large decrease (>10%)"


def test_seizure_map_says_enforcement_and_pooling(seizures: pd.DataFrame) -> None:
    shown = global_frames.seizure_map_frame(seizures, 2020)
    chart = global_charts.seizure_map(data=shown, title="t", bands=global_frames.BAND_ORDER)
    spec = json.dumps(chart.to_dict())
    assert "enforcement, not use" in spec and "phencyclidine" in spec
    assert "equalEarth" in spec and "topojson" in spec


def test_prevalence_lines_validate(parsed) -> None:
    obs = parsed.observations
    rows = obs[obs["indicator"] == "unodc_wdr_prevalence_youth_past_year"].rename(
        columns={"geography": "country"}
    )
    data = global_frames.compare_frame(rows, ["United States of America", "China, Hong Kong SAR"])
    chart = global_charts.prevalence_lines(data=data, title="t")
    assert chart.to_dict()["layer"]


@pytest.fixture(scope="module")
def unodc_warehouse(tmp_path_factory) -> Path:
    """Seed everywhere, plus the UNODC fixture slices as a mirror."""
    root = tmp_path_factory.mktemp("unodc-mirror")
    shutil.copytree(FIXTURES, root / "mirror" / "unodc_wdr")
    mirror = RefreshOptions(mode="mirror", mirror=str(root / "mirror"), data_dir=root)
    refresh(SOURCES, ("unodc_wdr",), mirror)
    others = tuple(s.meta.id for s in SOURCES if s.meta.id != "unodc_wdr")
    refresh(SOURCES, others, RefreshOptions(mode="offline", data_dir=root))
    return root / "warehouse.duckdb"


def test_offline_the_page_says_how_to_load_the_annex(dashboard_env: Path) -> None:
    at = run_page("use_supply")
    assert not at.exception, [e.value for e in at.exception]
    text = " ".join(str(m.value) for m in [*at.info, *at.markdown, *at.warning])
    assert "--mirror DIR unodc_wdr" in text


def test_loaded_the_page_draws_map_comparison_and_trends(
    monkeypatch, unodc_warehouse: Path
) -> None:
    import streamlit as st

    monkeypatch.setenv("KETAMINE_WATCH_WAREHOUSE", str(unodc_warehouse))
    st.cache_data.clear()
    at = run_page("use_supply")
    assert not at.exception, [e.value for e in at.exception]
    charts = [json.dumps(json.loads(c.proto.spec)) for c in at.get("vega_lite_chart")]
    assert any("equalEarth" in c and "enforcement, not use" in c for c in charts)
    assert sum("Survey year" in c for c in charts) == 2  # general and youth apart
    assert any("Large decrease" in str(df.value.to_dict()) for df in at.dataframe)
