"""The `ketamine-watch` command: refresh | serve | up | status | sources | doctor."""

from __future__ import annotations

import json
import logging
import signal
import subprocess
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
    Online,
    Port,
    SeedDir,
    SourceDeadline,
    SourceIds,
    Verbose,
)
from etl.cli_run import (
    check_flags,
    check_mirror,
    console,
    exit_on_sigterm,
    read_status,
    run_and_exit,
    run_mode,
    set_faers_window,
)
from etl.cli_serve import (
    DEFAULT_ADDRESS,
    dashboard_env,
    needs_seed_build,
    streamlit_command,
)
from etl.cli_up import build_seed, refresh_in_background, wait_then_stop
from etl.detect.cli_alerts import alerts_command
from etl.limits import DEFAULT_RUN_DEADLINE, DEFAULT_SOURCE_DEADLINE
from etl.refresh import (
    DEFAULT_DATA_DIR,
    DEFAULT_SEED_DIR,
    RefreshOptions,
)
from etl.sources import SOURCES
from etl.warehouse import WarehousePaths

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
    source_ids: SourceIds = None,
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
    check_flags(source_ids, offline, mirror, accept_shrink)
    set_faers_window(faers_from, faers_quarters)
    check_mirror(mirror)
    options = RefreshOptions(
        mode=run_mode(offline, mirror),
        mirror=mirror,
        data_dir=data_dir,
        seed_dir=seed_dir,
        deadline=deadline,
        source_deadline=source_deadline,
        accept_shrink=accept_shrink,
    )
    run_and_exit(source_ids, options)


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
    report = read_status(paths.published)
    if source is not None:
        typer.echo("\n".join(status_view.detail(one_source(report.rows, source))))
    else:
        overview = status_view.overview(
            paths.published, report.rows, report.faers_held, ALERTING, verbose
        )
        typer.echo("\n".join(overview))
    if any(r.status in ALERTING for r in report.rows):
        raise typer.Exit(1)


def one_source(rows: list[status_view.SourceStatus], source: str) -> status_view.SourceStatus:
    """The row of `source`; exit 2 naming the known ones when there is none."""
    chosen = [r for r in rows if r.id == source]
    if not chosen:
        console.print(f"[red]no source '{source}'; known: {', '.join(r.id for r in rows)}[/]")
        raise typer.Exit(2)
    return chosen[0]


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
    port: Port = 8501,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    address: Address = DEFAULT_ADDRESS,
) -> None:
    """Serve the dashboard on the published warehouse."""
    command = streamlit_command(port, data_dir, address)
    raise typer.Exit(subprocess.call(command, env=dashboard_env(data_dir)))


@app.command()
def up(
    port: Port = 8501,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    seed_dir: SeedDir = DEFAULT_SEED_DIR,
    address: Address = DEFAULT_ADDRESS,
    online: Online = True,
) -> None:
    """Start fast anywhere: build from the seed if needed, serve, refresh in the background."""
    if needs_seed_build(WarehousePaths(data_dir), seed_dir):
        build_seed(data_dir, seed_dir)
    server = subprocess.Popen(
        streamlit_command(port, data_dir, address), env=dashboard_env(data_dir)
    )
    console.print(f"dashboard: http://localhost:{port}")
    background = refresh_in_background(data_dir, seed_dir) if online else None
    # SIGTERM (systemd stop, `kill`) must unwind like Ctrl-C, or the dashboard and the background
    # refresh outlive us: Python's default SIGTERM exits without running `finally`.
    signal.signal(signal.SIGTERM, exit_on_sigterm)
    wait_then_stop(server, background)


if __name__ == "__main__":
    app()
