"""Rate-limit counters are exact when two processes count the same key at once."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterator
from multiprocessing.synchronize import Barrier

import pytest
from django.db import connection, connections
from django.test import override_settings

from hearth.core import rate_counters
from hearth.core.housekeeping import run_housekeeping
from hearth.core.ratelimit import RateLimit, allow
from hearth.core.tests.redis_server import throwaway_redis

# The children only use connections they open themselves (a forked copy of a lock
# another thread held is the deadlock the warning is about).
FORK_IS_SAFE_HERE = pytest.mark.filterwarnings("ignore:This process .* is multi-threaded")
LIMIT = 50
EACH_PROCESS_TRIES = 40  # two processes: 80 tries for 50 places


@pytest.fixture
def redis_store() -> Iterator[rate_counters.CounterStore]:
    with throwaway_redis() as url, override_settings(REDIS_URL=url):
        rate_counters.counter_store.cache_clear()
        try:
            yield rate_counters.counter_store()
        finally:
            rate_counters.counter_store.cache_clear()


def _count_from_another_process(barrier: Barrier, results: multiprocessing.Queue[int]) -> None:
    # The parent's database socket must not be used, or closed, from here: keep the
    # inherited objects referenced (so nothing finalises them) and open new ones.
    inherited = [each.connection for each in connections.all(initialized_only=True)]
    for each in connections.all(initialized_only=True):
        each.connection = None
    rate_counters.counter_store.cache_clear()
    rate = RateLimit(limit=LIMIT, window_seconds=3600)
    barrier.wait()
    allowed = sum(allow("race", "member-7", rate) for _ in range(EACH_PROCESS_TRIES))
    results.put(allowed)
    del inherited


def _race_two_processes() -> list[int]:
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(2)
    results: multiprocessing.Queue[int] = context.Queue()
    children = [
        context.Process(target=_count_from_another_process, args=(barrier, results))
        for _ in range(2)
    ]
    for child in children:
        child.start()
    counts = [results.get(timeout=60) for _ in children]
    for child in children:
        child.join(timeout=30)
        assert child.exitcode == 0
    return counts


@FORK_IS_SAFE_HERE
@pytest.mark.django_db(transaction=True)
def test_two_processes_counting_one_member_at_once_let_exactly_the_limit_through() -> None:
    # Window straddling is avoided by the hour-long window (one window for the test).
    counts = _race_two_processes()

    assert sum(counts) == LIMIT
    assert all(count > 0 for count in counts)  # both really raced


@FORK_IS_SAFE_HERE
@pytest.mark.django_db(transaction=True)
def test_two_processes_counting_through_redis_let_exactly_the_limit_through(
    redis_store: rate_counters.CounterStore,
) -> None:
    assert isinstance(redis_store, rate_counters.RedisCounters)

    counts = _race_two_processes()

    assert sum(counts) == LIMIT


def test_the_store_follows_the_deployment() -> None:
    rate_counters.counter_store.cache_clear()
    try:
        expected = (
            rate_counters.FileCounters
            if connection.vendor == "sqlite"
            else rate_counters.DatabaseCounters
        )
        assert isinstance(rate_counters.counter_store(), expected)
    finally:
        rate_counters.counter_store.cache_clear()


@pytest.mark.django_db
def test_housekeeping_forgets_counters_whose_window_has_ended() -> None:
    store = rate_counters.counter_store()
    now = int(time.time())
    store.add_one("ended:member-1:1", 60, now - 5)
    store.add_one("open:member-1:1", 60, now + 60)

    done = run_housekeeping()

    assert done["rate-limit counters forgotten"] == 1
    assert store.add_one("open:member-1:1", 60, now + 60) == 2  # kept, still counting
    assert store.add_one("ended:member-1:1", 60, now + 60) == 1  # forgotten: starts again


@pytest.mark.django_db
def test_redis_counters_expire_with_their_window(redis_store: rate_counters.CounterStore) -> None:
    assert isinstance(redis_store, rate_counters.RedisCounters)
    redis_store.add_one("short:member-1:1", 1, int(time.time()) + 1)
    assert redis_store.client.ttl(rate_counters.REDIS_PREFIX + "short:member-1:1") in {1, 2}


def test_a_counter_store_that_cannot_be_reached_lets_the_action_through(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
        rate_counters.counter_store.cache_clear()
        try:
            assert allow("post", "member-1", RateLimit(limit=1, window_seconds=60)) is True
        finally:
            rate_counters.counter_store.cache_clear()
    assert "Rate limit counters unreachable" in caplog.text
