"""Crisis signals in private messages (CARE.md, "Crisis signals").

CARE.md lets conversations be checked only if the operator enables it and says
so: ``HEARTH_CRISIS_CHECK_CONVERSATIONS`` (on by default) turns it on, and the
conversation composer then tells members what the check does and does not do.
When a message its writer sends matches the crisis rules, the writer -- and only
the writer -- sees the same private panel as after a forum post. Unlike a post,
nothing reaches the moderators unless the writer asks ("ask a moderator to check
in with me"); then one check-in item is opened that names the writer and the rules
that matched, never the words.

How the conversation views use it:

* after ``send_message`` or ``start_conversation`` succeeds, and before redirecting:
  ``remember_crisis_panel(request, message_or_conversation)``;
* on the conversation page: ``"crisis_panel": take_crisis_panel(request, opened)`` in
  the context, and in the template
  ``{% if crisis_panel %}{% include "conversations/crisis_message_panel.html" %}{% endif %}``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from hearth.accounts.models import User
from hearth.conversations.models import Conversation, Message
from hearth.conversations.selectors import OpenConversation
from hearth.safety.coverage import coverage_at
from hearth.safety.crisis_matching import CrisisMatch
from hearth.safety.selectors import crisis_contacts_for_member
from hearth.safety.services import (
    ask_for_message_check_in,
    find_crisis_signals,
    has_message_check_in,
)

CRISIS_PANEL_SESSION_KEY = "hearth_message_crisis_panel"


def crisis_signals_in(member: User, message: Message) -> list[CrisisMatch]:
    """The crisis signals in a message, for its writer only (nothing for anyone else, and
    nothing for a deleted message)."""
    if not settings.HEARTH_CRISIS_CHECK_CONVERSATIONS:
        return []  # the operator turned it off (the composer then says nothing about it)
    if message.author_id != member.pk or message.is_deleted:
        return []
    return find_crisis_signals(message.body, language=member.language)


def crisis_panel_for(member: User, message: Message) -> dict[str, Any] | None:
    """The template context of the writer's private panel for ``message``, or None when
    ``member`` did not write it or it matches no crisis rule."""
    if not crisis_signals_in(member, message):
        return None
    return panel_context(member, message, asked=has_message_check_in(message_id=message.pk))


def panel_context(member: User, message: Message, *, asked: bool) -> dict[str, Any]:
    return {
        "contacts": crisis_contacts_for_member(member),
        "coverage": coverage_at(timezone.now()),
        "check_in_action": reverse(
            "conversation_reports:ask_for_check_in", args=[message.conversation_id, message.pk]
        ),
        "asked_for_check_in": asked,
        "about_message": True,
    }


def remember_crisis_panel(request: HttpRequest, sent: Message | Conversation) -> None:
    """After sending, remember in the writer's session that the next conversation page
    shows them the panel (a conversation: its first message, as when starting one)."""
    member = request.user
    if not isinstance(member, User):
        return
    message = sent if isinstance(sent, Message) else _first_message(sent)
    if message is None or not crisis_signals_in(member, message):
        return
    request.session[CRISIS_PANEL_SESSION_KEY] = {
        "conversation_id": message.conversation_id,
        "message_id": message.pk,
    }


def _first_message(conversation: Conversation) -> Message | None:
    return Message.objects.filter(conversation=conversation, position=1).first()


def take_crisis_panel(request: HttpRequest, opened: OpenConversation) -> dict[str, Any] | None:
    """The panel for the writer on the page they land on after sending; shown once.

    None for anyone else: the session is the writer's own, and the message must be
    theirs, in this conversation.
    """
    remembered = request.session.get(CRISIS_PANEL_SESSION_KEY)
    if not remembered or remembered.get("conversation_id") != opened.pk:
        return None
    del request.session[CRISIS_PANEL_SESSION_KEY]
    member = request.user
    message = Message.objects.filter(
        conversation=opened.conversation, pk=remembered.get("message_id")
    ).first()
    if not isinstance(member, User) or message is None or message.author_id != member.pk:
        return None
    return panel_context(member, message, asked=has_message_check_in(message_id=message.pk))


def ask_for_check_in(*, writer: User, message: Message) -> None:
    """The writer asked for a moderator to check in with them about ``message``: open one
    check-in item (asking again finds the same one). PermissionDenied for anyone else.
    """
    if message.author_id != writer.pk:
        raise PermissionDenied
    ask_for_message_check_in(
        writer=writer, message_id=message.pk, matches=crisis_signals_in(writer, message)
    )
