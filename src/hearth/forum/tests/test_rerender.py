"""``hearth rerender`` brings stored HTML up to the current render version."""

from io import StringIO

import pytest
from django.core.management import call_command

from hearth.core.text import RENDER_VERSION
from hearth.forum.models import Post
from hearth.forum.testing import MakeThread

pytestmark = pytest.mark.django_db


def test_rerender_updates_only_posts_from_an_older_version(make_thread: MakeThread) -> None:
    stale = make_thread(body="Hello :)").posts.get()
    current = make_thread(body="Current").posts.get()
    Post.objects.filter(pk=stale.pk).update(body_html="<p>old output</p>", render_version=0)
    Post.objects.filter(pk=current.pk).update(body_html="<p>untouched</p>")
    output = StringIO()

    call_command("rerender", stdout=output)

    stale.refresh_from_db()
    current.refresh_from_db()
    assert stale.render_version == RENDER_VERSION
    assert 'aria-label="slightly smiling face"' in stale.body_html
    assert current.body_html == "<p>untouched</p>"
    assert "Re-rendered 1 post(s)." in output.getvalue()


def test_rerender_all_renders_every_post(make_thread: MakeThread) -> None:
    post = make_thread(body="**bold**").posts.get()
    Post.objects.filter(pk=post.pk).update(body_html="stale")

    call_command("rerender", "--all", stdout=StringIO())

    post.refresh_from_db()
    assert "<strong>bold</strong>" in post.body_html
