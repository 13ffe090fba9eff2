"""Which posts on a page contain one of the viewer's muted words.

Decided for each viewer on every request and never cached across viewers: what is
kept is only each post's text as matching reads it (``fold`` of its plain text),
the same for every reader of that version of the post, in the fragment cache
under the post's id and version. A viewer without muted words costs nothing; one
with them costs a query only for posts whose text is not cached yet (the stored
HTML of those posts, all in one query), and none when the rows carry their HTML.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.cache import caches

from hearth.accounts.muted_words import MutedWords
from hearth.core.text import html_to_text
from hearth.core.text.search_terms import fold
from hearth.forum.models import Post
from hearth.forum.post_rows import PostRow

FOLDED_TEXT_TIMEOUT_SECONDS = 24 * 3600


def _key(post: PostRow) -> str:
    # A post's version is bumped by every change to it, its text among them.
    return f"post-words:{post.pk}:{post.version}"


def folded_text_of(posts: Sequence[PostRow]) -> dict[int, str]:
    """Each post's plain text, folded for matching, by id (cached per post version)."""
    if not posts:
        return {}
    store = caches["fragments"]
    keys = {post.pk: _key(post) for post in posts}
    found: dict[str, str] = store.get_many(list(keys.values()))
    missing = [post for post in posts if keys[post.pk] not in found]
    unloaded = [post.pk for post in missing if post.body_html is None]
    bodies = dict(Post.objects.filter(pk__in=unloaded).values_list("pk", "body_html"))
    fresh = {}
    for post in missing:
        if post.body_html is None:
            post.body_html = bodies.get(post.pk, "")  # the fragments need not read it again
        fresh[keys[post.pk]] = fold(html_to_text(post.body_html))
    if fresh:
        store.set_many(fresh, timeout=FOLDED_TEXT_TIMEOUT_SECONDS)
        found.update(fresh)
    return {post.pk: found[keys[post.pk]] for post in posts}


def posts_with_muted_words(
    posts: Sequence[PostRow], words: MutedWords | None, *, reader_id: int | None
) -> frozenset[int]:
    """The ids of the posts that contain one of ``words``; never the reader's own posts,
    nor deleted ones (they show no text)."""
    if words is None:
        return frozenset()
    candidates = [
        post
        for post in posts
        if not post.is_deleted and (reader_id is None or post.author_id != reader_id)
    ]
    texts = folded_text_of(candidates)
    return frozenset(post_id for post_id, text in texts.items() if words.found_in_folded(text))
