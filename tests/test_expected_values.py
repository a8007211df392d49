"""Published values a source must load, listed beside its fixtures: no test code per source.

`tests/fixtures/<id>/expected_values.csv` has one row per checked number, read by hand from the
publisher's file: `indicator, geography, period_label, stratum, value`, and optionally `files`:
`fixture` (default; the fixture folder's files, served as a mirror) or `shared` (the real files in
`../shared/data/raw/<id>`, skipped with a reason where that folder is absent).
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from bad_inputs.generic import FIXTURES, fixture_folder_files
from refresh_kit import REPO_ROOT, query, run_refresh, write_mirror

from etl.sources import SOURCES

SHARED_RAW = REPO_ROOT.parent / "shared" / "data" / "raw"
KEY = ["indicator", "geography", "period_label", "stratum"]


def expectations() -> list:
    params = []
    for source in SOURCES:
        path = FIXTURES / source.meta.id / "expected_values.csv"
        if not path.exists():
            continue
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        if "files" not in table:
            table["files"] = "fixture"
        for files, rows in table.groupby("files"):
            params.append(pytest.param(source.meta.id, files, rows, id=f"{source.meta.id}-{files}"))
    return params


def mirror_for(source_id: str, files: str, tmp_path: Path) -> Path:
    if files == "shared":
        if not (SHARED_RAW / source_id).is_dir():
            pytest.skip(f"{SHARED_RAW / source_id} is absent (a clean clone has no ../shared)")
        return SHARED_RAW
    assert files == "fixture", f"files must be 'fixture' or 'shared', not {files!r}"
    return write_mirror(tmp_path / "mirror", {source_id: fixture_folder_files(source_id)})


@pytest.mark.parametrize(("source_id", "files", "rows"), expectations())
def test_source_loads_the_published_values(
    source_id: str, files: str, rows: pd.DataFrame, tmp_path: Path
) -> None:
    mirror = mirror_for(source_id, files, tmp_path)
    run = run_refresh(tmp_path / "data", mode="mirror", mirror=str(mirror), selected=[source_id])
    [result] = run.results
    assert result.status == "ok", result.message
    loaded = query(
        tmp_path / "data" / "warehouse.duckdb",
        "SELECT indicator, geography, period_label, coalesce(stratum, ''), value "
        "FROM observations WHERE source = ?",
        [source_id],
    )
    found: dict[tuple, list[float]] = {}
    for *key, value in loaded:
        found.setdefault(tuple(key), []).append(value)
    for row in rows.itertuples(index=False):
        key = tuple(getattr(row, column) for column in KEY)
        assert key in found, f"{source_id}: no row {key}"
        assert any(math.isclose(v, float(row.value), rel_tol=1e-9) for v in found[key]), (
            f"{source_id} {key}: loaded {found[key]}, the publisher's file says {row.value}"
        )


def test_every_expected_values_file_names_a_registered_source() -> None:
    ids = {s.meta.id for s in SOURCES}
    for path in FIXTURES.glob("*/expected_values.csv"):
        assert path.parent.name in ids, path
        assert {*KEY, "value"} <= set(pd.read_csv(path, nrows=0).columns), path
