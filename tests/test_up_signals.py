"""`ketamine-watch up` stops its children when it is stopped: a SIGTERM (systemd, `kill`) to `up`
must not leave the Streamlit server running on the port."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find the child process")
def test_sigterm_to_up_stops_the_dashboard(seed_warehouse: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    shutil.copy(seed_warehouse, data_dir / "warehouse.duckdb")
    port = free_port()
    up = subprocess.Popen(
        [sys.executable, "-m", "etl.cli", "up", "--no-online", "--port", str(port),
         "--data-dir", str(data_dir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "COLUMNS": "80"},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        server = []
        while time.monotonic() < deadline and not server:
            server = children(up.pid)
            time.sleep(0.2)
        assert server, "`up` started no dashboard process"
        up.send_signal(signal.SIGTERM)
        assert up.wait(timeout=30) == 128 + signal.SIGTERM
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and alive(server[0]):
            time.sleep(0.2)
        assert not alive(server[0]), "the Streamlit server outlived `up`"
    finally:
        for pid in children(up.pid):
            os.kill(pid, signal.SIGKILL)
        up.kill()
