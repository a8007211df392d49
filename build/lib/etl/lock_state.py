"""Whether a refresh holds the lock, read without taking it: Linux /proc/locks where it names the
file, otherwise a shared lock tried for an instant; and how long the holder has held it (from the
"pid N since <time>" the refresh writes into the lock file)."""

from __future__ import annotations

import fcntl
import os
from datetime import UTC, datetime
from pathlib import Path


def lock_held(lock: Path) -> bool:
    """Whether some process holds the refresh's flock, read from /proc/locks where it exists.

    /proc/locks names a file by device and inode. Where its device number differs from what
    stat() says (btrfs subvolumes, some overlay filesystems) but the inode has a flock, or where
    there is no /proc, a shared lock is tried for an instant instead (a refresh starting in that
    instant would find the lock taken and exit 2)."""
    st = lock.stat()
    ident = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    try:
        table = Path("/proc/locks").read_text()
    except OSError:
        return try_shared_lock(lock)
    rows = [line.split() for line in table.splitlines()]
    held = [f[5] for f in rows if len(f) > 5 and f[1] == "FLOCK"]  # "->" rows are waiters
    if ident in held:
        return True
    if any(entry.rsplit(":", 1)[-1] == str(st.st_ino) for entry in held):
        return try_shared_lock(lock)
    return False


def try_shared_lock(lock: Path) -> bool:
    with lock.open("r") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def holder_age(holder: str) -> float | None:
    try:
        since = datetime.fromisoformat(holder.rsplit(" since ", 1)[1])
    except (IndexError, ValueError):
        return None
    return (datetime.now(UTC) - since).total_seconds()
