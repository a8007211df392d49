"""Parse, validate, stage and guard one snapshot of one source, in one transaction.

`load_and_stage` is the step after a source's files are obtained: the source's parser (or a
canonical seed's CSVs) gives tables, etl.validate checks them, etl.warehouse stages them, and the
shrink guard (etl.shrink) compares them with the published rows. Any failure rolls the whole
snapshot back and is re-raised (ValidationFailed for broken rules, ShrinkHeld when published
data would be lost); etl.refresh decides what that means for the source.

`describe` turns an error into the excerpt a run message quotes (never a whole file).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from etl import shrink, snapshots
from etl.contract import DatabaseSource, ParseError, Source, SourceMeta, Tables
from etl.limits import MESSAGE_CHARS, excerpt
from etl.observe import Timer, log_stage, pause_point
from etl.options import RefreshOptions
from etl.staging_writes import stage_revisions, stage_tables
from etl.validate import validate


class ValidationFailed(ValueError):
    """A source's parsed tables broke the rules of the numbers (etl/validate.py)."""


@dataclass(frozen=True)
class Staged:
    rows: int
    vintage: str  # the rows' releases, summarised
    notes: list[str]  # the parser's warnings
    report: list[str]  # revised values, a shrink accepted


@dataclass
class Step:
    """The stage under way and its timer, so a failure is logged against the right stage."""

    name: str
    timer: Timer

    def next(self, name: str) -> None:
        self.name, self.timer = name, Timer()


def load_and_stage(
    source: Source,
    con: duckdb.DuckDBPyConnection,
    snap: snapshots.Snapshot,
    run_id: str | None,
    options: RefreshOptions | None = None,
    has_previous: bool = False,
) -> Staged:
    """Parse, validate, stage and guard one snapshot in one transaction; roll back on any failure.

    Logs one line per stage; re-raises the first failure (ValidationFailed for problems,
    ShrinkHeld when the rows would lose published data)."""
    sid, origin = source.meta.id, snap.origin
    step = Step("parse", Timer())
    con.begin()
    try:
        staged = stage_snapshot(source, con, snap, run_id, options, has_previous, step)
        con.commit()
    except BaseException as error:
        with contextlib.suppress(duckdb.Error):
            con.rollback()
        if isinstance(error, Exception):
            log_failed_step(step, error, run_id=run_id, source_id=sid, snap=snap)
        raise
    log_stage(
        "stage",
        run=run_id,
        source=sid,
        origin=origin,
        rows=staged.rows,
        duration_s=step.timer.elapsed,
    )
    return staged


def log_failed_step(
    step: Step, error: Exception, *, run_id: str | None, source_id: str, snap: snapshots.Snapshot
) -> None:
    log_stage(
        step.name,
        run=run_id,
        source=source_id,
        origin=snap.origin,
        status="failed",
        duration_s=step.timer.elapsed,
        error=describe(error, source_id, snap),
    )


def stage_snapshot(
    source: Source,
    con: duckdb.DuckDBPyConnection,
    snap: snapshots.Snapshot,
    run_id: str | None,
    options: RefreshOptions | None,
    has_previous: bool,
    step: Step,
) -> Staged:
    """The stages inside load_and_stage's transaction, each logged when done."""
    sid, origin = source.meta.id, snap.origin
    pause_point("parse", sid)
    tables = load(source, con, snap)
    log_stage(
        "parse",
        run=run_id,
        source=sid,
        origin=origin,
        rows=tables.row_count(),
        duration_s=step.timer.elapsed,
    )
    step.next("validate")
    problems = validate(tables, source_id=sid)
    if problems:
        raise ValidationFailed(f"{file_names(snap)}: " + "; ".join(problems))
    log_stage("validate", run=run_id, source=sid, origin=origin, duration_s=step.timer.elapsed)
    step.next("stage")
    rows = stage_tables(con, sid, tables, source.meta.detail_tables)
    pause_point("stage", sid)
    report = guard(con, source.meta, snap, run_id, options, has_previous)
    return Staged(rows, vintage_summary(tables), list(tables.notes), report)


def file_names(snap: snapshots.Snapshot) -> str:
    return ", ".join(p.name for paths in snap.files.values() for p in paths)


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
            where = file_names(snap)
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


def describe(
    error: BaseException,
    source_id: str | None = None,
    snap: snapshots.Snapshot | None = None,
) -> str:
    """The error for a run message, never more than MESSAGE_CHARS (a quoted cell or a
    publisher's error body is an excerpt, not the file)."""
    return excerpt(_describe(error, source_id, snap), MESSAGE_CHARS)


def _describe(
    error: BaseException,
    source_id: str | None = None,
    snap: snapshots.Snapshot | None = None,
) -> str:
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
        return f"{type(error).__name__} in {file_names(snap)}: {text}"
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
