"""The bounds every refresh keeps: file sizes, unpacked sizes, cells, deadlines, message length.

A hostile or broken publisher file (an endless body, a gzip or zip bomb, a sheet of a million
padded rows, a FIFO or a symlink to /etc/passwd in a mirror) must stop at a limit with a message
that names the file, the value and the limit, never exhaust memory, disk or time.

- `Refused` marks an error raised because a file passed a limit or is not a regular file inside
  the mirror. The refresh treats it like a file that fails to parse: the source is `failed` and
  keeps its previously published rows, rather than falling back to an older origin as it does
  when a publisher is merely unavailable.
- Per-file download limits are `RemoteFile.max_bytes` (default by kind, `DEFAULT_MAX_BYTES`).
- Deadlines are in seconds; `RefreshOptions` carries the whole-run and per-source ones.

Caveat: these are limits on what one file may cost, sized from today's publisher files with a
wide margin (FAERS quarter zips are 60-90 MB and unpack to under 1 GB). A publisher that grows
past one is refused with a message saying which limit to raise.
"""

from __future__ import annotations

from etl.errors import ParseError

# Download limit per file kind when a RemoteFile does not set its own `max_bytes`.
DEFAULT_MAX_BYTES: dict[str, int] = {
    "csv": 64 << 20,
    "tsv": 64 << 20,
    "txt": 64 << 20,
    "json": 64 << 20,
    "xlsx": 32 << 20,
    "zip": 256 << 20,
    "folder": 256 << 20,
}
# Bodies held in memory rather than streamed to disk: an API page (get_json), a mirror's
# directory index (get_text).
MEMORY_BODY_MAX_BYTES = 32 << 20
LISTING_MAX_BYTES = 8 << 20

# A zip (FAERS quarter) may unpack to at most this many bytes in all, and at most
# UNZIP_MAX_RATIO times its own size (real FAERS zips unpack about 8x; a bomb, 1000x).
UNZIP_MAX_BYTES = 2 << 30
UNZIP_MAX_RATIO = 100
UNZIP_MIN_ALLOWANCE = 64 << 20  # a tiny zip may still unpack this much

# An xlsx workbook: its parts unpacked (sheet XML, shared strings), and the cells read. ONS's
# 2022 workbook unpacks to 1.6 MB and its largest sheet has about 3,300 cells; 2 million cells
# took 130 s and 290 MB to read on a busy 2-core machine.
XLSX_MAX_UNPACKED = 64 << 20
XLSX_MAX_CELLS = 500_000

# Seconds.
DEFAULT_RUN_DEADLINE = 3 * 3600.0
DEFAULT_SOURCE_DEADLINE = 30 * 60.0

EXCERPT_CHARS = 120
MESSAGE_CHARS = 2000


class Refused(Exception):
    """Marker: a file was refused because it passed a limit or is not a safe regular file."""


class RefusedFile(ParseError, Refused):
    """A local file (mirror entry, zip member, sheet) refused; names the file like ParseError."""


def excerpt(text: object, limit: int = EXCERPT_CHARS) -> str:
    """At most `limit` characters of `text`, saying how much was left out."""
    value = str(text)
    if len(value) <= limit:
        return value
    return f"{value[:limit]}… ({len(value) - limit} more characters)"


def unzip_allowance(zip_size: int) -> int:
    """How many bytes a zip of `zip_size` bytes may unpack to."""
    return min(UNZIP_MAX_BYTES, max(UNZIP_MIN_ALLOWANCE, UNZIP_MAX_RATIO * zip_size))


def max_bytes_for(kind: str, declared: int | None) -> int:
    return declared if declared is not None else DEFAULT_MAX_BYTES.get(kind, 64 << 20)
