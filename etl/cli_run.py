"""Running a refresh from the command line: the flags checked, the progress display, the run
table, what the published warehouse says of each source, and the exits a failed run takes."""

from __future__ import annotations

import logging
import signal
from pathlib import Path
from typing import NamedTuple, NoReturn

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


class StatusReport(NamedTuple):
    """What `ketamine-watch status` reads from the published warehouse, in one visit."""

    rows: list[status_view.SourceStatus]
    faers_held: str  # the FAERS quarters held and any gap, in one line ('' when none)


def read_status(published: Path) -> StatusReport:
    """Each source's row and the FAERS line, from one read-only connection."""
    con = duckdb.connect(str(published), read_only=True)
    try:
        return StatusReport(source_statuses(con), faers_console.held_line(con) or "")
    finally:
        con.close()


def source_statuses(con: duckdb.DuckDBPyConnection) -> list[status_view.SourceStatus]:
    return [
        status_view.SourceStatus(*row)
        for row in con.execute(
            "SELECT id, status, origin, vintage, rows, last_refresh, message"
            " FROM sources ORDER BY id"
        ).fetchall()
    ]


def check_flags(
    source_ids: list[str] | None, offline: bool, mirror: str | None, accept_shrink: bool
) -> None:
    """Refuse flags that contradict each other, before anything runs."""
    if offline and mirror:
        raise typer.BadParameter("--offline and --mirror exclude each other")
    if accept_shrink and not source_ids:
        raise typer.BadParameter(
            "name the source(s) whose shrink you accept, e.g. `refresh nflis --accept-shrink`"
        )


def set_faers_window(faers_from: str | None, faers_quarters: int | None) -> None:
    """--faers-from / --faers-quarters for the FAERS source; a bad one is a bad parameter."""
    try:
        faers_console.set_window(faers_from, faers_quarters)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from error


def check_mirror(mirror: str | None) -> None:
    """A --mirror folder that does not exist stops the run (exit 2) before it starts."""
    if mirror and not mirror.startswith(("http://", "https://")) and not Path(mirror).is_dir():
        console.print(f"[red]--mirror {mirror}: no such folder[/red]")
        raise typer.Exit(2)


def run_mode(offline: bool, mirror: str | None) -> str:
    return "offline" if offline else "mirror" if mirror else "online"


def run_and_exit(source_ids: list[str] | None, options: RefreshOptions) -> NoReturn:
    """Run the refresh, print its table, and exit 0 (all ok) or 1 (`partial`)."""
    # SIGTERM (systemd stop, a CI timeout) unwinds like Ctrl-C: the staging file is removed and
    # the published warehouse is untouched.
    signal.signal(signal.SIGTERM, exit_on_sigterm)
    run = run_or_exit(source_ids or None, options)
    print_run(run)
    raise typer.Exit(0 if run.status == "ok" else 1)
