"""How long to wait before the next attempt: the server's Retry-After, else exponential backoff
with full jitter (a uniform draw in [0, base * 2**(attempt-1)]), both capped at `cap`."""

from __future__ import annotations

import email.utils
import random
from collections.abc import Callable
from datetime import UTC, datetime


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff_delay(
    attempt: int,
    *,
    retry_after: float | None,
    base: float,
    cap: float,
    uniform: Callable[[float, float], float] = random.uniform,
) -> float:
    """Seconds to sleep after failed attempt number `attempt` (1-based)."""
    if retry_after is not None:
        return min(retry_after, cap)
    return uniform(0.0, min(cap, base * 2 ** (attempt - 1)))
