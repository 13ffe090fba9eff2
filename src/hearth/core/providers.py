"""Late-bound answers that one app gives another without importing it.

Hearth's apps form layers (core <- accounts <- forum <- moderation), and the
private toolkit (``between_sessions``) must depend on nothing but accounts.
Some questions still cross those lines: the toolkit's coping plan lists the
crisis lines that the safety app keeps; notes for the next session can take
an excerpt of a forum post. The app that knows registers a provider here in
its ``AppConfig.ready``; the app that asks gets an empty answer when no
provider is registered (the feature is simply absent).

Providers take and return plain values only, never model instances of the
providing app.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hearth.accounts.models import User


@dataclass(frozen=True)
class CrisisLine:
    """One crisis service as shown to a member (see CARE.md)."""

    name: str
    phone: str
    text: str
    chat_url: str
    website_url: str
    hours: str
    verified_on: date
    source_url: str


@dataclass(frozen=True)
class CrisisContacts:
    """What to show a member in distress: the emergency number first, then lines."""

    country_code: str
    country_name: str
    emergency_number: str
    lines: tuple[CrisisLine, ...]


@dataclass(frozen=True)
class PostExcerpt:
    """A forum post's text for the member's private notes, with other members' names removed."""

    post_id: int
    thread_title: str
    text: str
    is_own_post: bool


@dataclass(frozen=True)
class Messaging:
    """What the conversations app answers about two members, for the toolkit's check-ins
    from peers: ``may_start(sender, recipient)``, whether ``sender`` may start a
    conversation with ``recipient`` now (blocks either way, their choice, suspensions);
    ``conversation_between(member, other)``, the id of the one-to-one conversation both
    are still in, if there is one."""

    may_start: Callable[[User, User], bool]
    conversation_between: Callable[[User, User], int | None]


CrisisContactsProvider = Callable[["User"], CrisisContacts | None]
PostExcerptProvider = Callable[["User", int], PostExcerpt | None]
# The member's whole toolkit as plain JSON values, for their own data export.
ToolkitExportProvider = Callable[["User"], dict[str, Any]]

_crisis_contacts_provider: CrisisContactsProvider | None = None
_post_excerpt_provider: PostExcerptProvider | None = None
_toolkit_export_provider: ToolkitExportProvider | None = None
_toolkit_export_covers: dict[str, tuple[str, ...]] = {}
_messaging: Messaging | None = None


def register_crisis_contacts_provider(provider: CrisisContactsProvider) -> None:
    global _crisis_contacts_provider  # noqa: PLW0603 - a registry set once at start-up
    _crisis_contacts_provider = provider


def register_post_excerpt_provider(provider: PostExcerptProvider) -> None:
    global _post_excerpt_provider  # noqa: PLW0603 - a registry set once at start-up
    _post_excerpt_provider = provider


def register_toolkit_export_provider(
    provider: ToolkitExportProvider, *, covers: Mapping[str, tuple[str, ...]]
) -> None:
    """``covers``: the toolkit's models and their member relations (label -> field names),
    so the export's completeness check knows the toolkit's part is exported."""
    global _toolkit_export_provider  # noqa: PLW0603 - a registry set once at start-up
    _toolkit_export_provider = provider
    _toolkit_export_covers.clear()
    _toolkit_export_covers.update(covers)


def register_messaging_provider(provider: Messaging) -> None:
    global _messaging  # noqa: PLW0603 - a registry set once at start-up
    _messaging = provider


def may_start_conversation(sender: User, recipient: User) -> bool:
    """Whether ``sender`` may start a conversation with ``recipient`` (False without
    conversations: nobody can be asked then)."""
    return _messaging.may_start(sender, recipient) if _messaging else False


def conversation_between(member: User, other: User) -> int | None:
    """The one-to-one conversation ``member`` and ``other`` are both still in, if any."""
    return _messaging.conversation_between(member, other) if _messaging else None


def crisis_contacts_for(member: User) -> CrisisContacts | None:
    """Return the crisis contacts for the member's chosen country, if any are known."""
    return _crisis_contacts_provider(member) if _crisis_contacts_provider else None


def post_excerpt_for(member: User, post_id: int) -> PostExcerpt | None:
    """Return an excerpt of a post the member wrote or received a reply on, else None."""
    return _post_excerpt_provider(member, post_id) if _post_excerpt_provider else None


def toolkit_export_for(member: User) -> dict[str, Any] | None:
    """Return the member's toolkit as plain values, or None without a toolkit."""
    return _toolkit_export_provider(member) if _toolkit_export_provider else None


def toolkit_export_covers() -> Mapping[str, tuple[str, ...]]:
    return _toolkit_export_covers
