"""Turning what members type into stored HTML, with links to mentioned members."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from django.db.models.functions import Lower
from django.urls import reverse

from hearth.accounts.models import User
from hearth.core.text import RenderedText, render_markdown


def resolve_mentions(usernames: frozenset[str]) -> Mapping[str, str]:
    """Map each typed @name that belongs to an active member to their profile (one query)."""
    wanted = {name.lower(): name for name in usernames}
    found = (
        User.objects.annotate(lowered=Lower("username"))
        .filter(lowered__in=list(wanted), is_active=True)
        .values_list("lowered", "username")
    )
    return {
        wanted[lowered]: reverse("accounts:profile", kwargs={"username": username})
        for lowered, username in found
    }


def render_post_body(body: str) -> RenderedText:
    """Render a post's Markdown once, for storing; raises SourceTooLong over the limit.

    Ids inside the post (footnotes) get a random prefix so two posts on one
    page never collide, whatever order they were rendered in.
    """
    return render_markdown(
        body, id_prefix=f"fn{uuid.uuid4().hex[:8]}-", resolve_mentions=resolve_mentions
    )
