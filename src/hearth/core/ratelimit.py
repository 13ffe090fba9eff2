"""Fixed-window rate limits in the shared cache (Redis, or the database when embedded)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache


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
    """Count one action for ``key`` in ``scope``; return False once over the limit."""
    window = int(time.time()) // rate.window_seconds
    cache_key = f"ratelimit:{scope}:{key}:{window}"
    if cache.add(cache_key, 1, timeout=rate.window_seconds + 1):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr: this is the first hit again
        cache.set(cache_key, 1, timeout=rate.window_seconds + 1)
        return True
    return count <= rate.limit
