"""Running a refresh from the command line: the progress display, the run table, what the
published warehouse says of each source, and the exits a failed run takes."""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from etl import status_view
from etl.faers import console as faers_console
from etl.faers import progress as faers_progress
from etl.refresh import RefreshOptions, RunResult, refresh
from etl.sources import SOURCES
from etl.warehouse import PublishRefused, RefreshLocked

console = Console(stderr=True)

STATUS_STYLE = {
    "ok": "green",
    "fallback": "yellow",
    "kept": "yellow",
    "held": "bold yellow",
    "empty": "dim",
    "failed": "bold red",
}


def run_or_exit(selected: list[str] | None, options: RefreshOptions) -> RunResult:
    """The run, or the exit (2: nothing published) that says why there is none."""
    try:
        return run_with_progress(selected, options)
    except RefreshLocked as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from error
    except PublishRefused as error:
        console.print(f"[red]{error}; the published warehouse is unchanged[/red]")
        raise typer.Exit(2) from error
    except KeyError as error:
        known = ", ".join(s.meta.id for s in SOURCES)
        console.print(f"[red]{error.args[0]}. Known sources: {known}[/red]")
        raise typer.Exit(2) from error
    except Exception as error:  # anything else stopped the whole run before publishing
        logging.getLogger("etl.refresh").exception("refresh aborted")
        console.print(f"[red]refresh aborted: {error}; the published warehouse is unchanged[/red]")
        raise typer.Exit(2) from error


def exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def run_with_progress(selected: list[str] | None, options: RefreshOptions) -> RunResult:
    total = len(selected) if selected else len(SOURCES)
    with (
        Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        ) as progress,
        faers_progress.listen(faers_console.listener(progress)),
    ):
        task = progress.add_task(f"refresh ({options.mode})", total=total)

        def advance(source_id: str, stage: str) -> None:
            if stage == "start":
                progress.update(task, description=f"refresh ({options.mode}): {source_id}")
            else:
                progress.advance(task)

        return refresh(SOURCES, selected, options, progress=advance)


def print_run(run: RunResult) -> None:
    table = Table(title=f"refresh {run.run_id} ({run.mode}): {run.status}")
    for column in ("source", "status", "origin", "rows", "message"):
        table.add_column(column, overflow="fold")
    for result in run.results:
        style = STATUS_STYLE.get(result.status, "")
        table.add_row(
            result.source,
            f"[{style}]{result.status}[/{style}]" if style else result.status,
            result.origin,
            str(result.rows),
            result.message,
        )
    Console().print(table)


def source_statuses(warehouse: Path) -> list[status_view.SourceStatus]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return [
            status_view.SourceStatus(*row)
            for row in con.execute(
                "SELECT id, status, origin, vintage, rows, last_refresh, message"
                " FROM sources ORDER BY id"
            ).fetchall()
        ]
    finally:
        con.close()


def faers_held_line(published: Path) -> str:
    """The FAERS quarters the warehouse holds and any gap, in one line ('' when none)."""
    con = duckdb.connect(str(published), read_only=True)
    try:
        return faers_console.held_line(con) or ""
    finally:
        con.close()
