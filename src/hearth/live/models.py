"""The live updates' event log: what happened, by topic, for a short while.

Each row is written in the transaction of the change it tells of
(``core.events.subscribe_in_transaction``), so it exists exactly when the change
does. Rows carry ids and positions only -- never text, never who wrote an
anonymous post; what a viewer may see is decided when a row is delivered
(``live.delivery``). A stream resumes after a reconnect by reading the rows after
its ``Last-Event-ID``; housekeeping deletes rows older than the replay window.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class LiveEvent(models.Model):
    id = models.BigAutoField(primary_key=True)
    # "thread:<id>", "conversation:<id>", "member:<id>" (``live.topics``).
    topic = models.CharField(max_length=40)
    kind = models.CharField(max_length=16)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["topic", "id"], name="live_event_topic"),
            models.Index(fields=["created_at"], name="live_event_age"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.topic} ({self.pk})"
