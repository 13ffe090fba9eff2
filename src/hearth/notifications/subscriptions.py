"""Which events the notifications app listens to (called from ``AppConfig.ready``)."""

from __future__ import annotations

from hearth.between_sessions.peer_check_ins import events as peer_check_in_events
from hearth.conversations import events as conversation_events
from hearth.core.events import subscribe, subscribe_task
from hearth.forum import events as forum_events
from hearth.moderation import events as moderation_events
from hearth.notifications import services, tasks
from hearth.safety import events as safety_events


def subscribe_to_events() -> None:
    subscribe_task(forum_events.PostPublished, tasks.notify_about_post)
    subscribe_task(forum_events.PostEdited, tasks.notify_about_edit)
    subscribe_task(forum_events.ReactionToggled, tasks.notify_about_reactions)
    subscribe_task(forum_events.PostHeld, tasks.notify_about_held_post)
    subscribe_task(forum_events.PostHidden, tasks.withdraw_for_post)
    subscribe_task(forum_events.PostRejected, tasks.withdraw_for_post)
    subscribe_task(forum_events.PostDeleted, tasks.withdraw_for_post)
    subscribe_task(forum_events.ThreadMoved, tasks.withdraw_for_thread)
    subscribe_task(moderation_events.ModeratorNoticeSent, tasks.notify_about_notice)
    subscribe_task(safety_events.CheckInAnswered, tasks.notify_about_check_in_answer)
    subscribe_task(safety_events.CheckInRequested, tasks.notify_moderators_of_check_in_request)
    subscribe_task(safety_events.ReportFiled, tasks.notify_moderators_of_report)
    # In the request, after commit: quick, and only sent while the member has unread ones.
    subscribe(forum_events.ThreadRead, services.forget_what_was_read)
    subscribe_task(conversation_events.MessageSent, tasks.notify_about_message)
    subscribe_task(conversation_events.ConversationLeft, tasks.withdraw_for_conversation)
    subscribe(conversation_events.ConversationRead, services.forget_read_conversation)
    # Check-ins from peers (the toolkit's one opt-in that reaches another member).
    subscribe_task(peer_check_in_events.PeerCheckInAsked, tasks.notify_about_peer_check_in)
    subscribe_task(peer_check_in_events.PeerCheckInDue, tasks.notify_about_peer_check_in_day)
    subscribe_task(peer_check_in_events.PeerCheckInEnded, tasks.withdraw_for_peer_check_in)
