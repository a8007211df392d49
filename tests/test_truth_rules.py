"""What analysts see must be true on both builds: the offline seed build and a build from the
publishers' real files (`refresh --mirror ../shared/data/raw`, what an online install loads).

Each test is a rule over every row of a warehouse, not a list of today's ids: every number names
its publisher's release; every indicator says which substance it counts; every load says which
files it came from; the seed is the publishers' own files, so offline and online show the same
product; a FAERS format sample is never drawn as a count.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from etl.contract import ROLES, substance_role
from etl.refresh import DEFAULT_SEED_DIR
from etl.snapshots import sha256_file

# A curation or fetch date dressed as a release ("reference figures as of 2026-11").
CURATION_WORDING = re.compile(r"reference figures|curated|as of \d{4}-\d{2}\b", re.I)


@pytest.fixture(params=["seed", "real"])
def warehouse(request: pytest.FixtureRequest) -> duckdb.DuckDBPyConnection:
    path = request.getfixturevalue(f"{request.param}_warehouse")
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


def frame(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


def test_every_observation_names_its_publishers_release(warehouse) -> None:
    obs = frame(warehouse, "SELECT source, indicator, period_label, vintage FROM observations")
    assert len(obs) > 1000
    blank = obs[obs["vintage"].fillna("").str.strip() == ""]
    assert blank.empty, blank.head().to_dict("records")
    curated = obs[obs["vintage"].str.contains(CURATION_WORDING)]
    assert curated.empty, curated.drop_duplicates("vintage").head().to_dict("records")


def test_publisher_file_vintages_name_a_year(warehouse) -> None:
    """A release is an edition, a data year or a publication year: it says which year."""
    vintages = frame(
        warehouse,
        "SELECT source, vintage, count(*) AS n FROM observations"
        " WHERE source <> 'literature' GROUP BY ALL",
    )
    assert not vintages.empty
    for row in vintages.itertuples():
        assert re.search(r"(19|20)\d{2}", row.vintage), (row.source, row.vintage)


def test_every_indicator_says_what_substance_it_counts(warehouse) -> None:
    indicators = frame(warehouse, "SELECT id, substance, role FROM indicators")
    assert not indicators.empty
    assert indicators["substance"].fillna("").str.strip().ne("").all()
    assert set(indicators["role"]) <= set(ROLES)
    for row in indicators.itertuples():
        assert row.role == substance_role(row.substance), row.id
    assert "focus" in set(indicators["role"])


def test_every_observed_indicator_is_declared_with_a_role(warehouse) -> None:
    orphans = frame(
        warehouse,
        "SELECT DISTINCT o.indicator FROM observations o LEFT JOIN indicators i"
        " ON i.id = o.indicator WHERE i.role IS NULL",
    )
    assert orphans.empty, orphans["indicator"].tolist()[:5]


def test_every_source_with_rows_says_which_files_they_came_from(warehouse) -> None:
    with_rows = set(frame(warehouse, "SELECT DISTINCT source FROM observations")["source"])
    files = frame(warehouse, "SELECT * FROM source_files")
    assert with_rows <= set(files["source"]), with_rows - set(files["source"])
    assert files["sha256"].str.fullmatch(r"[0-9a-f]{64}").all()
    assert files["location"].fillna("").str.strip().ne("").all()
    assert (files["size"] > 0).all()
    origins = frame(warehouse, "SELECT id, origin FROM sources WHERE origin <> 'previous'")
    for row in origins.itertuples():
        if row.id in set(files["source"]):
            assert set(files.loc[files["source"] == row.id, "origin"]) == {row.origin}, row.id


def test_the_seed_carries_the_publishers_files_it_describes() -> None:
    carried = 0
    for meta_path in sorted(DEFAULT_SEED_DIR.glob("*/seed.meta.json")):
        meta = json.loads(meta_path.read_text())
        for name, described in meta.get("files", {}).items():
            path = meta_path.parent / name
            assert path.exists(), path
            assert sha256_file(path) == described["sha256"], f"{path}: rebuild the seed meta"
            assert path.stat().st_size == described["size"], path
            carried += 1
        if meta.get("files"):
            assert not any(
                p.name in ("observations.csv", "indicators.csv") for p in meta_path.parent.iterdir()
            ), f"{meta_path.parent}: canonical rows"
    assert carried >= 8


def test_offline_and_online_show_the_same_product(
    seed_warehouse: Path, real_warehouse: Path
) -> None:
    """Sources whose seed is the publisher's file publish the same numbers from either."""
    seeded = []
    for path in DEFAULT_SEED_DIR.glob("*/seed.meta.json"):
        meta = json.loads(path.read_text())
        if meta.get("files") and "curated" not in str(meta.get("release")):
            seeded.append(path.parent.name)
    assert {"nflis", "euda_wastewater", "cms_partd", "ons_drug_poisoning"} <= set(seeded)
    columns = "indicator, geography, stratum, period_label, value, unit, flags, vintage"
    for source in seeded:
        query = f"SELECT {columns} FROM observations WHERE source = ? ORDER BY ALL"
        with duckdb.connect(str(seed_warehouse), read_only=True) as con:
            offline = con.execute(query, [source]).df()
        with duckdb.connect(str(real_warehouse), read_only=True) as con:
            online = con.execute(query, [source]).df()
        assert len(offline) > 0, source
        pd.testing.assert_frame_equal(offline, online, obj=source)


def test_a_faers_format_sample_is_never_drawn_as_a_count(real_warehouse: Path) -> None:
    """The shared FAERS files are 100-report samples with no ketamine report: refused, with a
    message naming the file, and no FAERS count is published."""
    with duckdb.connect(str(real_warehouse), read_only=True) as con:
        rows = con.execute(
            "SELECT count(*) FROM observations WHERE source = 'faers_quarterly'"
        ).fetchone()[0]
        status, message = con.execute(
            "SELECT status, message FROM sources WHERE id = 'faers_quarterly'"
        ).fetchone()
    assert rows == 0
    assert status == "failed"
    assert "none names ketamine or esketamine" in message
    assert re.search(r"aers_ascii_20\d\dq\d", message)
