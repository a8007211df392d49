"""`ketamine-watch doctor`: will tonight's refresh work on this machine?

Checks, each one line with a status and a short detail:

- the machine: Python and the versions of the packages the refresh and dashboard import; the data
  folder writable (a temp file created and removed) with at least MIN_FREE_BYTES free; the
  published warehouse opens read-only, has the tables and columns the refresh carries rows over
  with, and which run last wrote it; the refresh lock (free, or held by a running refresh, and
  for how long);
- each live source: one probe (etl.probes), `ok`, `unreachable`, `changed` or `refused`.

Probes run in parallel threads with one attempt and short timeouts each; the doctor waits for
them at most PROBE_DEADLINE seconds in all (a DNS lookup that hangs offline is not bounded by
the HTTP timeouts), so a run with no network ends in well under 30 s. A probe still waiting at
the deadline is `unreachable`; its daemon thread is left behind and dies with the process.

The lock is read without being taken (Linux /proc/locks), so running the doctor while a
refresh starts cannot make that refresh fail; elsewhere a shared lock is tried for an instant.

Exit status (see etl.cli): 0 only when every check is `ok`.
"""

from __future__ import annotations

import fcntl
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import duckdb

from etl import probes
from etl.contract import Source
from etl.warehouse import CANONICAL, RUN_COLUMNS, SOURCE_COLUMNS, WarehousePaths

OK, FAIL = "ok", "fail"
PACKAGES = ("duckdb", "pandas", "streamlit", "altair", "httpx")
MIN_PYTHON = (3, 11)
MIN_FREE_BYTES = 2_000_000_000  # four FAERS quarter zips, their tables and two warehouses
STUCK_AFTER_S = 6 * 3600  # a refresh holding the lock longer than this has hung
PROBE_DEADLINE = 15.0
REQUIRED_TABLES = {**CANONICAL, "sources": SOURCE_COLUMNS, "runs": RUN_COLUMNS}


@dataclass(frozen=True)
class Check:
    check: str
    status: str
    detail: str
    seconds: float

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def run_checks(
    data_dir: Path,
    sources: tuple[Source, ...],
    *,
    base_url: str | None = None,
    deadline: float = PROBE_DEADLINE,
) -> list[Check]:
    """Every machine check, then every live source's probe (started first, run in parallel)."""
    pending = start_probes(probes.probed_sources(sources), base_url)
    started = time.monotonic()
    results = [timed(name, check) for name, check in machine_checks(data_dir)]
    results += collect_probes(pending, started + deadline)
    return results


def passed(results: list[Check]) -> bool:
    return all(result.status == OK for result in results)


def timed(name: str, check: Callable[[], tuple[str, str]]) -> Check:
    started = time.monotonic()
    try:
        status, detail = check()
    except Exception as error:  # a check that breaks is a failed check, never a crash
        status, detail = FAIL, f"{error.__class__.__name__}: {error}"
    return Check(name, status, detail, round(time.monotonic() - started, 3))


# -- the machine ----------------------------------------------------------------------------------


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


def lock_held(lock: Path) -> bool:
    """Whether some process holds the refresh's flock, read from /proc/locks where it exists.

    /proc/locks names a file by device and inode. Where its device number differs from what
    stat() says (btrfs subvolumes, some overlay filesystems) but the inode has a flock, or where
    there is no /proc, a shared lock is tried for an instant instead (a refresh starting in that
    instant would find the lock taken and exit 2)."""
    st = lock.stat()
    ident = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    try:
        table = Path("/proc/locks").read_text()
    except OSError:
        return try_shared_lock(lock)
    rows = [line.split() for line in table.splitlines()]
    held = [f[5] for f in rows if len(f) > 5 and f[1] == "FLOCK"]  # "->" rows are waiters
    if ident in held:
        return True
    if any(entry.rsplit(":", 1)[-1] == str(st.st_ino) for entry in held):
        return try_shared_lock(lock)
    return False


def try_shared_lock(lock: Path) -> bool:
    with lock.open("r") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def holder_age(holder: str) -> float | None:
    try:
        since = datetime.fromisoformat(holder.rsplit(" since ", 1)[1])
    except (IndexError, ValueError):
        return None
    return (datetime.now(UTC) - since).total_seconds()


# -- the sources ----------------------------------------------------------------------------------


@dataclass
class _Pending:
    name: str
    thread: threading.Thread
    started: float
    result: probes.ProbeResult | None = None
    finished: float | None = None


def start_probes(sources: list[Source], base_url: str | None) -> list[_Pending]:
    pending = []
    for source in sources:
        slot = _Pending(f"source:{source.meta.id}", threading.Thread(), time.monotonic())

        def work(source: Source = source, slot: _Pending = slot) -> None:
            try:
                slot.result = probes.probe(source, base_url)
            except Exception as error:  # a probe bug must not hide the other results
                slot.result = probes.ProbeResult(
                    probes.CHANGED, f"{error.__class__.__name__}: {error}"
                )
            slot.finished = time.monotonic()

        slot.thread = threading.Thread(target=work, name=slot.name, daemon=True)
        slot.thread.start()
        pending.append(slot)
    return pending


def collect_probes(pending: list[_Pending], until: float) -> list[Check]:
    results = []
    for slot in pending:
        slot.thread.join(max(0.0, until - time.monotonic()))
        result = slot.result
        if result is None:
            waited = time.monotonic() - slot.started
            result = probes.ProbeResult(probes.UNREACHABLE, f"no answer within {waited:.0f} s")
        seconds = (slot.finished or time.monotonic()) - slot.started
        results.append(Check(slot.name, result.status, result.detail, round(seconds, 3)))
    return results


# -- output ---------------------------------------------------------------------------------------


def render_text(results: list[Check], width: int = 80) -> str:
    """One line per check fitting `width` columns, then the full detail of every check that is
    not ok (an error message rarely fits a column)."""
    name_w = max(len(r.check) for r in results)
    status_w = max(len(probes.UNREACHABLE), *(len(r.status) for r in results))
    room = max(10, width - name_w - status_w - 4)
    lines = []
    for r in results:
        detail = r.detail if len(r.detail) <= room else r.detail[: room - 3] + "..."
        lines.append(f"{r.check:<{name_w}}  {r.status:<{status_w}}  {detail}".rstrip())
    failing = [r for r in results if r.status != OK]
    if failing:
        lines.append("")
        lines += [f"{r.check} ({r.status}): {r.detail}" for r in failing]
        lines.append(f"{len(failing)} of {len(results)} checks need attention")
    else:
        lines.append(f"all {len(results)} checks ok")
    return "\n".join(lines)
