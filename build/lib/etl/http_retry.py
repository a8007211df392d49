"""Retries for the HTTP client: exponential backoff with full jitter (tenacity), honouring
`Retry-After`, never starting a retry whose backoff sleep would pass the deadline, and a message
that says how many attempts were made and why no more."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import tenacity

from etl.backoff import backoff_delay
from etl.http_errors import FetchError, RetryableError

log = logging.getLogger("etl.http")
_T = TypeVar("_T")


@dataclass
class Retries:
    max_attempts: int
    backoff_base: float
    backoff_max: float
    sleep: Callable[[float], None]
    deadline: float | None = None  # a time.monotonic() instant
    deadline_reason: str = "deadline"

    def run(
        self,
        shown: str,
        attempt: Callable[[], _T],
        permanent: Callable[[FetchError], bool] | None = None,
    ) -> _T:
        """`attempt()` until it succeeds, fails for good, or no attempt or time is left."""
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.max_attempts) | self._stop_at_deadline,
            wait=self._wait,
            retry=tenacity.retry_if_exception(
                lambda exc: isinstance(exc, RetryableError) and not (permanent and permanent(exc))
            ),
            sleep=self.sleep,
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

    def _gave_up(self, exc: tenacity.RetryError) -> FetchError:
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
        retry_after = exc.retry_after if isinstance(exc, RetryableError) else None
        return backoff_delay(
            state.attempt_number,
            retry_after=retry_after,
            base=self.backoff_base,
            cap=self.backoff_max,
        )
