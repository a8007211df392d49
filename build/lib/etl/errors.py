"""The error a source raises when a raw file is not what it expects.

Its own module (re-exported by etl.contract, where sources import it) so that etl.limits can
build on it without importing the contract, which names etl.http's client: that made a circle
contract -> http -> limits -> contract.
"""

from __future__ import annotations

from pathlib import Path


class ParseError(ValueError):
    """A raw file is not what its source expects. The message names the file and, where it
    applies, the line; the refresh adds the source id."""

    def __init__(self, message: str, *, file: Path | str | None = None, line: int | None = None):
        self.file = str(file) if file is not None else None
        self.line = line
        where = ""
        if file is not None:
            where = f"{Path(file).name}"
            if line is not None:
                where += f", line {line}"
            where += ": "
        super().__init__(f"{where}{message}")
