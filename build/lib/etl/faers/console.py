"""What the CLI shows and sets for FAERS: the quarter window options, a progress bar per phase
(download, load) with an ETA, and the quarters the published warehouse holds, with any gap."""

from __future__ import annotations

import os
from collections.abc import Callable

import duckdb
from rich.progress import Progress, TaskID

from etl.faers.remote import FROM_ENV, QUARTERS_ENV, window

PHASES = {"download": "FAERS download", "load": "FAERS load"}


def set_window(first: str | None, count: int | None) -> None:
    """`--faers-from` / `--faers-quarters` for this process (the fetch and the load read them);
    a bad value raises ValueError naming the option's variable, and nothing is set."""
    settings = dict(os.environ)
    if first:
        settings[FROM_ENV] = first.strip().upper()
    if count is not None:
        settings[QUARTERS_ENV] = str(count)
    window(settings)  # validates both
    os.environ.update({k: settings[k] for k in (FROM_ENV, QUARTERS_ENV) if k in settings})


def listener(progress: Progress) -> Callable[[str, str, int, int], None]:
    """A progress.listen() callback drawing one bar per phase on `progress`: done/total
    quarters, the quarter under way, elapsed time and ETA."""
    tasks: dict[str, TaskID] = {}

    def on_report(phase: str, quarter: str, done: int, total: int) -> None:
        label = PHASES.get(phase, phase)
        if phase not in tasks:
            tasks[phase] = progress.add_task(label, total=total)
        what = f"{label} {quarter}" if done < total else f"{label}: {total} quarters"
        progress.update(tasks[phase], completed=done, total=total, description=what)

    return on_report


def quarter_labels(first: str, last: str) -> list[str]:
    """Every quarter label from `first` to `last`, inclusive."""
    y, q = int(first[:4]), int(first[-1])
    out = []
    while f"{y}Q{q}" <= last:
        out.append(f"{y}Q{q}")
        y, q = (y + 1, 1) if q == 4 else (y, q + 1)
    return out


def gaps(held: list[str]) -> list[str]:
    """Quarters missing between the first and the last held."""
    if not held:
        return []
    have = set(held)
    return [x for x in quarter_labels(min(held), max(held)) if x not in have]


def held_line(con: duckdb.DuckDBPyConnection) -> str | None:
    """'FAERS quarters held: 2004Q1–2024Q2 (82); gaps: none', from the published warehouse."""
    try:
        rows = con.execute("SELECT quarter FROM faers_loaded_quarters ORDER BY 1").fetchall()
    except duckdb.Error:
        return None
    held = [q for (q,) in rows]
    if not held:
        return "FAERS quarters held: none"
    missing = gaps(held)
    shown = ", ".join(missing[:12]) + (
        f" and {len(missing) - 12} more" if len(missing) > 12 else ""
    )
    return (
        f"FAERS quarters held: {held[0]}–{held[-1]} ({len(held)}); "
        f"gaps: {shown if missing else 'none'}"
    )
