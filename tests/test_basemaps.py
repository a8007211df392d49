"""The committed boundary files are the ones SOURCE.md names, and hold what the maps join on."""

from __future__ import annotations

import hashlib
import re

from dashboard.common import basemaps


def test_files_match_the_hashes_source_md_records() -> None:
    recorded = dict(
        re.findall(
            r"\| `([\w-]+\.json)` \|.*\| `([0-9a-f]{64})` \|",
            (basemaps.FOLDER / "SOURCE.md").read_text(),
        )
    )
    assert set(recorded) == {basemaps.WORLD_FILE.name, basemaps.US_STATES_FILE.name}
    for name, digest in recorded.items():
        assert hashlib.sha256((basemaps.FOLDER / name).read_bytes()).hexdigest() == digest


def test_world_map_has_the_places_ketamine_seizures_name() -> None:
    countries = basemaps.country_names()
    wanted = {"Cambodia", "Thailand", "Hong Kong", "Macao", "China", "Netherlands"}
    assert wanted <= set(countries["name"])
    # Natural Earth gives a few territories their sovereign's id (Ashmore and Cartier: Australia's),
    # so a join on id must not fan out for the places we colour.
    ids = countries.loc[countries["name"].isin(wanted), "id"]
    assert countries["id"].isin(ids).sum() == len(wanted)


def test_states_map_has_fifty_states_and_dc() -> None:
    states = basemaps.state_names()
    assert {"California", "District of Columbia", "Alaska", "Hawaii"} <= set(states["name"])
    assert states["id"].str.fullmatch(r"\d{2}").all()
    assert len(states) >= 51


def test_region_fit_frames_the_region_by_its_corners() -> None:
    fit = basemaps.region_fit("Europe")
    (corners,) = [f["geometry"]["coordinates"] for f in fit["features"]]
    assert corners == [[-25.0, 34.0], [45.0, 71.0]]
