"""What a fetch returns (`Download`) and how it fails (`FetchError`, `RetryableError`,
`LimitExceeded`): shared by the client (`etl.http`) and the body reader (`etl.http_body`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from etl.limits import Refused


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


class RetryableError(FetchError):
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
