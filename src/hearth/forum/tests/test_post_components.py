"""A post's parts (issue 18's design pass): icons, compact times, the actions row with its
"More" menu, reactions as one row of icon buttons, faces for every author, and the
"Reply" jump at the top of a thread -- without a query more than before."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import caches
from django.db import connection
from django.template import Context, Template, TemplateSyntaxError
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from hearth.accounts.generated_avatars import member_avatar, pseudonym_avatar
from hearth.accounts.models import User
from hearth.core.compact_times import compact_time
from hearth.core.templatetags.icons import UnknownIconError, icon_names, icon_svg
from hearth.core.testing import ClientFor, MakeMember
from hearth.forum.models import Post, ReactionKind, Thread
from hearth.forum.rendering import REACTION_ICONS
from hearth.forum.services import edit_post, reply_to_thread, start_thread, toggle_reaction
from hearth.forum.templatetags.forum import timestamp
from hearth.forum.testing import MakeCategory, MakeThread
from hearth.forum.tests.test_query_counts import THREAD_PAGE_QUERIES

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)


def _article(page: str, post: Post) -> str:
    found = re.search(rf'<article [^>]*id="post-{post.pk}".*?</article>', page, re.DOTALL)
    assert found, f"post {post.pk} is not on the page"
    return found[0]


def _more_menu(article: str) -> str:
    found = re.search(r'<details class="post-menu">.*?</details>', article, re.DOTALL)
    return found[0] if found else ""


# --- {% icon %} ---------------------------------------------------------------------------


@pytest.mark.database_neutral
def test_an_icon_is_inline_svg_hidden_from_assistive_technology_in_the_text_colour() -> None:
    html = Template('{% load icons %}<a href="/">{% icon "reply" %}Reply</a>').render(Context())

    svg = re.search(r"<svg [^>]*>", html)
    assert svg, html
    assert 'aria-hidden="true"' in svg[0]
    assert 'focusable="false"' in svg[0]
    assert 'width="1em" height="1em"' in svg[0]
    assert 'stroke="currentColor"' in svg[0]
    assert 'class="icon icon--reply"' in svg[0]
    assert "<path" in html
    assert html.endswith("</svg>Reply</a>")


@pytest.mark.database_neutral
def test_an_icon_is_read_once_and_kept() -> None:
    assert icon_svg("heart") is icon_svg("heart")


@pytest.mark.database_neutral
def test_an_unknown_icon_name_fails_when_the_template_is_compiled_naming_the_icons() -> None:
    with pytest.raises(UnknownIconError, match=r"no icon named 'replay'.*reply"):
        Template('{% load icons %}{% icon "replay" %}')


@pytest.mark.database_neutral
def test_an_unknown_icon_name_in_a_variable_fails_when_rendered() -> None:
    template = Template("{% load icons %}{% icon name %}")

    assert "icon--quote" in template.render(Context({"name": "quote"}))
    with pytest.raises(UnknownIconError, match="no icon named 'nope'"):
        template.render(Context({"name": "nope"}))


@pytest.mark.database_neutral
def test_the_icon_tag_takes_exactly_one_name() -> None:
    with pytest.raises(TemplateSyntaxError, match="takes one name"):
        Template('{% load icons %}{% icon "reply" "quote" %}')


@pytest.mark.database_neutral
def test_every_reaction_has_a_vendored_icon() -> None:
    assert set(REACTION_ICONS) == set(ReactionKind.values)
    assert set(REACTION_ICONS.values()) <= icon_names()


# --- compact times ------------------------------------------------------------------------

BOUNDARIES = {
    "a moment ago": (timedelta(0), "now"),
    "59.9 s": (timedelta(seconds=59.9), "now"),
    "a little ahead of our clock": (-timedelta(seconds=30), "now"),
    "60 s": (timedelta(seconds=60), "1\xa0min"),
    "59 min 59 s": (timedelta(minutes=59, seconds=59), "59\xa0min"),
    "60 min": (timedelta(hours=1), "1\xa0h"),
    "23 h 59 min": (timedelta(hours=23, minutes=59), "23\xa0h"),
    "24 h": (timedelta(days=1), "1\xa0d"),
    "6 d 23 h": (timedelta(days=6, hours=23), "6\xa0d"),
    "7 d: a date": (timedelta(days=7), "7 Mar"),
    "40 d": (timedelta(days=40), "2 Feb"),
    "last year: with the year": (timedelta(days=400), "8 Feb 2024"),
    "a minute ahead: still now": (-timedelta(seconds=60), "now"),
    "further ahead: a date": (-timedelta(seconds=61), "14 Mar"),
    "next year: with the year": (-timedelta(days=300), "8 Jan 2026"),
}


@pytest.mark.database_neutral
@pytest.mark.parametrize(("age", "shown"), BOUNDARIES.values(), ids=BOUNDARIES.keys())
def test_compact_times_at_each_boundary(age: timedelta, shown: str) -> None:
    with translation.override("en"), timezone.override("UTC"):
        assert compact_time(NOW - age, NOW) == shown


@pytest.mark.database_neutral
def test_a_date_is_the_readers_date_and_year() -> None:
    # 23:30 on New Year's Eve in London is already the new year in Tokyo.
    moment = datetime(2024, 12, 31, 23, 30, tzinfo=UTC)
    now = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

    with translation.override("en"):
        with timezone.override("Europe/London"):
            assert compact_time(moment, now) == "31 Dec 2024"
        with timezone.override("Asia/Tokyo"):
            assert compact_time(moment, now) == "1 Jan"


@pytest.mark.database_neutral
def test_the_timestamp_tag_gives_the_exact_time_to_machines_hover_and_screen_readers() -> None:
    moment = timezone.now() - timedelta(minutes=5)

    with translation.override("en"), timezone.override("Europe/London"):
        html = timestamp(moment)
        full = html.split('title="')[1].split('"')[0]

    assert html.startswith(f'<time datetime="{moment.isoformat()}" title="')
    assert '<span aria-hidden="true">5\xa0min</span>' in html
    assert f'<span class="visually-hidden">{full}</span></time>' in html
    assert str(moment.astimezone(timezone.get_default_timezone()).year) in full


# --- the thread page ----------------------------------------------------------------------


@pytest.fixture
def thread(make_thread: MakeThread, make_member: MakeMember) -> Thread:
    return make_thread(author=make_member(username="fern", display_name="Fern Gully"))


def test_the_common_actions_are_in_the_row_and_the_rest_in_the_more_menu(
    thread: Thread, make_member: MakeMember, client_for: ClientFor
) -> None:
    post = thread.posts.get()

    article = _article(
        client_for(make_member()).get(thread.get_absolute_url()).content.decode(), post
    )

    menu = _more_menu(article)
    row = article.replace(menu, "")
    assert '<summary class="post-action">' in menu
    assert "More actions for this post" in menu
    assert f'href="{reverse("moderation:report_post", args=[post.pk])}"' in menu
    assert "Report or share a concern" in menu
    assert "Message" in menu
    for common in ('class="copy-link"', 'class="quote-link"', f'id="save-button-{post.pk}"'):
        assert common in row, common
        assert common not in menu, common
    assert "Edit</a>" not in article  # not theirs
    assert "icon--ellipsis" in menu


def test_the_author_finds_edit_delete_and_bring_to_session_under_more(
    thread: Thread, client_for: ClientFor
) -> None:
    post = thread.posts.get()
    author = User.objects.get(username="fern")

    menu = _more_menu(
        _article(client_for(author).get(thread.get_absolute_url()).content.decode(), post)
    )

    assert f'href="{reverse("forum:edit_post", args=[post.pk])}"' in menu
    assert f'href="{reverse("forum:delete_post", args=[post.pk])}"' in menu
    # Still a form, posted with the CSRF token filled into its slot.
    bring = re.search(r'<form method="post" action="[^"]+"[^>]*>.*?</form>', menu, re.DOTALL)
    assert bring
    assert "Bring to session" in bring[0]
    assert re.search(r'name="csrfmiddlewaretoken" value="[^"\x00]{20,}"', bring[0])
    assert "Report or share a concern" not in menu


def test_a_moderator_finds_moderate_under_more(
    thread: Thread, moderator: User, client_for: ClientFor
) -> None:
    post = thread.posts.get()

    menu = _more_menu(
        _article(client_for(moderator).get(thread.get_absolute_url()).content.decode(), post)
    )

    assert ">Moderate</a>" in menu


def test_an_edited_posts_history_is_under_more_for_everyone_who_reads_it(
    thread: Thread, make_member: MakeMember, client_for: ClientFor
) -> None:
    post = thread.posts.get()
    author = User.objects.get(username="fern")
    edit_post(editor=author, post=post, body="Edited words.", base_revision=1, reason="")
    unedited = reply_to_thread(author=author, thread=thread, body="Hi", request_key="r1")

    page = client_for(make_member()).get(thread.get_absolute_url()).content.decode()

    history = f'href="{reverse("forum:history", args=[post.pk])}"'
    assert history in _more_menu(_article(page, post))
    assert "Last edited <time" in _article(page, post)
    assert reverse("forum:history", args=[unedited.pk]) not in page


def test_a_visitor_sees_no_more_menu_on_an_unedited_post(
    make_thread: MakeThread, make_category: MakeCategory, client: Client
) -> None:
    public = make_thread(category=make_category(visibility="public"))
    post = public.posts.get()

    article = _article(client.get(public.get_absolute_url()).content.decode(), post)

    assert 'class="copy-link"' in article
    assert "post-menu" not in article


def test_reactions_are_icon_buttons_in_one_form_with_ids_that_keep_focus(
    thread: Thread, make_member: MakeMember, client_for: ClientFor
) -> None:
    post = thread.posts.get()
    reader = make_member()
    toggle_reaction(member=reader, post=post, kind=ReactionKind.HEART)

    article = _article(client_for(reader).get(thread.get_absolute_url()).content.decode(), post)

    form = re.search(r'<form [^>]*class="reactions__form".*?</form>', article, re.DOTALL)
    assert form
    buttons = re.findall(r"<button [^>]*>.*?</button>", form[0], re.DOTALL)
    assert len(buttons) == len(ReactionKind)
    for kind, button in zip(ReactionKind.values, buttons, strict=True):
        assert f'id="reaction-{post.pk}-{kind}"' in button
        assert f"icon--{REACTION_ICONS[kind]}" in button
        pressed = "true" if kind == ReactionKind.HEART else "false"
        assert f'aria-pressed="{pressed}"' in button
    assert (
        '<span class="reaction__label">Heart</span> <span class="reaction__count">1</span>'
        in form[0]
    )
    # No emoji: nothing here needs an emoji font.
    assert not re.search("[\U0001f300-\U0001faff\u2764\u270b]", article)


def test_the_htmx_answer_to_a_reaction_keeps_each_buttons_id(
    thread: Thread, member_client: Client
) -> None:
    post = thread.posts.get()

    html = member_client.post(
        reverse("forum:react", args=[post.pk]), {"kind": "thanks"}, HTTP_HX_REQUEST="true"
    ).content.decode()

    assert re.search(rf'aria-pressed="true" id="reaction-{post.pk}-thanks"', html)
    assert all(f'id="reaction-{post.pk}-{kind}"' in html for kind in ReactionKind.values)


def test_a_member_without_a_photo_has_their_generated_face(
    thread: Thread, make_member: MakeMember, client_for: ClientFor
) -> None:
    author = User.objects.get(username="fern")

    page = client_for(make_member()).get(thread.get_absolute_url()).content.decode()

    assert str(member_avatar(author.pk, "Fern Gully", 40)) in page
    assert ">FG</text>" in page


def test_an_anonymous_posts_face_comes_from_its_pseudonym_never_its_author(
    make_category: MakeCategory, make_member: MakeMember, client_for: ClientFor
) -> None:
    category = make_category("Hard things", allow_anonymous=True)
    first_author = make_member(display_name="Secret Sparrow")
    thread = start_thread(
        author=first_author, category=category, title="Hard", body="Hi", request_key="a1",
        anonymous=True,
    )  # fmt: skip
    post = thread.posts.get()
    reader = client_for(make_member())

    before = _article(reader.get(thread.get_absolute_url()).content.decode(), post)
    # Were the same pseudonym someone else's, the face would not change.
    Post.objects.filter(pk=post.pk).update(author=make_member(display_name="Other Person"))
    caches["fragments"].clear()
    after = _article(reader.get(thread.get_absolute_url()).content.decode(), post)

    face = str(pseudonym_avatar(thread.pk, post.author_name, 40))
    assert face in before
    assert face in after
    assert str(member_avatar(first_author.pk, first_author.display_name, 40)) not in before
    assert ">SS</text>" not in before


def test_the_thread_page_offers_a_reply_button_that_jumps_to_the_reply_box(
    thread: Thread, member_client: Client
) -> None:
    page = member_client.get(thread.get_absolute_url()).content.decode()

    jump = re.search(r'<p class="thread-reply-jump"><a href="#reply" class="button">.*?</a>', page)
    assert jump
    assert "icon--reply" in jump[0]
    assert "Reply" in jump[0]
    assert page.index("thread-reply-jump") < page.index('class="post')
    section = page[page.index('id="reply"') :]
    assert '<textarea name="body"' in section


def test_no_reply_button_where_one_cannot_reply(
    make_thread: MakeThread, member_client: Client
) -> None:
    locked = make_thread(locked=True)

    assert "thread-reply-jump" not in member_client.get(locked.get_absolute_url()).content.decode()


def test_the_thread_page_costs_no_query_more_with_faces_icons_and_menus(
    make_category: MakeCategory, make_member: MakeMember, client_for: ClientFor
) -> None:
    category = make_category("Hard things", allow_anonymous=True)
    viewer = make_member()
    thread = start_thread(
        author=make_member(), category=category, title="T", body="Hi", request_key="t"
    )
    for number in range(6):
        reply = reply_to_thread(
            author=make_member(), thread=thread, body=f"Reply {number}",
            request_key=f"r{number}", anonymous=number % 2 == 0,
        )  # fmt: skip
        toggle_reaction(member=viewer, post=reply, kind=ReactionKind.HUG)
    Post.objects.filter(thread=thread).update(created_at=timezone.now() - timedelta(days=3))
    client = client_for(viewer)
    client.get(thread.get_absolute_url())  # warm

    with CaptureQueriesContext(connection) as captured:
        page = client.get(thread.get_absolute_url()).content.decode()

    assert len(captured) == THREAD_PAGE_QUERIES
    assert page.count("avatar--generated") == 7
    assert page.count("avatar--anonymous") == 3
