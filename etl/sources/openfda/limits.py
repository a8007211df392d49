"""openFDA's request limits, kept on our side: 240 requests a minute (the limiter spaces requests
evenly; its clock and sleep are injectable) and 1,000 a day without an API key (120,000 with one).

Every request is counted, retries included: the limiter runs before each attempt, and a fetch that
would pass the day's budget stops with a clear message before sending (`DailyLimitReached`).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from etl.http import FetchError
from etl.sources.openfda.meta import KEY_ENV, PER_DAY_WITHOUT_KEY, PER_MINUTE


class DailyLimitReached(FetchError):
    """The request budget for today is spent; nothing more is sent."""


class RateLimiter:
    """At most `per_minute` requests a minute (evenly spaced) and `per_day` in this process."""

    def __init__(
        self,
        *,
        per_minute: int = PER_MINUTE,
        per_day: int = PER_DAY_WITHOUT_KEY,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = 60.0 / per_minute
        self.per_day = per_day
        self.sent = 0
        self._clock, self._sleep = clock, sleep
        self._next = clock()

    def wait(self, url: str) -> None:
        """Before every request (retries too): stop at the daily budget, else space requests."""
        if self.sent >= self.per_day:
            msg = (
                f"openFDA daily limit reached: {self.sent} of {self.per_day} requests sent; "
                f"set {KEY_ENV} for a higher limit, or retry tomorrow"
            )
            raise DailyLimitReached(msg, url=url)
        now = self._clock()
        if now < self._next:
            self._sleep(self._next - now)
            now = self._next
        self._next = now + self.interval
        self.sent += 1
