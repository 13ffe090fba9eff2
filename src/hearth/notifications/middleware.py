"""Taking a break: while it lasts, forum pages show a calm page instead; once it is over,
the member's next forum page is a gentle welcome back, once.

A break is the member's own choice and is never worded or recorded as a sanction:
this is not ``hearth.moderation.middleware`` (which sends a suspended member to
why), and the visibility policy only knows that the member reads nothing of the
forum for now (``Viewer.is_paused``). What stays open is everything that is not the
forum: the private toolkit, settings, the data export, the moderators' messages,
signing out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from hearth.accounts.models import User
from hearth.notifications.models import Notification
from hearth.notifications.services import welcome_back_shown
from hearth.safety.selectors import crisis_contacts_for_member

# Whole parts of the site that rest during a break: what members write, and news of it.
RESTING_NAMESPACES = frozenset({"forum", "search", "conversations"})
RESTING_ROUTES = frozenset(
    {
        "home",
        "notifications:list",
        "notifications:open",
        "notifications:mark_read",
        "notifications:mark_all_read",
    }
)
# ... but settings stay open, and drafts are still kept, so nothing typed is lost.
OPEN_DURING_A_BREAK = frozenset(
    {
        "forum:set_reply_order",
        "forum:save_draft",
        "conversations:settings",
        "conversations:save_draft",
        "conversations:save_start_draft",
    }
)


def is_page_visit(request: HttpRequest) -> bool:
    """A page the member went to, not a script's request for a fragment (htmx, the live
    updates' and the composer's fetches, which browsers mark with ``Sec-Fetch-Mode``)."""
    return (
        request.method in {"GET", "HEAD"}
        and not getattr(request, "htmx", False)
        and "X-Requested-With" not in request.headers
        and request.headers.get("Sec-Fetch-Mode", "navigate") == "navigate"
    )


def rests_during_a_break(request: HttpRequest) -> bool:
    match = request.resolver_match
    if match is None or match.view_name in OPEN_DURING_A_BREAK:
        return False
    return match.view_name in RESTING_ROUTES or match.namespace in RESTING_NAMESPACES


class BreakMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: list[Any],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        member = request.user
        # Nearly every member has no break, begun or ended: two attributes of the row
        # already loaded answer it, before the route is looked at.
        if not isinstance(member, User) or (
            member.break_until is None and not member.welcome_back_pending
        ):
            return None
        if not rests_during_a_break(request):
            return None
        if member.is_on_break(timezone.now()):
            return on_break_page(request, member)
        ended = member.welcome_back_pending or member.break_until is not None
        # Shown once, so only to the member's own visit: not to a HEAD or a prefetch.
        prefetch = "prefetch" in request.headers.get("Sec-Purpose", "")
        if ended and request.method == "GET" and is_page_visit(request) and not prefetch:
            return welcome_back_page(request, member)
        return None


def on_break_page(request: HttpRequest, member: User) -> HttpResponse:
    """The calm page shown instead of the forum. A page asked for plainly is answered 200;
    anything else (a form sent from a page opened before the break, a fragment) 403,
    with the words the form carried so that nothing typed is lost."""
    is_read = request.method in {"GET", "HEAD"}
    is_plain_page = is_page_visit(request)
    context = {
        "member": member,
        "contacts": crisis_contacts_for_member(member),
        "unsent_title": "" if is_read else request.POST.get("title", "").strip(),
        "unsent_body": "" if is_read else request.POST.get("body", "").strip(),
        "next": request.get_full_path() if is_plain_page else "",
    }
    return render(
        request, "notifications/on_break.html", context, status=200 if is_plain_page else 403
    )


def welcome_back_page(request: HttpRequest, member: User) -> HttpResponse:
    """The gentle return, shown once: links, and whether anything waits, in words."""
    has_news = Notification.objects.filter(recipient=member, read_at__isnull=True).exists()
    welcome_back_shown(member=member)
    context = {"has_news": has_news, "continue_to": request.get_full_path()}
    return render(request, "notifications/welcome_back.html", context)
