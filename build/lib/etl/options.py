"""How one refresh runs: where files come from, where the warehouse is, the deadlines, and
whether a shrink is accepted.

Its own module so that the refresh (etl.refresh) and the download (etl.fetch) both read it
without importing each other. Holds settings only: nothing here touches disk or network.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from etl.limits import DEFAULT_RUN_DEADLINE, DEFAULT_SOURCE_DEADLINE

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_SEED_DIR = DEFAULT_DATA_DIR / "seed"


@dataclass(frozen=True)
class RefreshOptions:
    mode: str = "online"  # "online", "offline" or "mirror"
    mirror: str | None = None
    data_dir: Path = DEFAULT_DATA_DIR
    seed_dir: Path = DEFAULT_SEED_DIR
    # Publish the selected sources' new rows even where they lose published data (once).
    accept_shrink: bool = False
    deadline: float = DEFAULT_RUN_DEADLINE  # seconds for the whole run, from `started`
    source_deadline: float = DEFAULT_SOURCE_DEADLINE  # seconds for one source's fetch
    started: float | None = None  # time.monotonic() when the run began; refresh() sets it


def origins_for(options: RefreshOptions) -> list[str]:
    """Where a source's files are looked for, in order; the first that loads wins."""
    if options.mode == "offline":
        return ["snapshot", "seed"]
    if options.mode == "mirror":
        return ["mirror", "snapshot", "seed"]
    return ["live", "snapshot", "seed"]
