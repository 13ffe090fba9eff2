"""A cache backend for rendered fragments: this process's memory, without pickling.

Django's LocMemCache pickles every value on the way in and out, which is
what makes it safe for any object -- and costs a few microseconds per entry,
forty times per thread page. Hearth's fragment caches hold only immutable
values (strings, and tuples and frozen records of them) under keys that name
every version they depend on, so this backend keeps the objects themselves:
an ordered dict used as an LRU under a lock, with the usual timeouts.

Only put immutable values here. A cached value is shared by every request
the process serves.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from threading import Lock
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache

_NEVER = float("inf")
_MISSING = object()
# Django makes one backend object per thread; like LocMemCache, all of them
# with the same LOCATION share one store, so threads share what they render.
_stores: dict[str, tuple[OrderedDict[str, tuple[float, Any]], Lock]] = {}
_stores_lock = Lock()


class ProcessMemoryCache(BaseCache):
    """An in-process LRU of shared, immutable values (see the module's docstring)."""

    def __init__(self, name: str, params: dict[str, Any]) -> None:
        super().__init__(params)
        with _stores_lock:
            self._entries, self._lock = _stores.setdefault(name, (OrderedDict(), Lock()))

    def _expiry(self, timeout: float | object | None) -> float:
        seconds = self.get_backend_timeout(timeout)  # type: ignore[arg-type]  # DEFAULT_TIMEOUT
        return _NEVER if seconds is None else float(seconds)

    def add(
        self,
        key: str,
        value: Any,
        timeout: float | object | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> bool:
        key = self.make_key(key, version)
        with self._lock:
            found = self._entries.get(key)
            if found is not None and found[0] > time.time():
                return False
            self._store(key, value, timeout)
            return True

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        key = self.make_key(key, version)
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return default
            if found[0] <= time.time():
                del self._entries[key]
                return default
            self._entries.move_to_end(key)
            return found[1]

    def get_many(self, keys: Any, version: int | None = None) -> dict[str, Any]:
        found = {}
        for key in keys:
            value = self.get(key, _MISSING, version=version)
            if value is not _MISSING:
                found[key] = value
        return found

    def set(
        self,
        key: str,
        value: Any,
        timeout: float | object | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> None:
        key = self.make_key(key, version)
        with self._lock:
            self._store(key, value, timeout)

    def _store(self, key: str, value: Any, timeout: float | object | None) -> None:
        self._entries[key] = (self._expiry(timeout), value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    def touch(
        self, key: str, timeout: float | object | None = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        key = self.make_key(key, version)
        with self._lock:
            found = self._entries.get(key)
            if found is None or found[0] <= time.time():
                return False
            self._entries[key] = (self._expiry(timeout), found[1])
            return True

    def delete(self, key: str, version: int | None = None) -> bool:
        key = self.make_key(key, version)
        with self._lock:
            return self._entries.pop(key, None) is not None

    def has_key(self, key: str, version: int | None = None) -> bool:
        return self.get(key, _MISSING, version=version) is not _MISSING

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
