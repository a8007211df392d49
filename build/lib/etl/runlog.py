"""What each refresh did, as data: per-source results, the `sources` table and the `runs` log.

Statuses per source: `ok` (loaded from the first origin tried), `fallback` (that origin failed;
the snapshot or seed was loaded), `kept` (nothing new; previous rows kept), `empty` (nothing to
load), `failed` (a file did not parse or validate; previous rows kept) and `held` (the new rows
would lose published data, see etl/shrink.py; previous rows kept). A run is `partial` when any
source failed, fell back or was held.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb
import pandas as pd

from etl.contract import Source, SourceMeta
from etl.observe import log_stage
from etl.previous import previous_source_row
from etl.staging_writes import insert_frame
from etl.warehouse import RUN_COLUMNS, SOURCE_COLUMNS

OK, FALLBACK, FAILED, EMPTY, KEPT, HELD = "ok", "fallback", "failed", "empty", "kept", "held"


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
        return (
            "partial" if any(r.status in (FAILED, FALLBACK, HELD) for r in self.results) else "ok"
        )


def log_result(run_id: str, result: SourceResult) -> None:
    elapsed = (result.finished - result.started).total_seconds() if result.finished else None
    log_stage(
        "done",
        run=run_id,
        source=result.source,
        origin=result.origin,
        status=result.status,
        rows=result.rows,
        duration_s=elapsed,
        error=result.message if result.status in (FAILED, HELD) else None,
        message=None if result.status in (FAILED, HELD) else result.message,
    )


def write_sources(
    con: duckdb.DuckDBPyConnection, sources: Sequence[Source], run: RunResult, has_previous: bool
) -> None:
    by_id = {r.source: r for r in run.results}
    rows = [
        source_row(
            source.meta,
            by_id.get(source.meta.id),
            previous_source_row(con, source.meta.id) if has_previous else None,
        )
        for source in sources
    ]
    frame = utc_naive(pd.DataFrame(rows), ("last_refresh", "last_success"))
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


def source_row(meta: SourceMeta, result: SourceResult | None, previous: dict | None) -> dict:
    """A source's row: its declaration, then this run's outcome (a source not refreshed this
    run, or whose previous rows were kept, keeps the previous origin, vintage and dates)."""
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
    if result is None and previous:
        return row | {k: previous.get(k) for k in SOURCE_COLUMNS if k not in row}
    if result is None:
        return row | {"status": EMPTY, "message": "never refreshed"}
    kept = result.origin == "previous" and previous
    return row | {
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
        insert_frame(con, "runs", RUN_COLUMNS, utc_naive(frame, ("started", "finished")))


def utc_naive(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Timestamps as naive UTC: fresh results are tz-aware, rows carried over from the previous
    warehouse are naive, and DuckDB refuses a column that mixes the two."""
    for column in columns:
        if column in frame:
            frame[column] = pd.to_datetime(frame[column], utc=True).dt.tz_localize(None)
    return frame
