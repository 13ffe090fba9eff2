"""Entries in the shared cache that every process can trust: version tokens.

An entry (a member's row, a whole public page) depends on some things (that member;
that thread and the site's structure). Each thing has a **token** in the default cache,
a random string; the entry is stored with the tokens it was made under, and is
trusted only while every one of them is still current. A write to a thing sets a
fresh token (``renew``), so every process's next read misses and makes the entry
again. Reading an entry and its tokens is one ``get_many``: one round trip to Redis.

Why tokens, not counters, and why renew twice:

* a token that is missing (never set, or evicted by a full cache) is created afresh
  with ``add``; a counter would start again at a number an old entry may carry;
* ``renew`` sets a token at once *and again once the transaction commits*: a reader
  between the first token and the commit may store what it read then (the old
  state) under that first token; the token set at the commit outdates it.

An unreachable cache is not an error for a page: ``lookup`` then finds nothing (the
caller reads the database) and ``store`` keeps nothing, both logged. A ``renew`` that
fails is logged too; values are kept for minutes at most (each caller's ``seconds``),
which bounds what a cache that missed a renewal and then came back could still serve.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.cache import caches
from django.db import transaction

logger = logging.getLogger(__name__)

Tokens = tuple[str, ...]


def lookup(entry_key: str, token_keys: Sequence[str]) -> tuple[Any | None, Tokens]:
    """The entry if it was stored under the current tokens (else None), and the current
    tokens to store a new one under (none when the cache could not be asked)."""
    cache = caches["default"]
    try:
        found = cache.get_many([entry_key, *token_keys])
        tokens = tuple(found.get(key) or _new_token(key) for key in token_keys)
    except Exception:
        logger.exception("The cache could not be read: %s", entry_key)
        return None, ()
    stored = found.get(entry_key)
    if stored is not None and stored[0] == tokens:
        return stored[1], tokens
    return None, tokens


def store(entry_key: str, tokens: Tokens, value: Any, *, seconds: int) -> None:
    if not tokens:
        return  # the tokens could not be read: nothing is kept under none
    try:
        caches["default"].set(entry_key, (tokens, value), timeout=seconds)
    except Exception:
        logger.exception("The cache could not be written: %s", entry_key)


def renew(token_keys: Iterable[str]) -> None:
    """Whatever these tokens stand for changed (or is changing, in this transaction):
    no entry stored under them is trusted again -- now, and again after the commit."""
    keys = list(token_keys)
    if not keys:
        return
    _set_new_tokens(keys)
    transaction.on_commit(lambda: _set_new_tokens(keys), robust=True)


def _new_token(key: str) -> str:
    """A token for a key that has none: whichever process adds one first, all agree on."""
    cache = caches["default"]
    fresh = uuid.uuid4().hex
    if cache.add(key, fresh, timeout=None):
        return fresh
    return str(cache.get(key) or fresh)


def _set_new_tokens(keys: list[str]) -> None:
    try:
        caches["default"].set_many({key: uuid.uuid4().hex for key in keys}, timeout=None)
    except Exception:
        logger.exception("Version tokens could not be renewed: %s", ", ".join(keys[:10]))
