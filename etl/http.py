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
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import tenacity

from etl.backoff import backoff_delay, parse_retry_after
from etl.content_check import EXPECT_KINDS, check_content, looks_like_html
from etl.limits import LISTING_MAX_BYTES, MEMORY_BODY_MAX_BYTES, Refused
from etl.publisher_errors import ERROR_BODY_LIMIT, publisher_error
from etl.redact import SecretScrubber, redact

__all__ = [
    "TEMP_SUFFIX",
    "Download",
    "FetchError",
    "HttpClient",
    "LimitExceeded",
    "parse_retry_after",
    "redact",
]

log = logging.getLogger("etl.http")
TEMP_SUFFIX = ".part"
_T = TypeVar("_T")


class FetchError(Exception):
    """A fetch failed. The message names the (redacted) URL and what went wrong.

    For an HTTP error status, `publisher_code` and `publisher_message` carry the publisher's own
    error text when its body says one (e.g. openFDA's `{"error": {"code": "NOT_FOUND",
    "message": "No matches found!"}}`); the message ends with that text too.
    """

    def __init__(
        self,
        message: str,
        *,
        url: str,
        status: int | None = None,
        publisher_code: str | None = None,
        publisher_message: str | None = None,
        transient: bool = False,
    ) -> None:
        super().__init__(message)
        self.url = url
        self.status = status
        self.publisher_code = publisher_code
        self.publisher_message = publisher_message
        # A failure another attempt might cure (connection, timeout, 429, 5xx), kept after the
        # retries give up, so a caller can tell "unreachable" from "answered, but wrongly".
        self.transient = transient

    def reworded(self, message: str) -> FetchError:
        """The same failure (URL, status, publisher's text, transient or not) with a new message."""
        return FetchError(
            message,
            url=self.url,
            status=self.status,
            publisher_code=self.publisher_code,
            publisher_message=self.publisher_message,
            transient=self.transient,
        )


class _Retryable(FetchError):
    """A failure worth another attempt; `retry_after` is the server's requested wait, if any."""

    def __init__(
        self,
        message: str,
        *,
        url: str,
        status: int | None = None,
        retry_after: float | None = None,
        publisher_code: str | None = None,
        publisher_message: str | None = None,
    ) -> None:
        super().__init__(
            message,
            url=url,
            status=status,
            publisher_code=publisher_code,
            publisher_message=publisher_message,
            transient=True,
        )
        self.retry_after = retry_after


class LimitExceeded(FetchError, Refused):
    """A body passed its size limit: refused, not retried."""


@dataclass(frozen=True)
class Download:
    url: str  # final URL (after redirects) with secrets redacted
    path: Path | None  # file written (None when not_modified)
    sha256: str | None
    size: int
    etag: str | None
    last_modified: str | None
    content_type: str | None
    not_modified: bool  # the server said 304 to our conditional GET


def _log_request(shown: str, status: int | None, size: int, duration: float) -> None:
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


def _refuse_declared_size(response: httpx.Response, shown: str, limit: int) -> None:
    """Refuse a body whose Content-Length is over the limit before reading any of it."""
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise LimitExceeded(
            f"GET {shown}: Content-Length {declared} exceeds the limit of {limit} "
            "bytes; not downloaded",
            url=shown,
            status=response.status_code,
        )


def _read_body(
    response: httpx.Response,
    sink: _Sink,
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
        self.allowed_hosts = frozenset(h.lower() for h in allowed_hosts)
        self.allow_insecure_hosts = frozenset(h.lower() for h in allow_insecure_hosts)
        self.max_bytes = max_bytes
        self.max_attempts = max(1, max_attempts)
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.total_timeout = total_timeout if total_timeout is not None else 30 * read_timeout
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.deadline: float | None = None  # a time.monotonic() instant; see set_deadline
        self.deadline_reason = ""
        self._sleep = sleep
        self._scrub = SecretScrubber()
        self._client = httpx.Client(
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout, pool=connect_timeout),
            headers={"User-Agent": user_agent},
            follow_redirects=True,
            event_hooks={"request": [self._check_request]},
        )

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def __repr__(self) -> str:
        hosts = sorted(self.allowed_hosts | self.allow_insecure_hosts)
        return f"HttpClient(allowed_hosts={hosts!r})"

    def set_deadline(self, at: float | None, reason: str = "deadline") -> None:
        """No request, retry or backoff sleep goes past `at` (time.monotonic()); `reason` names
        it in messages ("the source deadline of 1800 s")."""
        self.deadline = at
        self.deadline_reason = reason

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
            return self._download_once(
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
            return self._get_json_once(url, params, min(max_bytes, self.max_bytes))

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
            sink = _Sink(None)
            self._stream(url, params, {}, sink, min(max_bytes, self.max_bytes))
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
            sink = _StartSink(size)
            with contextlib.suppress(_Enough):
                self._stream(url, params, {"Range": f"bytes=0-{size - 1}"}, sink, self.max_bytes)
            return b"".join(sink.chunks)[:size]

        return self._with_retries(url, params, attempt)

    # -- one attempt --------------------------------------------------------------------------

    def _download_once(
        self,
        url: str,
        dest_dir: Path,
        expect: str,
        header: tuple[str, ...],
        params: Mapping[str, str] | None,
        conditional: Mapping[str, str],
        limit: int,
    ) -> Download:
        fd, tmp_name = tempfile.mkstemp(prefix=".download-", suffix=TEMP_SUFFIX, dir=dest_dir)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                sink = _Sink(out)
                response = self._stream(url, params, conditional, sink, limit)
            final_url = self._scrub(str(response.url))
            meta = dict(
                url=final_url,
                etag=response.headers.get("ETag"),
                last_modified=response.headers.get("Last-Modified"),
                content_type=response.headers.get("Content-Type"),
            )
            if response.status_code == 304:
                tmp.unlink()
                return Download(path=None, sha256=None, size=0, not_modified=True, **meta)
            problem = check_content(tmp, expect=expect, header=header)
            if problem:
                raise FetchError(
                    f"GET {final_url}: {problem}", url=final_url, status=response.status_code
                )
            digest = sink.sha256.hexdigest()
            path = dest_dir / f"{digest}.{expect}"
            os.replace(tmp, path)
            return Download(path=path, sha256=digest, size=sink.size, not_modified=False, **meta)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()

    def _get_json_once(self, url: str, params: Mapping[str, str] | None, limit: int) -> Any:
        sink = _Sink(None)
        response = self._stream(url, params, {}, sink, limit)
        final_url = self._scrub(str(response.url))
        body = b"".join(sink.chunks)
        try:
            return json.loads(body.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            what = "an HTML page" if looks_like_html(body[:1024]) else "not JSON"
            msg = (
                f"GET {final_url}: expected JSON but the body is {what} ({exc.__class__.__name__})"
            )
            raise FetchError(msg, url=final_url, status=response.status_code) from None

    def _stream(
        self,
        url: str,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str],
        sink: _Sink,
        limit: int,
    ) -> httpx.Response:
        """One GET: status handling, size limit, deadlines, body into `sink`. Logs one line."""
        # httpx.URL(url, params=None) drops the URL's own query (ONS's `file?uri=...`), which
        # the request itself keeps; show what is sent.
        shown = self._scrub(str(httpx.URL(url, params=params) if params else httpx.URL(url)))
        started = time.monotonic()
        ends, why = self._request_deadline(started)
        status: int | None = None
        left = ends - started
        if left <= 0:
            raise FetchError(
                f"GET {shown}: not started, {why} has passed", url=shown, transient=True
            )
        timeout = httpx.Timeout(
            min(self.read_timeout, left), connect=min(self.connect_timeout, left)
        )
        try:
            with self._client.stream(
                "GET", url, params=params, headers=headers, timeout=timeout
            ) as response:
                status = response.status_code
                shown = self._scrub(str(response.url))
                self._check_status(response, shown)
                if status == 304:
                    return response
                _refuse_declared_size(response, shown, limit)
                _read_body(response, sink, limit, shown, started, ends, why)
                return response
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, shown, status, started, ends, why) from None
        finally:
            _log_request(shown, status, sink.size, time.monotonic() - started)

    def _request_deadline(self, started: float) -> tuple[float, str]:
        """The earlier of this request's own deadline and the client's overall one, and its name."""
        ends, why = (
            started + self.total_timeout,
            f"whole-body deadline of {self.total_timeout:g} s",
        )
        if self.deadline is not None and self.deadline < ends:
            ends, why = self.deadline, self.deadline_reason
        return ends, why

    def _transport_error(
        self,
        exc: httpx.HTTPError,
        shown: str,
        status: int | None,
        started: float,
        ends: float,
        why: str,
    ) -> FetchError:
        """The FetchError to raise for an httpx error: retryable unless the deadline cut it."""
        kind = exc.__class__.__name__
        msg = f"GET {shown}: {kind}: {self._scrub(str(exc)) or kind}"
        if time.monotonic() >= ends:  # the timeout was cut to the deadline: do not retry
            msg = f"{msg} ({why} reached after {time.monotonic() - started:.1f} s)"
            return FetchError(msg, url=shown, status=status, transient=True)
        if isinstance(exc, httpx.TransportError):  # connection, timeout, dropped mid-body
            return _Retryable(msg, url=shown, status=status)
        return FetchError(msg, url=shown, status=status)

    def _check_status(self, response: httpx.Response, shown: str) -> None:
        status = response.status_code
        failed = status == 429 or status >= 400 or (300 <= status < 400 and status != 304)
        if not failed:
            return
        msg = f"GET {shown}: HTTP {status} {response.reason_phrase}".rstrip()
        code, message, text = self._error_text(response) if status >= 400 else (None, None, "")
        if text:
            msg = f"{msg}: {text}"
        said = {"publisher_code": code, "publisher_message": message}
        if status == 429 or status >= 500:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            raise _Retryable(msg, url=shown, status=status, retry_after=retry_after, **said)
        raise FetchError(msg, url=shown, status=status, **said)

    def _error_text(self, response: httpx.Response) -> tuple[str | None, str | None, str]:
        """The publisher's own error text from the first ERROR_BODY_LIMIT bytes (secrets
        redacted); nothing when the body cannot be read."""
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size >= ERROR_BODY_LIMIT:
                    break
        except httpx.HTTPError:
            return None, None, ""
        code, message, text = publisher_error(b"".join(chunks)[:ERROR_BODY_LIMIT])
        return code, message and self._scrub(message), self._scrub(text)

    # -- retries, hosts, secrets --------------------------------------------------------------

    def _with_retries(
        self,
        url: str,
        params: Mapping[str, str] | None,
        attempt: Callable[[], _T],
        *,
        permanent: Callable[[FetchError], bool] | None = None,
    ) -> _T:
        shown = self._checked_url(url, params)
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.max_attempts) | self._stop_at_deadline,
            wait=self._wait,
            retry=tenacity.retry_if_exception(
                lambda exc: isinstance(exc, _Retryable) and not (permanent and permanent(exc))
            ),
            sleep=self._sleep,
            before_sleep=lambda state: log.warning(
                "retrying %s in %.1f s (attempt %d of %d failed: %s)",
                shown,
                state.upcoming_sleep,
                state.attempt_number,
                self.max_attempts,
                state.outcome.exception() if state.outcome else "?",
            ),
            reraise=False,
        )
        try:
            return retrying(attempt)
        except tenacity.RetryError as exc:
            raise self._gave_up(exc) from None

    def _checked_url(self, url: str, params: Mapping[str, str] | None) -> str:
        """The URL as shown in messages (secrets scrubbed), once it is known to be allowed."""
        try:
            target = httpx.URL(url, params=params) if params else httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise FetchError(
                f"invalid URL {self._scrub(url)}: {exc}", url=self._scrub(url)
            ) from None
        shown = self._scrub(str(target))
        self._check_url(target, shown)
        return shown

    def _gave_up(self, exc: tenacity.RetryError) -> FetchError:
        """The last attempt's error, saying how many attempts were made and why no more."""
        last = exc.last_attempt.exception()
        assert isinstance(last, FetchError)
        tried = exc.last_attempt.attempt_number
        why = "" if tried >= self.max_attempts else f"; {self.deadline_reason} is near"
        return last.reworded(f"{last} (gave up after {tried} attempt(s){why})")

    def _stop_at_deadline(self, state: tenacity.RetryCallState) -> bool:
        """No retry whose backoff sleep would end past the deadline (tenacity computes the
        upcoming sleep before asking whether to stop)."""
        if self.deadline is None:
            return False
        return time.monotonic() + (state.upcoming_sleep or 0.0) >= self.deadline

    def _wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        retry_after = exc.retry_after if isinstance(exc, _Retryable) else None
        return backoff_delay(
            state.attempt_number,
            retry_after=retry_after,
            base=self.backoff_base,
            cap=self.backoff_max,
        )

    def _check_request(self, request: httpx.Request) -> None:
        self._check_url(request.url, self._scrub(str(request.url)))

    def _check_url(self, url: httpx.URL, shown: str) -> None:
        host = (url.host or "").lower()
        insecure_ok = host in self.allow_insecure_hosts
        if self.allowed_hosts and host not in self.allowed_hosts and not insecure_ok:
            allowed = ", ".join(sorted(self.allowed_hosts | self.allow_insecure_hosts))
            msg = f"refused {shown}: host {host!r} is not in the allowlist ({allowed})"
            raise FetchError(msg, url=shown)
        if url.scheme != "https" and not insecure_ok:
            msg = f"refused {shown}: only https is allowed for host {host!r}"
            raise FetchError(msg, url=shown)


class _Sink:
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


class _Enough(Exception):
    """Raised by `_StartSink` once it holds what was asked for: stops reading the body."""


class _StartSink(_Sink):
    def __init__(self, limit: int) -> None:
        super().__init__(None)
        self.limit = limit

    def write(self, chunk: bytes) -> None:
        super().write(chunk)
        if self.size >= self.limit:
            raise _Enough
