"""The dashboard keeps working while refreshes publish: no error, no half-loaded view.

A background thread publishes new warehouses in a loop (NFLIS alternating between two versions of
its file, each publish an `os.replace` of a freshly built file) while the dashboard renders pages
through Streamlit's AppTest and, more densely, while readers query through
dashboard/common/queries.py.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from bad_inputs.cases import NFLIS, baseline_files
from page_kit import run_page
from refresh_kit import NFLIS_CLEAN, TEST_SOURCES, run_refresh, write_mirror

NEWER = NFLIS_CLEAN + "2022,Ketamine,150\n"
# Light: no FAERS tables to carry over on every publish, so the loop publishes often.
SOURCES = tuple(s for s in TEST_SOURCES if s.meta.id != "faers_quarterly")


class Publisher(threading.Thread):
    """Refresh NFLIS from alternating mirrors until stopped; count publishes, keep errors.

    The older mirror has fewer years, so each switch back is a shrink, accepted here: what is
    tested is that readers never see a half-published warehouse."""

    def __init__(self, data_dir: Path, mirrors: list[Path]) -> None:
        super().__init__(daemon=True)
        self.data_dir, self.mirrors = data_dir, mirrors
        self.stop = threading.Event()
        self.published = 0
        self.errors: list[BaseException] = []

    def run(self) -> None:
        while not self.stop.is_set():
            mirror = self.mirrors[self.published % len(self.mirrors)]
            try:
                run = run_refresh(
                    self.data_dir,
                    mode="mirror",
                    mirror=str(mirror),
                    selected=["nflis"],
                    accept_shrink=True,
                )
                assert run.status == "ok", run.results
                self.published += 1
            except BaseException as error:  # reported by the test
                self.errors.append(error)
                return


@pytest.fixture
def publishing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import streamlit as st

    data_dir = tmp_path / "data"
    base = write_mirror(tmp_path / "base_mirror", baseline_files())
    assert run_refresh(data_dir, mode="mirror", mirror=str(base), sources=SOURCES).status == "ok"
    newer = write_mirror(tmp_path / "newer", {"nflis": {NFLIS: NEWER.encode()}})
    older = write_mirror(tmp_path / "older", {"nflis": baseline_files()["nflis"]})
    monkeypatch.setenv("KETAMINE_WATCH_WAREHOUSE", str(data_dir / "warehouse.duckdb"))
    st.cache_data.clear()
    publisher = Publisher(data_dir, [newer, older])
    publisher.start()
    yield publisher
    publisher.stop.set()
    publisher.join(timeout=60)
    assert not publisher.errors, publisher.errors


def wait_for_publishes(publisher: Publisher, count: int) -> None:
    target = publisher.published + count
    for _ in range(600):
        if publisher.published >= target or publisher.errors:
            return
        threading.Event().wait(0.05)
    raise AssertionError("the publisher stalled")


def test_pages_render_while_refreshes_publish(publishing: Publisher) -> None:
    versions = set()
    for page in ("overview", "methods", "overview"):
        at = run_page(page)
        assert not at.exception, [e.value for e in at.exception]
        versions.add(publishing.published)
        wait_for_publishes(publishing, 1)
    assert len(versions) >= 2  # the pages really rendered across different publishes
    assert not publishing.errors


def test_queries_never_fail_while_refreshes_publish(publishing: Publisher) -> None:
    from dashboard.common import queries

    seen_rows: set[int] = set()
    errors: list[BaseException] = []
    start = publishing.published

    def reader() -> None:
        while publishing.published < start + 3 and not publishing.errors:
            try:
                queries.clear_cache()  # go to the file every time, not the cache
                frame = queries.run_query(
                    "SELECT count(*) AS n FROM observations WHERE source = ?", ("nflis",)
                )
                seen_rows.add(int(frame["n"].iloc[0]))
            except BaseException as error:
                errors.append(error)
                return

    readers = [threading.Thread(target=reader) for _ in range(3)]
    for thread in readers:
        thread.start()
    for thread in readers:
        thread.join(timeout=120)
    assert not errors, errors
    # both versions were read whole: 4 rows (older file) or 5 (newer), never anything between
    assert seen_rows <= {4, 5}
    assert seen_rows == {4, 5}
