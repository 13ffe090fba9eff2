"""Which events change what search finds (registered in ``SearchConfig.ready``)."""

from __future__ import annotations

from hearth.core.events import subscribe_task
from hearth.forum import events
from hearth.search import tasks

# Every change to a post's text, state or existence; the task reads the post as it
# is when it runs, so the order in which they run does not matter.
POST_EVENTS = (
    events.PostPublished,
    events.PostHeld,
    events.PostEdited,
    events.PostHidden,
    events.PostRestored,
    events.PostRejected,
    events.PostDeleted,
)


def subscribe_to_events() -> None:
    for event_type in POST_EVENTS:
        subscribe_task(event_type, tasks.index_post)
    subscribe_task(events.ThreadMoved, tasks.index_thread)
