"""What a bad-input case is, and the http fault routes both the hand-written and the generic
cases use (see cases.py for what each field promises)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

FILES = Path(__file__).resolve().parent / "files"
Files = dict[str, bytes]

# A generic case knows the input is bad but not which check a new source will stop it at
# (refused on arrival: fallback; failed to parse: failed; parsed but lost rows: held).
ANY_REJECTION = "any rejection"


@dataclass(frozen=True)
class Case:
    id: str
    source: str
    what: str  # the kind of bad input, in the words
    files: Callable[[], Files]
    outcome: str = "rejected"  # or "recovered"
    status: str = "failed"  # the source's status in the run and in `sources` (or ANY_REJECTION)
    says: tuple[str, ...] = ()
    transport: str = "dir"  # or "http"
    route: Callable[[bytes], object] | None = None  # fault route for the (first) file, http only
    clean: Callable[[], Files] | None = None  # for recovered cases: the same data, well formed
    client: dict = field(default_factory=dict)  # HttpClient overrides
    sleeps: tuple[float, ...] | None = None  # the waits the client must have asked for
    full: bool = False  # refresh every test source, not only this one (others still publish)
    defect: str = ""  # a known defect in etl/: the case is xfail(strict=True) with this reason


def html_page(_clean: bytes):
    page = (FILES / "html_error_page.html").read_bytes()
    return (200, {"Content-Type": "text/html; charset=utf-8"}, page)


def status(code: int, headers: dict | None = None) -> Callable[[bytes], object]:
    return lambda _clean: (code, {"Content-Type": "text/plain", **(headers or {})}, b"busy\n")
