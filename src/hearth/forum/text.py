"""Turning what members type into stored HTML, with links to mentioned members."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models.functions import Lower
from django.urls import reverse

from hearth.accounts.models import User
from hearth.core.text import render_markdown


@dataclass(frozen=True)
class RenderedPost:
    """A post's stored HTML, its render version, and the active members it mentions
    (found by the same lookup that linked their names)."""

    html: str
    version: int
    mentioned_member_ids: tuple[int, ...]


class MentionResolver:
    """Maps each typed @name that belongs to an active member to their profile (one
    query), remembering whom it found."""

    def __init__(self) -> None:
        self.member_ids: dict[str, int] = {}

    def __call__(self, usernames: frozenset[str]) -> Mapping[str, str]:
        wanted = {name.lower(): name for name in usernames}
        found = (
            User.objects.annotate(lowered=Lower("username"))
            .filter(lowered__in=list(wanted), is_active=True)
            .values_list("lowered", "username", "pk")
        )
        links = {}
        for lowered, username, member_id in found:
            links[wanted[lowered]] = reverse("accounts:profile", kwargs={"username": username})
            self.member_ids[wanted[lowered]] = member_id
        return links


def render_post_body(body: str, *, id_prefix: str = "") -> RenderedPost:
    """Render a post's Markdown once, for storing -- and for its preview, which must show
    it as it will be published, @mentions linked alike; raises SourceTooLong over the limit.

    Ids inside the post (footnotes) get a random prefix, unless ``id_prefix`` is given,
    so two posts on one page never collide, whatever order they were rendered in.
    """
    resolver = MentionResolver()
    rendered = render_markdown(
        body, id_prefix=id_prefix or f"fn{uuid.uuid4().hex[:8]}-", resolve_mentions=resolver
    )
    mentioned = sorted(
        {
            resolver.member_ids[name]
            for name in rendered.mentioned_usernames
            if name in resolver.member_ids
        }
    )
    return RenderedPost(rendered.html, rendered.version, tuple(mentioned))
