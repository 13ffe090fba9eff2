"""Demo conversation: willow and fern writing between sessions, so the demo has one."""

from __future__ import annotations

from hearth.accounts.models import User
from hearth.conversations.models import AllowFrom, Conversation, MessagingSettings
from hearth.conversations.selectors import get_conversation_for_viewer_or_404
from hearth.conversations.services import send_message, start_conversation

EXCHANGE = [
    (
        "fern",
        "Hi Willow, I read your post about the long weekends. Mine are like that too since "
        "my therapist went down to every other week. Would it help to swap notes?",
    ),
    (
        "willow",
        "Yes, I'd like that. Saturday evenings are the hardest. I've started writing down "
        "what I want to bring to the next session, and it helps a little.",
    ),
    (
        "fern",
        "That's a good idea. I'll try it this weekend and tell you how it went (((hugs)))",
    ),
]


def create_demo_conversations() -> list[str]:
    """One conversation between two demo members (once)."""
    if Conversation.objects.exists():
        return []
    members = {
        member.username: member for member in User.objects.filter(username__in=["fern", "willow"])
    }
    if len(members) < 2:
        return []
    for member in members.values():
        MessagingSettings.objects.update_or_create(
            member=member, defaults={"allow_from": AllowFrom.EVERYONE}
        )
    (first_author, first_body), *rest = EXCHANGE
    others = [member for name, member in members.items() if name != first_author]
    conversation = start_conversation(
        starter=members[first_author],
        recipients=others,
        title="",
        body=first_body,
        request_key="demo-1",
    )
    for number, (author, body) in enumerate(rest, start=2):
        opened = get_conversation_for_viewer_or_404(members[author], conversation.pk)
        send_message(author=members[author], opened=opened, body=body, request_key=f"demo-{number}")
    return ["Demo conversations: fern and willow have written to each other (/messages/)."]
