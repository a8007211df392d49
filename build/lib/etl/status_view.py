"""`ketamine-watch status` as text that fits an 80-column terminal: one line per source (id,
status, origin, rows, last refresh, and the vintage or the first words of the message), then
what needs attention. A source's message can run to a paragraph; it is printed in full only for
`status SOURCE` or `status --verbose`. Pure formatting: the CLI reads the rows and prints.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple


class SourceStatus(NamedTuple):
    id: str
    status: str | None
    origin: str | None
    vintage: str | None
    rows: int | None
    last_refresh: datetime | None
    message: str | None


WIDTH = 80
ID_WIDTH = 18
HEADER = f"{'source':<{ID_WIDTH}} {'status':<8} {'origin':<8} {'rows':>7} {'last refresh':<16} note"


def clip(text: str, width: int) -> str:
    """One line of at most `width` characters ('…' when cut)."""
    line = re.sub(r"\s+", " ", text).strip()
    return line if len(line) <= width else line[: max(width - 1, 0)].rstrip() + "…"


def warehouse_line(path: object, width: int = WIDTH) -> str:
    """'warehouse: PATH', the path cut from the left ('…') when it would not fit."""
    text, room = str(path), width - len("warehouse: ")
    return "warehouse: " + (text if len(text) <= room else "…" + text[-(room - 1) :])


def note(row: SourceStatus) -> str:
    """The vintage of a healthy source; otherwise the message without its 'source:' prefix."""
    if row.status == "ok" or not row.message:
        return row.vintage or ""
    return str(row.message).removeprefix(f"{row.id}: ")


def line(row: SourceStatus, width: int = WIDTH) -> str:
    when = row.last_refresh.strftime("%Y-%m-%d %H:%M") if row.last_refresh else "never"
    head = (
        f"{clip(row.id, ID_WIDTH):<{ID_WIDTH}} {row.status or '':<8} {row.origin or '-':<8} "
        f"{int(row.rows or 0):>7,} {when:<16} "
    )
    return head + clip(note(row), width - len(head))


def summary(rows: Sequence[SourceStatus], alerting: Sequence[str], width: int = WIDTH) -> list[str]:
    """The table's lines and, when sources alert, which ones and how to read their messages."""
    lines = [HEADER, *(line(r, width) for r in rows)]
    failed = [r.id for r in rows if r.status in alerting]
    if failed:
        lines.append(
            clip("needs attention (failed, held or fell back): " + ", ".join(failed), width)
        )
    if any(r.status != "ok" and r.message for r in rows):
        lines.append("full messages: ketamine-watch status SOURCE, or status --verbose")
    return lines


def detail(row: SourceStatus, width: int = WIDTH) -> list[str]:
    """Every field of one source, its message in full, wrapped to `width`."""
    when = row.last_refresh.strftime("%Y-%m-%d %H:%M UTC") if row.last_refresh else "never"
    fields = [
        ("source", row.id),
        ("status", row.status or ""),
        ("origin", row.origin or "-"),
        ("rows", f"{int(row.rows or 0):,}"),
        ("last refresh", when),
        ("vintage", row.vintage or ""),
        ("message", row.message or ""),
    ]
    out = []
    for name, value in fields:
        out += textwrap.wrap(f"{name + ':':<14}{value}", width, subsequent_indent=" " * 14) or [
            f"{name}:"
        ]
    return out
