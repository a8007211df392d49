"""The warehouse file: schema, staging, carrying last good rows over, atomic publish, lock.

A refresh never writes to the published `warehouse.duckdb`. It builds `warehouse.duckdb.next` from
scratch: fresh rows for the sources that refreshed, the previous rows (attached read-only) for the
others, then sanity queries, a checkpoint and `os.replace`. Readers holding the old file keep a
consistent view; new readers see the new one. A crash at any point leaves the published file as it
was, and the leftover `.next` is removed at the next start.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from etl.contract import (
    EVENT_COLUMNS,
    INDICATOR_COLUMNS,
    OBSERVATION_COLUMNS,
)
from etl.contract_check import contract_problems
from etl.observe import pause_point

SOURCE_COLUMNS: dict[str, str] = {
    "id": "VARCHAR PRIMARY KEY",
    "title": "VARCHAR",
    "publisher": "VARCHAR",
    "homepage": "VARCHAR",
    "licence": "VARCHAR",
    "citation": "VARCHAR",
    "cadence": "VARCHAR",
    "domain": "VARCHAR",
    "counts": "VARCHAR",
    "caveats": "VARCHAR",
    "origin": "VARCHAR",
    "vintage": "VARCHAR",
    "retrieved_at": "VARCHAR",
    "coverage_start": "DATE",
    "coverage_end": "DATE",
    "rows": "BIGINT",
    "last_refresh": "TIMESTAMP",
    "last_success": "TIMESTAMP",
    "status": "VARCHAR",
    "message": "VARCHAR",
}

RUN_COLUMNS: dict[str, str] = {
    "run_id": "VARCHAR",
    "source": "VARCHAR",
    "mode": "VARCHAR",
    "started": "TIMESTAMP",
    "finished": "TIMESTAMP",
    "status": "VARCHAR",
    "origin": "VARCHAR",
    "rows": "BIGINT",
    "message": "VARCHAR",
}

# Published values a refresh changed (etl/shrink.py): counted in the run log, listed here.
REVISION_COLUMNS: dict[str, str] = {
    "run_id": "VARCHAR",
    "source": "VARCHAR",
    "indicator": "VARCHAR",
    "geography": "VARCHAR",
    "period_label": "VARCHAR",
    "stratum": "VARCHAR",
    "previous_value": "DOUBLE",
    "value": "DOUBLE",
}

# One row per file a source's published rows were parsed from (Data & methods shows it).
SOURCE_FILE_COLUMNS: dict[str, str] = {
    "source": "VARCHAR",
    "origin": "VARCHAR",
    "file": "VARCHAR",
    "location": "VARCHAR",
    "sha256": "VARCHAR",
    "size": "BIGINT",
    "retrieved_at": "VARCHAR",
}

CANONICAL = {
    "observations": OBSERVATION_COLUMNS,
    "indicators": INDICATOR_COLUMNS,
    "events": EVENT_COLUMNS,
}


class RefreshLocked(RuntimeError):
    """Another refresh holds the lock."""


class PublishRefused(RuntimeError):
    """The staged warehouse failed a sanity query; the published one is untouched."""


class PreviousUnreadable(PublishRefused):
    """The published warehouse exists but cannot be read, so the rows of the sources this run
    does not reload could not be carried over: nothing is published."""


@dataclass(frozen=True)
class WarehousePaths:
    data_dir: Path

    @property
    def published(self) -> Path:
        return self.data_dir / "warehouse.duckdb"

    @property
    def staging(self) -> Path:
        return self.data_dir / "warehouse.duckdb.next"

    @property
    def lock(self) -> Path:
        return self.data_dir / "refresh.lock"

    @property
    def raw(self) -> Path:
        return self.data_dir / "raw"


@contextlib.contextmanager
def refresh_lock(paths: WarehousePaths) -> Iterator[None]:
    """An exclusive lock on `refresh.lock`.

    `flock` is released by the kernel when its holder dies, so a lock left by a crashed refresh
    is recovered without guessing from PIDs or timestamps.
    """
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    handle = paths.lock.open("a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise RefreshLocked(
                f"another refresh is running ({holder}); wait for it to finish or stop it. "
                f"Lock file: {paths.lock}"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {datetime.now(UTC).isoformat(timespec='seconds')}")
        handle.flush()
        yield
    finally:
        handle.close()


def clean_leftovers(paths: WarehousePaths) -> list[Path]:
    """Remove staging files and partial downloads a killed refresh left behind (under the lock)."""
    removed: list[Path] = []
    candidates = list(paths.data_dir.glob("warehouse.duckdb.next*"))
    if paths.raw.exists():
        for pattern in ("*.tmp", ".partial-*", "*.part"):
            candidates += list(paths.raw.rglob(pattern))
    for path in candidates:
        if not path.exists():
            continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def ddl(table: str, columns: dict[str, str]) -> str:
    body = ", ".join(f'"{name}" {kind}' for name, kind in columns.items())
    return f"CREATE TABLE IF NOT EXISTS {table} ({body})"


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    for table, columns in CANONICAL.items():
        con.execute(ddl(table, columns))
    con.execute(ddl("sources", SOURCE_COLUMNS))
    con.execute(ddl("source_files", SOURCE_FILE_COLUMNS))
    con.execute(ddl("runs", RUN_COLUMNS))
    con.execute(ddl("revisions", REVISION_COLUMNS))
    con.execute(ddl("detail_tables", {"table_name": "VARCHAR PRIMARY KEY", "source": "VARCHAR"}))


def sanity_problems(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Queries that must all return zero before a staged warehouse may be published."""
    checks = {
        "observations without a citation": (
            "SELECT count(*) FROM observations WHERE coalesce(trim(citation), '') = ''"
        ),
        "observations of an undeclared indicator": (
            "SELECT count(*) FROM observations o ANTI JOIN indicators i ON o.indicator = i.id"
        ),
        "observations from a source not in `sources`": (
            "SELECT count(*) FROM observations o ANTI JOIN sources s ON o.source = s.id"
        ),
        "indicators with more than one unit": (
            "SELECT count(*) FROM (SELECT indicator FROM observations GROUP BY indicator"
            " HAVING count(DISTINCT unit) > 1)"
        ),
        "detail tables that do not exist": (
            "SELECT count(*) FROM detail_tables d ANTI JOIN information_schema.tables t"
            " ON d.table_name = t.table_name"
        ),
    }
    problems = []
    for label, sql in checks.items():
        count = con.execute(sql).fetchone()[0]
        if count:
            problems.append(f"{count} {label}")
    return problems + contract_problems(con)


def publish(con: duckdb.DuckDBPyConnection, paths: WarehousePaths) -> None:
    """Check, flush and atomically swap the staged warehouse into place."""
    problems = sanity_problems(con)
    if problems:
        con.close()
        paths.staging.unlink(missing_ok=True)
        raise PublishRefused("staged warehouse failed sanity checks: " + "; ".join(problems))
    with contextlib.suppress(duckdb.Error):
        con.execute("DETACH prev")
    con.execute("CHECKPOINT")
    con.close()
    fd = os.open(paths.staging, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    pause_point("publish")
    os.replace(paths.staging, paths.published)
    dir_fd = os.open(paths.data_dir, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
