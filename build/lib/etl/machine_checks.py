"""The doctor's checks of this machine, each returning (status, detail): Python and the packages
the refresh and dashboard import, the data folder writable with enough free space, the published
warehouse readable with the tables the refresh carries rows over with, and the refresh lock."""

from __future__ import annotations

import platform
import shutil
import sys
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import duckdb

from etl.lock_state import holder_age, lock_held
from etl.warehouse import CANONICAL, RUN_COLUMNS, SOURCE_COLUMNS, WarehousePaths

OK, FAIL = "ok", "fail"
PACKAGES = ("duckdb", "pandas", "streamlit", "altair", "httpx")
MIN_PYTHON = (3, 11)
MIN_FREE_BYTES = 2_000_000_000  # four FAERS quarter zips, their tables and two warehouses
STUCK_AFTER_S = 6 * 3600  # a refresh holding the lock longer than this has hung
REQUIRED_TABLES = {**CANONICAL, "sources": SOURCE_COLUMNS, "runs": RUN_COLUMNS}


def machine_checks(data_dir: Path) -> list[tuple[str, Callable[[], tuple[str, str]]]]:
    paths = WarehousePaths(data_dir)
    return [
        ("python", check_python),
        *((f"package:{name}", lambda name=name: check_package(name)) for name in PACKAGES),
        ("data_dir", lambda: check_writable(data_dir)),
        ("disk_space", lambda: check_free_space(data_dir)),
        ("warehouse", lambda: check_warehouse(paths.published)),
        ("lock", lambda: check_lock(paths.lock)),
    ]


def check_python() -> tuple[str, str]:
    version = platform.python_version()
    if sys.version_info[:2] < MIN_PYTHON:
        return FAIL, f"{version}; needs {'.'.join(map(str, MIN_PYTHON))} or newer"
    return OK, f"{version} ({sys.executable})"


def check_package(name: str) -> tuple[str, str]:
    try:
        return OK, metadata.version(name)
    except metadata.PackageNotFoundError:
        return FAIL, "not installed (pip install -e .)"


def check_writable(data_dir: Path) -> tuple[str, str]:
    """Create and remove a file where the refresh writes. A folder not there yet is not created
    (a mistyped --data-dir should not leave one behind): its nearest parent is tried instead."""
    where = data_dir.resolve()
    while not where.exists():
        where = where.parent
    with tempfile.NamedTemporaryFile(dir=where, prefix=".doctor-", suffix=".tmp") as handle:
        handle.write(b"ok")
        handle.flush()
    if where != data_dir.resolve():
        return OK, f"{data_dir} absent; {where} is writable, the refresh creates it"
    return OK, f"{where} is writable"


def check_free_space(data_dir: Path) -> tuple[str, str]:
    where = data_dir.resolve()
    while not where.exists():
        where = where.parent
    free = shutil.disk_usage(where).free
    shown = f"{free / 1e9:.1f} GB free"
    if free < MIN_FREE_BYTES:
        return FAIL, f"{shown}; a refresh needs {MIN_FREE_BYTES / 1e9:.0f} GB"
    return OK, shown


def check_warehouse(published: Path) -> tuple[str, str]:
    """Opens read-only, carries the tables the refresh reads back, and says which run wrote it."""
    if not published.exists():
        return FAIL, f"no {published.name} yet: run `ketamine-watch refresh`"
    con = duckdb.connect(str(published), read_only=True)
    try:
        problems = schema_problems(con)
        if problems:
            return FAIL, "schema: " + "; ".join(problems)
        [(storage,)] = con.execute(
            "SELECT tags['storage_version'] FROM duckdb_databases() WHERE database_name = "
            "current_database()"
        ).fetchall()
        last = con.execute(
            "SELECT run_id, max(finished), count(*) FILTER (WHERE status IN ('failed', "
            "'fallback')) FROM runs GROUP BY run_id ORDER BY max(started) DESC LIMIT 1"
        ).fetchall()
    finally:
        con.close()
    if not last:
        return OK, f"no run recorded; storage {storage}"
    run_id, finished, bad = last[0]
    when = finished.strftime("%Y-%m-%d %H:%M") if finished else "unfinished"
    state = f"{bad} source(s) failed or fell back" if bad else "all sources ok"
    return OK, f"run {run_id} at {when}, {state}; storage {storage}"


def schema_problems(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'main'"
    ).fetchall()
    have: dict[str, set[str]] = {}
    for table, column in rows:
        have.setdefault(table, set()).add(column)
    problems = []
    for table, columns in REQUIRED_TABLES.items():
        if table not in have:
            problems.append(f"no table {table}")
            continue
        missing = [c for c in columns if c not in have[table]]
        if missing:
            problems.append(f"{table} lacks {', '.join(missing)}")
    return problems


def check_lock(lock: Path) -> tuple[str, str]:
    if not lock.exists():
        return OK, "free (no refresh has run here yet)"
    holder = lock.read_text(errors="replace").strip()  # "pid N since 2025-01-01T03:17:00+00:00"
    held = lock_held(lock)
    if not held:
        return OK, f"free (last: {holder})" if holder else "free"
    age = holder_age(holder)
    if age is not None and age > STUCK_AFTER_S:
        return FAIL, f"held for {age / 3600:.1f} h, stuck? ({holder}); see README, Recover"
    return OK, f"a refresh is running ({holder or 'holder unknown'})"
