"""One attempt at a GET: the request under its deadlines, the status, the body into a file
(checked, hashed, renamed atomically) or into memory (parsed as JSON). Retries are the caller's
(`etl.http_retry`); this module never sleeps."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx

from etl.content_check import check_content, looks_like_html
from etl.http_answers import check_status, transport_error
from etl.http_body import Sink, log_request, read_body, refuse_declared_size
from etl.http_errors import Download, FetchError
from etl.http_retry import Retries

TEMP_SUFFIX = ".part"


class OneAttempt:
    def __init__(
        self,
        client: httpx.Client,
        scrub: Callable[[str], str],
        retries: Retries,
        *,
        connect_timeout: float,
        read_timeout: float,
        total_timeout: float,
    ) -> None:
        self.client = client
        self.scrub = scrub
        self.retries = retries  # holds the overall deadline
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.total_timeout = total_timeout

    def download(
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
                sink = Sink(out)
                response = self.stream(url, params, conditional, sink, limit)
            final_url = self.scrub(str(response.url))
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

    def get_json(self, url: str, params: Mapping[str, str] | None, limit: int) -> Any:
        sink = Sink(None)
        response = self.stream(url, params, {}, sink, limit)
        final_url = self.scrub(str(response.url))
        body = b"".join(sink.chunks)
        try:
            return json.loads(body.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            what = "an HTML page" if looks_like_html(body[:1024]) else "not JSON"
            msg = (
                f"GET {final_url}: expected JSON but the body is {what} ({exc.__class__.__name__})"
            )
            raise FetchError(msg, url=final_url, status=response.status_code) from None

    def stream(
        self,
        url: str,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str],
        sink: Sink,
        limit: int,
    ) -> httpx.Response:
        """One GET: status handling, size limit, deadlines, body into `sink`. Logs one line."""
        # httpx.URL(url, params=None) drops the URL's own query (ONS's `file?uri=...`), which
        # the request itself keeps; show what is sent.
        shown = self.scrub(str(httpx.URL(url, params=params) if params else httpx.URL(url)))
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
            with self.client.stream(
                "GET", url, params=params, headers=headers, timeout=timeout
            ) as response:
                status = response.status_code
                shown = self.scrub(str(response.url))
                check_status(response, shown, self.scrub)
                if status == 304:
                    return response
                refuse_declared_size(response, shown, limit)
                read_body(response, sink, limit, shown, started, ends, why)
                return response
        except httpx.HTTPError as exc:
            window = (started, ends, why)
            raise transport_error(exc, shown, status, window, self.scrub) from None
        finally:
            log_request(shown, status, sink.size, time.monotonic() - started)

    def _request_deadline(self, started: float) -> tuple[float, str]:
        """The earlier of this request's own deadline and the client's overall one, and its name."""
        ends, why = (
            started + self.total_timeout,
            f"whole-body deadline of {self.total_timeout:g} s",
        )
        deadline = self.retries.deadline
        if deadline is not None and deadline < ends:
            ends, why = deadline, self.retries.deadline_reason
        return ends, why
