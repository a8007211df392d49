"""Is a downloaded file what its source expects? Used by `etl.http` before a file is kept.

Checks, by `expect`:

- csv / tsv / txt / json: not an HTML page (publishers answer a moved file with an HTML error or
  landing page and status 200); the test looks past a UTF-8 BOM and leading whitespace.
- json: parses (files up to 64 MiB; larger ones must at least start with `{` or `[`).
- xlsx / zip: starts with the zip magic `PK\\x03\\x04`.
- html (a publisher whose data page is HTML, like SAMHSA's detailed tables): it is an HTML
  document, and with `header` every listed phrase appears in its first 64 kB, so a landing or
  error page that is HTML too is still told apart.
- csv / tsv / txt with `header`: one of the first 10 lines holds every required column name
  (case-insensitive, split on , tab $ | ;), so a short title block above the header is allowed.
  A required name ending in `_` (`Tot_Clms_`) matches any column it starts (`Tot_Clms_2022`).
  Otherwise the problem names the missing columns as seen on the first line.

Each check returns a problem string, or None when the file is fine.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

EXPECT_KINDS: tuple[str, ...] = ("csv", "tsv", "txt", "json", "xlsx", "zip", "html")
_TEXT_KINDS = ("csv", "tsv", "txt", "json")
_HEAD_BYTES = 64 * 1024
_JSON_PARSE_LIMIT = 64 * 1024 * 1024
_HEADER_LINES = 10
_SPLIT = re.compile(r"[,\t$|;]")


def check_content(path: Path, *, expect: str, header: Sequence[str] = ()) -> str | None:
    """Return what is wrong with `path` as a file of kind `expect`, or None if it looks right."""
    with path.open("rb") as f:
        head = f.read(_HEAD_BYTES)
    if not head:
        return "empty body"
    if expect in ("xlsx", "zip"):
        if not head.startswith(b"PK\x03\x04"):
            return (
                f"expected {expect} (a zip archive) but the body does not start with PK\\x03\\x04"
            )
        return None
    if expect == "html":
        return _check_html_page(head, header)
    if expect in _TEXT_KINDS and looks_like_html(head):
        return f"expected {expect} but got an HTML page (an error or landing page?)"
    if expect == "json":
        return _check_json(path, head)
    if header:
        return check_header(head, header)
    return None


def _check_html_page(head: bytes, phrases: Sequence[str]) -> str | None:
    if not looks_like_html(head):
        return "expected an HTML page but the body does not start like one"
    text = head.decode("utf-8", errors="replace").lower()
    missing = [p for p in phrases if p.lower() not in text]
    if missing:
        return f"HTML page does not say {', '.join(repr(p) for p in missing)} in its first 64 kB"
    return None


def looks_like_html(head: bytes) -> bool:
    """True when the bytes start (after BOM and whitespace) like an HTML document."""
    start = head.lstrip(b"\xef\xbb\xbf").lstrip().lower()
    return start.startswith((b"<!doctype html", b"<html"))


def check_header(head: bytes, header: Sequence[str]) -> str | None:
    """Problem string if no early line of `head` contains all of `header`, else None."""
    text = head.decode("utf-8-sig", errors="replace")
    lines = text.splitlines()[:_HEADER_LINES] or [""]
    wanted = [h.strip().lower() for h in header]
    for line in lines:
        cells = {c.strip().strip("\"'").strip().lower() for c in _SPLIT.split(line)}
        if all(_has(cells, w) for w in wanted):
            return None
    first = {c.strip().strip("\"'").strip().lower() for c in _SPLIT.split(lines[0])}
    missing = [h for h, w in zip(header, wanted, strict=True) if not _has(first, w)]
    shown = lines[0][:120]
    return f"header is missing column(s) {', '.join(missing)} (first line: {shown!r})"


def _has(cells: set[str], wanted: str) -> bool:
    """A column named `wanted`; a name ending in `_` (`Tot_Clms_`) is a prefix of a column group
    (`Tot_Clms_2022`), as in `RemoteFile.header`."""
    if wanted.endswith("_"):
        return any(cell.startswith(wanted) for cell in cells)
    return wanted in cells


def _check_json(path: Path, head: bytes) -> str | None:
    start = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if not start.startswith((b"{", b"[")):
        return f"expected json but the body starts with {start[:20]!r}"
    if path.stat().st_size > _JSON_PARSE_LIMIT:
        return None
    try:
        json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        return f"expected json but it does not parse: {exc}"
    return None
