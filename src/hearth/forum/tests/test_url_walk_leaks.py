"""No address shows a post's text to someone the visibility policy keeps it from.

The walk asks every route of the project that takes a post or a thread id --
found in the URL configuration, so a new route joins by itself -- about four
secrets: a hidden post, a held post, a held thread's original post and a post
in a moderators-only category, each carrying a canary word. A member who is
neither author nor moderator, and a visitor, ask by GET and by POST (empty,
and with a plausible ``body``), following redirects; no canary may come back.
The tests after the walk pin down each route that once leaked.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern
from pytest_django.fixtures import Settings

from hearth.accounts.models import Role, User
from hearth.core.testing import ClientFor, MakeMember
from hearth.forum.models import Category, PendingPost, Post, Visibility
from hearth.forum.pending import hold_back
from hearth.forum.services import edit_post
from hearth.forum.testing import MakeCategory, MakeReply, MakeThread
from hearth.moderation.services import hide_post

pytestmark = pytest.mark.django_db

ID_ARGUMENTS = frozenset({"post_id", "thread_id"})
# Routes known to take a post or thread id: if the walk misses one, it is broken.
KNOWN_ROUTES = frozenset(
    {
        "forum:thread",
        "forum:reply",
        "forum:permalink",
        "forum:quote",
        "forum:edit_post",
        "forum:history",
        "forum:reactors",
        "forum:save_post",
        "forum:unsave_post",
        "forum:bookmark_note",
        "forum:thread_mentionable",
        "forum:posts_after",
        "forum:post_article",
        "moderation:post",
        # The JSON API (hearth.api): the same rules, asked through its own routes.
        "api:thread",
        "api:reply",
        "api:post",
        "api:edit_post",
        "api:delete_post",
        "api:add_reaction",
        "api:remove_reaction",
    }
)
# Forum routes known to take a category's slug: asked about the moderators-only category.
KNOWN_CATEGORY_ROUTES = frozenset(
    {
        "forum:category",
        "forum:new_thread",
        "forum:mark_category_read",
        "forum:follow_category",
        "forum:category_mentionable",
        "forum:category_feed",
    }
)
# Routes known to take a waiting post's id ("Time to reconsider"): its author's alone.
WAITING_ARGUMENTS = frozenset({"pending_id"})
KNOWN_WAITING_ROUTES = frozenset(
    {
        "forum:pending_post",
        "forum:publish_pending",
        "forum:edit_pending",
        "forum:withdraw_pending",
        "forum:pending_check_in",
        "api:publish_waiting_post",
        "api:withdraw_waiting_post",
    }
)
# Values for a route's other arguments; the actions are the most revealing ones.
OTHER_ARGUMENTS: dict[str, tuple[str, ...]] = {"action": ("reveal", "hide", "approve")}
PLAUSIBLE_POST = {
    "body": "Thinking of you today.",
    "request_key": "walk",
    "reason": "Walk",
    "note": "Walk",  # a saved post's note
}


# --- The walk -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # namespaced, "" for a route without a name
    arguments: tuple[str, ...]


def _arguments(entry: URLPattern) -> tuple[str, ...]:
    pattern = entry.pattern
    if isinstance(pattern, RoutePattern):
        return tuple(pattern.converters)
    if isinstance(pattern, RegexPattern):
        return tuple(pattern.regex.groupindex)
    return ()


def _walk(
    entries: Iterable[URLPattern | URLResolver], namespace: str, wanted: frozenset[str]
) -> Iterator[Route]:
    for entry in entries:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner, wanted)
            continue
        arguments = _arguments(entry)
        if wanted & set(arguments):
            yield Route(f"{namespace}{entry.name}" if entry.name else "", arguments)


def routes_taking(wanted: frozenset[str]) -> list[Route]:
    """Every route of the project with one of the ``wanted`` arguments."""
    found = set(_walk(get_resolver().url_patterns, "", wanted))
    return sorted(found, key=lambda route: route.name)


def routes_taking_a_post_or_thread() -> list[Route]:
    return routes_taking(ID_ARGUMENTS)


def routes_taking_a_category() -> list[Route]:
    """The forum's routes whose only argument is a slug: a category's."""
    entries = get_resolver().url_patterns
    found = {
        Route(f"{namespace}{entry.name}", _arguments(entry))
        for namespace, entry in _every_entry(entries, "")
        if namespace == "forum:" and _arguments(entry) == ("slug",)
    }
    return sorted(found, key=lambda route: route.name)


def _every_entry(
    entries: Iterable[URLPattern | URLResolver], namespace: str
) -> Iterator[tuple[str, URLPattern]]:
    for entry in entries:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _every_entry(entry.url_patterns, inner)
        else:
            yield namespace, entry


# --- Secrets ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Secret:
    kind: str
    canary: str  # in the post's text (and, for a held thread, its title)
    post: Post

    @property
    def author(self) -> User:
        assert self.post.author is not None
        return self.post.author


def _canary(kind: str) -> str:
    return f"canary{kind}{uuid.uuid4().hex[:10]}"


def _fresh(post: Post) -> Post:
    return Post.objects.select_related("thread__category", "author").get(pk=post.pk)


@pytest.fixture
def public(make_category: MakeCategory) -> Category:
    return make_category(visibility=Visibility.PUBLIC)


@pytest.fixture
def hidden(
    settings: Settings,
    make_member: MakeMember,
    make_thread: MakeThread,
    make_reply: MakeReply,
    moderator: User,
    public: Category,
) -> Secret:
    settings.HEARTH_HOLD_FIRST_POSTS = 0
    canary = _canary("hidden")
    author = make_member(display_name="Hidden author")
    thread = make_thread(category=public, title="Waiting rooms")
    post = make_reply(thread, author=author, body=f"**The clinic on the corner** {canary}")
    edit_post(
        editor=author,
        post=post,
        body=f"**The clinic on the corner**, again {canary}",
        base_revision=post.revision,
    )
    hide_post(moderator=moderator, post=_fresh(post), reason="It names a clinic.")
    return Secret("hidden post", canary, _fresh(post))


@pytest.fixture
def held(
    settings: Settings,
    make_member: MakeMember,
    make_thread: MakeThread,
    make_reply: MakeReply,
    public: Category,
) -> Secret:
    settings.HEARTH_HOLD_FIRST_POSTS = 0
    thread = make_thread(category=public, title="First weeks")
    settings.HEARTH_HOLD_FIRST_POSTS = 5
    canary = _canary("held")
    post = make_reply(thread, author=make_member(), body=f"My very first words {canary}")
    assert post.is_held
    return Secret("held post", canary, _fresh(post))


@pytest.fixture
def held_thread(
    settings: Settings, make_member: MakeMember, make_thread: MakeThread, public: Category
) -> Secret:
    settings.HEARTH_HOLD_FIRST_POSTS = 5
    canary = _canary("heldthread")
    thread = make_thread(
        author=make_member(), category=public, title=f"Hello {canary}", body=f"Hi all {canary}"
    )
    post = thread.posts.get(position=1)
    assert thread.is_held
    assert post.is_held
    return Secret("held thread's original post", canary, _fresh(post))


@pytest.fixture
def moderators_only(
    make_category: MakeCategory, make_thread: MakeThread, moderator: User
) -> Secret:
    canary = _canary("moderatorsonly")
    private = make_category(visibility=Visibility.MODERATORS)
    thread = make_thread(
        author=moderator, category=private, title=f"Rota {canary}", body=f"Cover {canary}"
    )
    return Secret("post in a moderators-only category", canary, _fresh(thread.posts.get()))


@pytest.fixture
def secrets(
    hidden: Secret, held: Secret, held_thread: Secret, moderators_only: Secret
) -> tuple[Secret, ...]:
    return (hidden, held, held_thread, moderators_only)


@pytest.fixture
def bystander(make_member: MakeMember) -> User:
    """A member who wrote none of the secrets and moderates nothing."""
    return make_member(display_name="Bystander")


def _urls(route: Route, secret: Secret) -> list[str]:
    ids = {"post_id": secret.post.pk, "thread_id": secret.post.thread_id}
    urls: list[dict[str, Any]] = [{}]
    for argument in route.arguments:
        values: tuple[Any, ...] = (
            (ids[argument],) if argument in ids else OTHER_ARGUMENTS.get(argument, ("1",))
        )
        urls = [{**kwargs, argument: value} for kwargs in urls for value in values]
    return [reverse(route.name, kwargs=kwargs) for kwargs in urls]


def _thread_url(secret: Secret) -> str:
    return reverse("forum:thread", args=[secret.post.thread_id])


class _Answer(Protocol):
    @property
    def content(self) -> bytes: ...


def _text(response: _Answer) -> str:
    return response.content.decode(errors="replace")


def _canaries_in(text: str, secrets: Iterable[Secret]) -> list[str]:
    return [secret.canary for secret in secrets if secret.canary in text]


# --- The walk's tests -----------------------------------------------------------------------------


def test_the_walk_finds_every_route_known_to_take_a_post_or_thread() -> None:
    routes = routes_taking_a_post_or_thread()

    names = {route.name for route in routes}
    assert names >= KNOWN_ROUTES
    assert "" not in names, "a route taking a post or thread id has no name to reverse"


def test_no_route_shows_a_secret_to_a_member_or_a_visitor(
    secrets: tuple[Secret, ...], bystander: User, client_for: ClientFor, moderator: User
) -> None:
    # The authors and a moderator read the threads first, so every cached fragment of a
    # secret's text exists when the others ask; the moderator finds every canary.
    for reader in (secret.author for secret in secrets):
        for secret in secrets:
            client_for(reader).get(_thread_url(secret))
    pages = [_text(client_for(moderator).get(_thread_url(secret))) for secret in secrets]
    assert all(secret.canary in page for secret, page in zip(secrets, pages, strict=True))
    routes = routes_taking_a_post_or_thread()

    leaks = []
    for who, client in (("a plain member", client_for(bystander)), ("a visitor", Client())):
        for secret in secrets:
            for url in (url for route in routes for url in _urls(route, secret)):
                for method, data in (("GET", None), ("POST", {}), ("POST", PLAUSIBLE_POST)):
                    if method == "GET":
                        response = client.get(url, follow=True)
                    else:
                        response = client.post(url, data, follow=True)
                    if shown := _canaries_in(_text(response), secrets):
                        leaks.append(f"{who}, {method} {url} about a {secret.kind}: {shown}")

    assert leaks == []


def test_the_walk_finds_every_route_known_to_take_a_category() -> None:
    assert {route.name for route in routes_taking_a_category()} >= KNOWN_CATEGORY_ROUTES


def test_no_category_route_shows_a_moderators_only_category_to_a_member_or_a_visitor(
    moderators_only: Secret, bystander: User, client_for: ClientFor, make_member: MakeMember
) -> None:
    # A moderator named by a canary: the mention suggestions would list its audience.
    named = make_member(_canary("moderatorname"), role=Role.MODERATOR)
    secrets = (moderators_only.canary, named.username)
    slug = moderators_only.post.thread.category.slug
    urls = [
        f"{reverse(route.name, kwargs={'slug': slug})}?q=canarymod"
        for route in routes_taking_a_category()
    ]
    moderator = client_for(moderators_only.author)
    seen = [
        _text(moderator.get(reverse(route, args=[slug]), {"q": "canarymod"}))
        for route in ("forum:category", "forum:category_mentionable")
    ]
    assert [secret in text for secret, text in zip(secrets, seen, strict=True)] == [True, True]

    leaks = []
    for who, client in (("a plain member", client_for(bystander)), ("a visitor", Client())):
        for url in urls:
            for method, data in (("GET", None), ("POST", {}), ("POST", PLAUSIBLE_POST)):
                if method == "GET":
                    response = client.get(url, follow=True)
                else:
                    response = client.post(url, data, follow=True)
                if shown := [secret for secret in secrets if secret in _text(response)]:
                    leaks.append(f"{who}, {method} {url}: {shown}")

    assert leaks == []


def test_lists_show_no_secret_to_a_member_or_a_visitor(
    secrets: tuple[Secret, ...], bystander: User, client_for: ClientFor, public: Category
) -> None:
    pages = [
        reverse("home"),
        public.get_absolute_url(),
        reverse("forum:my_threads"),
        reverse("forum:my_posts"),
        reverse("forum:saved_posts"),
    ]

    texts = [
        _text(client.get(page, follow=True))
        for client in (client_for(bystander), Client())
        for page in pages
    ]

    assert [_canaries_in(text, secrets) for text in texts] == [[]] * len(texts)


def test_the_walk_finds_every_route_known_to_take_a_waiting_post() -> None:
    names = {route.name for route in routes_taking(WAITING_ARGUMENTS)}

    assert names >= KNOWN_WAITING_ROUTES
    assert "" not in names


def test_no_route_shows_or_changes_a_waiting_post_but_for_its_author(
    public: Category,
    make_thread: MakeThread,
    make_member: MakeMember,
    bystander: User,
    moderator: User,
    client_for: ClientFor,
) -> None:
    author = make_member(display_name="Waiting author")
    thread = make_thread(category=public, title="Open evenings")
    canary = _canary("waiting")
    reply = hold_back(
        author=author,
        category=public,
        thread=thread,
        body=f"Not yet {canary}",
        request_key="walk-reply",
        delay_minutes=10,
    )
    started = hold_back(
        author=author,
        category=public,
        thread=None,
        title=f"New {canary}",
        body=f"Not yet either {canary}",
        request_key="walk-thread",
        delay_minutes=10,
    )
    author_page = _text(client_for(author).get(reverse("forum:pending_post", args=[reply.pk])))
    assert canary in author_page
    original = thread.posts.get(position=1)
    ids = {"pending_id": (reply.pk, started.pk), "post_id": (original.pk,)}
    ids["thread_id"] = (thread.pk,)
    urls = [
        reverse(route.name, kwargs=dict(zip(route.arguments, values, strict=True)))
        for route in routes_taking(WAITING_ARGUMENTS | ID_ARGUMENTS)
        for values in _combinations(route.arguments, ids)
    ]
    urls += [
        reverse(name, args=[public.slug])
        for name in ("forum:category", "forum:category_feed", "forum:new_thread")
    ]
    urls += [reverse("home"), reverse("forum:feed"), reverse("forum:waiting_posts")]

    leaks = []
    for who, client in (
        ("a plain member", client_for(bystander)),
        ("a moderator", client_for(moderator)),
        ("a visitor", Client()),
    ):
        for url in urls:
            for method, data in (("GET", None), ("POST", {}), ("POST", PLAUSIBLE_POST)):
                if method == "GET":
                    response = client.get(url, follow=True)
                else:
                    response = client.post(url, data, follow=True)
                if canary in _text(response):
                    leaks.append(f"{who}, {method} {url}")

    assert leaks == []
    for pending in (reply, started):
        kept = PendingPost.objects.get(pk=pending.pk)
        assert (kept.body, kept.published_at, kept.problem) == (pending.body, None, "")


def _combinations(
    arguments: tuple[str, ...], ids: dict[str, tuple[int, ...]]
) -> list[tuple[Any, ...]]:
    values: list[tuple[Any, ...]] = [()]
    for argument in arguments:
        choices = ids.get(argument) or OTHER_ARGUMENTS.get(argument, ("1",))
        values = [(*sofar, choice) for sofar in values for choice in choices]
    return values


# --- Each route that leaked -----------------------------------------------------------------------


@pytest.fixture
def bystander_client(bystander: User, client_for: ClientFor) -> Client:
    return client_for(bystander)


def _asks(client: Client, route: str, post: Post) -> tuple[int, str]:
    response = client.get(reverse(route, args=[post.pk]))
    return response.status_code, _text(response)


def test_hidden_post_history_is_not_found_for_other_members(
    hidden: Secret, bystander_client: Client
) -> None:
    status, text = _asks(bystander_client, "forum:history", hidden.post)

    assert status == 404
    assert hidden.canary not in text


def test_hidden_post_quote_is_not_found_for_other_members(
    hidden: Secret, bystander_client: Client
) -> None:
    status, text = _asks(bystander_client, "forum:quote", hidden.post)

    assert status == 404
    assert hidden.canary not in text


def test_hidden_post_edit_form_is_not_found_for_other_members(
    hidden: Secret, bystander_client: Client
) -> None:
    status, text = _asks(bystander_client, "forum:edit_post", hidden.post)

    assert status == 404
    assert hidden.canary not in text


def test_hidden_post_reactors_are_not_found_for_other_members(
    hidden: Secret, bystander_client: Client
) -> None:
    status, text = _asks(bystander_client, "forum:reactors", hidden.post)

    assert status == 404
    assert hidden.canary not in text


@pytest.mark.parametrize("route", ["forum:history", "forum:quote", "forum:edit_post"])
def test_a_visitor_asking_for_a_hidden_posts_text_is_sent_to_sign_in(
    route: str, hidden: Secret
) -> None:
    response = Client().get(reverse(route, args=[hidden.post.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert hidden.canary not in _text(response)


def test_hidden_post_history_still_shows_the_text_to_its_author_and_moderators(
    hidden: Secret, moderator: User, client_for: ClientFor
) -> None:
    answers = [
        _asks(client_for(reader), "forum:history", hidden.post)
        for reader in (hidden.author, moderator)
    ]

    for status, text in answers:
        assert status == 200
        assert hidden.canary in text


def test_member_cannot_open_another_members_edit_form(
    make_thread: MakeThread, public: Category, bystander_client: Client
) -> None:
    canary = _canary("visible")
    source = f"Some **bold** words and [a link](https://example.org/{canary})"
    post = make_thread(category=public, body=source).posts.get()

    status, text = _asks(bystander_client, "forum:edit_post", post)

    assert status == 403
    assert "**bold**" not in text
    assert canary not in text
