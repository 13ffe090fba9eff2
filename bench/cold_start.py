"""Cold and warm (issue 19): the first request after a start, and how long until warm.

A restarted server has empty per-process fragment caches (``hearth.core.memory_cache``),
no compiled templates and no database connections. Right after ``hearth serve`` starts,
before anything else asks it for a page, this times:

* the **first request**: the signed-in reader's 200-reply thread page, the server's
  very first page;
* **passes** over every measured page (each once, member and visitor), one after the
  other, until a pass takes no more than ``WARM_MARGIN`` over the fastest pass seen: the
  time until then is how long the caches take to warm under one reader. Both workers
  answer (the kernel spreads connections), so each warms its own caches.

It reports milliseconds of wall time from this client: one request at a time, so
nothing queues behind anything else.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

PASSES = 8
WARM_MARGIN = 1.15  # a pass within 15% of the fastest counts as warm


@dataclass(frozen=True)
class ColdStart:
    first_request_ms: float
    warm_request_ms: float  # the same page, the fastest of the last pass's repeats
    pass_ms: tuple[float, ...]  # each pass over every page, in order
    passes_until_warm: int
    seconds_until_warm: float  # from the first request to the end of the first warm pass

    def as_dict(self, pages: int) -> dict[str, float]:
        return {
            "first_request_ms": self.first_request_ms,
            "warm_request_ms": self.warm_request_ms,
            "passes_until_warm": float(self.passes_until_warm),
            "seconds_until_warm": self.seconds_until_warm,
            "pages_per_pass": float(pages),
        }


def measure(
    fetch: Callable[[str, str], object],
    first: tuple[str, str],
    pages: Sequence[tuple[str, str]],
    *,
    passes: int = PASSES,
) -> ColdStart:
    """Time ``first`` (path, cookie) on a server nothing has asked yet, then ``passes``
    passes over ``pages``; ``fetch(path, cookie)`` makes one request."""
    started = time.perf_counter()
    first_ms = _timed_ms(fetch, *first)
    pass_ms: list[float] = []
    ends: list[float] = []
    for _ in range(passes):
        pass_started = time.perf_counter()
        for path, cookie in pages:
            fetch(path, cookie)
        pass_ms.append((time.perf_counter() - pass_started) * 1000)
        ends.append(time.perf_counter() - started)
    fastest = min(pass_ms)
    warm_at = next(index for index, took in enumerate(pass_ms) if took <= fastest * WARM_MARGIN)
    warm_ms = min(_timed_ms(fetch, *first) for _ in range(5))
    return ColdStart(
        first_request_ms=first_ms,
        warm_request_ms=warm_ms,
        pass_ms=tuple(pass_ms),
        passes_until_warm=warm_at + 1,
        seconds_until_warm=ends[warm_at],
    )


def describe(cold: dict[str, float]) -> str:
    pages = int(cold["pages_per_pass"])
    return (
        f"cold start: the first page after a start took {cold['first_request_ms']:.0f} ms "
        f"(the same page warm: {cold['warm_request_ms']:.0f} ms); warm after "
        f"{cold['passes_until_warm']:.0f} passes over the {pages} pages, "
        f"{cold['seconds_until_warm']:.1f} s after the first request (one reader at a time)"
    )


def _timed_ms(fetch: Callable[[str, str], object], path: str, cookie: str) -> float:
    started = time.perf_counter()
    fetch(path, cookie)
    return (time.perf_counter() - started) * 1000
