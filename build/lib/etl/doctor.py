"""`ketamine-watch doctor`: will tonight's refresh work on this machine?

Checks, each one line with a status and a short detail:

- the machine: Python and the versions of the packages the refresh and dashboard import; the data
  folder writable (a temp file created and removed) with at least MIN_FREE_BYTES free; the
  published warehouse opens read-only, has the tables and columns the refresh carries rows over
  with, and which run last wrote it; the refresh lock (free, or held by a running refresh, and
  for how long);
- each live source: one probe (etl.probes), `ok`, `unreachable`, `changed` or `refused`.

Probes run in parallel threads with one attempt and short timeouts each; the doctor waits for
them at most PROBE_DEADLINE seconds in all (a DNS lookup that hangs offline is not bounded by
the HTTP timeouts), so a run with no network ends in well under 30 s. A probe still waiting at
the deadline is `unreachable`; its daemon thread is left behind and dies with the process.

The lock is read without being taken (Linux /proc/locks), so running the doctor while a
refresh starts cannot make that refresh fail; elsewhere a shared lock is tried for an instant.

Exit status (see etl.cli): 0 only when every check is `ok`. The machine checks are in
`etl/machine_checks.py` (the lock read by `etl/lock_state.py`); this module runs them with the
probes and renders the report.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from etl import probes
from etl.contract import Source
from etl.machine_checks import FAIL, OK, machine_checks

PROBE_DEADLINE = 15.0


@dataclass(frozen=True)
class Check:
    check: str
    status: str
    detail: str
    seconds: float

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def run_checks(
    data_dir: Path,
    sources: tuple[Source, ...],
    *,
    base_url: str | None = None,
    deadline: float = PROBE_DEADLINE,
) -> list[Check]:
    """Every machine check, then every live source's probe (started first, run in parallel)."""
    pending = start_probes(probes.probed_sources(sources), base_url)
    started = time.monotonic()
    results = [timed(name, check) for name, check in machine_checks(data_dir)]
    results += collect_probes(pending, started + deadline)
    return results


def passed(results: list[Check]) -> bool:
    return all(result.status == OK for result in results)


def timed(name: str, check: Callable[[], tuple[str, str]]) -> Check:
    started = time.monotonic()
    try:
        status, detail = check()
    except Exception as error:  # a check that breaks is a failed check, never a crash
        status, detail = FAIL, f"{error.__class__.__name__}: {error}"
    return Check(name, status, detail, round(time.monotonic() - started, 3))


# -- the sources ----------------------------------------------------------------------------------


@dataclass
class _Pending:
    name: str
    thread: threading.Thread
    started: float
    result: probes.ProbeResult | None = None
    finished: float | None = None


def start_probes(sources: list[Source], base_url: str | None) -> list[_Pending]:
    pending = []
    for source in sources:
        slot = _Pending(f"source:{source.meta.id}", threading.Thread(), time.monotonic())

        def work(source: Source = source, slot: _Pending = slot) -> None:
            try:
                slot.result = probes.probe(source, base_url)
            except Exception as error:  # a probe bug must not hide the other results
                slot.result = probes.ProbeResult(
                    probes.CHANGED, f"{error.__class__.__name__}: {error}"
                )
            slot.finished = time.monotonic()

        slot.thread = threading.Thread(target=work, name=slot.name, daemon=True)
        slot.thread.start()
        pending.append(slot)
    return pending


def collect_probes(pending: list[_Pending], until: float) -> list[Check]:
    results = []
    for slot in pending:
        slot.thread.join(max(0.0, until - time.monotonic()))
        result = slot.result
        if result is None:
            waited = time.monotonic() - slot.started
            result = probes.ProbeResult(probes.UNREACHABLE, f"no answer within {waited:.0f} s")
        seconds = (slot.finished or time.monotonic()) - slot.started
        results.append(Check(slot.name, result.status, result.detail, round(seconds, 3)))
    return results


# -- output ---------------------------------------------------------------------------------------


def render_text(results: list[Check], width: int = 80) -> str:
    """One line per check fitting `width` columns, then the full detail of every check that is
    not ok (an error message rarely fits a column)."""
    name_w = max(len(r.check) for r in results)
    status_w = max(len(probes.UNREACHABLE), *(len(r.status) for r in results))
    room = max(10, width - name_w - status_w - 4)
    lines = []
    for r in results:
        detail = r.detail if len(r.detail) <= room else r.detail[: room - 3] + "..."
        lines.append(f"{r.check:<{name_w}}  {r.status:<{status_w}}  {detail}".rstrip())
    failing = [r for r in results if r.status != OK]
    if failing:
        lines.append("")
        lines += [f"{r.check} ({r.status}): {r.detail}" for r in failing]
        lines.append(f"{len(failing)} of {len(results)} checks need attention")
    else:
        lines.append(f"all {len(results)} checks ok")
    return "\n".join(lines)
