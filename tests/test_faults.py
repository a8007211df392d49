"""Fault tests: a refresh killed at any point leaves the published warehouse exactly as it was.

A refresh runs in a subprocess. It is stopped at a known point with the test-only hook
`KETAMINE_WATCH_PAUSE_AT=<stage>[:<source>]` (etl/observe.py prints a marker and sleeps there),
or mid-download while the local HTTP server drips the body, and then SIGKILLed (or SIGTERMed).
Afterwards: the published warehouse opens and holds the old rows and the old run log; the lock
the dead process held is free; the next refresh removes the leftovers and publishes.
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from bad_inputs.cases import NFLIS, baseline_files
from refresh_kit import NFLIS_CLEAN, build_baseline, fingerprint, query, run_refresh, write_mirror
from typer.testing import CliRunner

from etl.cli import app
from etl.observe import PAUSE_ENV, PAUSE_MARKER

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
NEW_NFLIS = NFLIS_CLEAN + "2022,Ketamine,133\n"  # a real change, so a completed run would show
DRIVER = """
import sys
from pathlib import Path
sys.path.insert(0, {tests!r})
from refresh_kit import run_refresh
run = run_refresh(Path({data!r}), mode="mirror", mirror={mirror!r}, selected={selected!r})
print("DONE", run.status, flush=True)
"""


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fault_baseline")
    build_baseline(root / "data", root / "mirror", baseline_files())
    return root / "data"


@pytest.fixture
def data_dir(baseline: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(baseline, tmp_path / "data"))


@pytest.fixture
def new_mirror(tmp_path: Path) -> Path:
    return write_mirror(tmp_path / "mirror", {"nflis": {NFLIS: NEW_NFLIS.encode()}})


class Refresh:
    """A refresh in a subprocess, with its stderr read line by line in a thread."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            args,
            cwd=REPO,
            env=os.environ | env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.put(line)

    def wait_for(self, marker: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                if self.proc.poll() is not None and self.lines.empty():
                    break
                continue
            self.seen.append(line)
            if marker in line:
                return line
        self.kill()
        raise AssertionError(f"no {marker!r} from the refresh; stderr:\n{''.join(self.seen)}")

    def kill(self, sig: int = signal.SIGKILL) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.proc.wait(timeout=30)


def driver(data_dir: Path, mirror: str, pause: str | None, selected=("nflis",)) -> Refresh:
    code = DRIVER.format(tests=str(TESTS), data=str(data_dir), mirror=mirror, selected=selected)
    env = {PAUSE_ENV: pause} if pause else {}
    return Refresh([sys.executable, "-c", code], env)


def published_state(data_dir: Path) -> tuple[dict[str, str], int]:
    db = data_dir / "warehouse.duckdb"
    return fingerprint(db), query(db, "SELECT count(*) FROM runs")[0][0]


def assert_recovers(data_dir: Path, mirror: str, before: tuple[dict[str, str], int]) -> None:
    """The old warehouse is intact; the next refresh cleans up, takes the lock and publishes."""
    assert published_state(data_dir) == before
    run = run_refresh(data_dir, mode="mirror", mirror=mirror, selected=["nflis"])
    assert run.status == "ok", run.results
    assert not list(data_dir.glob("warehouse.duckdb.next*"))
    assert not list(data_dir.rglob(".partial-*"))
    assert not list(data_dir.rglob("*.part"))
    after, runs = published_state(data_dir)
    assert after["nflis"] != before[0]["nflis"]  # the new file is now published
    assert {k: v for k, v in after.items() if k != "nflis"} == {
        k: v for k, v in before[0].items() if k != "nflis"
    }
    assert runs == before[1] + 1


@pytest.mark.parametrize(
    ("pause", "leftover"),
    [
        ("parse:nflis", "warehouse.duckdb.next"),
        ("stage:nflis", "warehouse.duckdb.next"),
        ("publish", "warehouse.duckdb.next"),
    ],
)
def test_sigkill_at_a_stage_leaves_the_warehouse_as_it_was(
    data_dir: Path, new_mirror: Path, pause: str, leftover: str
) -> None:
    before = published_state(data_dir)
    refresh = driver(data_dir, str(new_mirror), pause)
    refresh.wait_for(f"{PAUSE_MARKER} stage={pause.split(':')[0]}")
    assert refresh.kill() == -signal.SIGKILL
    assert (data_dir / leftover).exists()  # the dead run's staging file is still there ...
    assert_recovers(data_dir, str(new_mirror), before)  # ... until the next start


def test_sigkill_mid_download_leaves_the_warehouse_as_it_was(data_dir: Path, local_server) -> None:
    before = published_state(data_dir)
    body = NEW_NFLIS.encode()
    dripping = threading.Event()

    def drip(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "text/csv")
        handler.send_header("Content-Length", str(len(body) * 1000))
        handler.end_headers()
        try:
            for _ in range(600):
                handler.wfile.write(body[:16])
                handler.wfile.flush()
                dripping.set()
                time.sleep(0.05)
        except OSError:
            pass

    local_server.routes[f"/nflis/{NFLIS}"] = [drip, (200, {"Content-Type": "text/csv"}, body)]
    refresh = driver(data_dir, local_server.base_url, None)
    assert dripping.wait(30), "the refresh never started downloading"
    deadline = time.monotonic() + 10
    while not list(data_dir.rglob(".download-*.part")) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert list(data_dir.rglob(".download-*.part")), "no partial download on disk"
    assert refresh.kill() == -signal.SIGKILL
    assert_recovers(data_dir, local_server.base_url, before)


def test_sigterm_unwinds_and_removes_the_staging_file(data_dir: Path, tmp_path: Path) -> None:
    """Through the real CLI: SIGTERM (systemd stop, CI timeout) exits 143 and cleans up."""
    mirror = write_mirror(tmp_path / "cli_mirror", baseline_files())
    before = published_state(data_dir)
    refresh = Refresh(
        [
            sys.executable,
            "-m",
            "etl.cli",
            "refresh",
            "--mirror",
            str(mirror),
            "--data-dir",
            str(data_dir),
            "--seed-dir",
            str(tmp_path / "no_seed"),
        ],
        {PAUSE_ENV: "stage:literature"},
    )
    refresh.wait_for(f"{PAUSE_MARKER} stage=stage source=literature")
    assert (data_dir / "warehouse.duckdb.next").exists()
    assert refresh.kill(signal.SIGTERM) == 143
    assert not list(data_dir.glob("warehouse.duckdb.next*"))
    assert published_state(data_dir) == before
    assert any("status=aborted" in line for line in [*refresh.seen, *drain(refresh)])


def drain(refresh: Refresh) -> list[str]:
    lines = []
    while not refresh.lines.empty():
        lines.append(refresh.lines.get())
    return lines


def test_second_refresh_is_told_and_a_dead_holders_lock_is_recovered(
    data_dir: Path, new_mirror: Path
) -> None:
    before = published_state(data_dir)
    holder = driver(data_dir, str(new_mirror), "stage:nflis")
    holder.wait_for(PAUSE_MARKER)
    result = CliRunner().invoke(
        app, ["refresh", "--offline", "--data-dir", str(data_dir)], catch_exceptions=False
    )
    assert result.exit_code == 2
    assert "another refresh is running" in result.output
    assert f"pid {holder.proc.pid}" in result.output
    assert published_state(data_dir) == before
    holder.kill()  # a crash: the lock file stays on disk, the kernel drops the flock
    assert (data_dir / "refresh.lock").exists()
    assert_recovers(data_dir, str(new_mirror), before)
