"""One refresh: for each source, obtain files, parse, validate and stage; then publish atomically.

Where a source's files come from, in order (the first that yields files is used):
- online (default): the publisher's URL, then the last good raw snapshot, then the bundled seed;
- `--mirror DIR_OR_URL`: `<mirror>/<source id>/...`, then the last good snapshot, then the seed;
- `--offline`: the last good raw snapshot, then the seed. Never touches the network.

A source whose files fail to parse or validate keeps its previously published rows (status
`failed`, run `partial`); if nothing was published before, the next origin in the chain is tried
so the dashboard still has the seed's facts. A source with nothing anywhere is `empty`.
A source whose new rows would lose published data is `held` with its previous rows (the shrink
guard, etl/shrink.py), unless the operator accepts the shrink with `--accept-shrink`.

Bounds (etl.limits): a file refused for a limit (size, unpacked size, cells, a FIFO or a symlink
out of the mirror) fails its source like a file that does not parse, keeping the previous rows.
Each source's fetch has a deadline (`source_deadline`), and the whole run one (`deadline`, from
`started`): a source not begun by then keeps its previous rows and is `failed`, saying so, and
what was refreshed before it is still published.
"""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from etl import shrink, snapshots
from etl.contract import ApiSource, DatabaseSource, ParseError, Source, SourceMeta, Tables
from etl.limits import (
    DEFAULT_RUN_DEADLINE,
    DEFAULT_SOURCE_DEADLINE,
    MESSAGE_CHARS,
    Refused,
    excerpt,
)
from etl.observe import Timer, log_stage, pause_point
from etl.runlog import (
    EMPTY,
    FAILED,
    FALLBACK,
    HELD,
    KEPT,
    OK,
    RunResult,
    SourceResult,
    log_result,
    write_runs,
    write_sources,
)
from etl.validate import validate
from etl.warehouse import (
    WarehousePaths,
    attach_previous,
    carry_over,
    clean_leftovers,
    copy_run_history,
    create_schema,
    previous_rows,
    publish,
    refresh_lock,
    stage_provenance,
    stage_revisions,
    stage_tables,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_SEED_DIR = DEFAULT_DATA_DIR / "seed"


class ValidationFailed(ValueError):
    """A source's parsed tables broke the rules of the numbers (etl/validate.py)."""


@dataclass(frozen=True)
class RefreshOptions:
    mode: str = "online"  # "online", "offline" or "mirror"
    mirror: str | None = None
    data_dir: Path = DEFAULT_DATA_DIR
    seed_dir: Path = DEFAULT_SEED_DIR
    # Publish the selected sources' new rows even where they lose published data (once).
    accept_shrink: bool = False
    deadline: float = DEFAULT_RUN_DEADLINE  # seconds for the whole run, from `started`
    source_deadline: float = DEFAULT_SOURCE_DEADLINE  # seconds for one source's fetch
    started: float | None = None  # time.monotonic() when the run began; refresh() sets it


Progress = Callable[[str, str], None]


def refresh(
    sources: Sequence[Source],
    selected: Sequence[str] | None = None,
    options: RefreshOptions | None = None,
    progress: Progress | None = None,
    client_factory: Callable[[SourceMeta, RefreshOptions], object] | None = None,
) -> RunResult:
    """Refresh the selected sources (all by default) and publish the warehouse atomically.

    Whatever stops the run before the swap (an exception, Ctrl-C, SIGTERM turned into SystemExit
    by the CLI) removes the staging file and leaves the published warehouse as it was.
    """
    options = options or RefreshOptions()
    if options.started is None:
        options = dataclasses.replace(options, started=time.monotonic())
    paths = WarehousePaths(options.data_dir)
    chosen = set(selected or [s.meta.id for s in sources])
    unknown = chosen - {s.meta.id for s in sources}
    if unknown:
        raise KeyError(f"unknown source(s): {', '.join(sorted(unknown))}")
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    results: list[SourceResult] = []
    with refresh_lock(paths):
        removed = clean_leftovers(paths)
        if removed:
            log_stage(
                "start",
                run=run_id,
                status="cleaned",
                leftovers=", ".join(p.name for p in removed),
            )
        timer = Timer()
        con = duckdb.connect(str(paths.staging))
        try:
            create_schema(con)
            has_previous = attach_previous(con, paths.published)
            for source in sources:
                sid = source.meta.id
                if sid not in chosen:
                    if has_previous:
                        carry_over(con, sid)
                    continue
                if progress:
                    progress(sid, "start")
                if out_of_time(options):
                    result = not_started(source, con, options, has_previous)
                else:
                    result = refresh_source(
                        source, con, options, has_previous, client_factory, run_id
                    )
                result.finished = datetime.now(UTC)
                log_result(run_id, result)
                results.append(result)
                if progress:
                    progress(sid, result.status)
            run = RunResult(run_id=run_id, mode=options.mode, results=results)
            write_sources(con, sources, run, has_previous)
            write_runs(con, run)
            if has_previous:
                copy_run_history(con)
            publish(con, paths)
        except BaseException as error:
            discard_staging(con, paths)
            log_stage(
                "publish",
                run=run_id,
                status="aborted",
                duration_s=timer.elapsed,
                error=f"{type(error).__name__}: {error}; published warehouse unchanged",
            )
            raise
    log_stage(
        "publish",
        run=run_id,
        status=run.status,
        rows=sum(r.rows for r in results),
        duration_s=timer.elapsed,
        sources=len(results),
    )
    return run


def out_of_time(options: RefreshOptions) -> bool:
    return options.started is not None and time.monotonic() > options.started + options.deadline


def not_started(
    source: Source, con: duckdb.DuckDBPyConnection, options: RefreshOptions, has_previous: bool
) -> SourceResult:
    """A source the run's deadline left no time for: its previous rows stay, and it says so."""
    sid = source.meta.id
    result = SourceResult(source=sid, status=FAILED)
    message = (
        f"{sid}: not refreshed: the run's deadline of {options.deadline:g} s (--deadline) passed"
    )
    if has_previous and previous_rows(con, sid):
        result.rows = carry_over(con, sid)
        result.origin = "previous"
        message += "; previously published rows kept"
    result.message = message
    return result


def discard_staging(con: duckdb.DuckDBPyConnection, paths: WarehousePaths) -> None:
    """Close and delete the half-built staging warehouse (best effort: next start retries)."""
    with contextlib.suppress(Exception):
        con.close()
    for leftover in paths.data_dir.glob(paths.staging.name + "*"):
        with contextlib.suppress(OSError):
            leftover.unlink()


def origins_for(options: RefreshOptions) -> list[str]:
    if options.mode == "offline":
        return ["snapshot", "seed"]
    if options.mode == "mirror":
        return ["mirror", "snapshot", "seed"]
    return ["live", "snapshot", "seed"]


def refresh_source(
    source: Source,
    con: duckdb.DuckDBPyConnection,
    options: RefreshOptions,
    has_previous: bool,
    client_factory: Callable | None,
    run_id: str | None = None,
) -> SourceResult:
    """Try each origin in turn until one parses, validates and stages; contain any failure."""
    meta = source.meta
    result = SourceResult(source=meta.id, status=EMPTY)
    notes: list[str] = []
    parse_failed = False
    chain = origins_for(options)
    for origin in chain:
        step = Timer()
        try:
            snap = obtain(source, origin, options, client_factory)
        except Exception as error:  # a fetch problem of any kind: fall back to the next origin
            notes.append(f"{origin}: {describe(error)}")
            log_stage(
                "fetch",
                run=run_id,
                source=meta.id,
                origin=origin,
                status="failed",
                duration_s=step.elapsed,
                error=describe(error),
            )
            if isinstance(error, Refused):  # a hostile file fails the source like a bad parse
                parse_failed = True
                if has_previous and previous_rows(con, meta.id):
                    result.rows = carry_over(con, meta.id)
                    result.status, result.origin = FAILED, "previous"
                    result.message = (
                        f"{meta.id}: " + "; ".join(notes) + " — previously published rows kept"
                    )
                    return result
            continue
        if snap is None:
            continue
        files = ", ".join(p.name for paths in snap.files.values() for p in paths)
        log_stage(
            "fetch", run=run_id, source=meta.id, origin=origin, duration_s=step.elapsed, files=files
        )
        try:
            rows, vintage, report = load_and_stage(source, con, snap, run_id, options, has_previous)
        except shrink.ShrinkHeld as held:
            discard_snapshot(snap)
            result.rows = carry_over(con, meta.id)
            result.status, result.origin = HELD, "previous"
            result.message = (
                f"{meta.id}: "
                + "; ".join([*notes, f"{origin}: {held}"])
                + " — held: previously published rows kept. If the loss is real, publish it"
                f" with `ketamine-watch refresh {meta.id} --accept-shrink`"
            )
            return result
        except Exception as error:
            parse_failed = True
            notes.append(f"{origin}: {describe(error, meta.id, snap)}")
            discard_snapshot(snap)
            if has_previous and previous_rows(con, meta.id):
                result.rows = carry_over(con, meta.id)
                result.status, result.origin = FAILED, "previous"
                result.message = (
                    f"{meta.id}: " + "; ".join(notes) + " — previously published rows kept"
                )
                return result
            continue
        notes += snap.meta.get("notes", [])  # warnings of the load and of the file choice
        stored = None
        if origin in ("live", "mirror"):
            try:
                stored = store_files(source, snap, options)
                snapshots.record_good(WarehousePaths(options.data_dir).raw, meta.id, stored)
            except OSError as error:  # disk full, permissions: the rows are staged all the same
                notes.append(f"raw snapshot not kept ({error})")
                stored = None
            stage_provenance(con, meta.id, snapshots.provenance(snap, meta, stored))
            discard_snapshot(snap)
        else:
            stage_provenance(con, meta.id, snapshots.provenance(snap, meta))
        result.rows, result.origin = rows, origin
        result.retrieved_at = str(snap.meta.get("retrieved_at", ""))
        result.vintage = vintage
        if parse_failed:
            result.status = FAILED
        elif notes and origin != chain[0]:
            result.status = FALLBACK
        else:
            result.status = OK
        result.message = "; ".join([*notes, f"loaded {rows} rows from {origin}", *report])
        if notes:
            result.message = f"{meta.id}: {result.message}"
        return result
    if has_previous and previous_rows(con, meta.id):
        result.rows = carry_over(con, meta.id)
        result.status, result.origin = (FAILED if parse_failed else KEPT), "previous"
        result.message = f"{meta.id}: " + "; ".join(
            [*notes, "nothing new to load; previously published rows kept"]
        )
        return result
    result.status = FAILED if parse_failed else EMPTY
    result.message = f"{meta.id}: " + (
        "; ".join(notes) or "no seed, no snapshot and no mirror file to load"
    )
    how_to_load = snapshots.seed_note(options.seed_dir, meta)
    if result.status == EMPTY and how_to_load:
        result.message += f". {how_to_load}"
    return result


def load_and_stage(
    source: Source,
    con: duckdb.DuckDBPyConnection,
    snap: snapshots.Snapshot,
    run_id: str | None,
    options: RefreshOptions | None = None,
    has_previous: bool = False,
) -> tuple[int, str, list[str]]:
    """Parse, validate, stage and guard one snapshot in one transaction; roll back on any failure.

    Returns the rows staged, the source's vintage (its rows' releases, summarised) and notes on
    revised values or an accepted shrink. Logs one line per stage; re-raises the first failure
    (ValidationFailed for problems, ShrinkHeld when the rows would lose published data)."""
    sid, origin = source.meta.id, snap.origin
    stage, step = "parse", Timer()
    con.begin()
    try:
        pause_point("parse", sid)
        tables = load(source, con, snap)
        log_stage(
            "parse",
            run=run_id,
            source=sid,
            origin=origin,
            rows=tables.row_count(),
            duration_s=step.elapsed,
        )
        stage, step = "validate", Timer()
        problems = validate(tables, source_id=sid)
        if problems:
            where = ", ".join(p.name for paths in snap.files.values() for p in paths)
            raise ValidationFailed(f"{where}: " + "; ".join(problems))
        log_stage("validate", run=run_id, source=sid, origin=origin, duration_s=step.elapsed)
        snap.meta.setdefault("notes", []).extend(tables.notes)  # refresh_source reports them
        stage, step = "stage", Timer()
        rows = stage_tables(con, sid, tables, source.meta.detail_tables)
        pause_point("stage", sid)
        report = guard(con, source.meta, snap, run_id, options, has_previous)
        con.commit()
    except BaseException as error:
        with contextlib.suppress(duckdb.Error):
            con.rollback()
        if isinstance(error, Exception):
            log_stage(
                stage,
                run=run_id,
                source=sid,
                origin=origin,
                status="failed",
                duration_s=step.elapsed,
                error=describe(error, sid, snap),
            )
        raise
    log_stage("stage", run=run_id, source=sid, origin=origin, rows=rows, duration_s=step.elapsed)
    return rows, vintage_summary(tables), report


def guard(
    con: duckdb.DuckDBPyConnection,
    meta: SourceMeta,
    snap: snapshots.Snapshot,
    run_id: str | None,
    options: RefreshOptions | None,
    has_previous: bool,
) -> list[str]:
    """Hold staged rows that lose published data (raise ShrinkHeld); record revised values.

    Returns notes for the run log: how many values were revised, and any shrink accepted."""
    if not has_previous:
        return []
    report = shrink.compare(con, meta.id, rolling_window=meta.rolling_window)
    if report is None:
        return []
    notes = []
    if report.shrinks(meta.shrink_tolerance):
        what = report.describe(meta.shrink_tolerance)
        if not (options and options.accept_shrink):
            where = ", ".join(p.name for paths in snap.files.values() for p in paths)
            raise shrink.ShrinkHeld(f"{where}: {what}" if where else what)
        notes.append(f"shrink accepted (--accept-shrink): {what}")
    if report.revision_count:
        stage_revisions(con, run_id or "", meta.id, report.revisions)
        listed = len(report.revisions)
        notes.append(
            f"{report.revision_count:,} published values revised"
            + (
                f" (first {listed} listed on Data & methods)"
                if listed < report.revision_count
                else " (listed on Data & methods)"
            )
        )
    return notes


def vintage_summary(tables: Tables) -> str:
    """One release, or how many (a curated file cites a release per row)."""
    obs = tables.observations
    if obs.empty or "vintage" not in obs.columns:
        return "dated events, each with its own citation" if not tables.events.empty else ""
    releases = obs["vintage"].dropna().astype(str).value_counts()
    if len(releases) == 1:
        return str(releases.index[0])
    return f"{len(releases)} releases (each row names its own)"


def discard_snapshot(snap: snapshots.Snapshot) -> None:
    """Remove the temporary download folder of a live or http-mirror snapshot."""
    tmp = snap.meta.get("tmpdir")
    if tmp:
        shutil.rmtree(tmp, ignore_errors=True)


def describe(error: BaseException, source_id: str | None = None, snap=None) -> str:
    """The error for a run message, never more than MESSAGE_CHARS (a quoted cell or a
    publisher's error body is an excerpt, not the file)."""
    return excerpt(_describe(error, source_id, snap), MESSAGE_CHARS)


def _describe(error: BaseException, source_id: str | None = None, snap=None) -> str:
    text = str(error) or type(error).__name__
    if isinstance(error, ValidationFailed):  # already names the files
        return text
    if isinstance(error, ParseError):
        if error.line is None and isinstance(error.__cause__, UnicodeDecodeError) and error.file:
            where = first_non_utf8(Path(error.file))
            if where:
                text += f" [{where}]"
        return text
    if source_id and snap is not None and isinstance(error, (ValueError, KeyError, duckdb.Error)):
        names = ", ".join(p.name for paths in snap.files.values() for p in paths)
        return f"{type(error).__name__} in {names}: {text}"
    return text


def first_non_utf8(path: Path, limit: int = 256 << 20) -> str | None:
    """'line 3: byte 0xe9 is not UTF-8' for the first undecodable byte of a text file."""
    try:
        if path.stat().st_size > limit:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as bad:
        line = data.count(b"\n", 0, bad.start) + 1
        return f"line {line}: byte 0x{data[bad.start]:02x} is not UTF-8 (latin-1 or cp1252?)"
    return None


def obtain(
    source: Source, origin: str, options: RefreshOptions, client_factory: Callable | None
) -> snapshots.Snapshot | None:
    meta = source.meta
    raw_dir = WarehousePaths(options.data_dir).raw
    if origin == "seed":
        return snapshots.seed_snapshot(options.seed_dir, meta)
    if origin == "snapshot":
        return snapshots.last_good_snapshot(raw_dir, meta)
    if origin == "mirror":
        assert options.mirror is not None
        if options.mirror.startswith(("http://", "https://")):
            return fetch_remote(source, options, client_factory, base=options.mirror)
        return snapshots.mirror_snapshot(Path(options.mirror).expanduser(), meta)
    return fetch_remote(source, options, client_factory, base=None)


def fetch_remote(
    source: Source, options: RefreshOptions, client_factory: Callable | None, base: str | None
) -> snapshots.Snapshot | None:
    """Download a source's files from the publisher (or an http mirror) into a temp folder."""
    meta = source.meta
    if not meta.remote_files and not isinstance(source, ApiSource):
        return None
    from etl.fetch import make_client, remote_snapshot

    factory = client_factory or make_client
    client = factory(meta, options)
    try:
        return remote_snapshot(source, client, options, base)
    finally:
        close = getattr(client, "close", None)
        if close:
            close()


def store_files(
    source: Source, snap: snapshots.Snapshot, options: RefreshOptions
) -> dict[str, list[Path]]:
    """Keep fetched or mirrored files in the content-addressed raw store."""
    raw_dir = WarehousePaths(options.data_dir).raw
    stored: dict[str, list[Path]] = {}
    tmp = snap.meta.get("tmpdir")
    for name, paths in snap.files.items():
        for path in paths:
            # Already in the store (a 304 reused the last good copy); downloads sit in a
            # `.partial-*` folder inside the store and must still be moved in.
            if path.is_relative_to(raw_dir) and not (tmp and path.is_relative_to(tmp)):
                stored.setdefault(name, []).append(path)
                continue
            url = snap.meta.get("urls", {}).get(str(path), snap.meta.get("url", str(path)))
            original = snap.meta.get("names", {}).get(str(path), path.name)
            extra = snap.meta.get("extras", {}).get(str(path), {})
            target = snapshots.store_raw(
                raw_dir,
                source.meta,
                path,
                url=url,
                original_name=original,
                origin=snap.origin,
                **extra,
            )
            stored.setdefault(name, []).append(target)
    return stored


def load(source: Source, con: duckdb.DuckDBPyConnection, snap: snapshots.Snapshot) -> Tables:
    if snap.canonical:
        return read_canonical_seed(snap)
    if isinstance(source, DatabaseSource):
        return source.load(con, snap.files)
    return source.parse(snap.files)


def read_canonical_seed(snap: snapshots.Snapshot) -> Tables:
    tables = Tables()
    for name, paths in snap.files.items():
        frame = pd.read_csv(paths[0], dtype=str, keep_default_na=False, na_values=[""])
        if name in ("observations", "indicators", "events"):
            setattr(tables, name, frame)
        else:
            tables.details[name] = frame
    if not tables.observations.empty:
        obs = tables.observations
        for column in ("value", "lower", "upper"):
            obs[column] = pd.to_numeric(obs[column], errors="raise")
    return tables
