"""One origin of one source: obtain its files (etl.origins), load and stage them (etl.stage),
and say what happened as an `Attempt` for `etl.decide`. A fetch failure lets the next origin be
tried; a refused or broken file, a held shrink or a load are final for that origin."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from etl import shrink
from etl.contract import Source
from etl.decide import ABSENT, BROKEN, HELD_BACK, LOADED, REFUSED, UNREACHABLE, Attempt, Loaded
from etl.limits import Refused
from etl.observe import Timer, log_stage
from etl.options import RefreshOptions
from etl.origins import ClientFactory, discard_snapshot, keep_raw, obtain
from etl.snapshots import Snapshot
from etl.stage import describe, file_names, load_and_stage


@dataclass(frozen=True)
class RunContext:
    """What every source of one run shares."""

    con: duckdb.DuckDBPyConnection
    options: RefreshOptions
    has_previous: bool
    client_factory: ClientFactory | None
    run_id: str | None


def try_origin(ctx: RunContext, source: Source, origin: str) -> Attempt:
    """Obtain one origin's files and load them; what happened, as an Attempt."""
    sid, step = source.meta.id, Timer()
    try:
        snap = obtain(source, origin, ctx.options, ctx.client_factory)
    except Exception as error:  # a fetch problem of any kind: the next origin may be tried
        why = describe(error)
        log_stage(
            "fetch",
            run=ctx.run_id,
            source=sid,
            origin=origin,
            status="failed",
            duration_s=step.elapsed,
            error=why,
        )
        # A hostile file fails the source like a bad parse; a fetch that failed falls back.
        return Attempt(
            origin, REFUSED if isinstance(error, Refused) else UNREACHABLE, f"{origin}: {why}"
        )
    if snap is None:
        return Attempt(origin, ABSENT)
    log_stage(
        "fetch",
        run=ctx.run_id,
        source=sid,
        origin=origin,
        duration_s=step.elapsed,
        files=file_names(snap),
    )
    return load_attempt(ctx, source, origin, snap)


def load_attempt(ctx: RunContext, source: Source, origin: str, snap: Snapshot) -> Attempt:
    """Load one origin's files; on success keep their raw copies and provenance."""
    try:
        staged = load_and_stage(source, ctx.con, snap, ctx.run_id, ctx.options, ctx.has_previous)
    except shrink.ShrinkHeld as held:
        discard_snapshot(snap)
        return Attempt(
            origin, HELD_BACK, f"{origin}: " + "; ".join([*snap.provenance.notes, str(held)])
        )
    except Exception as error:
        why = describe(error, source.meta.id, snap)
        discard_snapshot(snap)
        return Attempt(origin, BROKEN, f"{origin}: " + "; ".join([*snap.provenance.notes, why]))
    # The file choice and the load's warnings, then whether the raw copy was kept.
    notes = [*snap.provenance.notes, *staged.notes]
    notes += keep_raw(ctx.con, source, snap, ctx.options)
    loaded = Loaded(
        rows=staged.rows,
        vintage=staged.vintage,
        retrieved_at=str(snap.provenance.retrieved_at or ""),
        notes=tuple(notes),
        report=tuple(staged.report),
    )
    return Attempt(origin, LOADED, loaded=loaded)
