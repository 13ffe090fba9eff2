"""Reporting a message, the moderators' audited reading of it, and the writer's request
for a check-in: parse -> fetch and authorise -> service -> render."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from hearth.accounts.models import User
from hearth.conversations import crisis, reports
from hearth.conversations.selectors import (
    get_conversation_for_viewer_or_404,
    get_message_for_viewer_or_404,
)
from hearth.moderation.forms import ReportForm
from hearth.safety.coverage import coverage_at
from hearth.safety.models import ReportReason


class ReportMessageForm(ReportForm):
    include_earlier = forms.BooleanField(required=False, initial=False)

    def __init__(self, *args: Any, earlier_count: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not earlier_count:
            del self.fields["include_earlier"]
            return
        field = self.fields["include_earlier"]
        field.label = ngettext(
            "Include the message before it so the moderators understand",
            "Include the %(count)s messages before it so the moderators understand",
            earlier_count,
        ) % {"count": earlier_count}
        field.help_text = _(
            "Without this, the moderators see only the message you report. They never see "
            "anything else of this conversation."
        )


def _member(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@require_http_methods(["GET", "POST"])
def report_message(request: HttpRequest, conversation_id: int, message_id: int) -> HttpResponse:
    member = _member(request)
    opened = get_conversation_for_viewer_or_404(member, conversation_id)
    message = get_message_for_viewer_or_404(opened, message_id)
    context: dict[str, Any] = {"opened": opened, "message": message}
    if refusal := reports.why_cannot_report(member, message):
        context["refusal"] = refusal
        return render(request, "conversations/report_message.html", context, status=403)
    earlier_count = reports.count_earlier_messages(message)
    if request.method == "GET":
        context["form"] = ReportMessageForm(earlier_count=earlier_count)
        return render(request, "conversations/report_message.html", context)
    form = ReportMessageForm(request.POST, earlier_count=earlier_count)
    if not form.is_valid():
        context["form"] = form
        return render(request, "conversations/report_message.html", context, status=400)
    try:
        reports.report_message(
            reporter=member,
            opened=opened,
            message=message,
            reason=ReportReason(form.cleaned_data["reason"]),
            details=form.cleaned_data["details"],
            include_earlier=bool(form.cleaned_data.get("include_earlier")),
        )
    except PermissionDenied as refusal:
        context["refusal"] = str(refusal)
        return render(request, "conversations/report_message.html", context, status=403)
    thanks = {
        "worried": form.cleaned_data["reason"] == ReportReason.WORRIED,
        "coverage": coverage_at(timezone.now()),
    }
    return render(request, "moderation/report_thanks.html", thanks)


@require_safe
def read_reported_messages(request: HttpRequest, item_id: int) -> HttpResponse:
    """The moderators' only view of conversation text; each visit is audited."""
    shared = reports.read_reported_messages(moderator=_member(request), item_id=item_id)
    return render(request, "conversations/report_messages.html", {"shared": shared})


@require_POST
def ask_for_check_in(request: HttpRequest, conversation_id: int, message_id: int) -> HttpResponse:
    """The writer opts in: "ask a moderator to check in with me" (404 for anyone else)."""
    member = _member(request)
    opened = get_conversation_for_viewer_or_404(member, conversation_id)
    message = get_message_for_viewer_or_404(opened, message_id)
    if message.author_id != member.pk:
        raise Http404
    crisis.ask_for_check_in(writer=member, message=message)
    panel = crisis.panel_context(member, message, asked=True)
    return render(
        request,
        "conversations/crisis_check_in_asked.html",
        {"crisis_panel": panel, "opened": opened},
    )
