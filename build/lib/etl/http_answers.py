"""How the client judges where a request may go and what came back: the host allowlist and
HTTPS rule, an HTTP error status (with the publisher's own error text), and a transport error
(retryable unless the deadline cut it)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

import httpx

from etl.backoff import parse_retry_after
from etl.http_errors import FetchError, RetryableError
from etl.publisher_errors import ERROR_BODY_LIMIT, publisher_error

Scrub = Callable[[str], str]


class HostPolicy:
    """Every request, redirects included, goes to an allowed host, over HTTPS unless the host is
    explicitly allowed without it (an `--mirror http://...` URL, tests on 127.0.0.1)."""

    def __init__(self, allowed: Iterable[str], insecure: Iterable[str]) -> None:
        self.allowed = frozenset(h.lower() for h in allowed)
        self.insecure = frozenset(h.lower() for h in insecure)

    def check(self, url: httpx.URL, shown: str) -> None:
        host = (url.host or "").lower()
        insecure_ok = host in self.insecure
        if self.allowed and host not in self.allowed and not insecure_ok:
            everything = ", ".join(sorted(self.allowed | self.insecure))
            msg = f"refused {shown}: host {host!r} is not in the allowlist ({everything})"
            raise FetchError(msg, url=shown)
        if url.scheme != "https" and not insecure_ok:
            msg = f"refused {shown}: only https is allowed for host {host!r}"
            raise FetchError(msg, url=shown)


def check_status(response: httpx.Response, shown: str, scrub: Scrub) -> None:
    """Raise for an error status: RetryableError for 429 and 5xx (with Retry-After)."""
    status = response.status_code
    failed = status == 429 or status >= 400 or (300 <= status < 400 and status != 304)
    if not failed:
        return
    msg = f"GET {shown}: HTTP {status} {response.reason_phrase}".rstrip()
    code, message, text = error_text(response, scrub) if status >= 400 else (None, None, "")
    if text:
        msg = f"{msg}: {text}"
    said = {"publisher_code": code, "publisher_message": message}
    if status == 429 or status >= 500:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        raise RetryableError(msg, url=shown, status=status, retry_after=retry_after, **said)
    raise FetchError(msg, url=shown, status=status, **said)


def error_text(response: httpx.Response, scrub: Scrub) -> tuple[str | None, str | None, str]:
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
    return code, message and scrub(message), scrub(text)


def transport_error(
    exc: httpx.HTTPError,
    shown: str,
    status: int | None,
    window: tuple[float, float, str],
    scrub: Scrub,
) -> FetchError:
    """The FetchError to raise for an httpx error: retryable unless the deadline cut it.
    `window` is the request's (start, end, name of the deadline that ends it)."""
    started, ends, why = window
    kind = exc.__class__.__name__
    msg = f"GET {shown}: {kind}: {scrub(str(exc)) or kind}"
    if time.monotonic() >= ends:  # the timeout was cut to the deadline: do not retry
        msg = f"{msg} ({why} reached after {time.monotonic() - started:.1f} s)"
        return FetchError(msg, url=shown, status=status, transient=True)
    if isinstance(exc, httpx.TransportError):  # connection, timeout, dropped mid-body
        return RetryableError(msg, url=shown, status=status)
    return FetchError(msg, url=shown, status=status)
