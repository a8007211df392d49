"""Progress of the FAERS download and load, quarter by quarter, for whoever shows it.

The loader and the fetch call `report(phase, quarter, done, total)`; the CLI listens (a rich
progress bar with an ETA, etl/cli.py) while a refresh runs. Nobody listening costs nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

Listener = Callable[[str, str, int, int], None]  # (phase, quarter label, done, total)
_listeners: list[Listener] = []


@contextlib.contextmanager
def listen(listener: Listener) -> Iterator[None]:
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


def report(phase: str, quarter: str, done: int, total: int) -> None:
    """`done` of `total` quarters finished in `phase` ('download' or 'load'); `quarter` is the
    one under way (or the last one, when done == total)."""
    for listener in list(_listeners):
        listener(phase, quarter, done, total)


def loader(phase: str = "load") -> Callable[[str, int, int], None]:
    """A progress callback for etl.faers.load.load_quarters."""
    return lambda quarter, done, total: report(phase, quarter, done, total)
