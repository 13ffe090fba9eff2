"""No page is half English: shown in another language, every word of Hearth's own is
translated.

The member's language is the pseudo-locale (``core/pseudo_locale.py``): each message of a
fresh extraction of the source, accented and wrapped in "⟦" "⟧". Django's and the other
libraries' own messages (month names, allauth's sign-in form) come from their catalogues,
which have every language Hearth offers; here they are pseudo-translated too, so that
whatever English is left on a page is a string of ours that never went through gettext.

Each page is read as a reader meets it: every text node outside ``<script>`` and
``<style>``, and the attributes read aloud or shown (``aria-label``, ``title``,
``placeholder``, ``alt``, a button's ``value``). Take away the pseudo text, and what the
test itself typed (members' names, titles, posts and notes, in Greek so that they are
never taken for English; usernames), the site's name and tagline (the operator's) and the
crisis lines' names (organisations'), and no English word may be left.
"""

# ruff: noqa: RUF001 - Greek on purpose: what the test types must never look like English.

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import django
import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from hearth.accounts.models import Role, User
from hearth.conversations.services import start_conversation
from hearth.conversations.testing import make_established, open_to_everyone
from hearth.core import catalogues
from hearth.core.pseudo_locale import (
    CLOSING,
    OPENING,
    PSEUDO_LANGUAGE,
    build_pseudo_locale,
    pseudo_locale_settings,
)
from hearth.core.testing import ClientFor, FillToolkit, MakeMember
from hearth.forum.models import Category, Post, Thread
from hearth.forum.services import edit_post
from hearth.forum.testing import MakeCategory, MakeReply, MakeThread
from hearth.notifications.testing import deliver
from hearth.safety.models import CrisisResource, ReportReason
from hearth.safety.services import file_report

pytestmark = pytest.mark.django_db

# What the test types into the toolkit carries this marker (the toolkit's own fixture
# adds English words before it: "card front <marker>").
MARKER = "ζκ7731"
ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")
PSEUDO_TEXT = re.compile(f"{OPENING}[^{OPENING}{CLOSING}]*{CLOSING}")
# A message with markup inside (a link in a sentence) spans several text nodes: the
# first ends in an open bracket, the last starts with its closing one.
PSEUDO_START = re.compile(f"{OPENING}.*$")
PSEUDO_END = re.compile(f"^.*{CLOSING}")
TYPED_BY_THE_TOOLKIT_FIXTURE = re.compile(rf"[A-Za-z][A-Za-z' -]*\s{MARKER}")
# Lists whose options are names, not words: time zones (identifiers, the same in every
# language) and the languages, each in its own ("Deutsch"), as a language menu offers them.
NAMES_NOT_WORDS = frozenset({"time_zone", "language"})


class _TextsOfAPage(HTMLParser):
    """What a reader meets on a page: text nodes and the attributes shown or read aloud."""

    SKIPPED = frozenset({"script", "style"})
    READ_ATTRIBUTES = ("aria-label", "aria-description", "title", "placeholder", "alt")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skipping = 0
        self._select = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in self.SKIPPED:
            self._skipping += 1
        if tag == "select":
            self._select = attributes.get("name") or ""
        self.texts.extend(value for name in self.READ_ATTRIBUTES if (value := attributes.get(name)))
        if tag == "input" and attributes.get("type") in {"submit", "button"}:
            self.texts.append(attributes.get("value") or "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED:
            self._skipping -= 1
        if tag == "select":
            self._select = ""

    def handle_data(self, data: str) -> None:
        if not self._skipping and self._select not in NAMES_NOT_WORDS:
            self.texts.append(data)


def english_left(html: str, typed: tuple[str, ...]) -> list[str]:
    """The texts of a page that still hold an English word once the pseudo text and
    what the test typed are taken away."""
    reader = _TextsOfAPage()
    reader.feed(html)
    reader.close()
    left = []
    for text in reader.texts:
        rest = text
        while PSEUDO_TEXT.search(rest):
            rest = PSEUDO_TEXT.sub(" ", rest)
        rest = PSEUDO_END.sub(" ", PSEUDO_START.sub(" ", rest))
        rest = TYPED_BY_THE_TOOLKIT_FIXTURE.sub(" ", rest)
        for each in typed:
            rest = rest.replace(each, " ")
        if ENGLISH_WORD.search(rest):
            left.append(" ".join(text.split()))
    return list(dict.fromkeys(left))


def _libraries_catalogues() -> list[Path]:
    """The English catalogues of Django and of every installed app not ours: each lists
    the messages its code translates."""
    found = [Path(django.__file__).parent / "conf" / "locale" / "en" / "LC_MESSAGES" / "django.po"]
    for app in apps.get_app_configs():
        if app.name.startswith("hearth"):
            continue
        catalogue = Path(app.path) / "locale" / "en" / "LC_MESSAGES" / "django.po"
        if catalogue.is_file():
            found.append(catalogue)
    return found


@pytest.fixture(scope="session")
def libraries_pseudo_directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The libraries' messages in the pseudo-locale, as one catalogue."""
    directory = tmp_path_factory.mktemp("libraries-pseudo-locale")
    messages: dict[tuple[str | None, str], catalogues.Message] = {}
    for path in _libraries_catalogues():
        for message in catalogues.read_po(path.read_text(encoding="utf-8")):
            messages.setdefault(message.key, message)
    templates = {
        "django": directory / "django.pot",
        "djangojs": directory / "djangojs.pot",
    }
    templates["django"].write_text(catalogues.format_po(messages.values()), encoding="utf-8")
    templates["djangojs"].write_text(
        catalogues.format_po([catalogues.Message(msgid="")]), encoding="utf-8"
    )
    build_pseudo_locale(directory, extracted=templates)
    return directory


@pytest.fixture
def pseudo_language(
    pseudo_locale_directory: Path, libraries_pseudo_directory: Path
) -> Iterator[str]:
    """The pseudo-locale offered, ours first, then the libraries' messages."""
    offered = pseudo_locale_settings(pseudo_locale_directory)
    offered["LOCALE_PATHS"] = [
        pseudo_locale_directory,
        libraries_pseudo_directory,
        *settings.LOCALE_PATHS,
    ]
    with override_settings(**offered):
        yield PSEUDO_LANGUAGE


@dataclass
class Community:
    member: User
    moderator: User
    category: Category
    thread: Thread
    edited_reply: Post
    conversation_id: int
    typed: tuple[str, ...]


@pytest.fixture
def community(
    pseudo_language: str,
    make_member: MakeMember,
    make_category: MakeCategory,
    make_thread: MakeThread,
    make_reply: MakeReply,
    toolkit_filler: FillToolkit,
) -> Community:
    """A member reading in the pseudo-locale, with something on every page they open:
    a thread of theirs with replies (one edited, one mentioning them), a conversation,
    notifications, a report for the moderators, a filled toolkit."""
    member = make_member(username="phteri", display_name="Φτέρη", language=pseudo_language)
    other = make_member(username="itia", display_name="Ιτιά")
    moderator = make_member(
        username="kedros", display_name="Κέδρος", role=Role.MODERATOR, language=pseudo_language
    )
    make_established(member, other)
    open_to_everyone(member, other)
    category = make_category("Ανάμεσα", slug="anamesa", description="Ανάμεσα στις συνεδρίες")
    thread = make_thread(
        author=member, category=category, title="Μου λείπει", body="Μεγάλη εβδομάδα."
    )
    reply = make_reply(thread, author=other, body="Μια αγκαλιά, @phteri")
    make_reply(thread, author=other, body="Κι εγώ το ίδιο.")
    edited = edit_post(
        editor=other,
        post=reply,
        body="Μια μεγάλη αγκαλιά, @phteri",
        base_revision=reply.revision,
        reason="Λάθος",
    )
    conversation = start_conversation(
        starter=other,
        recipients=[member],
        title="Σαββατοκύριακα",
        body="Γεια σου, τι κάνεις;",
        request_key="no-english-left",
    )
    file_report(
        reporter=member,
        reason=ReportReason.UNKIND,
        details="Δεν ήταν ευγενικό.",
        post_id=reply.pk,
        thread_id=thread.pk,
        category_id=category.pk,
    )
    toolkit_filler(member, MARKER)
    deliver()
    typed = (*(person.username for person in (member, other, moderator)), *_names_not_ours())
    return Community(member, moderator, category, thread, edited, conversation.pk, typed)


def _names_not_ours() -> tuple[str, ...]:
    """The site's name and tagline, and the crisis lines' names: the same in every language."""
    lines = CrisisResource.objects.values_list("name", flat=True)
    return (settings.HEARTH_SITE_NAME, settings.HEARTH_TAGLINE, *lines)


def _report(pages: dict[str, str], typed: tuple[str, ...]) -> str:
    lines: list[str] = []
    for address, html in pages.items():
        lines.extend(f"{address}: {text!r}" for text in english_left(html, typed))
    return "\n".join(lines)


def _get(client: Client, address: str) -> str:
    response = client.get(address)
    assert response.status_code == 200, f"{address} answered {response.status_code}"
    return response.content.decode()


def test_a_members_pages_have_no_english_left(community: Community, client_for: ClientFor) -> None:
    client = client_for(community.member)
    addresses = [
        reverse("home"),
        reverse("forum:category", args=[community.category.slug]),
        community.thread.get_absolute_url(),
        reverse("forum:new_thread", args=[community.category.slug]),
        reverse("forum:history", args=[community.edited_reply.pk]),
        reverse("notifications:list"),
        reverse("conversations:list"),
        reverse("conversations:conversation", args=[community.conversation_id]),
        reverse("between_sessions:home"),
        reverse("between_sessions:entries"),
        reverse("between_sessions:plan"),
        reverse("accounts:edit_profile"),
        reverse("notifications:settings"),
        reverse("conversations:settings"),
        # Beyond the main pages, those where English was once found.
        reverse("accounts:profile", args=[community.member.username]),
        reverse("forum:my_threads"),
        reverse("search:search") + "?q=%CE%B1%CE%B3%CE%BA%CE%B1%CE%BB%CE%B9%CE%AC",
        reverse("api_tokens:tokens"),
    ]

    pages = {address: _get(client, address) for address in addresses}

    left = _report(pages, community.typed)
    assert not left, f"English left on pages shown in the pseudo-locale:\n{left}"


def test_the_moderation_queue_has_no_english_left(
    community: Community, client_for: ClientFor
) -> None:
    address = reverse("moderation:queue")

    page = _get(client_for(community.moderator), address)

    left = _report({address: page}, community.typed)
    assert not left, f"English left on the moderation queue in the pseudo-locale:\n{left}"


def test_the_sign_in_page_has_no_english_left(pseudo_language: str) -> None:
    visitor = Client(headers={"accept-language": pseudo_language})
    address = reverse("account_login")

    page = _get(visitor, address)

    left = _report({address: page}, _names_not_ours())
    assert not left, f"English left on the sign-in page in the pseudo-locale:\n{left}"


def test_english_left_on_a_page_is_found() -> None:
    page = (
        "<title>⟦Höméš⟧ · Hearth</title><script>var english = 'ignored';</script>"
        '<main><h1>⟦Wéļçömé⟧</h1><button aria-label="Close">×</button>'
        "<p>⟦Pöštéð ïñ⟧ <a>Ανάμεσα</a>⟦, ýéš⟧</p><p>Last edited by someone</p></main>"
    )

    assert english_left(page, ("Hearth",)) == ["Close", "Last edited by someone"]
