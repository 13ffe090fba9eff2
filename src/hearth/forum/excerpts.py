"""Excerpts of forum posts for a member's private notes (see hearth.core.providers).

A member may take their own posts, and replies they received in threads they
started. Other members' names are removed from the text: the notes are for
the member and their therapist, not a record of who said what.
"""

from __future__ import annotations

import re

from django.db.models import Q

from hearth.accounts.models import User
from hearth.core.providers import PostExcerpt
from hearth.core.text import html_to_text
from hearth.forum.models import Post
from hearth.forum.permissions import why_cannot_read_hidden_post, why_cannot_see_post
from hearth.forum.viewer import viewer_for

MENTION = re.compile(r"@[\w.@+-]+")
SOMEONE = "someone"


def post_excerpt_for(member: User, post_id: int) -> PostExcerpt | None:
    """The post's text if the member wrote it or received it as a reply; else None."""
    post = (
        Post.objects.select_related("thread__category")
        .filter(pk=post_id, is_deleted=False)
        .filter(Q(author=member) | Q(thread__author=member, position__gt=1))
        .first()
    )
    if post is None:
        return None
    viewer = viewer_for(member)
    if (
        why_cannot_see_post(viewer, post) is not None
        or why_cannot_read_hidden_post(viewer, post) is not None
    ):
        return None
    names = set(
        Post.objects.filter(thread=post.thread)
        .exclude(author=member)
        .values_list("author_name", "author__display_name", "author__username")
        .distinct()
    )
    text = MENTION.sub(SOMEONE, html_to_text(post.body_html))
    for name in sorted({part for row in names for part in row if part}, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", SOMEONE, text)
    return PostExcerpt(
        post_id=post.pk,
        thread_title=post.thread.title,
        text=text,
        is_own_post=post.author_id == member.pk,
    )
