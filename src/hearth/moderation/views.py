"""Moderation pages and members' reports. Non-moderators get 404 for every moderation page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from hearth.accounts.models import User
from hearth.forum import selectors as forum_selectors
from hearth.forum.forms import EditPostForm
from hearth.forum.models import Post
from hearth.forum.services import ContentNote, EditConflict
from hearth.forum.viewer import Viewer, get_viewer
from hearth.moderation import selectors, services
from hearth.moderation.forms import (
    CloseItemForm,
    MessageMemberForm,
    ModeratorContentNoteForm,
    MoveForm,
    OptionalReasonForm,
    ReasonForm,
    ReportForm,
    SuspendForm,
    WriteToModeratorsForm,
)
from hearth.moderation.models import ModeratorNotice
from hearth.moderation.permissions import (
    require,
    visible_queue_kinds,
    why_cannot_handle_item,
    why_cannot_moderate_members,
    why_cannot_moderate_post,
)
from hearth.safety import services as safety_services
from hearth.safety.coverage import coverage_at
from hearth.safety.models import QueueKind, QueueStatus, ReportReason, Resolution


def _member(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _moderator(request: HttpRequest) -> tuple[User, Viewer]:
    viewer = get_viewer(request)
    if not viewer.is_moderator:
        raise Http404
    return _member(request), viewer


# --- The queue -------------------------------------------------------------------------


def _queue_page(
    request: HttpRequest,
    viewer: Viewer,
    kind: str | None,
    *,
    failed: CloseItemForm | None = None,
    failed_item_id: int | None = None,
    status: int = 200,
) -> HttpResponse:
    """The queue, each row with its close form: the one sent without an ending comes
    back bound, with its error and the note as typed."""
    rows = selectors.get_queue_rows(viewer, kind, timezone.now())
    if failed is not None:
        # Focus lands on what needs an answer, which also scrolls the item into view.
        first_error = next(iter(failed.errors), "resolution")
        if first_error in failed.fields:
            failed.fields[first_error].widget.attrs["autofocus"] = True
    entries = [
        (
            row,
            failed
            if failed is not None and row.item.pk == failed_item_id
            else CloseItemForm(item=row.item),
        )
        for row in rows
    ]
    kinds = [
        (value, label) for value, label in QueueKind.choices if value in visible_queue_kinds(viewer)
    ]
    context = {"entries": entries, "kind": kind, "kinds": kinds}
    return render(request, "moderation/queue.html", context, status=status)


@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    viewer = _moderator(request)[1]
    kind = request.GET.get("kind") or None
    if kind is not None and kind not in visible_queue_kinds(viewer):
        return HttpResponseBadRequest(_("Choose one of the queue's filters."))
    return _queue_page(request, viewer, kind)


@require_POST
def close_item(request: HttpRequest, item_id: int) -> HttpResponse:
    moderator, viewer = _moderator(request)
    item = selectors.get_queue_item_or_404(item_id)
    require(why_cannot_handle_item(viewer, item))
    form = CloseItemForm(request.POST, item=item)
    if not form.is_valid():
        if item.status != QueueStatus.OPEN:
            messages.info(request, _("Another moderator has closed this item already."))
            return redirect("moderation:queue")
        messages.error(request, _("That item is still open: choose how it ended."))
        return _queue_page(request, viewer, None, failed=form, failed_item_id=item.pk, status=400)
    services.close_item(
        moderator=moderator,
        item=item,
        resolution=Resolution(form.cleaned_data["resolution"]),
        note=form.cleaned_data["note"],
    )
    messages.success(request, _("The item is closed."))
    return redirect("moderation:queue")


# --- A post, its thread and its author -----------------------------------------------------


def _post_context(viewer: Viewer, post: Any, **extra: Any) -> dict[str, Any]:
    categories = forum_selectors.visible_categories(viewer)
    return {
        "post": post,
        "view": forum_selectors.get_post_view(viewer, post),
        "items": selectors.open_items_for_post(post),
        "audit": selectors.audit_entries_for(viewer, post=post),
        "reason_form": ReasonForm(),
        "optional_reason_form": OptionalReasonForm(),
        "note_form": ModeratorContentNoteForm(
            initial={
                "content_notes": list(post.content_notes.all()),
                "content_note_text": post.content_note_text,
            }
        ),
        "move_form": MoveForm(categories=categories, initial={"category": post.thread.category}),
        "can_moderate_members": why_cannot_moderate_members(viewer) is None,
        **extra,
    }


@require_safe
def post_page(request: HttpRequest, post_id: int) -> HttpResponse:
    viewer = _moderator(request)[1]
    post = selectors.get_post_or_404(post_id)
    require(why_cannot_moderate_post(viewer, post))
    return render(request, "moderation/post.html", _post_context(viewer, post))


POST_ACTIONS_WITH_REASON = {"hide", "reject", "lock", "reveal"}


@require_POST
def post_action(request: HttpRequest, post_id: int, action: str) -> HttpResponse:
    moderator, viewer = _moderator(request)
    post = selectors.get_post_or_404(post_id)
    require(why_cannot_moderate_post(viewer, post))
    reason = request.POST.get("reason", "")
    try:
        with transaction.atomic():
            revealed = _run_post_action(
                moderator=moderator,
                viewer=viewer,
                post=post,
                action=action,
                reason=reason,
                request=request,
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        context = _post_context(viewer, post, failed_action=action, typed_reason=reason)
        return render(request, "moderation/post.html", context, status=400)
    if revealed is not None:
        messages.success(request, _("Revealed. This lookup is in the audit log."))
        return render(
            request, "moderation/post.html", _post_context(viewer, post, revealed=revealed)
        )
    messages.success(request, _("Done. The member has been told, and the audit log has an entry."))
    return redirect("moderation:post", post_id=post.pk)


def _run_post_action(
    *, moderator: User, viewer: Viewer, post: Post, action: str, reason: str, request: HttpRequest
) -> User | None:
    thread = post.thread
    simple = {
        "hide": lambda: services.hide_post(moderator=moderator, post=post, reason=reason),
        "restore": lambda: services.restore_post(moderator=moderator, post=post, reason=reason),
        "approve": lambda: services.approve_post(moderator=moderator, post=post),
        "reject": lambda: services.reject_post(moderator=moderator, post=post, reason=reason),
        "lock": lambda: services.lock_thread(moderator=moderator, thread=thread, reason=reason),
        "unlock": lambda: services.unlock_thread(moderator=moderator, thread=thread, reason=reason),
        "pin": lambda: services.pin_thread(moderator=moderator, thread=thread, reason=reason),
        "unpin": lambda: services.unpin_thread(moderator=moderator, thread=thread, reason=reason),
    }
    if action in simple:
        simple[action]()
        return None
    if action == "reveal":
        return services.reveal_author(moderator=moderator, post=post, reason=reason)
    if action == "content_note":
        note_form = ModeratorContentNoteForm(request.POST)
        if not note_form.is_valid():
            raise ValidationError(_("Please write a note to the author."))
        note = ContentNote(
            labels=tuple(note_form.cleaned_data["content_notes"]),
            text=note_form.cleaned_data["content_note_text"],
        )
        services.set_content_note(
            moderator=moderator,
            post=post,
            content_note=note,
            note_to_author=note_form.cleaned_data["note_to_author"],
        )
        return None
    if action == "move":
        form = MoveForm(request.POST, categories=forum_selectors.visible_categories(viewer))
        if not form.is_valid():
            raise ValidationError(_("Choose a category to move the thread to."))
        services.move_thread(
            moderator=moderator, thread=thread, to=form.cleaned_data["category"], reason=reason
        )
        return None
    raise Http404


@require_http_methods(["GET", "POST"])
def edit_post(request: HttpRequest, post_id: int) -> HttpResponse:
    """A moderator edits a post, giving a reason the author is told."""
    moderator, viewer = _moderator(request)
    post = selectors.get_post_or_404(post_id)
    require(why_cannot_moderate_post(viewer, post))
    if request.method == "GET":
        form = EditPostForm(initial={"body": post.body, "base_revision": post.revision})
        return render(request, "moderation/edit_post.html", {"post": post, "form": form})
    form = EditPostForm(request.POST)
    if form.is_valid():
        try:
            services.edit_post_as_moderator(
                moderator=moderator,
                post=post,
                body=form.cleaned_data["body"],
                base_revision=form.cleaned_data["base_revision"],
                reason=form.cleaned_data["reason"],
            )
        except EditConflict as conflict:
            messages.error(
                request, _("Someone saved this post meanwhile; your text is below with theirs.")
            )
            context = {"post": post, "form": form, "conflict": conflict}
            return render(request, "moderation/edit_post.html", context, status=409)
        except ValidationError as error:
            form.add_error("reason", " ".join(error.messages))
        else:
            return redirect("moderation:post", post_id=post.pk)
    return render(request, "moderation/edit_post.html", {"post": post, "form": form}, status=400)


# --- Members ---------------------------------------------------------------------------------


@require_safe
def member_page(request: HttpRequest, username: str) -> HttpResponse:
    viewer = _moderator(request)[1]
    require(why_cannot_moderate_members(viewer))
    member = selectors.get_member_or_404(username)
    return render(request, "moderation/member.html", _member_context(viewer, member))


def _member_context(viewer: Viewer, member: User, **extra: Any) -> dict[str, Any]:
    return {
        "member": member,
        "now": timezone.now(),
        "sanctions": selectors.sanctions_for(member),
        "audit": selectors.audit_entries_for(viewer, member=member),
        "reason_form": ReasonForm(),
        "suspend_form": SuspendForm(),
        "message_form": MessageMemberForm(),
        "optional_reason_form": OptionalReasonForm(),
        **extra,
    }


MEMBER_ACTION_FORMS: dict[str, type[Form]] = {
    "message": MessageMemberForm,
    "warn": ReasonForm,
    "suspend": SuspendForm,
    "lift": OptionalReasonForm,
}


def _run_member_action(moderator: User, member: User, action: str, data: dict[str, Any]) -> None:
    if action == "message":
        services.message_member(
            moderator=moderator, member=member, subject=data["subject"], body=data["body"]
        )
    elif action == "warn":
        services.warn_member(moderator=moderator, member=member, reason=data["reason"])
    elif action == "suspend":
        services.suspend_member(
            moderator=moderator,
            member=member,
            days=data["days"],
            partial=data["partial"],
            reason=data["reason"],
        )
    else:
        services.lift_suspension(moderator=moderator, member=member, reason=data["reason"])


@require_POST
def member_action(request: HttpRequest, username: str, action: str) -> HttpResponse:
    moderator, viewer = _moderator(request)
    member = selectors.get_member_or_404(username)
    if action not in MEMBER_ACTION_FORMS:
        raise Http404
    if action != "message":  # any moderator may write to a member; only some may sanction
        require(why_cannot_moderate_members(viewer))
    form = MEMBER_ACTION_FORMS[action](request.POST)
    if form.is_valid():
        try:
            _run_member_action(moderator, member, action, form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, " ".join(error.messages))
        else:
            messages.success(
                request, _("Done. The member has been told, and the audit log has an entry.")
            )
            return redirect("moderation:member", username=member.username)
    messages.error(request, _("That didn't work: please look at the form."))
    context = _member_context(viewer, member, failed_form=form)
    return render(request, "moderation/member.html", context, status=400)


@require_safe
def audit_log(request: HttpRequest) -> HttpResponse:
    viewer = _moderator(request)[1]
    before = request.GET.get("before")
    if before is not None and not before.isdigit():
        return HttpResponseBadRequest(_("That page link is not valid."))
    entries = selectors.audit_log(viewer, int(before) if before else None)
    return render(request, "moderation/audit.html", {"entries": entries})


# --- Members: reports, messages to moderators, notices -------------------------------------


@require_http_methods(["GET", "POST"])
def report_post(request: HttpRequest, post_id: int) -> HttpResponse:
    viewer = get_viewer(request)
    post = forum_selectors.get_post_for_viewer_or_404(viewer, post_id)
    return _report(request, post=post, reported=post.author if not post.is_anonymous else None)


@require_http_methods(["GET", "POST"])
def report_member(request: HttpRequest, username: str) -> HttpResponse:
    member = selectors.get_member_or_404(username)
    if not member.is_active:
        raise Http404
    return _report(request, post=None, reported=member)


def _report(request: HttpRequest, *, post: Any, reported: User | None) -> HttpResponse:
    reporter = _member(request)
    context: dict[str, Any] = {"post": post, "reported": reported if post is None else None}
    if request.method == "GET":
        context["form"] = ReportForm()
        return render(request, "moderation/report.html", context)
    form = ReportForm(request.POST)
    if not form.is_valid():
        context["form"] = form
        return render(request, "moderation/report.html", context, status=400)
    safety_services.file_report(
        reporter=reporter,
        reason=ReportReason(form.cleaned_data["reason"]),
        details=form.cleaned_data["details"],
        reported_member=reported,
        post_id=post.pk if post else None,
        thread_id=post.thread_id if post else None,
        category_id=post.thread.category_id if post else None,
    )
    context = {
        "worried": form.cleaned_data["reason"] == ReportReason.WORRIED,
        "coverage": coverage_at(timezone.now()),
    }
    return render(request, "moderation/report_thanks.html", context)


@require_http_methods(["GET", "POST"])
def write_to_moderators(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    if request.method == "POST":
        form = WriteToModeratorsForm(request.POST)
        if form.is_valid():
            safety_services.send_message_to_moderators(
                member=member, text=form.cleaned_data["text"]
            )
            messages.success(
                request,
                _("Your message is with the moderators. They will reply here, in your notices."),
            )
            return redirect("moderation:notices")
        return render(request, "moderation/write.html", {"form": form}, status=400)
    return render(request, "moderation/write.html", {"form": WriteToModeratorsForm()})


@require_safe
def notices(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    found = selectors.notices_for(member)
    if member.unread_notices:
        ModeratorNotice.objects.filter(member=member, read_at=None).update(read_at=timezone.now())
        User.objects.filter(pk=member.pk).update(unread_notices=0)
    return render(request, "moderation/notices.html", {"notices": found})


@require_safe
def suspended(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    if not member.suspension_in_force(timezone.now()):
        return redirect("home")  # ended (or lifted) since the link was followed
    return render(request, "moderation/suspended.html", {"member": member}, status=403)
