"""What a notification says, on the page and in an email, in the reader's language.

Emails say less than the page: no thread title unless the member asked for
titles, never a moderator's subject line (it names the thread), and never who
wrote an anonymous post (its pseudonym, as on the page).
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hearth.notifications.models import Kind, Notification

HELD = "held"
# ``detail`` of a check-in from a peer: the request, or one of the chosen days.
PEER_CHECK_IN_ASKED = "asked"
PEER_CHECK_IN_DUE = "due"


def actor_of(notification: Notification) -> str:
    if notification.actor is not None:
        return notification.actor.display_name
    return notification.actor_name or _("Someone")


def _reacted(notification: Notification, actor: str) -> str:
    others = notification.others_count
    if notification.detail == "hug":
        if others:
            return ngettext(
                "%(actor)s and %(count)s other sent hugs",
                "%(actor)s and %(count)s others sent hugs",
                others,
            ) % {"actor": actor, "count": others}
        return _("%(actor)s sent you a hug") % {"actor": actor}
    if others:
        return ngettext(
            "%(actor)s and %(count)s other reacted to your post",
            "%(actor)s and %(count)s others reacted to your post",
            others,
        ) % {"actor": actor, "count": others}
    return _("%(actor)s reacted to your post") % {"actor": actor}


def _reply(notification: Notification, actor: str, title: str, _for_email: bool) -> str:
    thread = notification.thread
    words = {"actor": actor, "title": title}
    if thread is not None and thread.author_id == notification.recipient_id:
        if title:
            return _("%(actor)s replied in your thread “%(title)s”") % words
        return _("%(actor)s replied in your thread") % words
    if title:
        return _("%(actor)s replied in “%(title)s”") % words
    return _("%(actor)s replied in a thread you follow") % words


def _quoted(notification: Notification, actor: str, title: str, _for_email: bool) -> str:
    words = {"actor": actor, "title": title}
    if title:
        return _("%(actor)s quoted you in “%(title)s”") % words
    return _("%(actor)s quoted your post") % words


def _mentioned(notification: Notification, actor: str, title: str, _for_email: bool) -> str:
    words = {"actor": actor, "title": title}
    if title:
        return _("%(actor)s mentioned you in “%(title)s”") % words
    return _("%(actor)s mentioned you") % words


def _new_thread(notification: Notification, actor: str, title: str, _for_email: bool) -> str:
    words = {"actor": actor, "title": title}
    if title:
        return _("%(actor)s started “%(title)s”") % words
    return _("%(actor)s started a thread in a category you follow") % words


def _moderated(notification: Notification, _actor: str, title: str, for_email: bool) -> str:
    if notification.detail == HELD:
        return _("Your post is waiting for a moderator's approval")
    if for_email and not title:
        # The moderators' subject names the thread.
        return _("The moderators made a decision about your post")
    return notification.detail.split("\n", 1)[0]


def _notice(notification: Notification, _actor: str, title: str, for_email: bool) -> str:
    if for_email and not title:
        return _("You have a message from the moderators")
    return _("Message from the moderators: %(subject)s") % {"subject": notification.detail}


def _messaged(notification: Notification, actor: str, _title: str, _for_email: bool) -> str:
    others = notification.others_count
    if others:
        return ngettext(
            "%(actor)s sent you %(count)s messages",
            "%(actor)s sent you %(count)s messages",
            others + 1,
        ) % {"actor": actor, "count": others + 1}
    return _("%(actor)s sent you a message") % {"actor": actor}


def _peer_check_in(notification: Notification, actor: str, _title: str, for_email: bool) -> str:
    # Only "asked you to check in": never anything from the asker's toolkit. An email
    # leaves out even the therapist's break (an inbox may be read by others).
    words = {"actor": actor}
    if notification.detail == PEER_CHECK_IN_DUE:
        return _("%(actor)s asked you to check in this week") % words
    if for_email:
        return _("%(actor)s asked you to check in with them") % words
    return _("%(actor)s asked you to check in during their therapist's break") % words


Wording = Callable[[Notification, str, str, bool], str]
_WORDINGS: dict[str, Wording] = {
    Kind.REPLY: _reply,
    Kind.REPLY_TO_ME: _quoted,
    Kind.MENTION: _mentioned,
    Kind.NEW_THREAD: _new_thread,
    Kind.REACTION: lambda notification, actor, _title, _email: _reacted(notification, actor),
    Kind.MESSAGE: _messaged,
    Kind.MODERATION: _moderated,
    Kind.NOTICE: _notice,
    Kind.CHECK_IN: lambda *_args: _("A moderator has answered your request for a check-in"),
    Kind.REPORT: lambda *_args: _("A new report is waiting in the moderation queue"),
    Kind.CHECK_IN_REQUEST: lambda *_args: _("A member asked for a moderator to check in with them"),
    Kind.PEER_CHECK_IN: _peer_check_in,
}


def headline(notification: Notification, *, title: str = "", for_email: bool = False) -> str:
    """One sentence: who did what. ``title`` is the thread's, or "" to leave it out."""
    wording = _WORDINGS.get(notification.kind)
    if wording is None:
        return _("Something new for you")
    return wording(notification, actor_of(notification), title, for_email)


def reason_given(notification: Notification) -> str:
    """The moderator's reason, for a decision about the member's post (page only)."""
    if notification.kind != Kind.MODERATION or "\n" not in notification.detail:
        return ""
    return notification.detail.split("\n", 1)[1]
