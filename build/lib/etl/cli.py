"""The `ketamine-watch` command: refresh | serve | up | status | sources | doctor."""

from __future__ import annotations

import json
import logging
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from etl import status_view
from etl.cli_options import (
    AcceptShrink,
    Address,
    DataDir,
    Deadline,
    FaersFrom,
    FaersQuarters,
    Mirror,
    Offline,
    SeedDir,
    SourceDeadline,
    Verbose,
)
from etl.cli_run import (
    console,
    exit_on_sigterm,
    faers_held_line,
    print_run,
    run_or_exit,
    source_statuses,
)
from etl.cli_serve import (
    DEFAULT_ADDRESS,
    dashboard_env,
    needs_seed_build,
    stop_child,
    streamlit_command,
)
from etl.detect.cli_alerts import alerts_command
from etl.faers import console as faers_console
from etl.limits import DEFAULT_RUN_DEADLINE, DEFAULT_SOURCE_DEADLINE
from etl.refresh import (
    DEFAULT_DATA_DIR,
    DEFAULT_SEED_DIR,
    PROJECT_ROOT,
    RefreshOptions,
    refresh,
)
from etl.sources import SOURCES
from etl.warehouse import RefreshLocked, WarehousePaths

app = typer.Typer(
    help="Ketamine Watch: load public ketamine harm and therapeutic-use data into DuckDB and "
    "serve the dashboard.",
    no_args_is_help=True,
    add_completion=False,
)

# Statuses that make `status` exit 1: a refused file, a load held back because it would publish
# less or nonsense, or a source that could not load from the place it was asked to (a publisher
# down for days, a renamed file) must alert, not pass.
ALERTING = ("failed", "held", "fallback")


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
    offline: Offline = False,
    mirror: Mirror = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    seed_dir: SeedDir = DEFAULT_SEED_DIR,
    accept_shrink: AcceptShrink = False,
    verbose: Verbose = False,
    deadline: Deadline = DEFAULT_RUN_DEADLINE,
    source_deadline: SourceDeadline = DEFAULT_SOURCE_DEADLINE,
    faers_from: FaersFrom = None,
    faers_quarters: FaersQuarters = None,
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
    run = run_or_exit(source_ids or None, options)
    print_run(run)
    raise typer.Exit(0 if run.status == "ok" else 1)


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
@app.command()
def serve(
    port: Annotated[int, typer.Option("--port", help="Port for the dashboard.")] = 8501,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    address: Address = DEFAULT_ADDRESS,
) -> None:
    """Serve the dashboard on the published warehouse."""
    command = streamlit_command(port, data_dir, address)
    raise typer.Exit(subprocess.call(command, env=dashboard_env(data_dir)))


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


if __name__ == "__main__":
    app()
