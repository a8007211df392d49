"""The one HTTP client every source fetches through.

What it guarantees, per request:

- Timeouts: `connect_timeout` and `read_timeout` (longest silence between two reads), plus a
  per-request deadline `total_timeout` (default 30 x read_timeout) so a slow-drip body that keeps
  trickling bytes cannot hold the refresh forever, and an overall `deadline` (a
  `time.monotonic()` instant set with `set_deadline`: the refresh's per-source and whole-run
  deadlines) that no request, retry or backoff sleep passes. Both are checked after every chunk,
  and every socket timeout is cut to the time left, so neither is overrun by more than a moment.
  Passing a deadline is not retried.
- Retries with exponential backoff and full jitter (tenacity) on connection errors, timeouts, a
  connection dropped mid-body, 429 and 5xx. `Retry-After` (seconds or HTTP-date) is honoured,
  capped at `backoff_max`. Other 4xx are not retried, and no retry starts whose backoff sleep
  would pass the deadline. `sleep` is injectable for tests.
  `get_json` takes `before_attempt` (runs before every attempt, so a rate limiter or budget counts
  retries too) and `permanent` (a retryable-looking failure that another attempt cannot fix).
- Error text: for a 4xx/5xx the first 64 kB of the body are read and the publisher's own error
  (`{"error": {"code", "message", "details"}}` and similar, or short plain text) is appended to
  the message and kept on the exception as `publisher_code` / `publisher_message`.
- Conditional GET: If-None-Match / If-Modified-Since when given; 304 -> not_modified=True.
- Size limit: per call (`download(max_bytes=...)`, sized to the file by its `RemoteFile`), else
  `max_bytes`. A Content-Length over it is refused before the body is read, and the stream is cut
  when the bytes written pass it (the header may lie or be absent). The limit counts decoded
  bytes, so a gzip bomb (`Content-Encoding: gzip` expanding hugely) stops at it too. Bodies held
  in memory (get_json, get_text) have their own smaller limits. Passing a limit raises
  `LimitExceeded` (an `etl.limits.Refused`), naming the URL, the bytes read and the limit.
- Content check by `expect` (see `etl.content_check`): no HTML error page served as a CSV, JSON
  that parses, zip/xlsx magic bytes, required header columns.
- Streaming to `dest_dir/.<random>.part` with sha256 computed on the way, then an atomic rename to
  `<sha256>.<expect>`. A failure removes the part file; a SIGKILL can leave one behind, and
  callers clean `*.part` (TEMP_SUFFIX) at the next start.
- Hosts: every request, redirects included, must go to a host in `allowed_hosts` (when non-empty)
  or `allow_insecure_hosts`; HTTPS only, except for hosts in `allow_insecure_hosts` (an explicit
  `--mirror http://...` URL, tests on 127.0.0.1).
- Secrets (etl.redact): values of key-like query parameters (api_key, token, ...) never appear in
  exceptions, log records, `Download.url` or reprs. httpx's own request log is redacted too.
- One log line per request on the "etl.http" logger: method, redacted URL, status, bytes, duration.
The parts: `http_errors` (what fails, what a download returns), `http_attempt` (one GET under its
deadlines), `http_body` (reading a body to its limit), `http_answers` (hosts, error statuses,
transport errors), `http_retry` (backoff and giving up).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import httpx

from etl.backoff import parse_retry_after
from etl.content_check import EXPECT_KINDS
from etl.http_answers import HostPolicy
from etl.http_attempt import TEMP_SUFFIX, OneAttempt
from etl.http_body import Enough, Sink, StartSink
from etl.http_errors import Download, FetchError, LimitExceeded, RetryableError
from etl.http_retry import Retries
from etl.limits import LISTING_MAX_BYTES, MEMORY_BODY_MAX_BYTES
from etl.redact import SecretScrubber, redact

__all__ = [
    "TEMP_SUFFIX",
    "Download",
    "FetchError",
    "HttpClient",
    "LimitExceeded",
    "RetryableError",
    "parse_retry_after",
    "redact",
]

_T = TypeVar("_T")


class HttpClient:
    """See the module docstring. Use as a context manager, or call `close()`."""

    def __init__(
        self,
        *,
        allowed_hosts: Iterable[str] = (),
        allow_insecure_hosts: Iterable[str] = (),
        connect_timeout: float = 10.0,
        read_timeout: float = 60.0,
        max_bytes: int = 256 << 20,
        max_attempts: int = 5,
        backoff_base: float = 1.0,
        backoff_max: float = 60.0,
        user_agent: str = "ketamine-watch/0.1 (+public-health surveillance)",
        sleep: Callable[[float], None] = time.sleep,
        total_timeout: float | None = None,
    ) -> None:
        self.hosts = HostPolicy(allowed_hosts, allow_insecure_hosts)
        self.max_bytes = max_bytes
        self.retries = Retries(max(1, max_attempts), backoff_base, backoff_max, sleep)
        self.total_timeout = total_timeout if total_timeout is not None else 30 * read_timeout
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self._scrub = SecretScrubber()
        self._client = httpx.Client(
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout, pool=connect_timeout),
            headers={"User-Agent": user_agent},
            follow_redirects=True,
            event_hooks={"request": [self._check_request]},
        )
        self._attempt = OneAttempt(
            self._client,
            self._scrub,
            self.retries,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            total_timeout=self.total_timeout,
        )

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def __repr__(self) -> str:
        hosts = sorted(self.hosts.allowed | self.hosts.insecure)
        return f"HttpClient(allowed_hosts={hosts!r})"

    @property
    def allowed_hosts(self) -> frozenset[str]:
        return self.hosts.allowed

    def set_deadline(self, at: float | None, reason: str = "deadline") -> None:
        """No request, retry or backoff sleep goes past `at` (time.monotonic()); `reason` names
        it in messages ("the source deadline of 1800 s")."""
        self.retries.deadline = at
        self.retries.deadline_reason = reason

    # -- public API ---------------------------------------------------------------------------

    def download(
        self,
        url: str,
        dest_dir: Path,
        *,
        expect: str,
        header: Sequence[str] = (),
        params: Mapping[str, str] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        max_bytes: int | None = None,
    ) -> Download:
        """Stream `url` to `dest_dir/<sha256>.<expect>` after checking it is what we expect;
        refused past `max_bytes` (default: the client's `max_bytes`)."""
        if expect not in EXPECT_KINDS:
            raise ValueError(f"expect must be one of {EXPECT_KINDS}, not {expect!r}")
        self._scrub.remember(params)
        conditional: dict[str, str] = {}
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        dest_dir = Path(dest_dir)
        dest_dir.mkdir(parents=True, exist_ok=True)

        limit = max_bytes if max_bytes is not None else self.max_bytes

        def attempt() -> Download:
            return self._attempt.download(
                url, dest_dir, expect, tuple(header), params, conditional, limit
            )

        return self._with_retries(url, params, attempt)

    def get_json(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        before_attempt: Callable[[], None] | None = None,
        permanent: Callable[[FetchError], bool] | None = None,
        max_bytes: int = MEMORY_BODY_MAX_BYTES,
    ) -> Any:
        """GET `url` and return the parsed JSON body (same retries, limits and checks).

        `before_attempt` runs before every attempt, retries included (a rate limiter or a
        request budget counts each one; an exception from it stops the fetch). `permanent` says
        of a retryable failure (429, 5xx, connection) that another attempt cannot help: it is
        raised at once.
        """
        self._scrub.remember(params)

        def attempt() -> Any:
            if before_attempt is not None:
                before_attempt()
            return self._attempt.get_json(url, params, min(max_bytes, self.max_bytes))

        return self._with_retries(url, params, attempt, permanent=permanent)

    def get_text(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        max_bytes: int = LISTING_MAX_BYTES,
    ) -> str:
        """GET `url` and return the body as text (an http mirror's directory listing), with the
        same retries, limits and host checks; no content check (a listing is HTML)."""
        self._scrub.remember(params)

        def attempt() -> str:
            sink = Sink(None)
            self._attempt.stream(url, params, {}, sink, min(max_bytes, self.max_bytes))
            return b"".join(sink.chunks).decode("utf-8", errors="replace")

        return self._with_retries(url, params, attempt)

    def get_start(
        self, url: str, *, size: int = 8192, params: Mapping[str, str] | None = None
    ) -> bytes:
        """The first `size` bytes of `url` (a ranged GET, cut off at `size` bytes if the server
        ignores the range): enough to check a file's header or magic bytes without downloading
        it. Same retries, limits and host checks; no content check."""
        self._scrub.remember(params)

        def attempt() -> bytes:
            sink = StartSink(size)
            with contextlib.suppress(Enough):
                self._attempt.stream(
                    url, params, {"Range": f"bytes=0-{size - 1}"}, sink, self.max_bytes
                )
            return b"".join(sink.chunks)[:size]

        return self._with_retries(url, params, attempt)

    # -- retries, hosts, secrets --------------------------------------------------------------

    def _with_retries(
        self,
        url: str,
        params: Mapping[str, str] | None,
        attempt: Callable[[], _T],
        *,
        permanent: Callable[[FetchError], bool] | None = None,
    ) -> _T:
        return self.retries.run(self._checked_url(url, params), attempt, permanent)

    def _checked_url(self, url: str, params: Mapping[str, str] | None) -> str:
        """The URL as shown in messages (secrets scrubbed), once it is known to be allowed."""
        try:
            target = httpx.URL(url, params=params) if params else httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise FetchError(
                f"invalid URL {self._scrub(url)}: {exc}", url=self._scrub(url)
            ) from None
        shown = self._scrub(str(target))
        self.hosts.check(target, shown)
        return shown

    def _check_request(self, request: httpx.Request) -> None:
        self.hosts.check(request.url, self._scrub(str(request.url)))
