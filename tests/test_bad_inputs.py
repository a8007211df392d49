"""The bad-input corpus (tests/bad_inputs/cases.py) driven through a real refresh.

Every case starts from the same published warehouse (the seed, plus two hand-made FAERS
quarters), puts its files in one source's mirror (a folder, or the local HTTP server on
127.0.0.1) and refreshes all the test sources. For each case:

- the outcome is the right one (recovered, or rejected: failed, fallback, or held by the shrink
  guard);
- the message names the source, the file and, where it applies, the line;
- the source's status, the run status and the `runs` table say what happened;
- every source's published rows are unchanged afterwards (for a recovered case: the target's rows
  equal those loaded from the clean version of the same data), and no temp file is left.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from bad_inputs.cases import CASES, baseline_files
from bad_inputs.kit import ANY_REJECTION, Case
from refresh_kit import (
    TEST_SOURCES,
    build_baseline,
    fingerprint,
    query,
    run_refresh,
    serve_mirror,
    test_client_factory,
    write_mirror,
)

from etl.runlog import FAILED, FALLBACK, HELD
from etl.sources import SOURCES

REJECTED = (FAILED, FALLBACK, HELD)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("baseline")
    build_baseline(root / "data", root / "mirror", baseline_files())
    return root / "data"


@pytest.fixture(scope="module")
def baseline_fingerprint(baseline: Path) -> dict[str, str]:
    """Every case starts from a copy of the baseline, so its rows are fingerprinted once."""
    return fingerprint(published(baseline))


@pytest.fixture
def data_dir(baseline: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(baseline, tmp_path / "data"))


def published(data_dir: Path) -> Path:
    return data_dir / "warehouse.duckdb"


def refresh_with(case: Case, files: dict[str, bytes], data_dir: Path, tmp: Path, server):
    sleeps: list[float] = []
    if case.transport == "http":
        if case.route is not None:
            first = next(iter(files))
            server.routes[f"/{case.source}/{first}"] = case.route(files[first])
        mirror = serve_mirror(server, {case.source: files})
    else:
        mirror = str(write_mirror(tmp, {case.source: files}))
    factory = test_client_factory(sleeps, **case.client)
    selected = None if case.full else [case.source]
    run = run_refresh(
        data_dir, mode="mirror", mirror=mirror, selected=selected, client_factory=factory
    )
    return run, sleeps


_CLEAN: dict[tuple[str, str], str] = {}


def clean_fingerprint(case: Case, baseline: Path, tmp_path: Path, server) -> str:
    """The source's fingerprint after loading the case's clean data on the baseline (cached)."""
    files = case.clean()
    key = (case.source, hashlib.sha256(repr(sorted(files.items())).encode()).hexdigest())
    if key not in _CLEAN:
        if files == baseline_files().get(case.source):
            _CLEAN[key] = fingerprint(published(baseline))[case.source]
        else:
            clean_dir = Path(shutil.copytree(baseline, tmp_path / "clean_data"))
            clean = Case(case.id + "_clean", case.source, "clean", case.clean)
            run, _ = refresh_with(clean, files, clean_dir, tmp_path / "clean_mirror", server)
            assert the_result(run, case.source).status == "ok"
            _CLEAN[key] = fingerprint(published(clean_dir))[case.source]
    return _CLEAN[key]


def the_result(run, source_id: str):
    [result] = [r for r in run.results if r.source == source_id]
    return result


def test_the_corpus_is_big_and_varied():
    assert len(CASES) >= 25
    assert len({c.id for c in CASES}) == len(CASES)
    assert {"recovered", "rejected"} == {c.outcome for c in CASES}
    # every registered source has cases (a new source without them fails here), is refreshed by
    # these tests, and has at least 4 cases that pass today, one of them a rejection
    registry = {s.meta.id for s in SOURCES}
    assert {s.meta.id for s in TEST_SOURCES} >= registry
    for source_id in sorted(registry):
        working = [c for c in CASES if c.source == source_id and not c.defect]
        assert len(working) >= 4, source_id
        assert any(c.outcome == "rejected" for c in working), source_id
    assert registry >= {c.source for c in CASES}
    for case in CASES:
        allowed = (*REJECTED, ANY_REJECTION) if case.outcome == "rejected" else ("ok",)
        assert case.status in allowed, case.id
        assert case.says or case.outcome == "recovered", case.id


def as_param(case: Case):
    marks = [pytest.mark.xfail(strict=True, reason=case.defect)] if case.defect else []
    return pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", [as_param(c) for c in CASES])
def test_bad_input(
    case: Case,
    baseline: Path,
    baseline_fingerprint: dict[str, str],
    data_dir: Path,
    tmp_path: Path,
    local_server,
) -> None:
    before = baseline_fingerprint  # data_dir is a fresh copy of the baseline
    run, sleeps = refresh_with(case, case.files(), data_dir, tmp_path / "mirror", local_server)
    result = the_result(run, case.source)
    if case.full:  # the other sources were refreshed in the same run and still published
        assert {r.source for r in run.results} > {case.source}
        # Each still publishes: from the mirror, or from its snapshot when the mirror lacks it
        # (`fallback` when that load has notes of its own, as UNODC's parser warnings are).
        others = [(r.source, r.status, r.message) for r in run.results if r.source != case.source]
        assert [o for o in others if o[1] not in ("ok", "fallback")] == []

    # the outcome and what the run says about it
    expected = REJECTED if case.status == ANY_REJECTION else (case.status,)
    assert result.status in expected, result.message
    expected_run = "partial" if result.status in REJECTED else "ok"
    assert run.status == expected_run, [(r.source, r.status, r.message) for r in run.results]
    if case.outcome == "rejected":
        assert result.status in REJECTED
    if case.sleeps is not None:
        assert sleeps == list(case.sleeps)

    # the message names the source, the file and the line
    if case.outcome == "rejected":
        assert result.message.startswith(f"{case.source}: "), result.message
        for needle in case.says:
            assert needle in result.message, f"{needle!r} not in {result.message!r}"

    # every source's published rows: unchanged, or (recovered) those of the clean data
    after = fingerprint(published(data_dir))
    others = {k: v for k, v in after.items() if k != case.source}
    assert others == {k: v for k, v in before.items() if k != case.source}
    if case.outcome == "rejected":
        assert after[case.source] == before[case.source]
    else:
        assert case.clean is not None
        assert result.origin == "mirror"  # loaded from the case's file, not a fallback
        assert after[case.source] == clean_fingerprint(case, baseline, tmp_path, local_server)

    # the run log and the sources table record it
    [(status, message)] = query(
        published(data_dir),
        "SELECT status, message FROM runs WHERE run_id = ? AND source = ?",
        [run.run_id, case.source],
    )
    assert (status, message) == (result.status, result.message)
    [(source_status,)] = query(
        published(data_dir), "SELECT status FROM sources WHERE id = ?", [case.source]
    )
    assert source_status == result.status

    # nothing half-done is left behind
    assert not list(data_dir.glob("warehouse.duckdb.next*"))
    assert not list(data_dir.rglob(".partial-*"))
    assert not list(data_dir.rglob("*.part"))
