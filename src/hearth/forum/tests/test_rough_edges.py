"""Rough edges members found (issue 18): links on another address, the unread jump after
posting, the first version in a post's history, long threads' pages, previews of mentions,
a partial suspension said up front, editing a thread's title, drafts of edits, quoting."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from hearth.accounts.models import User
from hearth.api.models import Scope
from hearth.api.services import create_access_token
from hearth.core.site_address import absolute_url, site_origin
from hearth.core.tasks import run_due_tasks
from hearth.core.testing import ClientFor, MakeMember
from hearth.forum.models import Category, Draft, Post, PostRevision, ReadState, Thread, Visibility
from hearth.forum.quoting import clean_selection, is_selected_from, without_quotes
from hearth.forum.selectors import POSTS_PER_PAGE
from hearth.forum.services import (
    EditConflict,
    edit_post,
    reply_to_thread,
    save_draft,
    start_thread,
)
from hearth.forum.testing import MakeCategory, MakeReply, MakeThread
from hearth.member_data.export import member_data, source_for
from hearth.search.models import SearchEntry

pytestmark = pytest.mark.django_db


def _text(response: HttpResponseBase) -> str:
    assert isinstance(response, HttpResponse)  # never a streaming one here
    return response.content.decode()


# --- 1. Absolute links: SITE_URL when set, else the request's own address ---------------


def test_without_site_url_absolute_links_name_the_address_the_request_came_to(
    settings: Settings,
) -> None:
    request = RequestFactory().get("/", HTTP_HOST="localhost:8123")

    assert not settings.SITE_URL_IS_SET
    assert site_origin(request) == "http://localhost:8123"
    assert absolute_url("/p/7/", request) == "http://localhost:8123/p/7/"
    # Mail and tasks have no request: SITE_URL, as before.
    assert absolute_url("/p/7/", None) == f"{settings.SITE_URL}/p/7/"
    settings.SITE_URL, settings.SITE_URL_IS_SET = "https://hearth.example.org", True
    assert absolute_url("/p/7/", request) == "https://hearth.example.org/p/7/"


@pytest.mark.parametrize("configured", [False, True])
def test_a_quote_links_back_with_the_same_address_as_copy_link(
    configured: bool, settings: Settings, make_thread: MakeThread, member: User
) -> None:
    if configured:
        settings.SITE_URL, settings.SITE_URL_IS_SET = "https://hearth.example.org", True
    post = make_thread(body="Counting the days").posts.get()
    client = Client(HTTP_HOST="localhost:8123")
    client.force_login(member)

    page = _text(client.get(reverse("forum:quote", args=[post.pk])))

    origin = "https://hearth.example.org" if configured else "http://localhost:8123"
    assert f"(&lt;{origin}/p/{post.pk}/&gt;)" in page
    assert "127.0.0.1:8000" not in page
    thread_page = _text(client.get(post.thread.get_absolute_url()))
    if configured:
        assert f'data-permalink="{origin}/p/{post.pk}/"' in thread_page
    else:  # forum.js copies the link as the browser completes it: this page's address
        assert "data-permalink" not in thread_page


# --- 2. No "first unread" jump to what one just posted ----------------------------------


def test_after_posting_a_reply_the_thread_offers_no_jump_to_first_unread(
    make_thread: MakeThread, make_reply: MakeReply, member: User, member_client: Client
) -> None:
    thread = make_thread()
    make_reply(thread)
    member_client.get(thread.get_absolute_url())  # read to the end

    response = member_client.post(
        reverse("forum:reply", args=[thread.pk]),
        {"body": "Thinking of you.", "request_key": "own-1"},
        follow=True,
    )

    assert response.status_code == 200
    assert "Jump to first unread" not in _text(response)
    assert ReadState.objects.get(member=member, thread=thread).last_read_position == 3
    assert "Jump to first unread" not in _text(member_client.get(thread.get_absolute_url()))


def test_a_reply_someone_else_posted_meanwhile_stays_unread(
    make_thread: MakeThread, make_reply: MakeReply, member: User, member_client: Client
) -> None:
    thread = make_thread()
    member_client.get(thread.get_absolute_url())  # read: position 1
    make_reply(thread)  # position 2, while the member writes

    reply_to_thread(author=member, thread=thread, body="Mine", request_key="own-2")

    # Their own post does not count others' as read: the jump still goes to position 2.
    assert ReadState.objects.get(member=member, thread=thread).last_read_position == 1
    page = _text(member_client.get(thread.get_absolute_url()))
    assert "Jump to first unread" in page


# --- 3. History: the first version as written, then what each change changed ----------


def test_the_history_shows_the_first_version_as_plain_text_and_diffs_after_it(
    make_thread: MakeThread, client_for: ClientFor
) -> None:
    post = make_thread(body="First words here").posts.get()
    assert post.author is not None
    client = client_for(post.author)
    only_one = _text(client.get(reverse("forum:history", args=[post.pk])))
    assert "<ins>" not in only_one
    assert "First words here" in only_one

    edit_post(editor=post.author, post=post, body="First kind words here", base_revision=1)
    page = _text(client.get(reverse("forum:history", args=[post.pk])))

    first = page[page.index("First posted") :]
    assert "<ins>" not in first
    assert "<del>" not in first
    assert '<pre class="revision__text">First words here</pre>' in first
    assert "First<ins> kind</ins> words here" in page


# --- 4. Long threads: their pages ------------------------------------------------------


@pytest.fixture
def long_thread(make_thread: MakeThread, make_member: MakeMember) -> Thread:
    thread = make_thread(category=None)
    author = make_member()
    for number in range(POSTS_PER_PAGE * 6 - 1):  # six pages
        reply_to_thread(
            author=author, thread=thread, body=f"Reply {number}", request_key=f"l{number}"
        )
    thread.refresh_from_db()
    return thread


def _navs(page: str) -> list[tuple[str, str]]:
    """Each pages navigation's name and what it holds."""
    found = re.finditer(
        r'<nav class="pagination" aria-label="([^"]+)">(.*?)</nav>', page, re.DOTALL
    )
    return [(nav[1], nav[2]) for nav in found]


def test_a_long_threads_pages_offer_first_last_nearby_numbers_and_go_to_page(
    long_thread: Thread, member_client: Client
) -> None:
    page = _text(member_client.get(f"{long_thread.get_absolute_url()}?page=4"))

    navs = _navs(page)
    assert [label for label, _links in navs] == ["Pages, top", "Pages, bottom"]
    links = navs[0][1]
    assert '<a href="?page=1">First page</a>' in links
    assert '<a href="?page=3" rel="prev">Previous page</a>' in links
    assert re.findall(r'class="pagination__number" aria-label="Page (\d+)"', links) == [
        "2", "3", "4", "5", "6",
    ]  # fmt: skip
    assert 'aria-label="Page 4" aria-current="page">4</a>' in links
    assert '<a href="?page=5" rel="next">Next page</a>' in links
    assert '<a href="?page=6">Last page</a>' in links
    assert '<form method="get" class="pagination__jump">' in links
    assert 'id="go-to-page-top"' in links
    assert 'id="go-to-page-bottom"' in navs[1][1]


def test_next_and_last_never_go_to_the_same_page(
    long_thread: Thread, member_client: Client
) -> None:
    next_to_last = _navs(_text(member_client.get(f"{long_thread.get_absolute_url()}?page=5")))
    second = _navs(_text(member_client.get(f"{long_thread.get_absolute_url()}?page=2")))

    assert "Next page" in next_to_last[0][1]
    assert "Last page" not in next_to_last[0][1]
    assert "Previous page" in second[0][1]
    assert "First page" not in second[0][1]


@pytest.mark.parametrize(
    ("asked", "status", "lands_on"),
    [
        ("6", 200, None),
        (" 3 ", 200, None),
        ("0", 302, ""),
        ("7", 302, "?page=6"),
        ("99999999999999999999", 302, "?page=6"),
        ("-1", 400, None),
        ("2.5", 400, None),
        ("abc", 400, None),
        ("\u0663", 400, None),  # an Arabic-Indic three: a digit, not an ASCII number
        ("", 400, None),
    ],
)
def test_go_to_page_takes_any_input_without_a_server_error(
    asked: str, status: int, lands_on: str | None, long_thread: Thread, member_client: Client
) -> None:
    response = member_client.get(long_thread.get_absolute_url(), {"page": asked})

    assert response.status_code == status
    if lands_on is not None:
        assert response["Location"] == f"{long_thread.get_absolute_url()}{lands_on}"
    if status == 400:
        assert "page number is not valid" in _text(response)


# --- 5. Preview: @mentions as the post will show them ---------------------------------


def test_the_preview_links_mentions_exactly_as_the_published_post(
    make_member: MakeMember, make_thread: MakeThread, member: User, member_client: Client
) -> None:
    make_member(username="willow", display_name="Willow")
    body = "Thank you @willow, and @nobody-here too."

    preview = _text(member_client.post(reverse("forum:preview"), {"body": body}))
    published = make_thread(author=member, body=body).posts.get()

    profile = reverse("accounts:profile", kwargs={"username": "willow"})
    assert f'href="{profile}"' in published.body_html
    assert published.body_html in preview
    # A private message links no one: its preview stays as it will be sent.
    private = _text(
        member_client.post(reverse("forum:preview"), {"body": body, "private_message": "1"})
    )
    assert f'href="{profile}"' not in private


# --- 6. A partial suspension is said before writing --------------------------------------


def test_a_partly_suspended_member_is_told_before_writing_a_thread(
    category: Category, member: User, member_client: Client
) -> None:
    save_draft(member=member, category=category, title="Kept", body="Words I had started")
    User.objects.filter(pk=member.pk).update(
        suspended_until=timezone.now() + timedelta(days=3), suspension_is_partial=True
    )

    response = member_client.get(reverse("forum:new_thread", args=[category.slug]))

    page = _text(response)
    assert response.status_code == 403
    assert "can&#x27;t post or react until" in page
    assert reverse("moderation:write") in page
    assert 'name="body"' not in page  # no composer to write in for nothing
    assert "Words I had started</textarea>" in page  # the draft, to copy from
    category_page = _text(member_client.get(category.get_absolute_url()))
    assert "can&#x27;t post or react until" in category_page
    assert reverse("forum:new_thread", args=[category.slug]) not in category_page


# --- 7. The thread's author changes its title ---------------------------------------


@pytest.fixture
def opening(make_thread: MakeThread, make_category: MakeCategory) -> Post:
    thread = make_thread(
        category=make_category(visibility=Visibility.PUBLIC), title="Old title", body="Hello"
    )
    return thread.posts.get()


def test_the_opening_posts_author_changes_the_title_in_the_edit_form(
    settings: Settings, opening: Post, client_for: ClientFor
) -> None:
    settings.HEARTH_PUBLIC_PAGE_CACHE = True
    assert opening.author is not None
    client = client_for(opening.author)
    edit_url = reverse("forum:edit_post", args=[opening.pk])
    assert 'name="title" value="Old title"' in _text(client.get(edit_url))
    assert "Old title" in _text(Client().get(opening.thread.get_absolute_url()))  # cached
    assert "Old title" in _text(Client().get(reverse("home")))

    response = client.post(edit_url, {"title": "New title", "body": "Hello", "base_revision": 1})

    assert response.status_code == 302
    thread = Thread.objects.get(pk=opening.thread_id)
    assert thread.title == "New title"
    assert Category.objects.get(pk=thread.category_id).last_thread_title == "New title"
    revision = PostRevision.objects.get(post=opening, number=2)
    assert (revision.title, revision.body) == ("New title", "Hello")
    history = _text(client.get(reverse("forum:history", args=[opening.pk])))
    assert "<del>Old</del><ins>New</ins> title" in history
    assert "The text did not change." in history
    # The edit's event renews what shows the title: visitors' pages, the search index.
    assert "New title" in _text(Client().get(thread.get_absolute_url()))
    assert "New title" in _text(Client().get(reverse("home")))
    run_due_tasks()
    assert SearchEntry.objects.get(pk=opening.pk).title == "New title"


def test_only_the_threads_author_may_change_its_title(
    opening: Post, make_reply: MakeReply, moderator: User, client_for: ClientFor
) -> None:
    assert opening.author is not None
    reply = make_reply(opening.thread)
    assert reply.author is not None

    with pytest.raises(PermissionDenied, match="change its title"):
        edit_post(editor=moderator, post=opening, body="Hello", base_revision=1, title="Mine")
    with pytest.raises(PermissionDenied, match="change its title"):
        edit_post(editor=reply.author, post=reply, body="Hi", base_revision=1, title="Mine")
    reply_form = _text(client_for(reply.author).get(reverse("forum:edit_post", args=[reply.pk])))
    assert 'name="title"' not in reply_form
    emptied = client_for(opening.author).post(
        reverse("forum:edit_post", args=[opening.pk]),
        {"title": "  ", "body": "Hello", "base_revision": 1},
    )
    assert emptied.status_code == 400
    assert "Please give your thread a title." in _text(emptied)
    with pytest.raises(ValidationError):
        edit_post(editor=opening.author, post=opening, body="Hello", base_revision=1, title="…")
    assert Thread.objects.get(pk=opening.thread_id).title == "Old title"


def test_the_api_changes_a_title_by_the_same_rule(
    opening: Post, make_reply: MakeReply, moderator: User
) -> None:
    assert opening.author is not None

    def patch(member: User, post: Post, payload: dict[str, object]) -> HttpResponseBase:
        token = create_access_token(member=member, name="App", scope=Scope.WRITE, lifetime_days=90)
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token.secret}")
        return client.patch(
            f"/api/v1/posts/{post.pk}", json.dumps(payload), content_type="application/json"
        )

    changed = patch(opening.author, opening, {"body": "Hello", "base_revision": 1, "title": "API"})
    refused = patch(moderator, opening, {"body": "Hello", "base_revision": 2, "title": "Mod"})
    empty = patch(opening.author, opening, {"body": "Hello", "base_revision": 2, "title": " "})

    assert changed.status_code == 200
    assert Thread.objects.get(pk=opening.thread_id).title == "API"
    assert refused.status_code == 422
    assert json.loads(_text(refused))["error"]["fields"] == {
        "title": ["Only the thread's author can change its title."]
    }
    assert empty.status_code == 422
    assert "title" in json.loads(_text(empty))["error"]["fields"]


def test_a_new_threads_first_version_records_its_title(member: User, category: Category) -> None:
    thread = start_thread(
        author=member, category=category, title="Sunday", body="Hi", request_key="t1"
    )

    assert PostRevision.objects.get(post__thread=thread, number=1).title == "Sunday"


# --- 8. Drafts of edits ------------------------------------------------------------------


def test_an_unsaved_edit_is_kept_and_comes_back_until_saved(
    opening: Post, client_for: ClientFor
) -> None:
    assert opening.author is not None
    client = client_for(opening.author)
    edit_url = reverse("forum:edit_post", args=[opening.pk])

    saved = client.post(
        reverse("forum:save_draft"),
        {"post": opening.pk, "base_revision": 1, "title": "Better title", "body": "Hello again"},
    )

    assert saved.status_code == 200
    assert _text(saved) == "Draft saved."
    draft = Draft.objects.get(member=opening.author, post=opening)
    assert (draft.title, draft.body, draft.base_revision) == ("Better title", "Hello again", 1)
    page = _text(client.get(edit_url))  # the tab was closed; the edit is opened again
    assert "Hello again</textarea>" in page
    assert 'value="Better title"' in page
    assert "were not saved yet" in page
    # The reply box and the new-thread form know nothing of it.
    assert "Hello again" not in _text(client.get(opening.thread.get_absolute_url()))

    client.post(edit_url, {"title": "Better title", "body": "Hello again", "base_revision": 1})

    assert not Draft.objects.filter(post=opening).exists()
    assert Post.objects.get(pk=opening.pk).body == "Hello again"
    assert "were not saved yet" not in _text(client.get(edit_url))


def test_an_edit_previewed_without_javascript_keeps_what_it_edits_against(
    opening: Post, client_for: ClientFor
) -> None:
    assert opening.author is not None
    edit_url = reverse("forum:edit_post", args=[opening.pk])
    sent = {
        "title": "Old title",
        "body": "Hello, previewed",
        "base_revision": "1",
        "reason": "Typo",
    }

    page = _text(
        client_for(opening.author).post(reverse("forum:preview"), {**sent, "next_action": edit_url})
    )

    assert 'name="base_revision" value="1"' in page
    assert 'name="reason" value="Typo"' in page
    assert f'action="{edit_url}"' in page


def test_cancelling_an_edit_discards_its_draft(opening: Post, client_for: ClientFor) -> None:
    assert opening.author is not None
    save_draft(member=opening.author, post=opening, base_revision=1, body="Not this after all")
    client = client_for(opening.author)

    response = client.post(reverse("forum:edit_post", args=[opening.pk]), {"discard": "1"})

    assert response.status_code == 302
    assert not Draft.objects.filter(post=opening).exists()
    assert Post.objects.get(pk=opening.pk).body == "Hello"


def test_an_edit_draft_of_a_post_changed_meanwhile_is_a_conflict_not_an_overwrite(
    opening: Post, moderator: User, client_for: ClientFor
) -> None:
    assert opening.author is not None
    save_draft(member=opening.author, post=opening, base_revision=1, body="My slow edit")
    edit_post(editor=moderator, post=opening, body="Moderator's edit", base_revision=1)
    client = client_for(opening.author)

    page = _text(client.get(reverse("forum:edit_post", args=[opening.pk])))
    assert 'name="base_revision" value="1"' in page
    assert "The post was changed since you started" in page
    response = client.post(
        reverse("forum:edit_post", args=[opening.pk]), {"body": "My slow edit", "base_revision": 1}
    )

    assert response.status_code == 409
    assert Draft.objects.filter(post=opening).exists()  # kept until it is saved
    with pytest.raises(EditConflict):
        edit_post(editor=opening.author, post=opening, body="My slow edit", base_revision=1)


def test_an_edit_back_to_the_post_as_it_is_clears_its_draft(opening: Post) -> None:
    assert opening.author is not None
    save_draft(member=opening.author, post=opening, base_revision=1, body="Changed")

    assert save_draft(member=opening.author, post=opening, base_revision=1, body="Hello") is None
    assert not Draft.objects.filter(post=opening).exists()


def test_no_draft_of_an_edit_one_may_not_make(
    opening: Post, member: User, member_client: Client
) -> None:
    refused = member_client.post(
        reverse("forum:save_draft"), {"post": opening.pk, "base_revision": 1, "body": "Mine"}
    )
    missing = member_client.post(reverse("forum:save_draft"), {"post": 999999, "body": "x"})
    malformed = [
        member_client.post(reverse("forum:save_draft"), {"post": value, "body": "x"})
        for value in ("abc", "", "\u0663", "9" * 5000)
    ]

    assert refused.status_code == 400
    assert "Only the author can edit this post." in _text(refused)
    assert missing.status_code == 404
    assert [response.status_code for response in malformed] == [400, 400, 400, 400]
    assert not Draft.objects.filter(member=member).exists()


def test_a_deleted_post_takes_its_edit_drafts_with_it(opening: Post, client_for: ClientFor) -> None:
    assert opening.author is not None
    save_draft(member=opening.author, post=opening, base_revision=1, body="Half an edit")

    client_for(opening.author).post(reverse("forum:delete_post", args=[opening.pk]))

    assert not Draft.objects.filter(post=opening).exists()


def test_the_members_data_export_holds_their_edit_drafts_and_titles(
    opening: Post, client_for: ClientFor
) -> None:
    author = opening.author
    assert author is not None
    edit_post(editor=author, post=opening, body="Hello", base_revision=1, title="Renamed")
    save_draft(member=author, post=opening, base_revision=2, body="An edit half done")

    data = member_data(source_for(author, include_toolkit=False, now=timezone.now()))

    [draft] = data["drafts"]["forum"]
    assert draft["markdown"] == "An edit half done"
    assert draft["edit_of"]["id"] == opening.pk
    [post] = [each for each in data["posts"] if each["id"] == opening.pk]
    assert [version["thread_title"] for version in post["versions"]] == ["Old title", "Renamed"]


# --- 9. Quoting: the selection, or the post without the quotes inside it ----------------


QUOTING_REPLY = (
    "**Fern** [wrote](<http://127.0.0.1:8000/p/3/>):\n"
    "> An earlier post\n"
    "> on two lines\n"
    "\n"
    "My own answer, with **emphasis**.\n"
    "\n"
    "```\n> not a quote: code\n```\n"
)


def test_quoting_a_post_leaves_out_the_quotes_inside_it() -> None:
    assert without_quotes(QUOTING_REPLY) == (
        "My own answer, with **emphasis**.\n\n```\n> not a quote: code\n```"
    )
    assert without_quotes("Nothing quoted.") == "Nothing quoted."
    assert without_quotes("> Only a quote") == "> Only a quote"  # else nothing to quote


def test_a_selection_must_be_the_posts_own_words() -> None:
    text = "My own answer, with emphasis.\n\n- one\n- two 🙂"

    assert is_selected_from("own answer, with", text)
    assert is_selected_from("wn answer", text)  # a word cut at the selection's edge
    assert is_selected_from("one\ntwo", text)  # a list's lines, without their markers
    assert not is_selected_from("my answer", text)
    assert not is_selected_from("🙂", text)  # no words at all
    assert clean_selection("a  \r\n\r\n\r\nb\r\n") == "a\n\nb"


def test_the_quote_link_quotes_the_whole_post_without_its_quotes(
    make_thread: MakeThread, make_member: MakeMember, member_client: Client
) -> None:
    thread = make_thread()
    quoting = reply_to_thread(
        author=make_member(display_name="Heron"),
        thread=thread,
        body=QUOTING_REPLY,
        request_key="q1",
    )

    page = html.unescape(_text(member_client.get(reverse("forum:quote", args=[quoting.pk]))))

    assert "> My own answer, with **emphasis**." in page
    assert "An earlier post" not in page
    assert "[wrote](<http://127.0.0.1:8000/p/3/>)" not in page
    assert page.count("wrote](") == 1  # Heron's attribution only


def test_quoting_a_selection_quotes_those_words_only(
    make_thread: MakeThread, make_member: MakeMember, member_client: Client
) -> None:
    post = make_thread(body="First line of it.\n\nSecond *line*, the one I mean.").posts.get()
    url = reverse("forum:quote", args=[post.pk])

    chosen = member_client.post(url, {"selection": "Second line, the one"})
    invented = member_client.post(url, {"selection": "words never written"})
    empty = member_client.post(url, {"selection": ""})

    assert chosen.status_code == 200
    quoted = html.unescape(_text(chosen))
    assert "> Second line, the one\n" in quoted
    assert "First line of it." not in quoted
    # Words the post does not hold are never quoted as its author's: the whole post is.
    assert invented.status_code == 200
    whole = html.unescape(_text(invented))
    assert "words never written" not in whole
    assert "> First line of it." in whole
    assert "were not found in the post" in whole
    assert empty.status_code == 400
