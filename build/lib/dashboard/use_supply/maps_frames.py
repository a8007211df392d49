"""Pure shaping for the maps: which region a wastewater site is in, the map's frame (a
projection `fit`), the wastewater rank table, and NFLIS state rows joined to the states map.

Regions: a site inside the Europe box (`basemaps.REGION_EXTENTS`) is "Europe"; a site outside it
belongs to its country (EUDA's file also holds Brazil, New Zealand, Canada, ... and French
overseas sites), so those are offered one country at a time, and "World" shows them all.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pandas as pd

from dashboard.common import basemaps

EUROPE = "Europe"
WORLD = "World"
STATE_CODES = Path(basemaps.__file__).resolve().parent / "us_state_codes.csv"
# Degrees of margin around a country's own sites, so edge cities are not cut in half.
FIT_MARGIN = 2.0


def in_europe(latitude: pd.Series, longitude: pd.Series) -> pd.Series:
    west, south, east, north = basemaps.REGION_EXTENTS[EUROPE]
    return latitude.between(south, north) & longitude.between(west, east)


def site_regions(cities: pd.DataFrame) -> pd.Series:
    """The region of each city: "Europe", its country code outside Europe, or None unplaced."""
    placed = cities["latitude"].notna() & cities["longitude"].notna()
    europe = in_europe(cities["latitude"], cities["longitude"])
    country = cities["country"].fillna("unknown country").astype(str)
    return country.where(~europe, EUROPE).where(placed, None)


def region_options(cities: pd.DataFrame) -> list[str]:
    """Europe first (the default), then each other country by number of sites, then World."""
    regions = site_regions(cities).dropna()
    others = regions[regions != EUROPE].value_counts()
    others = sorted(others.index, key=lambda c: (-others[c], c))
    return [EUROPE, *others, WORLD] if others else [EUROPE]


def in_region(cities: pd.DataFrame, region: str) -> pd.DataFrame:
    if region == WORLD:
        return cities[cities["latitude"].notna()]
    return cities[site_regions(cities) == region]


def region_fit(cities: pd.DataFrame, region: str) -> dict:
    """A projection `fit` for the region: the named box for Europe and World, the sites' own
    corners (with a margin) for one country."""
    if region in basemaps.REGION_EXTENTS:
        return basemaps.region_fit(region)
    placed = in_region(cities, region)
    west, east = placed["longitude"].min(), placed["longitude"].max()
    south, north = placed["latitude"].min(), placed["latitude"].max()
    margin = max(FIT_MARGIN, 0.15 * max(east - west, north - south))
    corners = [[west - margin, south - margin], [east + margin, north + margin]]
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "MultiPoint", "coordinates": corners},
            }
        ],
    }


def rank_table(cities: pd.DataFrame) -> pd.DataFrame:
    """City, country, value, year, unit (and flags), highest load first, ranked 1..n."""
    ordered = cities.sort_values("value", ascending=False, kind="stable")
    city = ordered["city"].fillna(ordered["geography"]) if "city" in ordered else ordered.geography
    return pd.DataFrame(
        {
            "rank": range(1, len(ordered) + 1),
            "city": city.astype(str).to_numpy(),
            "country": ordered["country"].to_numpy() if "country" in ordered else None,
            "value": ordered["value"].to_numpy(),
            "year": ordered["period_label"].astype(str).to_numpy(),
            "unit": ordered["unit"].to_numpy(),
            "flags": ordered["flags"].fillna("").to_numpy(),
        }
    )


@cache
def state_codes() -> pd.DataFrame:
    """Postal code, two-digit FIPS id (the states map's feature id) and name of each state."""
    return pd.read_csv(STATE_CODES, dtype=str, keep_default_na=False)


def state_rows(observations: pd.DataFrame) -> pd.DataFrame:
    """NFLIS rows with geography `US-XX` joined to the map's FIPS id and the state's name.
    Rows of codes the map does not know are dropped (the table beside the map lists all)."""
    codes = observations["geography"].astype(str).str.removeprefix("US-")
    joined = observations.assign(code=codes).merge(state_codes(), on="code", how="inner")
    return joined.rename(columns={"name": "state"}).sort_values("value", ascending=False)


def short_label(label: str) -> str:
    """A series label without its '(proxy: members)' list (the map's subtitle gives it)."""
    return re.sub(r"\s*\(proxy:[^)]*\)", "", str(label)).strip()


def state_years(observations: pd.DataFrame) -> list[str]:
    return sorted(observations["period_label"].astype(str).unique())


def is_proxy(observations: pd.DataFrame) -> bool:
    """True when any row is flagged `proxy` (e.g. NFLIS 'club drugs': ketamine plus others)."""
    flags = observations["flags"].fillna("").astype(str) if "flags" in observations else None
    return bool(flags is not None and flags.str.split(";").map(lambda f: "proxy" in f).any())
