"""The `ketamine-watch` command: refresh | serve | up | status | sources | doctor."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated

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

from etl import snapshots, status_view
from etl.detect.cli_alerts import alerts_command
from etl.faers import console as faers_console
from etl.faers import progress as faers_progress
from etl.limits import DEFAULT_RUN_DEADLINE, DEFAULT_SOURCE_DEADLINE
from etl.refresh import (
    DEFAULT_DATA_DIR,
    DEFAULT_SEED_DIR,
    PROJECT_ROOT,
    RefreshOptions,
    RunResult,
    refresh,
)
from etl.sources import SOURCES
from etl.warehouse import PublishRefused, RefreshLocked, WarehousePaths

app = typer.Typer(
    help="Ketamine Watch: load public ketamine harm and therapeutic-use data into DuckDB and "
    "serve the dashboard.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True)

DataDir = Annotated[
    Path,
    typer.Option(
        "--data-dir", envvar="KETAMINE_WATCH_DATA", help="Folder holding warehouse.duckdb and raw/."
    ),
]
SeedDir = Annotated[
    Path, typer.Option("--seed-dir", envvar="KETAMINE_WATCH_SEED", help="The bundled seed.")
]
# Statuses that make `status` exit 1: a refused file, a load held back because it would publish
# less or nonsense, or a source that could not load from the place it was asked to (a publisher
# down for days, a renamed file) must alert, not pass.
ALERTING = ("failed", "held", "fallback")

STATUS_STYLE = {
    "ok": "green",
    "fallback": "yellow",
    "kept": "yellow",
    "held": "bold yellow",
    "empty": "dim",
    "failed": "bold red",
}


def configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )


@app.command("refresh")
def refresh_command(
    source_ids: Annotated[
        list[str] | None, typer.Argument(help="Sources to refresh (default: all).")
    ] = None,
    offline: Annotated[
        bool,
        typer.Option(
            "--offline/--online",
            help="--offline never touches the network (last good snapshot, else seed); "
            "--online (the default) fetches from the publishers first.",
        ),
    ] = False,
    mirror: Annotated[
        str | None,
        typer.Option(
            "--mirror",
            help="Read DIR/<source_id>/... (or an http(s) base URL) instead of the publishers.",
        ),
    ] = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    seed_dir: SeedDir = DEFAULT_SEED_DIR,
    accept_shrink: Annotated[
        bool,
        typer.Option(
            "--accept-shrink",
            help="Publish the named sources' new rows even where they lose published "
            "indicators, years, places or rows (a real shrink); once, and logged.",
        ),
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log each stage.")] = False,
    deadline: Annotated[
        float,
        typer.Option(
            "--deadline",
            min=1,
            help="Seconds the whole run may take; a source not begun by then keeps its "
            "previous rows (failed), and no download runs past it.",
        ),
    ] = DEFAULT_RUN_DEADLINE,
    source_deadline: Annotated[
        float,
        typer.Option(
            "--source-deadline", min=1, help="Seconds one source's downloads may take in all."
        ),
    ] = DEFAULT_SOURCE_DEADLINE,
    faers_from: Annotated[
        str | None,
        typer.Option(
            "--faers-from",
            envvar="KETAMINE_WATCH_FAERS_FROM",
            help="FAERS: hold quarters from this one on, e.g. 2015Q1 (default: 2004Q1, the "
            "full history).",
        ),
    ] = None,
    faers_quarters: Annotated[
        int | None,
        typer.Option(
            "--faers-quarters",
            envvar="KETAMINE_WATCH_FAERS_QUARTERS",
            min=1,
            help="FAERS: hold at most the newest N quarters (default: all).",
        ),
    ] = None,
) -> None:
    """Build data/warehouse.duckdb: fetch, parse, validate, stage, then publish atomically.

    Exit 0: every source loaded. Exit 1: a source failed, was held or fell back (`partial`).

    Exit 2: nothing published (locked, refused by the sanity checks, or aborted).

    Exit 143: stopped by SIGTERM (nothing published).
    """
    configure_logging(verbose)
    if offline and mirror:
        raise typer.BadParameter("--offline and --mirror exclude each other")
    if accept_shrink and not source_ids:
        raise typer.BadParameter(
            "name the source(s) whose shrink you accept, e.g. `refresh nflis --accept-shrink`"
        )
    try:
        faers_console.set_window(faers_from, faers_quarters)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from error
    mode = "offline" if offline else "mirror" if mirror else "online"
    if mirror and not mirror.startswith(("http://", "https://")) and not Path(mirror).is_dir():
        console.print(f"[red]--mirror {mirror}: no such folder[/red]")
        raise typer.Exit(2)
    options = RefreshOptions(
        mode=mode,
        mirror=mirror,
        data_dir=data_dir,
        seed_dir=seed_dir,
        deadline=deadline,
        source_deadline=source_deadline,
        accept_shrink=accept_shrink,
    )
    # SIGTERM (systemd stop, a CI timeout) unwinds like Ctrl-C: the staging file is removed and
    # the published warehouse is untouched.
    signal.signal(signal.SIGTERM, exit_on_sigterm)
    try:
        run = run_with_progress(source_ids or None, options)
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
    print_run(run)
    raise typer.Exit(0 if run.status == "ok" else 1)


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


@app.command()
def status(
    source: Annotated[
        str | None, typer.Argument(help="One source id: every field, its message in full.")
    ] = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Full messages of the sources not ok.")
    ] = False,
) -> None:
    """Per source, one line: status, origin, rows, last refresh, vintage (or the message's start).

    Exit 0 when every source is healthy; 1 when any source's last refresh failed, was held or
    fell back from the origin it was asked for (for monitoring), with or without SOURCE.
    """
    paths = WarehousePaths(data_dir)
    if not paths.published.exists():
        console.print(f"[red]no warehouse at {paths.published}; run `ketamine-watch refresh`[/red]")
        raise typer.Exit(1)
    rows = source_statuses(paths.published)
    if source is not None:
        chosen = [r for r in rows if r.id == source]
        if not chosen:
            console.print(f"[red]no source '{source}'; known: {', '.join(r.id for r in rows)}[/]")
            raise typer.Exit(2)
        typer.echo("\n".join(status_view.detail(chosen[0])))
    else:
        typer.echo(status_view.warehouse_line(paths.published))
        typer.echo("\n".join(status_view.summary(rows, ALERTING)))
        held = faers_held_line(paths.published)
        if held:
            typer.echo(held)
        if verbose:
            for row in rows:
                if row.status != "ok" and row.message:
                    typer.echo("\n" + "\n".join(status_view.detail(row)))
    if any(r.status in ALERTING for r in rows):
        raise typer.Exit(1)


app.command("alerts")(alerts_command)


@app.command("sources")
def sources_command() -> None:
    """The registry: each source's publisher, URL and licence."""
    table = Table(title="Sources")
    for column in ("id", "title", "publisher", "url", "licence", "cadence"):
        table.add_column(column, overflow="fold")
    for source in SOURCES:
        meta = source.meta
        table.add_row(
            meta.id, meta.title, meta.publisher, meta.homepage, meta.licence, meta.cadence
        )
    Console().print(table)


@app.command("doctor")
def doctor_command(
    data_dir: DataDir = DEFAULT_DATA_DIR,
    as_json: Annotated[
        bool, typer.Option("--json", help="A JSON list of {check, status, detail, seconds}.")
    ] = False,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            envvar="KETAMINE_WATCH_DOCTOR_BASE_URL",
            help="Send every probe here instead of the publishers' hosts (path and query kept).",
        ),
    ] = None,
) -> None:
    """Will tonight's refresh work? Checks this machine and asks each source one question.

    Exit 0 only when every check is ok; 1 otherwise. Under 30 s without network.
    """
    from etl import doctor

    results = doctor.run_checks(data_dir, SOURCES, base_url=base_url)
    if as_json:
        typer.echo(json.dumps([r.as_dict() for r in results], indent=1))
    else:
        typer.echo(doctor.render_text(results))
    raise typer.Exit(0 if doctor.passed(results) else 1)


# Local by default: a dashboard meant for the network is a deployment decision (`--address`).
DEFAULT_ADDRESS = "127.0.0.1"
Address = Annotated[
    str,
    typer.Option(
        "--address",
        help="Address to listen on (0.0.0.0 to serve other machines).",
        envvar="KETAMINE_WATCH_ADDRESS",
    ),
]


def streamlit_command(port: int, data_dir: Path, address: str = DEFAULT_ADDRESS) -> list[str]:
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(PROJECT_ROOT / "dashboard" / "app.py"),
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        # A reader's app: no "Deploy" button or developer menu items in the header.
        "--client.toolbarMode",
        "viewer",
    ]


def dashboard_env(data_dir: Path) -> dict[str, str]:
    return os.environ | {"KETAMINE_WATCH_WAREHOUSE": str(WarehousePaths(data_dir).published)}


@app.command()
def serve(
    port: Annotated[int, typer.Option("--port", help="Port for the dashboard.")] = 8501,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    address: Address = DEFAULT_ADDRESS,
) -> None:
    """Serve the dashboard on the published warehouse."""
    command = streamlit_command(port, data_dir, address)
    raise typer.Exit(subprocess.call(command, env=dashboard_env(data_dir)))


def needs_seed_build(paths: WarehousePaths, seed_dir: Path) -> bool:
    if not paths.published.exists():
        return True
    return snapshots.seed_mtime(seed_dir) > paths.published.stat().st_mtime


@app.command()
def up(
    port: Annotated[int, typer.Option("--port", help="Port for the dashboard.")] = 8501,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    seed_dir: SeedDir = DEFAULT_SEED_DIR,
    address: Address = DEFAULT_ADDRESS,
    online: Annotated[
        bool,
        typer.Option("--online/--no-online", help="Refresh from the publishers in the background."),
    ] = True,
) -> None:
    """Start fast anywhere: build from the seed if needed, serve, refresh in the background."""
    paths = WarehousePaths(data_dir)
    if needs_seed_build(paths, seed_dir):
        console.print("building the warehouse from the bundled seed ...")
        started = time.monotonic()
        try:
            run = refresh(SOURCES, None, RefreshOptions("offline", None, data_dir, seed_dir))
            console.print(
                f"seed warehouse ready in {time.monotonic() - started:.1f}s ({run.status})"
            )
        except RefreshLocked as error:
            console.print(f"[yellow]{error}; serving what is published[/yellow]")
    server = subprocess.Popen(
        streamlit_command(port, data_dir, address), env=dashboard_env(data_dir)
    )
    console.print(f"dashboard: http://localhost:{port}")
    background = None
    if online:
        log_path = data_dir / "refresh.log"
        console.print(f"refreshing online in the background (log: {log_path})")
        with log_path.open("a") as log_file:
            background = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "etl.cli",
                    "refresh",
                    "--data-dir",
                    str(data_dir),
                    "--seed-dir",
                    str(seed_dir),
                    "--verbose",
                ],
                stdout=log_file,
                stderr=subprocess.STDOUT,
                cwd=PROJECT_ROOT,
            )
    # SIGTERM (systemd stop, `kill`) must unwind like Ctrl-C, or the dashboard and the background
    # refresh outlive us: Python's default SIGTERM exits without running `finally`.
    signal.signal(signal.SIGTERM, exit_on_sigterm)
    try:
        raise typer.Exit(server.wait())
    except KeyboardInterrupt:
        raise typer.Exit(0) from None
    finally:
        stop_child(server)
        if background:
            stop_child(background)


def stop_child(process: subprocess.Popen, grace_s: float = 10.0) -> None:
    """Terminate a child process and wait for it; kill it if it ignores the request."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


if __name__ == "__main__":
    app()
