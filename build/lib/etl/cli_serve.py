"""Serving the dashboard from the command line: the Streamlit command and environment, whether
the seed must be built first, and stopping the child process cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from etl import snapshots
from etl.refresh import PROJECT_ROOT
from etl.warehouse import WarehousePaths

DEFAULT_ADDRESS = "127.0.0.1"


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


def needs_seed_build(paths: WarehousePaths, seed_dir: Path) -> bool:
    if not paths.published.exists():
        return True
    return snapshots.seed_mtime(seed_dir) > paths.published.stat().st_mtime


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
