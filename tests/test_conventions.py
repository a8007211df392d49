"""Convention tests over the registry: every source declares its provenance and ships a
fixture folder and a seed folder; ids are unique; modules open with a docstring."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

from etl.contract import DOMAINS, ApiSource, DatabaseSource, Source
from etl.sources import SOURCES

ROOT = Path(__file__).resolve().parents[1]
IDS = [s.meta.id for s in SOURCES]


@pytest.fixture(params=SOURCES, ids=IDS)
def source(request: pytest.FixtureRequest) -> Source:
    return request.param


def test_ids_are_unique() -> None:
    assert len(IDS) == len(set(IDS))


def test_source_satisfies_the_protocol(source: Source) -> None:
    assert isinstance(source, Source)
    assert callable(getattr(source, "parse", None))


def test_provenance_is_declared(source: Source) -> None:
    meta = source.meta
    for field in ("title", "publisher", "homepage", "licence", "citation", "cadence", "counts"):
        assert str(getattr(meta, field)).strip(), f"{meta.id}: {field} is empty"
    assert meta.domain in DOMAINS


def test_live_urls_are_https_and_files_are_findable(source: Source) -> None:
    meta = source.meta
    live = [r for r in meta.remote_files if r.url]
    curated = not live and not isinstance(source, ApiSource)
    if curated:
        assert "curated" in meta.homepage or "curated" in meta.cadence, (
            f"{meta.id} has no live URL: say it is curated"
        )
    for remote in live:
        assert remote.url.startswith("https://"), remote.url
    for remote in meta.remote_files:
        assert remote.pattern, f"{meta.id}/{remote.name}: no pattern for mirrors"
    if isinstance(source, ApiSource):
        assert meta.allowed_hosts or live, f"{meta.id} fetches live: declare its hosts"


def test_module_opens_with_a_docstring(source: Source) -> None:
    module = importlib.import_module(type(source).__module__)
    doc = (module.__doc__ or "").strip()
    assert len(doc) > 200, f"{module.__name__}: say what the data counts and its caveats"


def test_fixture_folder_exists(source: Source) -> None:
    folder = ROOT / "tests" / "fixtures" / source.meta.id
    assert folder.is_dir() and any(folder.iterdir()), f"missing tests/fixtures/{source.meta.id}/"


def test_seed_folder_with_metadata(source: Source) -> None:
    folder = ROOT / "data" / "seed" / source.meta.id
    meta_path = folder / "seed.meta.json"
    assert meta_path.exists(), f"missing {meta_path.relative_to(ROOT)}"
    meta = json.loads(meta_path.read_text())
    required = ["url", "licence", "note"]
    if meta.get("files"):
        required += ["retrieved_at", "release"]
        assert meta.get("citation") or meta.get("attribution"), f"{source.meta.id}: no attribution"
    for key in required:
        assert str(meta.get(key) or "").strip(), f"{source.meta.id}: seed.meta.json lacks {key}"
    # A seed never dates its rows: each row's vintage is the publisher's release, read from the
    # files, never the day the seed was curated.
    assert not meta.get("vintage"), f"{source.meta.id}: seed.meta.json sets a blanket vintage"


def test_seed_loads_and_validates(source: Source, tmp_path: Path) -> None:
    from etl.refresh import RefreshOptions, refresh

    run = refresh([source], None, RefreshOptions(mode="offline", data_dir=tmp_path))
    result = run.results[0]
    assert result.status in ("ok", "empty"), result.message
    if result.status == "empty":
        note = json.loads((ROOT / "data/seed" / source.meta.id / "seed.meta.json").read_text())
        assert note.get("note"), f"{source.meta.id}: an empty seed must say how to load data"


def test_detail_tables_are_declared(source: Source) -> None:
    if isinstance(source, DatabaseSource):
        assert source.meta.detail_tables, f"{source.meta.id} loads tables it does not declare"


def test_seed_holds_what_the_meta_declares(source: Source) -> None:
    """`scripts/build_seeds.py` reads only the meta, so the seed folder must agree with it."""
    meta = source.meta
    folder = ROOT / "data" / "seed" / meta.id
    data_files = sorted(p.name for p in folder.iterdir() if p.name != "seed.meta.json")
    if meta.seed_reference:
        assert data_files == sorted(meta.seed_reference)
    elif meta.seed_release:
        recorded = json.loads((folder / "seed.meta.json").read_text())
        assert data_files and sorted(recorded["files"]) == data_files
        assert recorded["release"] == meta.seed_release
    else:
        assert data_files == [], f"{meta.id}: the seed carries files its meta does not declare"


def test_readme_source_table_is_the_registry() -> None:
    """The README's table is generated (scripts/source_table.py --write) and must not drift."""
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    import source_table

    readme = (ROOT / "README.md").read_text()
    assert source_table.with_table(readme) == readme, "run: python scripts/source_table.py --write"
