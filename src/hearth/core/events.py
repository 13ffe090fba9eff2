"""Domain events: what happened, told to whoever subscribed, once the write is committed.

Services publish small typed events (frozen dataclasses of ids and flags, never
member text) and return; consumers -- notifications, live updates, the search
index -- subscribe in their ``AppConfig.ready``, so no service needs to know
they exist. Two ways to subscribe:

* ``subscribe(EventType, handler)``: ``handler(event)`` runs in this process
  after the transaction commits (``transaction.on_commit``). For quick,
  in-memory work; a failing handler is logged and the others still run.
* ``subscribe_task(EventType, task)``: the event's fields are enqueued as a
  background task for ``hearth worker`` *inside* the publishing transaction --
  with the database task backend that is one more row in the same commit, so
  the task exists exactly when the write does (an outbox), and nothing is left
  behind by a rollback.

* ``subscribe_in_transaction(EventType, handler)``: ``handler(event)`` runs at
  once, inside the publishing transaction, for a consumer whose own write must
  commit or roll back with the event's (the live updates' event log); it must be
  quick, and an exception in it fails the write.

Either way a transaction that rolls back publishes nothing. Handlers must be
idempotent: a task may run again after a crash or a retry.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from collections.abc import Callable
from functools import partial
from typing import Any, ClassVar

from django.db import transaction
from django.tasks import Task

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Event:
    """Something that happened. Subclasses hold ids and flags only (JSON values)."""

    name: ClassVar[str] = "event"

    def as_payload(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


Handler = Callable[[Any], None]

_handlers: defaultdict[type[Event], list[Handler]] = defaultdict(list)
_tasks: defaultdict[type[Event], list[Task[..., Any]]] = defaultdict(list)
_in_transaction: defaultdict[type[Event], list[Handler]] = defaultdict(list)


def subscribe(event_type: type[Event], handler: Handler) -> None:
    """Call ``handler(event)`` after each commit that published an ``event_type``."""
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def unsubscribe(event_type: type[Event], handler: Handler) -> None:
    if handler in _handlers[event_type]:
        _handlers[event_type].remove(handler)


def subscribe_task(event_type: type[Event], task: Task[..., Any]) -> None:
    """Enqueue ``task(**event fields)`` with each ``event_type``, in the publishing
    transaction."""
    if task not in _tasks[event_type]:
        _tasks[event_type].append(task)


def subscribe_in_transaction(event_type: type[Event], handler: Handler) -> None:
    """Call ``handler(event)`` inside the transaction that publishes an ``event_type``."""
    if handler not in _in_transaction[event_type]:
        _in_transaction[event_type].append(handler)


def publish(event: Event) -> None:
    """Tell subscribers about ``event`` once the current transaction commits (at once
    outside a transaction)."""
    for event_type in type(event).__mro__:
        for handler in _in_transaction.get(event_type, ()):
            handler(event)
        for task in _tasks.get(event_type, ()):
            task.enqueue(**event.as_payload())
    transaction.on_commit(partial(_deliver, event), robust=True)


def _deliver(event: Event) -> None:
    for event_type in type(event).__mro__:
        for handler in list(_handlers.get(event_type, ())):
            try:
                handler(event)
            except Exception:
                logger.exception("A subscriber to %s failed", type(event).__name__)
