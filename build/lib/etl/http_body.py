"""Reading one response body: into a file or memory (`Sink`), or only its first bytes
(`StartSink`), stopping at the size limit or the deadline, with one log line per request."""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any

import httpx

from etl.http_errors import FetchError, LimitExceeded

log = logging.getLogger("etl.http")


def log_request(shown: str, status: int | None, size: int, duration: float) -> None:
    """One line per GET, with the same fields as `extra` for structured handlers."""
    log.info(
        "GET %s -> %s, %d bytes, %.2f s",
        shown,
        status if status is not None else "no response",
        size,
        duration,
        extra={
            "method": "GET",
            "url": shown,
            "status": status,
            "bytes": size,
            "duration_s": round(duration, 3),
        },
    )


def refuse_declared_size(response: httpx.Response, shown: str, limit: int) -> None:
    """Refuse a body whose Content-Length is over the limit before reading any of it."""
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise LimitExceeded(
            f"GET {shown}: Content-Length {declared} exceeds the limit of {limit} "
            "bytes; not downloaded",
            url=shown,
            status=response.status_code,
        )


def read_body(
    response: httpx.Response,
    sink: Sink,
    limit: int,
    shown: str,
    started: float,
    ends: float,
    why: str,
) -> None:
    """Stream the body into `sink`, stopping at the size limit or the deadline."""
    status = response.status_code
    encoding = response.headers.get("Content-Encoding", "")
    for chunk in response.iter_bytes():
        sink.write(chunk)
        if sink.size > limit:
            decoded = f" (decoded from Content-Encoding: {encoding})" if encoding else ""
            raise LimitExceeded(
                f"GET {shown}: body passed the limit of {limit} bytes: "
                f"{sink.size} bytes read{decoded}; stopped",
                url=shown,
                status=status,
            )
        now = time.monotonic()
        if now > ends:
            raise FetchError(
                f"GET {shown}: body not complete after {now - started:.1f} s "
                f"({why}), {sink.size} bytes read; stopped",
                url=shown,
                status=status,
                transient=True,
            )
    if sink.size == 0 and status != 204:
        raise FetchError(f"GET {shown}: empty body", url=shown, status=status)


class Sink:
    """Where body bytes go: a file (download) or memory (get_json); counts and hashes them."""

    def __init__(self, out: Any) -> None:
        self.out = out
        self.chunks: list[bytes] = []
        self.size = 0
        self.sha256 = hashlib.sha256()

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        self.sha256.update(chunk)
        if self.out is None:
            self.chunks.append(chunk)
        else:
            self.out.write(chunk)


class Enough(Exception):
    """Raised by `StartSink` once it holds what was asked for: stops reading the body."""


class StartSink(Sink):
    def __init__(self, limit: int) -> None:
        super().__init__(None)
        self.limit = limit

    def write(self, chunk: bytes) -> None:
        super().write(chunk)
        if self.size >= self.limit:
            raise Enough
