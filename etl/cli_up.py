"""`ketamine-watch up`'s steps: build the seed warehouse when it is missing or older than the
seed, refresh online in a background process, and wait on the dashboard, stopping both children
however `up` is stopped."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import NoReturn

import typer

from etl.cli_run import console
from etl.cli_serve import stop_child
from etl.refresh import PROJECT_ROOT, RefreshOptions, refresh
from etl.sources import SOURCES
from etl.warehouse import RefreshLocked


def build_seed(data_dir: Path, seed_dir: Path) -> None:
    """An offline refresh from the bundled seed; a refresh already running is left to finish."""
    console.print("building the warehouse from the bundled seed ...")
    started = time.monotonic()
    try:
        run = refresh(SOURCES, None, RefreshOptions("offline", None, data_dir, seed_dir))
        console.print(f"seed warehouse ready in {time.monotonic() - started:.1f}s ({run.status})")
    except RefreshLocked as error:
        console.print(f"[yellow]{error}; serving what is published[/yellow]")


def refresh_in_background(data_dir: Path, seed_dir: Path) -> subprocess.Popen:
    """`ketamine-watch refresh` (online) as a child process, logging to DATA_DIR/refresh.log."""
    log_path = data_dir / "refresh.log"
    console.print(f"refreshing online in the background (log: {log_path})")
    command = [sys.executable, "-m", "etl.cli", "refresh"]
    command += ["--data-dir", str(data_dir), "--seed-dir", str(seed_dir), "--verbose"]
    with log_path.open("a") as log_file:
        return subprocess.Popen(
            command, stdout=log_file, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT
        )


def wait_then_stop(server: subprocess.Popen, background: subprocess.Popen | None) -> NoReturn:
    """Exit with the dashboard's exit code (0 on Ctrl-C), stopping both children either way."""
    try:
        raise typer.Exit(server.wait())
    except KeyboardInterrupt:
        raise typer.Exit(0) from None
    finally:
        stop_child(server)
        if background:
            stop_child(background)
