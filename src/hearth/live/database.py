"""One thread for every database call of the live process (the hub's and every
stream's): one connection, and no thread per stream. Calls queue for it; each is a
short indexed read."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

database_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="live-db")


async def in_database[T](function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(database_thread, lambda: function(*args, **kwargs))
