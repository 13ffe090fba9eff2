"""Conversation pages: parse -> fetch and authorise -> service -> render.

Every route with a conversation id starts with ``get_conversation_for_viewer_or_404``
and every route with a message id then with ``get_message_for_viewer_or_404``: for
anyone who is not a current participant -- a member, a moderator, an administrator --
a conversation is the same 404 as a missing one, and so is a message id of another
conversation. Visitors never get here (the sign-in middleware sends them away).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from hearth.accounts.models import User
from hearth.conversations import drafts, selectors, services
from hearth.conversations.crisis import remember_crisis_panel, take_crisis_panel
from hearth.conversations.forms import (
    AddMemberForm,
    EditMessageForm,
    MessageDraftForm,
    MessageForm,
    MessagingSettingsForm,
    MuteForm,
    StartConversationForm,
    new_request_key,
    split_usernames,
)
from hearth.conversations.models import MOST_PARTICIPANTS, AllowFrom, Message
from hearth.conversations.permissions import (
    allow_from_for,
    why_cannot_start_with,
    why_cannot_write_in,
)
from hearth.conversations.selectors import OpenConversation
from hearth.core.ratelimit import RateLimit, allow
from hearth.core.site_address import absolute_url
from hearth.core.text import SourceTooLong, quote_markdown, render_markdown
from hearth.forum.diffs import revision_diffs

# Starting conversations is where unwanted contact begins: the forum's posting limit.
# Replies stay among people already in a conversation (who can mute, leave or block),
# and a conversation runs faster than a thread: the lighter action limit.
START_RATE = RateLimit.parse(settings.HEARTH_POST_RATE_LIMIT)
REPLY_RATE = RateLimit.parse(settings.HEARTH_ACTION_RATE_LIMIT)
# Saving as one types counts against the same budget as the forum's draft saves.
DRAFT_RATE = RateLimit.parse(settings.HEARTH_ACTION_RATE_LIMIT)
DRAFT_RATE_SCOPE = "action"
TOO_MANY_STATUS = 429
LARGEST_PAGE = 10**9


def _member(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # LoginRequiredMiddleware guarantees it here
    return request.user


def _too_fast_message() -> str:
    return _(
        "You're sending messages faster than we allow. Please wait a few minutes and send "
        "it again; your text is still here."
    )


def _too_fast(request: HttpRequest, scope: str, rate: RateLimit, request_key: str) -> bool:
    """Over the limit -- unless this form was already sent: a resend is answered with what
    it made, never "too fast"."""
    if allow(scope, _member(request).pk, rate):
        return False
    return selectors.find_message_for_request(_member(request), request_key) is None


def _apply_errors(form: Form, error: ValidationError, fields: dict[str, str]) -> None:
    """Put a service's ValidationError on the field its code names (the body otherwise)."""
    field = fields.get(str(error.code), "body") if error.code else "body"
    for text in error.messages:
        form.add_error(field, text)


def _conversation_name(opened: OpenConversation) -> str:
    if opened.conversation.title:
        return str(opened.conversation.title)
    names = [other.display_name for other in opened.others]
    if not names:
        return _("Conversation (everyone else has left)")
    if len(names) == 1:
        return _("Conversation with %(name)s") % {"name": names[0]}
    return _("Conversation with %(names)s and %(last)s") % {
        "names": ", ".join(names[:-1]),
        "last": names[-1],
    }


def _message_url(opened: OpenConversation, message: Message) -> str:
    url = reverse("conversations:conversation", args=[opened.pk])
    return f"{url}?page={selectors.page_of(message.position)}#message-{message.pk}"


def _preview_html(form: Form) -> str:
    """The composer's text as it will look (for the preview button without JavaScript;
    with it, the composer asks ``forum:preview``)."""
    if not form.is_valid():
        return ""
    try:
        return render_markdown(form.cleaned_data["body"], id_prefix="preview-").html
    except SourceTooLong:
        return ""


@dataclass(frozen=True)
class MessageRow:
    """A message as the page shows it; the author's profile link only for current
    participants (their usernames are known without a query)."""

    message: Message
    author_username: str
    is_own: bool
    is_first_unread: bool
    is_from_muted_member: bool


# --- My conversations ------------------------------------------------------------------


@require_safe
def conversation_list(request: HttpRequest) -> HttpResponse:
    try:
        found = selectors.conversations_of(_member(request), request.GET.get("before", ""))
    except ValueError:
        return HttpResponseBadRequest(_("That page link is not valid."))
    return render(request, "conversations/list.html", {"found": found})


@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    if request.method == "GET":
        return _blank_start_page(request, member)
    form = StartConversationForm(request.POST)
    if "preview" in request.POST:
        context = {"form": form, "preview_html": _preview_html(form)}
        return render(request, "conversations/start.html", context, status=_form_status(form))
    status = 400
    recipients = _recipients(form)
    if recipients:
        request_key = form.cleaned_data["request_key"] or new_request_key()
        if _too_fast(request, "conversation", START_RATE, request_key):
            form.add_error(None, _too_fast_message())
            status = TOO_MANY_STATUS
        else:
            try:
                started = services.start_conversation(
                    starter=member,
                    recipients=recipients,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    request_key=request_key,
                )
            except ValidationError as error:
                fields = {"nobody": "recipients", "too_many": "recipients"}
                _apply_errors(form, error, {**fields, "title_too_long": "title"})
            except PermissionDenied as refusal:
                form.add_error(None, str(refusal))
                if len(recipients) > 1:
                    _name_who_refuses(form, member, recipients)
                status = 403
            except services.RequestKeyReused as reused:
                return _request_key_conflict(request, reused, form, None)
            else:
                remember_crisis_panel(request, started)
                return redirect("conversations:conversation", conversation_id=started.pk)
    return render(request, "conversations/start.html", {"form": form}, status=status)


def _blank_start_page(request: HttpRequest, member: User) -> HttpResponse:
    """The form, with the members of ``?to=`` filled in; anyone the member cannot write
    to is named before they start typing."""
    names = split_usernames(",".join(request.GET.getlist("to")))[: MOST_PARTICIPANTS - 1]
    found = selectors.members_named(names)
    notes = [_no_member_called(name) for name in names if name.casefold() not in found]
    for recipient in found.values():
        if reason := why_cannot_start_with(member, recipient):
            notes.append(_refusal_for(recipient, reason))
    shown = [
        found[name.casefold()].username if name.casefold() in found else name for name in names
    ]
    draft = drafts.message_draft_of(member, None)
    form = StartConversationForm(
        initial={"recipients": ", ".join(shown), "body": draft, "request_key": new_request_key()}
    )
    # One draft serves this form whoever it is opened for: say so, so that words meant
    # for one member are not sent to another unnoticed.
    context = {"form": form, "notes": notes, "has_draft": bool(draft.strip())}
    return render(request, "conversations/start.html", context)


def _recipients(form: StartConversationForm) -> list[User]:
    """The members the valid form names, in its order; [] with an error on the form for
    any name that is no one's."""
    if not form.is_valid():
        return []
    names = form.cleaned_data["recipients"]
    found = selectors.members_named(names)
    unknown = [name for name in names if name.casefold() not in found]
    for name in unknown:
        form.add_error("recipients", _no_member_called(name))
    return [] if unknown else [found[name.casefold()] for name in names]


def _form_status(form: Form) -> int:
    return 200 if form.is_valid() else 400


def _no_member_called(name: str) -> str:
    # Usernames are shown on every profile and post to members, so saying that a name
    # is no one's reveals nothing a member could not see; inactive accounts are treated
    # as unknown, as their profiles are (404).
    return _(
        "No member is called “%(name)s”. Check the spelling: it is the name after @ on "
        "their profile."
    ) % {"name": name}


def _refusal_for(recipient: User, reason: str) -> str:
    return _("%(name)s (@%(username)s): %(reason)s") % {
        "name": recipient.display_name,
        "username": recipient.username,
        "reason": reason,
    }


def _name_who_refuses(form: Form, member: User, recipients: list[User]) -> None:
    """In a group, say which of the members the message cannot go to (each with the
    same words the member would see alone)."""
    for recipient in recipients:
        if reason := why_cannot_start_with(member, recipient):
            form.add_error("recipients", _refusal_for(recipient, reason))


# --- One conversation ------------------------------------------------------------------


def _requested_page(request: HttpRequest) -> int | None:
    """The ``?page=`` asked for; 0 when none was; None when it is not a page number."""
    raw = request.GET.get("page")
    if raw is None:
        return 0
    if raw.isascii() and raw.isdigit() and 0 < int(raw) < LARGEST_PAGE:
        return int(raw)
    return None


@require_safe
def conversation(request: HttpRequest, conversation_id: int) -> HttpResponse:
    member = _member(request)
    opened = selectors.get_conversation_for_viewer_or_404(member, conversation_id)
    asked = _requested_page(request)
    if asked is None:
        return HttpResponseBadRequest(_("That page number is not valid."))
    read_up_to = opened.me.last_read_position
    last = opened.conversation.last_position
    # Without a page: where the member's unread messages start, or the newest page.
    page_number = asked or selectors.page_of(min(read_up_to + 1, last) if last else 1)
    page = selectors.messages_page(opened, page_number)
    highest = max((message.position for message in page.messages), default=0)
    if highest > read_up_to:
        services.mark_read(member=member, opened=opened, up_to_position=highest)
        if member.unread_notifications:  # the bell may have gone down: show it as it is now
            member.refresh_from_db(fields=["unread_notifications"])
    rows = _message_rows(member, opened, page, first_unread=read_up_to + 1)
    draft = drafts.message_draft_of(member, opened)
    form = MessageForm(initial={"body": draft, "request_key": new_request_key()})
    return render(
        request,
        "conversations/conversation.html",
        {
            **_conversation_context(member, opened),
            "page": page,
            "rows": rows,
            "form": form,
            "crisis_panel": take_crisis_panel(request, opened),
        },
    )


@require_safe
def messages_after(request: HttpRequest, conversation_id: int, position: int) -> HttpResponse:
    """The messages after ``position`` (at most a page), as the page's list items: what a
    live update (``hearth.live``) adds to an open conversation. They count as read."""
    member = _member(request)
    opened = selectors.get_conversation_for_viewer_or_404(member, conversation_id)
    page = selectors.messages_after(opened, position)
    highest = max((message.position for message in page.messages), default=0)
    if highest > opened.me.last_read_position:
        services.mark_read(member=member, opened=opened, up_to_position=highest)
    # No "New messages" line: the member is watching them arrive.
    rows = _message_rows(member, opened, page, first_unread=0)
    context = {**_conversation_context(member, opened), "rows": rows}
    return render(request, "conversations/_messages.html", context)


def _conversation_context(member: User, opened: OpenConversation) -> dict[str, Any]:
    return {
        "opened": opened,
        "name": _conversation_name(opened),
        "why_cannot_write": why_cannot_write_in(member, opened.others),
        "can_add": opened.conversation.is_group and len(opened.others) + 1 < MOST_PARTICIPANTS,
    }


def _message_rows(
    member: User, opened: OpenConversation, page: selectors.MessagePage, *, first_unread: int
) -> list[MessageRow]:
    usernames = {other.pk: other.username for other in opened.others}
    usernames[member.pk] = member.username
    return [
        MessageRow(
            message=message,
            author_username=usernames.get(message.author_id or 0, ""),
            is_own=message.author_id == member.pk,
            is_first_unread=message.position == first_unread and message.author_id != member.pk,
            is_from_muted_member=message.author_id in page.muted_author_ids,
        )
        for message in page.messages
    ]


def _compose_page(
    request: HttpRequest,
    opened: OpenConversation,
    form: MessageForm,
    *,
    status: int = 200,
    preview_html: str = "",
) -> HttpResponse:
    context = {
        **_conversation_context(_member(request), opened),
        "form": form,
        "preview_html": preview_html,
    }
    return render(request, "conversations/reply.html", context, status=status)


@require_POST
def reply(request: HttpRequest, conversation_id: int) -> HttpResponse:
    member = _member(request)
    opened = selectors.get_conversation_for_viewer_or_404(member, conversation_id)
    form = MessageForm(request.POST)
    if "preview" in request.POST:
        preview_html = _preview_html(form)
        return _compose_page(
            request, opened, form, status=_form_status(form), preview_html=preview_html
        )
    status = 400
    if form.is_valid():
        request_key = form.cleaned_data["request_key"] or new_request_key()
        if _too_fast(request, "message", REPLY_RATE, request_key):
            form.add_error(None, _too_fast_message())
            status = TOO_MANY_STATUS
        else:
            try:
                sent = services.send_message(
                    author=member, opened=opened, body=form.cleaned_data["body"],
                    request_key=request_key,
                )  # fmt: skip
            except ValidationError as error:
                _apply_errors(form, error, {})
            except PermissionDenied as refusal:
                form.add_error(None, str(refusal))
                status = 403
            except services.RequestKeyReused as reused:
                return _request_key_conflict(request, reused, form, opened)
            else:
                remember_crisis_panel(request, sent)
                return redirect(_message_url(opened, sent))
    return _compose_page(request, opened, form, status=status)


def _request_key_conflict(
    request: HttpRequest,
    reused: services.RequestKeyReused,
    form: MessageForm | StartConversationForm,
    opened: OpenConversation | None,
) -> HttpResponse:
    """A sent form sent again with other text: show what was sent, send nothing, and offer
    the new text in a composer with a fresh key, so sending it sends it once.

    The new text goes where the member was writing: the conversation of their reply; for
    a new conversation, the one the first sending started (a second conversation with
    the same people would split the talk), or the start form again if they left it."""
    member = _member(request)
    sent_in = opened
    if opened is None or opened.pk != reused.existing.conversation_id:
        sent_in = _open_or_none(member, reused.existing.conversation_id)
    writing_in = opened or sent_in
    fresh: MessageForm | StartConversationForm
    if writing_in is None:
        data = request.POST.copy()
        data["request_key"] = new_request_key()
        fresh = StartConversationForm(data)
    else:
        fresh = MessageForm({"body": form.cleaned_data["body"], "request_key": new_request_key()})
    fresh.is_valid()
    context: dict[str, Any] = {
        "reused": reused,
        "sent_url": _message_url(sent_in, reused.existing) if sent_in else "",
        "form": fresh,
    }
    if writing_in is not None:
        context.update(_conversation_context(member, writing_in))
    return render(request, "conversations/request_key_conflict.html", context, status=409)


def _open_or_none(member: User, conversation_id: int) -> OpenConversation | None:
    try:
        return selectors.get_conversation_for_viewer_or_404(member, conversation_id)
    except Http404:
        return None


@require_safe
def quote(request: HttpRequest, conversation_id: int, message_id: int) -> HttpResponse:
    """The composer with the chosen message quoted, attributed and linked back."""
    member = _member(request)
    opened = selectors.get_conversation_for_viewer_or_404(member, conversation_id)
    message = selectors.get_message_for_viewer_or_404(opened, message_id)
    if message.is_deleted:
        raise Http404
    if reason := why_cannot_write_in(member, opened.others):
        raise PermissionDenied(reason)
    quoted = quote_markdown(
        str(message.body),
        author_name=message.author_name,
        permalink=absolute_url(_message_url(opened, message), request),
    )
    # The quote joins what the member was already writing: the next save keeps both.
    draft = drafts.message_draft_of(member, opened)
    body = f"{draft}\n\n{quoted}" if draft.strip() else quoted
    form = MessageForm(initial={"body": body, "request_key": new_request_key()})
    return _compose_page(request, opened, form)


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, conversation_id: int, message_id: int) -> HttpResponse:
    member = _member(request)
    opened = selectors.get_conversation_for_viewer_or_404(member, conversation_id)
    message = selectors.get_message_for_viewer_or_404(opened, message_id)
    if message.author_id != member.pk or message.is_deleted:
        raise PermissionDenied(_("You can edit only your own messages."))
    context: dict[str, Any] = {
        "opened": opened,
        "message": message,
        "name": _conversation_name(opened),
    }
    if request.method == "GET":
        form = EditMessageForm(initial={"body": message.body, "base_revision": message.revision})
        return render(request, "conversations/edit.html", {**context, "form": form})
    form = EditMessageForm(request.POST)
    if "preview" in request.POST:
        context.update(form=form, preview_html=_preview_html(form))
        return render(request, "conversations/edit.html", context, status=_form_status(form))
    status = 400
    if form.is_valid():
        try:
            edited = services.edit_message(
                editor=member, message=message, body=form.cleaned_data["body"],
                base_revision=form.cleaned_data["base_revision"],
            )  # fmt: skip
        except services.EditConflict as conflict:
            merged = EditMessageForm(
                initial={
                    "body": form.cleaned_data["body"],
                    "base_revision": conflict.current_revision,
                }
            )
            context.update(form=merged, conflict=conflict)
            return render(request, "conversations/edit_conflict.html", context, status=409)
        except ValidationError as error:
            _apply_errors(form, error, {})
        except PermissionDenied as refusal:
            form.add_error(None, str(refusal))
            status = 403
        else:
            remember_crisis_panel(request, edited)
            flash.success(request, _("Your message was saved."))
            return redirect(_message_url(opened, edited))
    return render(request, "conversations/edit.html", {**context, "form": form}, status=status)


@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, conversation_id: int, message_id: int) -> HttpResponse:
    member = _member(request)
    opened = selectors.get_conversation_for_viewer_or_404(member, conversation_id)
    message = selectors.get_message_for_viewer_or_404(opened, message_id)
    if message.author_id != member.pk:
        raise PermissionDenied(_("You can delete only your own messages."))
    if request.method == "POST":
        services.delete_message(member=member, message=message)
        flash.success(request, _("Your message was deleted."))
        return redirect(_message_url(opened, message))
    context = {"opened": opened, "message": message, "name": _conversation_name(opened)}
    return render(request, "conversations/delete.html", context)


@require_safe
def history(request: HttpRequest, conversation_id: int, message_id: int) -> HttpResponse:
    member = _member(request)
    opened = selectors.get_conversation_for_viewer_or_404(member, conversation_id)
    message = selectors.get_message_for_viewer_or_404(opened, message_id)
    context = {
        "opened": opened,
        "message": message,
        "message_url": _message_url(opened, message),
        "name": _conversation_name(opened),
        "revisions": revision_diffs(selectors.revisions_of(message)),
    }
    return render(request, "conversations/history.html", context)


# --- Drafts ----------------------------------------------------------------------------


@require_POST
def save_draft(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """Keep the reply the member is typing (forum.js posts it as they type); answers with
    a short status for the composer."""
    opened = selectors.get_conversation_for_viewer_or_404(_member(request), conversation_id)
    return _save_draft(request, opened)


@require_POST
def save_start_draft(request: HttpRequest) -> HttpResponse:
    """Keep the message the member is typing in the new-conversation form."""
    return _save_draft(request, None)


def _save_draft(request: HttpRequest, opened: OpenConversation | None) -> HttpResponse:
    if not allow(DRAFT_RATE_SCOPE, _member(request).pk, DRAFT_RATE):
        return _plain_text(_too_fast_message(), status=TOO_MANY_STATUS)
    form = MessageDraftForm(request.POST)
    if not form.is_valid():
        return _plain_text(_("The draft could not be saved."), status=400)
    try:
        draft = drafts.save_message_draft(
            member=_member(request), opened=opened, body=form.cleaned_data["body"]
        )
    except ValidationError as error:
        return _plain_text(" ".join(error.messages), status=400)
    return _plain_text(_("Draft saved.") if draft else _("Draft cleared."))


def _plain_text(text: str, *, status: int = 200) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


# --- Leave, mute, add a member ---------------------------------------------------------


@require_http_methods(["GET", "POST"])
def leave(request: HttpRequest, conversation_id: int) -> HttpResponse:
    member = _member(request)
    opened = selectors.get_conversation_for_viewer_or_404(member, conversation_id)
    if request.method == "POST":
        services.leave_conversation(member=member, opened=opened)
        flash.success(request, _("You have left the conversation."))
        return redirect("conversations:list")
    context = {"opened": opened, "name": _conversation_name(opened)}
    return render(request, "conversations/leave.html", context)


@require_POST
def mute(request: HttpRequest, conversation_id: int) -> HttpResponse:
    member = _member(request)
    opened = selectors.get_conversation_for_viewer_or_404(member, conversation_id)
    form = MuteForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Choose to mute or unmute the conversation."))
    muted = form.cleaned_data["muted"]
    services.set_muted(member=member, opened=opened, muted=muted)
    if muted:
        flash.success(request, _("Muted: new messages here will not notify you."))
    else:
        flash.success(request, _("Unmuted: new messages here will notify you again."))
    return redirect("conversations:conversation", conversation_id=opened.pk)


@require_http_methods(["GET", "POST"])
def add(request: HttpRequest, conversation_id: int) -> HttpResponse:
    member = _member(request)
    opened = selectors.get_conversation_for_viewer_or_404(member, conversation_id)
    if not opened.conversation.is_group:
        raise PermissionDenied(_("Members can be added to group conversations only."))
    context: dict[str, Any] = {"opened": opened, "name": _conversation_name(opened)}
    if request.method == "GET":
        return render(request, "conversations/add.html", {**context, "form": AddMemberForm()})
    form = AddMemberForm(request.POST)
    status = 400
    if form.is_valid():
        username = form.cleaned_data["username"]
        newcomer = selectors.members_named([username]).get(username.casefold())
        if newcomer is None:
            form.add_error("username", _no_member_called(username))
        else:
            try:
                services.add_participant(adder=member, opened=opened, member=newcomer)
            except ValidationError as error:
                _apply_errors(form, error, {"already": "username", "too_many": "username"})
            except PermissionDenied as refusal:
                form.add_error("username", str(refusal))
                status = 403
            else:
                flash.success(
                    request,
                    _("%(name)s is now in the conversation.") % {"name": newcomer.display_name},
                )
                return redirect("conversations:conversation", conversation_id=opened.pk)
    return render(request, "conversations/add.html", {**context, "form": form}, status=status)


# --- Settings --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def messaging_settings(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    context = {"new_member_days": settings.HEARTH_NEW_MEMBER_DAYS}
    if request.method == "GET":
        form = MessagingSettingsForm(initial={"allow_from": allow_from_for(member, timezone.now())})
        return render(request, "conversations/settings.html", {**context, "form": form})
    form = MessagingSettingsForm(request.POST)
    if not form.is_valid():
        return render(request, "conversations/settings.html", {**context, "form": form}, status=400)
    services.choose_who_may_start(
        member=member, allow_from=AllowFrom(form.cleaned_data["allow_from"])
    )
    flash.success(request, _("Your messaging settings have been saved."))
    return redirect("conversations:settings")
