"""What the FAERS benchmarks share: each measured step runs in a fresh interpreter, so its peak
RSS (read with os.wait4) is that step's alone, and prints its result as JSON on its last line."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_json_child(argv: list[str], *, label: str) -> tuple[dict, resource.struct_rusage]:
    """Run `python argv...` from the repository root; its last stdout line as JSON, and its
    resource usage. Stdout is read before waiting, so a chatty child cannot fill the pipe."""
    proc = subprocess.Popen([sys.executable, *argv], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"{label} failed (status {status})")
    return json.loads(out.strip().splitlines()[-1]), usage


def measure_variant(script: str, variant: str, data: Path, work: Path) -> dict:
    """One variant of `script` (run with --child): its JSON result plus peak RSS in MiB."""
    argv = [script, "--child", variant, "--data", str(data), "--work", str(work)]
    result, usage = run_json_child(argv, label=variant)
    return {**result, "peak_mib": usage.ru_maxrss / 1024}  # Linux: ru_maxrss is in KiB
