"""The pages of posts waiting to go live ("Time to reconsider", ``hearth.forum.pending``).

Each is its author's alone: any other member, and a visitor, gets the 404 of a post
that does not exist. A waiting post's page says when it goes live and offers
*Publish now*, *Edit* and *Withdraw*; once it is live the page leads to the post
(through the permalink, which asks the visibility policy as ever).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from hearth.accounts.models import User
from hearth.forum import pending as waiting
from hearth.forum.forms import EditPendingPostForm
from hearth.forum.models import PendingPost
from hearth.forum.text import render_post_body
from hearth.forum.views import crisis_panel_context
from hearth.safety.models import ContentNoteLabel
from hearth.safety.services import find_crisis_signals


def _member(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # LoginRequiredMiddleware guarantees it here
    return request.user


def _place_url(pending: PendingPost) -> str:
    """Where the post goes: its thread, or the category it starts a thread in."""
    return (pending.thread or pending.category).get_absolute_url()


@require_safe
def waiting_posts(request: HttpRequest) -> HttpResponse:
    """The member's posts that have not gone live yet (or could not)."""
    found = waiting.list_waiting_posts(_member(request))
    return render(
        request, "forum/waiting_posts.html", {"waiting_posts": found, "section": "waiting"}
    )


@require_safe
def pending_post(request: HttpRequest, pending_id: int) -> HttpResponse:
    member = _member(request)
    found = waiting.get_pending_post_for_author_or_404(member, pending_id)
    if found.published_post_id is not None:
        return redirect("forum:permalink", post_id=found.published_post_id)
    if found.published_at is not None:  # it went live, and the post has gone since
        return redirect(_place_url(found))
    crisis_panel = None
    if find_crisis_signals(found.body, language=member.language):
        crisis_panel = crisis_panel_context(
            member,
            item=None,
            stage="waiting",
            check_in_action=reverse("forum:pending_check_in", args=[found.pk]),
            asked_for_check_in=found.asks_for_check_in,
        )
    labels = ContentNoteLabel.objects.filter(pk__in=found.content_note_label_ids)
    context = {
        "pending": found,
        "html": render_post_body(found.body).html,
        "labels": [str(label) for label in labels],
        "crisis_panel": crisis_panel,
        "place_url": _place_url(found),
    }
    return render(request, "forum/pending_post.html", context)


@require_POST
def publish_now(request: HttpRequest, pending_id: int) -> HttpResponse:
    member = _member(request)
    found = waiting.get_pending_post_for_author_or_404(member, pending_id)
    post = waiting.publish_now(member=member, pending=found)
    if post is None:
        # It had gone live already (its page then leads there), or it could not: its page
        # says why, with the text kept.
        return redirect(found)
    messages.success(request, _("Your post is live."))
    return redirect(post)


@require_POST
def withdraw(request: HttpRequest, pending_id: int) -> HttpResponse:
    member = _member(request)
    found = waiting.get_pending_post_for_author_or_404(member, pending_id)
    draft = waiting.withdraw(member=member, pending=found)
    if draft is None:
        messages.info(request, _("It had already gone live, so it can't be taken back now."))
        return redirect(found)
    messages.success(request, _("Taken back: nobody saw it. Your text is kept as a draft."))
    if found.thread_id is not None:
        return redirect(f"{_place_url(found)}#reply-heading")
    return redirect("forum:new_thread", slug=found.category.slug)


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pending_id: int) -> HttpResponse:
    member = _member(request)
    found = waiting.get_pending_post_for_author_or_404(member, pending_id)
    if found.published_at is not None:
        return redirect(found)
    starts_thread = found.thread_id is None
    if request.method == "GET":
        form = EditPendingPostForm(
            initial={
                "title": found.title,
                "body": found.body,
                "content_notes": found.content_note_label_ids,
                "content_note_text": found.content_note_text,
            },
            starts_thread=starts_thread,
        )
        return render(request, "forum/edit_pending_post.html", {"form": form, "pending": found})
    form = EditPendingPostForm(request.POST, starts_thread=starts_thread)
    if form.is_valid():
        try:
            waiting.edit_pending_post(
                member=member,
                pending=found,
                body=form.cleaned_data["body"],
                title=form.cleaned_data.get("title", ""),
                content_note=form.content_note(),
            )
        except ValidationError as error:
            form.add_error("title" if error.code == "empty_title" else "body", error)
        else:
            messages.success(request, _("Saved. It still goes live at the same time."))
            return redirect(found)
    context = {"form": form, "pending": found}
    return render(request, "forum/edit_pending_post.html", context, status=400)


@require_POST
def ask_for_check_in(request: HttpRequest, pending_id: int) -> HttpResponse:
    """From the crisis panel of a waiting post: a moderator is asked when it goes live."""
    member = _member(request)
    found = waiting.get_pending_post_for_author_or_404(member, pending_id)
    waiting.ask_for_check_in_when_live(member=member, pending=found)
    return redirect(found)
