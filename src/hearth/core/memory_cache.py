"""A cache backend for rendered fragments: this process's memory, without pickling.

Django's LocMemCache pickles every value on the way in and out, which is
what makes it safe for any object -- and costs a few microseconds per entry,
forty times per thread page. Hearth's fragment caches hold only immutable
values (strings, and tuples and frozen records of them) under keys that name
every version they depend on, so this backend keeps the objects themselves:
an ordered dict used as an LRU under a lock, with the usual timeouts.

Only put immutable values here. A cached value is shared by every request
the process serves: ``set`` refuses a mutable one (a dict, a list, a
dataclass that is not frozen).

The store is bounded in bytes, not entries (``MAX_BYTES``, from
``HEARTH_FRAGMENT_CACHE_MB``): each value's size is estimated once, when it
is stored, and the least recently used entries are dropped until the total
fits. A value larger than ``MAX_ENTRY_BYTES`` (64 KiB by default: a post of
the largest size, not a usual one) is not kept at all: rendering it again
costs little next to reading its text, and a few very large posts can neither
push out everything else nor hold a worker's memory.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from collections import OrderedDict
from threading import Lock
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache

_NEVER = float("inf")
_MISSING = object()
# Django makes one backend object per thread; like LocMemCache, all of them
# with the same LOCATION share one store, so threads share what they render.
_stores: dict[str, _Store] = {}
_stores_lock = Lock()
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
DEFAULT_MAX_ENTRY_BYTES = 64 * 1024


class _Store:
    """One LRU of (expiry, value, size) under one lock, shared by a process's threads."""

    def __init__(self) -> None:
        self.entries: OrderedDict[str, tuple[float, Any, int]] = OrderedDict()
        self.lock = Lock()
        self.total_bytes = 0


def size_of(value: Any) -> int:
    """An estimate of the memory a cached value holds, in bytes (strings counted as
    Python stores them; containers and frozen dataclasses as the sum of their parts)."""
    if isinstance(value, str | bytes):
        return sys.getsizeof(value)
    if isinstance(value, tuple | frozenset):
        return sys.getsizeof(value) + sum(size_of(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return 64 + sum(size_of(getattr(value, f.name)) for f in dataclasses.fields(value))
    return sys.getsizeof(value)


def check_immutable(value: Any) -> None:
    """Refuse values that a request could change after caching them."""
    if isinstance(value, str | bytes | int | float | bool | type(None)):
        return
    if isinstance(value, tuple | frozenset):
        for item in value:
            check_immutable(item)
        return
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if not type(value).__dataclass_params__.frozen:  # type: ignore[attr-defined]
            message = f"{type(value).__name__} is not frozen: it can't be shared"
            raise TypeError(message)
        for item in dataclasses.fields(value):
            check_immutable(getattr(value, item.name))
        return
    message = f"{type(value).__name__} is mutable: only immutable values can be shared"
    raise TypeError(message)


class ProcessMemoryCache(BaseCache):
    """An in-process LRU of shared, immutable values (see the module's docstring)."""

    def __init__(self, name: str, params: dict[str, Any]) -> None:
        super().__init__(params)
        options = params.get("OPTIONS", {})
        self.max_bytes = int(options.get("MAX_BYTES", DEFAULT_MAX_BYTES))
        self.max_entry_bytes = int(
            options.get("MAX_ENTRY_BYTES", min(DEFAULT_MAX_ENTRY_BYTES, self.max_bytes // 100))
        )
        if "MAX_ENTRIES" not in options and "max_entries" not in params:
            self._max_entries = sys.maxsize  # bounded by bytes alone
        with _stores_lock:
            self._store_of_name = _stores.setdefault(name, _Store())
        self._entries = self._store_of_name.entries
        self._lock = self._store_of_name.lock

    @property
    def total_bytes(self) -> int:
        """What the store holds now, by ``size_of``."""
        return self._store_of_name.total_bytes

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
            return self._store(key, value, timeout)

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        key = self.make_key(key, version)
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return default
            if found[0] <= time.time():
                self._forget(key)
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

    def _store(self, key: str, value: Any, timeout: float | object | None) -> bool:
        """Keep ``value`` (the lock is held); False if it is too large to keep."""
        check_immutable(value)
        size = size_of(key) + size_of(value)
        self._forget(key)
        if size > self.max_entry_bytes:
            return False
        store = self._store_of_name
        self._entries[key] = (self._expiry(timeout), value, size)
        store.total_bytes += size
        while store.total_bytes > self.max_bytes or len(self._entries) > self._max_entries:
            _oldest, (_expiry, _value, dropped) = self._entries.popitem(last=False)
            store.total_bytes -= dropped
        return True

    def _forget(self, key: str) -> bool:
        found = self._entries.pop(key, None)
        if found is None:
            return False
        self._store_of_name.total_bytes -= found[2]
        return True

    def touch(
        self, key: str, timeout: float | object | None = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        key = self.make_key(key, version)
        with self._lock:
            found = self._entries.get(key)
            if found is None or found[0] <= time.time():
                return False
            self._entries[key] = (self._expiry(timeout), found[1], found[2])
            return True

    def delete(self, key: str, version: int | None = None) -> bool:
        key = self.make_key(key, version)
        with self._lock:
            return self._forget(key)

    def has_key(self, key: str, version: int | None = None) -> bool:
        return self.get(key, _MISSING, version=version) is not _MISSING

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._store_of_name.total_bytes = 0
