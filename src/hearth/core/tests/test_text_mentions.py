"""@mentions link to members who exist, with one resolver call per render."""

from __future__ import annotations

from collections.abc import Mapping
from html.parser import HTMLParser

import pytest

from hearth.core.text import render_markdown
from hearth.core.text.mentions import MAX_MENTIONS_PER_TEXT

# No database: the same on SQLite and PostgreSQL, so the PostgreSQL pass skips it.
pytestmark = pytest.mark.database_neutral


class FakeDirectory:
    """A resolver over a fixed set of members that records what it was asked."""

    def __init__(self, *usernames: str) -> None:
        self.usernames = set(usernames)
        self.calls: list[frozenset[str]] = []

    def __call__(self, candidates: frozenset[str]) -> Mapping[str, str]:
        self.calls.append(candidates)
        return {name: f"/members/{name}/" for name in candidates if name in self.usernames}


def _render(source: str, directory: FakeDirectory) -> str:
    return render_markdown(source, id_prefix="post-1-", resolve_mentions=directory).html


def _mention(username: str) -> str:
    return (
        f'<a class="mention" href="/members/{username}/" '
        f'rel="nofollow ugc noopener noreferrer">@{username}</a>'
    )


def test_a_mention_of_an_existing_member_links_to_their_profile() -> None:
    directory = FakeDirectory("sam")

    rendered = render_markdown("Thanks @sam", id_prefix="post-1-", resolve_mentions=directory)

    assert rendered.html == f"<p>Thanks {_mention('sam')}</p>\n"
    assert rendered.mentioned_usernames == frozenset({"sam"})


def test_a_mention_of_someone_who_is_not_a_member_stays_text() -> None:
    directory = FakeDirectory("sam")

    rendered = render_markdown("Thanks @alex", id_prefix="post-1-", resolve_mentions=directory)

    assert rendered.html == "<p>Thanks @alex</p>\n"
    assert rendered.mentioned_usernames == frozenset()


@pytest.mark.parametrize("punctuation", [".", ",", "!", "?", ":", ";", ")", "...", "'s", "—"])
def test_punctuation_after_a_mention_is_not_swallowed(punctuation: str) -> None:
    html = _render(f"(Thanks @sam{punctuation} really", FakeDirectory("sam"))

    assert f"{_mention('sam')}{punctuation} really" in html


def test_a_username_ending_in_a_dot_is_linked_when_only_it_exists() -> None:
    html = _render("Hi @j.r.", FakeDirectory("j.r."))

    assert html == f"<p>Hi {_mention('j.r.')}</p>\n"


def test_usernames_may_hold_letters_digits_and_django_punctuation() -> None:
    directory = FakeDirectory("Zoë_9", "a.b+c-d", "me@home")

    html = _render("@Zoë_9 @a.b+c-d @me@home", directory)

    assert html == f"<p>{_mention('Zoë_9')} {_mention('a.b+c-d')} {_mention('me@home')}</p>\n"


def test_a_mention_keeps_the_case_it_was_typed_in() -> None:
    def case_insensitive(candidates: frozenset[str]) -> Mapping[str, str]:
        return {name: "/members/sam/" for name in candidates if name.lower() == "sam"}

    rendered = render_markdown("Hi @SAM", id_prefix="p-", resolve_mentions=case_insensitive)

    assert ">@SAM</a>" in rendered.html
    assert rendered.mentioned_usernames == frozenset({"SAM"})


@pytest.mark.parametrize(
    "source",
    [
        "write to someone@example.org",
        "write to someone@localhost",
        "`@sam` in code",
        "```\n@sam in a code block\n```",
        "    @sam indented code",
        "[hi @sam](https://example.org)",
        "https://example.org/@sam",
        r"escaped \@sam",
    ],
)
def test_no_mention_in_emails_code_links_or_escapes(source: str) -> None:
    html = _render(source, FakeDirectory("sam", "someone"))

    assert 'class="mention"' not in html


def test_the_resolver_is_asked_once_about_every_candidate() -> None:
    directory = FakeDirectory("sam", "alex")

    html = _render("@sam and @alex.\n\n> @sam again, @nobody\n\n- @alex", directory)

    assert directory.calls == [frozenset({"sam", "alex", "alex.", "nobody"})]
    assert html.count('class="mention"') == 4


def test_the_resolver_is_not_asked_when_nobody_is_mentioned() -> None:
    directory = FakeDirectory("sam")

    _render("no one here, not even someone@example.org", directory)

    assert directory.calls == []


def test_without_a_resolver_mentions_stay_text() -> None:
    rendered = render_markdown("Hi @sam", id_prefix="post-1-")

    assert rendered.html == "<p>Hi @sam</p>\n"
    assert rendered.mentioned_usernames == frozenset()


def _link_attributes(html: str) -> list[dict[str, str | None]]:
    class Links(HTMLParser):
        found: list[dict[str, str | None]] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "a":
                self.found.append(dict(attrs))

    parser = Links()
    parser.found = []
    parser.feed(html)
    return parser.found


def test_a_resolver_url_cannot_break_out_of_the_attribute() -> None:
    def hostile(candidates: frozenset[str]) -> Mapping[str, str]:
        return dict.fromkeys(candidates, '/m/"><script>alert(1)</script>')

    html = render_markdown("Hi @sam", id_prefix="p-", resolve_mentions=hostile).html

    assert "<script" not in html
    assert _link_attributes(html) == [
        {
            "class": "mention",
            "href": '/m/"><script>alert(1)</script>',
            "rel": "nofollow ugc noopener noreferrer",
        }
    ]


def test_a_resolver_url_with_a_script_scheme_loses_its_href() -> None:
    def hostile(candidates: frozenset[str]) -> Mapping[str, str]:
        return dict.fromkeys(candidates, "javascript:alert(1)")

    html = render_markdown("Hi @sam", id_prefix="p-", resolve_mentions=hostile).html

    assert _link_attributes(html) == [
        {"class": "mention", "rel": "nofollow ugc noopener noreferrer"}
    ]


def test_a_username_cannot_carry_quotes_or_markup() -> None:
    directory = FakeDirectory('sam"onmouseover=alert(1)', "sam")

    html = _render('@sam"onmouseover=alert(1) @sam<b>', directory)

    assert directory.calls == [frozenset({"sam"})]
    assert (
        _link_attributes(html)
        == [
            {"class": "mention", "href": "/members/sam/", "rel": "nofollow ugc noopener noreferrer"}
        ]
        * 2
    )
    assert "<b>" not in html


def test_only_the_first_hundred_different_names_are_looked_up() -> None:
    directory = FakeDirectory(*(f"m{number}" for number in range(150)))
    source = " ".join(f"@m{number}" for number in range(150))

    html = _render(source, directory)

    assert len(directory.calls[0]) == MAX_MENTIONS_PER_TEXT
    assert html.count('class="mention"') == MAX_MENTIONS_PER_TEXT
    assert "@m149" in html
