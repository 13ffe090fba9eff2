"""Crafted input posts through the whole write path (render, sanitise, store) quickly."""

from __future__ import annotations

import time

import pytest

from hearth.accounts.models import User
from hearth.core.tests.test_text_pathological import PATHOLOGICAL
from hearth.forum.models import Post
from hearth.forum.services import reply_to_thread
from hearth.forum.testing import MakeThread

pytestmark = pytest.mark.django_db

SAVE_BOUND_SECONDS = 1.0
SAMPLES = [
    "nested emphasis",
    "thousands of opening brackets",
    "unclosed links",
    "runs of markup characters",
    "backtick runs",
    "long table",
]


@pytest.mark.parametrize("name", SAMPLES)
def test_a_crafted_post_saves_within_a_second(
    name: str, make_thread: MakeThread, member: User
) -> None:
    thread = make_thread()

    # CPU time of this process: the bound is about Hearth's work, not machine load.
    started = time.process_time()
    post = reply_to_thread(author=member, thread=thread, body=PATHOLOGICAL[name], request_key=name)
    elapsed = time.process_time() - started

    assert elapsed < SAVE_BOUND_SECONDS, f"{name}: {elapsed:.2f} s"
    stored = Post.objects.get(pk=post.pk)
    assert stored.body == PATHOLOGICAL[name]
    assert stored.body_html
    assert "<script" not in stored.body_html
