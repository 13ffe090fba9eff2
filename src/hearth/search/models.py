"""The search index: one row per post, kept by tasks (never written in a request).

The row holds the post's plain text (title and body) and what the filters ask
without a join. It is *not* a visibility rule: a hidden, held or deleted post's
row may exist for a moment, and every result is checked against the visibility
policy when it is read (``selectors.py``). The full-text part lives beside it,
per database (``backends/``): a GIN-indexed ``tsvector`` column on PostgreSQL,
an FTS5 table on SQLite, both kept by database triggers so no code path can
update the row without the index.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hearth.forum.models import Category, Post
from hearth.search.languages import LANGUAGES


class SearchEntry(models.Model):
    post = models.OneToOneField(Post, primary_key=True, on_delete=models.CASCADE, related_name="+")
    thread_id = models.BigIntegerField(db_index=True)
    category_id = models.BigIntegerField(db_index=True)
    # The author for the author: filter -- never set for an anonymous post, so no
    # query can find one by its writer.
    public_author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(db_index=True)
    title = models.TextField(blank=True)  # the thread's title, on its first post only
    body = models.TextField(blank=True)
    language = models.CharField(max_length=20)
    post_version = models.PositiveIntegerField()  # the post's version this row was made from

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")

    def __str__(self) -> str:
        return f"Search entry for post {self.pk}"


class CategoryLanguage(models.Model):
    """A category whose posts are searched with another language's rules than the site's."""

    category = models.OneToOneField(
        Category, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    language = models.CharField(
        _("search language"), max_length=20, choices=list(LANGUAGES.items())
    )

    class Meta:
        verbose_name = _("category search language")
        verbose_name_plural = _("category search languages")

    def __str__(self) -> str:
        return f"{self.category} searched in {self.language}"
