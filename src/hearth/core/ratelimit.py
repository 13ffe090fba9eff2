"""Fixed-window rate limits, counted atomically across processes (core/rate_counters.py)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from hearth.core.rate_counters import counter_store

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RateLimit:
    """At most ``limit`` actions per ``window_seconds``; parsed from settings like "20/600"."""

    limit: int
    window_seconds: int

    @classmethod
    def parse(cls, value: str) -> RateLimit:
        """Parse "N/SECONDS"; raises ValueError with the expected form otherwise."""
        try:
            limit, window = (int(part) for part in value.split("/"))
        except ValueError as error:
            message = f"A rate limit looks like 20/600 (20 per 600 seconds), not {value!r}"
            raise ValueError(message) from error
        if limit < 1 or window < 1:
            message = f"A rate limit needs positive numbers, not {value!r}"
            raise ValueError(message)
        return cls(limit=limit, window_seconds=window)


def allow(scope: str, key: object, rate: RateLimit) -> bool:
    """Count one action for ``key`` in ``scope``; return False once over the limit.

    If the counters cannot be reached (Redis restarting), the action is allowed
    and the failure logged: a limit exists to stop floods, and refusing a member's
    reply because a counter is down would be the worse failure.
    """
    window = int(time.time()) // rate.window_seconds
    window_end = (window + 1) * rate.window_seconds
    try:
        count = counter_store().add_one(f"{scope}:{key}:{window}", rate.window_seconds, window_end)
    except Exception:
        logger.exception("Rate limit counters unreachable; allowing %s for %s", scope, key)
        return True
    return count <= rate.limit
