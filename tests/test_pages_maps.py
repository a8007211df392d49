"""The Use & supply maps, run as pages: the wastewater basemap with its region filter and rank
table, the NFLIS state map with its year control and PROXY label, both reopened from a link."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from etl.refresh import RefreshOptions, refresh
from etl.sources import SOURCES
from tests.page_kit import run_page

FIXTURES = Path(__file__).parent / "fixtures"


def specs(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def titled(at: AppTest, text: str) -> list[dict]:
    return [s for s in specs(at) if text in json.dumps(s.get("title", ""))]


@pytest.fixture(scope="module")
def mirror_warehouse(tmp_path_factory) -> Path:
    """Seed everywhere, plus the hand-made EUDA and NFLIS fixtures (sites, state file)."""
    root = tmp_path_factory.mktemp("maps-mirror")
    mirror = root / "mirror"
    for sid in ("euda_wastewater", "nflis"):
        shutil.copytree(FIXTURES / sid, mirror / sid)
    refresh(
        SOURCES,
        ("euda_wastewater", "nflis"),
        RefreshOptions(mode="mirror", mirror=str(mirror), data_dir=root),
    )
    return root / "warehouse.duckdb"


@pytest.fixture
def on_mirror(monkeypatch, mirror_warehouse: Path) -> Path:
    monkeypatch.setenv("KETAMINE_WATCH_WAREHOUSE", str(mirror_warehouse))
    st.cache_data.clear()
    return mirror_warehouse


def test_wastewater_map_has_a_basemap_region_filter_and_rank_table(on_mirror: Path) -> None:
    at = run_page("use_supply")
    assert not at.exception, [e.value for e in at.exception]
    region = at.selectbox(key="filter__ww_region")
    assert region.options == ["Europe (3 sites)"] and region.value == "Europe"
    (chart,) = titled(at, "Wastewater")
    assert chart["layer"][0]["data"]["format"] == {"type": "topojson", "feature": "countries"}
    table = at.dataframe[-1].value
    assert list(table.columns[:6]) == ["rank", "city", "country", "value", "year", "unit"]
    assert set(table["city"]) == {"Testville", "Debrecen", "Grouped (3 sites)"}
    assert list(table["value"]) == sorted(table["value"], reverse=True)


def test_state_map_has_a_year_control_and_says_proxy(on_mirror: Path) -> None:
    at = run_page("use_supply")
    year = at.selectbox(key="filter__state_year")
    assert year.options == ["2021", "2022"] and year.value == "2022"
    (chart,) = titled(at, "by state")
    assert chart["title"]["text"].startswith("PROXY")
    assert "club drugs" in chart["title"]["subtitle"]
    assert chart["projection"]["type"] == "albersUsa"
    shared = run_page("use_supply", {"state_year": "2021"})
    assert not shared.exception
    (reopened,) = titled(shared, "by state")
    assert "2021" in reopened["title"]["text"]
    assert shared.query_params["state_year"] in ("2021", ["2021"])


def test_seed_build_draws_both_maps(dashboard_env: Path) -> None:
    """The seed carries EUDA's site table and Lim et al.'s state file (both openly licensed)."""
    st.cache_data.clear()
    at = run_page("use_supply")
    assert not at.exception
    assert titled(at, "by state") and titled(at, "Wastewater")
    table = at.dataframe[-1].value  # the rank table, highest load first
    assert len(table) and list(table["value"]) == sorted(table["value"], reverse=True)


def test_real_build_offers_brazil_and_reopens_it_from_a_link(
    real_warehouse: Path, monkeypatch
) -> None:
    monkeypatch.setenv("KETAMINE_WATCH_WAREHOUSE", str(real_warehouse))
    st.cache_data.clear()
    at = run_page("use_supply")
    region = at.selectbox(key="filter__ww_region")
    assert region.value == "Europe" and any(o.startswith("BR (") for o in region.options)
    europe = rank_table(at)
    assert "BR" not in set(europe["country"])
    brazil = run_page("use_supply", {"ww_region": "BR"})
    assert not brazil.exception
    assert set(rank_table(brazil)["country"]) == {"BR"}


def rank_table(at):
    """The wastewater rank table (the page has other tables after it: UNODC's)."""
    [table] = [d.value for d in at.dataframe if {"rank", "city"} <= set(d.value.columns)]
    return table


def test_chart_data_tables_lead_with_what_when_how_much(dashboard_env: Path) -> None:
    """Every chart's data table: label (or series), period, value, unit and flags come before the
    ids, and dates read as dates."""
    st.cache_data.clear()
    at = run_page("poison_deaths")
    assert not at.exception
    tables = [d.value for d in at.dataframe if "value" in d.value.columns]
    assert tables
    for table in tables:
        columns = list(table.columns)
        lead = [c for c in ("label", "period_label", "value", "unit", "flags") if c in columns]
        assert columns.index("value") < 8, columns
        assert lead == sorted(lead, key=columns.index)
        ids = [c for c in ("indicator", "source") if c in columns]
        assert all(columns.index(c) > columns.index("flags") for c in ids if "flags" in columns)
        assert "00:00:00" not in table.astype(str).to_csv()
