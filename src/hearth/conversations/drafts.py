"""Server drafts of messages: what a member is writing, kept as they type (the forum's
"nothing a member types is lost", for private conversations).

One draft per member and conversation, and one for the new-conversation form
(``conversation`` None). Its text is encrypted at rest like a message's; only its
writer ever reads it. Sending the message (``services.send_message`` /
``start_conversation``) deletes it in the same transaction, and so does leaving.
Callers pass an ``OpenConversation`` (from ``get_conversation_for_viewer_or_404``), so
nobody saves or reads a draft in a conversation they are not in.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from hearth.accounts.models import User
from hearth.conversations.models import MessageDraft
from hearth.conversations.selectors import OpenConversation
from hearth.core.text.limits import MAX_SOURCE_BYTES


def save_message_draft(
    *, member: User, opened: OpenConversation | None, body: str
) -> MessageDraft | None:
    """Keep what the member is typing in a conversation (None: the new-conversation form).

    An empty composer removes the draft (None is returned). Raises ValidationError
    (code "too_long") over the size a message can have.
    """
    if len(body.encode()) > MAX_SOURCE_BYTES:
        raise ValidationError(
            _("This message is too long: at most %(bytes)s bytes.") % {"bytes": MAX_SOURCE_BYTES},
            code="too_long",
        )
    conversation = opened.conversation if opened else None
    if not body.strip():
        MessageDraft.objects.filter(member=member, conversation=conversation).delete()
        return None
    draft, _created = MessageDraft.objects.update_or_create(
        member=member, conversation=conversation, defaults={"body": body}
    )
    return draft


def message_draft_of(member: User, opened: OpenConversation | None) -> str:
    """The member's draft in this conversation (None: the new-conversation form), or ""."""
    conversation = opened.conversation if opened else None
    body = (
        MessageDraft.objects.filter(member=member, conversation=conversation)
        .values_list("body", flat=True)
        .first()
    )
    return body or ""
