"""One refresh: for each source, obtain files, parse, validate and stage; then publish atomically.

Where a source's files come from, in order (the first that yields files is used):
- online (default): the publisher's URL, then the last good raw snapshot, then the bundled seed;
- `--mirror DIR_OR_URL`: `<mirror>/<source id>/...`, then the last good snapshot, then the seed;
- `--offline`: the last good raw snapshot, then the seed. Never touches the network.

A source whose files fail to parse or validate keeps its previously published rows (status
`failed`, run `partial`); if nothing was published before, the next origin in the chain is tried
so the dashboard still has the seed's facts. A source with nothing anywhere is `empty`.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from etl import snapshots
from etl.contract import ApiSource, DatabaseSource, ParseError, Source, SourceMeta, Tables
from etl.validate import validate
from etl.warehouse import (
    RUN_COLUMNS,
    SOURCE_COLUMNS,
    WarehousePaths,
    attach_previous,
    carry_over,
    clean_leftovers,
    copy_run_history,
    create_schema,
    insert_frame,
    previous_rows,
    previous_source_row,
    publish,
    refresh_lock,
    stage_tables,
)

log = logging.getLogger("etl.refresh")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_SEED_DIR = DEFAULT_DATA_DIR / "seed"

OK, FALLBACK, FAILED, EMPTY, KEPT = "ok", "fallback", "failed", "empty", "kept"


class UnavailableError(RuntimeError):
    """The origin could not supply files (network error, HTTP error, wrong content)."""


class ValidationFailed(ValueError):
    pass


@dataclass
class SourceResult:
    source: str
    status: str
    origin: str = ""
    rows: int = 0
    message: str = ""
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished: datetime | None = None
    vintage: str = ""
    retrieved_at: str = ""


@dataclass
class RunResult:
    run_id: str
    mode: str
    results: list[SourceResult]

    @property
    def status(self) -> str:
        return "partial" if any(r.status in (FAILED, FALLBACK) for r in self.results) else "ok"


@dataclass(frozen=True)
class RefreshOptions:
    mode: str = "online"  # "online", "offline" or "mirror"
    mirror: str | None = None
    data_dir: Path = DEFAULT_DATA_DIR
    seed_dir: Path = DEFAULT_SEED_DIR


Progress = Callable[[str, str], None]


def refresh(
    sources: Sequence[Source],
    selected: Sequence[str] | None = None,
    options: RefreshOptions | None = None,
    progress: Progress | None = None,
    client_factory: Callable[[SourceMeta, RefreshOptions], object] | None = None,
) -> RunResult:
    """Refresh the selected sources (all by default) and publish the warehouse atomically."""
    options = options or RefreshOptions()
    paths = WarehousePaths(options.data_dir)
    chosen = set(selected or [s.meta.id for s in sources])
    unknown = chosen - {s.meta.id for s in sources}
    if unknown:
        raise KeyError(f"unknown source(s): {', '.join(sorted(unknown))}")
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    results: list[SourceResult] = []
    with refresh_lock(paths):
        clean_leftovers(paths)
        con = duckdb.connect(str(paths.staging))
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
            result = refresh_source(source, con, options, has_previous, client_factory)
            result.finished = datetime.now(UTC)
            log_result(run_id, result)
            results.append(result)
            if progress:
                progress(sid, result.status)
        run = RunResult(run_id=run_id, mode=options.mode, results=results)
        write_sources(con, sources, run, has_previous)
        write_runs(con, run)
        copy_run_history(con) if has_previous else None
        publish(con, paths)
    return run


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
) -> SourceResult:
    meta = source.meta
    result = SourceResult(source=meta.id, status=EMPTY)
    notes: list[str] = []
    parse_failed = False
    chain = origins_for(options)
    for origin in chain:
        started = time.monotonic()
        try:
            snap = obtain(source, origin, options, client_factory)
        except Exception as error:  # a fetch problem of any kind: fall back to the next origin
            notes.append(f"{origin}: {describe(error)}")
            log.warning(
                "source=%s stage=fetch origin=%s error=%s", meta.id, origin, describe(error)
            )
            continue
        if snap is None:
            continue
        try:
            con.begin()
            tables = load(source, con, snap)
            problems = validate(tables, source_id=meta.id)
            if problems:
                raise ValidationFailed("; ".join(problems))
            rows = stage_tables(con, meta.id, tables)
            con.commit()
        except Exception as error:
            con.rollback()
            parse_failed = True
            notes.append(f"{origin}: {describe(error, meta.id, snap)}")
            log.warning("source=%s stage=parse origin=%s error=%s", meta.id, origin, notes[-1])
            if has_previous and previous_rows(con, meta.id):
                result.rows = carry_over(con, meta.id)
                result.status, result.origin = FAILED, "previous"
                result.message = "; ".join(notes) + " — previously published rows kept"
                return result
            continue
        if origin in ("live", "mirror"):
            stored = store_files(source, snap, options)
            snapshots.record_good(WarehousePaths(options.data_dir).raw, meta.id, stored)
        result.rows, result.origin = rows, origin
        result.retrieved_at = str(snap.meta.get("retrieved_at", ""))
        result.vintage = str(snap.meta.get("vintage", "") or result.retrieved_at[:10])
        if parse_failed:
            result.status = FAILED
        elif notes and origin != chain[0]:
            result.status = FALLBACK
        else:
            result.status = OK
        result.message = "; ".join([*notes, f"loaded {rows} rows from {origin}"])
        log.info(
            "source=%s stage=stage origin=%s rows=%d duration=%.2fs",
            meta.id,
            origin,
            rows,
            time.monotonic() - started,
        )
        return result
    if has_previous and previous_rows(con, meta.id):
        result.rows = carry_over(con, meta.id)
        result.status, result.origin = (FAILED if parse_failed else KEPT), "previous"
        result.message = "; ".join([*notes, "nothing new to load; previously published rows kept"])
        return result
    result.status = FAILED if parse_failed else EMPTY
    result.message = "; ".join(notes) or "no seed, no snapshot and no mirror file to load"
    return result


def describe(error: BaseException, source_id: str | None = None, snap=None) -> str:
    text = str(error) or type(error).__name__
    if isinstance(error, ParseError):
        return text
    if source_id and snap is not None and isinstance(error, (ValueError, KeyError, duckdb.Error)):
        names = ", ".join(p.name for paths in snap.files.values() for p in paths)
        return f"{type(error).__name__} in {names}: {text}"
    return text


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
    for name, paths in snap.files.items():
        for path in paths:
            if path.is_relative_to(raw_dir):
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
    tmp = snap.meta.get("tmpdir")
    if tmp:
        shutil.rmtree(tmp, ignore_errors=True)
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


def log_result(run_id: str, result: SourceResult) -> None:
    log.info(
        "run=%s source=%s status=%s origin=%s rows=%d message=%s",
        run_id,
        result.source,
        result.status,
        result.origin,
        result.rows,
        result.message,
    )


def write_sources(
    con: duckdb.DuckDBPyConnection, sources: Sequence[Source], run: RunResult, has_previous: bool
) -> None:
    by_id = {r.source: r for r in run.results}
    rows = []
    for source in sources:
        meta = source.meta
        previous = previous_source_row(con, meta.id) if has_previous else None
        row = {
            "id": meta.id,
            "title": meta.title,
            "publisher": meta.publisher,
            "homepage": meta.homepage,
            "licence": meta.licence,
            "citation": meta.citation,
            "cadence": meta.cadence,
            "domain": meta.domain,
            "counts": meta.counts,
            "caveats": meta.caveats,
        }
        result = by_id.get(meta.id)
        if result is None and previous:
            row |= {k: previous.get(k) for k in SOURCE_COLUMNS if k not in row}
        elif result is not None:
            kept = result.origin == "previous" and previous
            row |= {
                "origin": previous.get("origin") if kept else result.origin,
                "vintage": previous.get("vintage") if kept else result.vintage,
                "retrieved_at": previous.get("retrieved_at") if kept else result.retrieved_at,
                "last_refresh": result.finished,
                "last_success": (
                    result.finished
                    if result.status in (OK, FALLBACK)
                    else (previous or {}).get("last_success")
                ),
                "status": result.status,
                "message": result.message,
            }
        else:
            row |= {"status": EMPTY, "message": "never refreshed"}
        rows.append(row)
    frame = pd.DataFrame(rows)
    insert_frame(con, "sources", SOURCE_COLUMNS, frame)
    con.execute(
        """
        UPDATE sources SET
            rows = (SELECT count(*) FROM observations o WHERE o.source = sources.id)
                 + (SELECT count(*) FROM events e WHERE e.source = sources.id),
            coverage_start = (
                SELECT min(period_start) FROM observations o WHERE o.source = sources.id
            ),
            coverage_end = (
                SELECT max(period_end) FROM observations o WHERE o.source = sources.id
            )
        """
    )


def write_runs(con: duckdb.DuckDBPyConnection, run: RunResult) -> None:
    frame = pd.DataFrame(
        [
            {
                "run_id": run.run_id,
                "source": r.source,
                "mode": run.mode,
                "started": r.started,
                "finished": r.finished,
                "status": r.status,
                "origin": r.origin,
                "rows": r.rows,
                "message": r.message,
            }
            for r in run.results
        ]
    )
    if not frame.empty:
        insert_frame(con, "runs", RUN_COLUMNS, frame)
