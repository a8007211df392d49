"""The map builders and their shaping: regions, fits, rank table, the state join, and what the
drawn maps hold (rendered with vl-convert at a phone's and a desktop's width)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import vl_convert as vlc

from dashboard.common import basemaps
from dashboard.use_supply import maps_charts, maps_frames
from tests.chart_render import items, render

UNIT = "mg per 1,000 people per day"


def cities() -> pd.DataFrame:
    """Sites as the wastewater query returns them: three in Europe, two in Brazil, one French
    overseas site, one unplaced (the seed has no coordinates)."""
    rows = [
        ("Amsterdam (NL)", "Amsterdam", "NL", 52.37, 4.90, 132.2),
        ("Oslo (NO)", "Oslo", "NO", 59.91, 10.75, 65.5),
        ("Nicosia (CY)", "Nicosia", "CY", 35.17, 33.36, 3.1),
        ("Sao Paulo (BR)", "Sao Paulo", "BR", -23.55, -46.63, 41.0),
        ("Recife (BR)", "Recife", "BR", -8.05, -34.90, 2.5),
        ("Fort-de-France (FR)", "Fort-de-France", "FR", 14.61, -61.07, 7.7),
        ("Nowhere (ZZ)", None, None, None, None, 9.0),
    ]
    frame = pd.DataFrame(
        rows, columns=["geography", "city", "country", "latitude", "longitude", "value"]
    )
    return frame.assign(
        period_label="2024", unit=UNIT, flags="", population=1e5, note="", vintage="v"
    )


def test_sites_outside_the_europe_box_are_their_countrys_region() -> None:
    regions = maps_frames.site_regions(cities())
    assert list(regions[:3]) == ["Europe"] * 3
    assert list(regions[3:6]) == ["BR", "BR", "FR"]  # Martinique is not in Europe's frame
    assert pd.isna(regions.iloc[6])
    assert maps_frames.region_options(cities()) == ["Europe", "BR", "FR", "World"]
    assert set(maps_frames.in_region(cities(), "BR")["city"]) == {"Sao Paulo", "Recife"}
    assert len(maps_frames.in_region(cities(), "World")) == 6  # every placed site
    only_europe = cities().iloc[:3]
    assert maps_frames.region_options(only_europe) == ["Europe"]


def test_a_countrys_fit_frames_its_own_sites_with_a_margin() -> None:
    (corners,) = [
        f["geometry"]["coordinates"] for f in maps_frames.region_fit(cities(), "BR")["features"]
    ]
    (west, south), (east, north) = corners
    assert west < -46.63 and east > -34.90 and south < -23.55 and north > -8.05
    assert maps_frames.region_fit(cities(), "Europe") == basemaps.region_fit("Europe")


def test_rank_table_leads_with_city_and_ranks_by_load() -> None:
    table = maps_frames.rank_table(maps_frames.in_region(cities(), "Europe"))
    assert list(table.columns[:6]) == ["rank", "city", "country", "value", "year", "unit"]
    assert list(table["city"]) == ["Amsterdam", "Oslo", "Nicosia"]
    assert list(table["rank"]) == [1, 2, 3]
    # the seed has no site table: the published place name stands in for the city
    unplaced = maps_frames.rank_table(cities().iloc[[6]])
    assert unplaced["city"].tolist() == ["Nowhere (ZZ)"]


def test_every_state_code_joins_exactly_one_shape() -> None:
    codes = maps_frames.state_codes()
    joined = codes.merge(basemaps.state_names(), left_on="fips", right_on="id", how="outer")
    assert joined["id"].notna().all() and joined["fips"].notna().all()
    assert (joined["name_x"] == joined["name_y"]).all()
    assert codes["code"].is_unique and len(codes) == len(basemaps.state_names())


def nflis_states() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator": "nflis_state_club_drugs_fentanyl_pct",
            "geography": ["US-TN", "US-AK", "US-ZZ"],
            "period_label": "2022",
            "value": [10.0, 20.0, 5.0],
            "unit": "percent",
            "flags": ["proxy", "proxy;unreliable", "proxy"],
            "note": "",
        }
    )


def test_state_rows_join_fips_and_names_and_drop_unknown_codes() -> None:
    rows = maps_frames.state_rows(nflis_states())
    assert rows[["state", "fips"]].values.tolist() == [["Alaska", "02"], ["Tennessee", "47"]]
    assert maps_frames.is_proxy(rows)
    assert not maps_frames.is_proxy(rows.assign(flags="provisional"))


def test_wastewater_map_draws_countries_and_only_the_regions_cities() -> None:
    shown = maps_frames.in_region(cities(), "BR")
    chart = maps_charts.wastewater_basemap(
        data=shown, title="t", unit=UNIT, fit=maps_frames.region_fit(cities(), "BR")
    )
    spec = chart.to_dict()  # validated against the Vega-Lite schema
    assert spec["projection"]["type"] == "mercator" and "fit" in spec["projection"]
    shapes, *points = spec["layer"]
    assert shapes["data"]["format"] == {"type": "topojson", "feature": "countries"}
    assert shapes["mark"]["clip"] is True  # Mercator's Antarctica would stretch the view
    drawn = json.dumps(spec["datasets"])
    assert "Recife" in drawn and "Amsterdam" not in drawn
    assert points and all(p["encoding"]["size"]["legend"]["orient"] == "bottom" for p in points)
    # no tooltip prints an empty field (these rows have no flags)
    assert all("flags" not in json.dumps(p["encoding"]["tooltip"]) for p in points)


@pytest.mark.parametrize("width", [330, 900])
def test_wastewater_map_keeps_its_frame_at_phone_and_desktop_width(width: int) -> None:
    europe = maps_frames.in_region(cities(), "Europe")
    spec = maps_charts.wastewater_basemap(
        data=europe,
        title="t",
        unit=UNIT,
        fit=maps_frames.region_fit(cities(), "Europe"),
        height=300,
    ).to_dict()
    spec["width"] = width
    svg = vlc.vegalite_to_svg(json.dumps(spec))
    view_width, view_height = (
        float(v) for v in svg.split('viewBox="0 0 ')[1].split('"')[0].split()
    )
    # the whole map (legend below it) stays within the container: no world-sized canvas
    assert view_width <= width + 20
    assert view_height < 300 + 150


def test_state_choropleth_shades_states_and_says_proxy() -> None:
    rows = maps_frames.state_rows(nflis_states())
    chart = maps_charts.state_choropleth(
        data=rows, title="PROXY · t", unit="percent", subtitle="PROXY: x"
    )
    spec = chart.to_dict()
    assert spec["projection"]["type"] == "albersUsa"
    background, *shaded = spec["layer"]
    assert background["data"]["format"]["feature"] == "states"
    (lookup,) = shaded[0]["transform"]
    assert lookup["lookup"] == "fips" and lookup["from"]["key"] == "id"
    assert spec["title"]["subtitle"] == "PROXY: x"
    fills = [item.get("fill") for item, _ in items(render(spec, 360)) if "shape" in item]
    assert fills.count(maps_charts.NO_DATA) == len(basemaps.state_names())  # every state drawn
    shaded_fills = [f for f in fills if f and f != maps_charts.NO_DATA]
    assert len(shaded_fills) == 2 and len(set(shaded_fills)) == 2  # AK and TN, two shades
    assert shaded[0]["encoding"]["color"]["legend"]["orient"] == "bottom"


def test_short_label_drops_the_member_list_the_subtitle_gives() -> None:
    label = (
        "NFLIS yearly, by state: Club drugs (proxy: ketamine + MDA + MDMA), share of the "
        "category's samples that also contained fentanyl"
    )
    assert maps_frames.short_label(label) == (
        "NFLIS yearly, by state: Club drugs, share of the category's samples that also "
        "contained fentanyl"
    )
