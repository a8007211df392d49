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

The steps, each its own function: `refresh` (the run) → `refresh_source` (one source) →
`try_origin` (one origin: etl.origins obtains the files, etl.stage loads them) → `decide`
(etl.decide, pure: the status and message from the attempts) → `settle` (carry the previous
rows over, or keep the loaded ones).
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import duckdb

from etl.attempt import RunContext, try_origin
from etl.contract import Source
from etl.decide import (
    Attempt,
    Decision,
    decide,
    settles,
)
from etl.detect.step import after_publish, stage_alerts
from etl.observe import Timer, log_stage
from etl.options import (
    DEFAULT_DATA_DIR,
    DEFAULT_SEED_DIR,
    PROJECT_ROOT,
    RefreshOptions,
    origins_for,
)
from etl.origins import ClientFactory
from etl.previous import attach_previous, carry_over, copy_run_history, previous_rows
from etl.runlog import (
    EMPTY,
    FAILED,
    FALLBACK,
    RunResult,
    SourceResult,
    log_result,
    write_runs,
    write_sources,
)
from etl.snapshots import seed_note
from etl.stage import ValidationFailed, describe
from etl.warehouse import (
    WarehousePaths,
    clean_leftovers,
    create_schema,
    publish,
    refresh_lock,
)

# Names the CLI and the tests import from here; they live in the modules above.
__all__ = [
    "DEFAULT_DATA_DIR",
    "DEFAULT_SEED_DIR",
    "FAILED",
    "FALLBACK",
    "PROJECT_ROOT",
    "RefreshOptions",
    "RunResult",
    "ValidationFailed",
    "describe",
    "refresh",
    "refresh_source",
]

Progress = Callable[[str, str], None]


def refresh(
    sources: Sequence[Source],
    selected: Sequence[str] | None = None,
    options: RefreshOptions | None = None,
    progress: Progress | None = None,
    client_factory: ClientFactory | None = None,
) -> RunResult:
    """Refresh the selected sources (all by default) and publish the warehouse atomically.

    Whatever stops the run before the swap (an exception, Ctrl-C, SIGTERM turned into SystemExit
    by the CLI) removes the staging file and leaves the published warehouse as it was.
    """
    options = options or RefreshOptions()
    if options.started is None:
        options = dataclasses.replace(options, started=time.monotonic())
    paths = WarehousePaths(options.data_dir)
    chosen = chosen_ids(sources, selected)
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    with refresh_lock(paths):
        note_leftovers(paths, run_id)
        timer = Timer()
        con = duckdb.connect(str(paths.staging))
        try:
            create_schema(con)
            has_previous = attach_previous(con, paths.published)
            run_ctx = RunContext(con, options, has_previous, client_factory, run_id)
            run = stage_run(run_ctx, sources, chosen, progress)
            stage_alerts(con, run_id, has_previous)  # contained: never fails the refresh
            publish(con, paths)
        except BaseException as error:
            discard_staging(con, paths)
            error_text = f"{type(error).__name__}: {error}; published warehouse unchanged"
            log_stage(
                "publish", run=run_id, status="aborted", duration_s=timer.elapsed, error=error_text
            )
            raise
    after_publish(paths.data_dir, paths.published, run_id)  # feed and notifications, contained
    rows = sum(r.rows for r in run.results)
    log_stage(
        "publish",
        run=run_id,
        status=run.status,
        rows=rows,
        duration_s=timer.elapsed,
        sources=len(run.results),
    )
    return run


def chosen_ids(sources: Sequence[Source], selected: Sequence[str] | None) -> set[str]:
    chosen = set(selected or [s.meta.id for s in sources])
    unknown = chosen - {s.meta.id for s in sources}
    if unknown:
        raise KeyError(f"unknown source(s): {', '.join(sorted(unknown))}")
    return chosen


def note_leftovers(paths: WarehousePaths, run_id: str) -> None:
    """Remove what a killed run left behind, and say so."""
    removed = clean_leftovers(paths)
    if removed:
        leftovers = ", ".join(p.name for p in removed)
        log_stage("start", run=run_id, status="cleaned", leftovers=leftovers)


def stage_run(
    ctx: RunContext, sources: Sequence[Source], chosen: set[str], progress: Progress | None
) -> RunResult:
    """Stage every source (the chosen refreshed, the others carried over) and the run's log."""
    results: list[SourceResult] = []
    for source in sources:
        if source.meta.id in chosen:
            results.append(refresh_one(ctx, source, progress))
        elif ctx.has_previous:
            carry_over(ctx.con, source.meta.id)
    run = RunResult(run_id=ctx.run_id or "", mode=ctx.options.mode, results=results)
    write_sources(ctx.con, sources, run, ctx.has_previous)
    write_runs(ctx.con, run)
    if ctx.has_previous:
        copy_run_history(ctx.con)
    return run


def refresh_one(ctx: RunContext, source: Source, progress: Progress | None) -> SourceResult:
    """One chosen source, unless the run's deadline has passed; logged and reported."""
    sid = source.meta.id
    if progress:
        progress(sid, "start")
    if out_of_time(ctx.options):
        result = not_started(source, ctx.con, ctx.options, ctx.has_previous)
    else:
        result = refresh_source(
            source, ctx.con, ctx.options, ctx.has_previous, ctx.client_factory, ctx.run_id
        )
    result.finished = datetime.now(UTC)
    log_result(ctx.run_id or "", result)
    if progress:
        progress(sid, result.status)
    return result


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


def refresh_source(
    source: Source,
    con: duckdb.DuckDBPyConnection,
    options: RefreshOptions,
    has_previous: bool,
    client_factory: ClientFactory | None,
    run_id: str | None = None,
) -> SourceResult:
    """Try each origin in turn until one settles the source (etl.decide); contain any failure."""
    started = datetime.now(UTC)
    ctx = RunContext(con, options, has_previous, client_factory, run_id)
    previous = has_previous and previous_rows(con, source.meta.id) > 0
    attempts: list[Attempt] = []
    for origin in origins_for(options):
        attempts.append(try_origin(ctx, source, origin))
        if settles(attempts[-1], previous):
            break
    decision = decide(source.meta.id, attempts, previous)
    return settle(ctx, source, decision, attempts[-1], started)


def settle(
    ctx: RunContext, source: Source, decision: Decision, last: Attempt, started: datetime
) -> SourceResult:
    """Act on the decision: carry the previous rows over, or report the rows just loaded."""
    sid = source.meta.id
    result = SourceResult(
        source=sid,
        status=decision.status,
        origin=decision.origin,
        message=decision.message,
        started=started,
    )
    if decision.origin == "previous":
        result.rows = carry_over(ctx.con, sid)
    elif last.loaded is not None:
        result.rows = last.loaded.rows
        result.vintage = last.loaded.vintage
        result.retrieved_at = last.loaded.retrieved_at
    how_to_load = seed_note(ctx.options.seed_dir, source.meta) if result.status == EMPTY else ""
    if how_to_load:
        result.message += f". {how_to_load}"
    return result
