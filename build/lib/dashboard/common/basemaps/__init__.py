"""Boundaries for the dashboard's maps, read from files committed beside this module.

Natural Earth countries (1:50m, via world-atlas) and US Census states (2017, via us-atlas), as
TopoJSON; see `SOURCE.md` for versions, hashes and licences. Maps draw these with Altair's
`geoshape`, so they need no tile server and no network. The files are read once per process.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import altair as alt
import pandas as pd

FOLDER = Path(__file__).resolve().parent
WORLD_FILE = FOLDER / "countries-50m.json"
US_STATES_FILE = FOLDER / "states-10m.json"

# Bounding boxes (west, south, east, north) for a region's map, in degrees.
REGION_EXTENTS: dict[str, tuple[float, float, float, float]] = {
    "Europe": (-25.0, 34.0, 45.0, 71.0),
    "World": (-180.0, -58.0, 180.0, 84.0),
}


@cache
def _topology(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def world_topology() -> dict:
    """The world-atlas countries TopoJSON (objects `countries` and `land`)."""
    return _topology(WORLD_FILE)


def us_states_topology() -> dict:
    """The us-atlas states TopoJSON (objects `states` and `nation`)."""
    return _topology(US_STATES_FILE)


def _names(topology: dict, collection: str) -> pd.DataFrame:
    rows = [
        {"id": g["id"], "name": g["properties"]["name"]}
        for g in topology["objects"][collection]["geometries"]
        if "id" in g
    ]
    return pd.DataFrame(rows, columns=["id", "name"])


def country_names() -> pd.DataFrame:
    """ISO 3166-1 numeric id and Natural Earth name of every country on the world map."""
    return _names(world_topology(), "countries")


def state_names() -> pd.DataFrame:
    """Two-digit FIPS id and name of every US state (and DC, Puerto Rico) on the states map."""
    return _names(us_states_topology(), "states")


def world_shapes(feature: str = "countries") -> alt.InlineData:
    """Countries (or `land`) as inline TopoJSON data for an Altair `geoshape` layer."""
    return alt.InlineData(
        values=world_topology(), format=alt.DataFormat(type="topojson", feature=feature)
    )


def us_state_shapes() -> alt.InlineData:
    """US states as inline TopoJSON data for an Altair `geoshape` layer."""
    return alt.InlineData(
        values=us_states_topology(), format=alt.DataFormat(type="topojson", feature="states")
    )


def region_fit(region: str) -> dict:
    """A feature collection to pass as a projection's `fit`, so the map frames one region.

    Two corner points, not a box polygon: d3 reads a polygon's winding on the sphere, and a box
    wound the "wrong" way means the whole globe outside it.
    """
    west, south, east, north = REGION_EXTENTS[region]
    corners = {"type": "MultiPoint", "coordinates": [[west, south], [east, north]]}
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {}, "geometry": corners}],
    }
