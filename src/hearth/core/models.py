"""The one table of the core: rate-limit counters, used on PostgreSQL only.

SQLite keeps its counters in a file of their own and Redis in itself
(rate_counters.py explains why); the table exists everywhere so that one set
of migrations serves both databases.
"""

from django.db import models


class RateLimitCounter(models.Model):
    key = models.CharField(max_length=200, primary_key=True)
    count = models.PositiveIntegerField()
    # Unix time at which the window ends (the counter is then deleted by housekeeping).
    window_end = models.BigIntegerField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
