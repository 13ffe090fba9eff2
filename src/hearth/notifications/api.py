"""The member's notifications as JSON (mounted at /api/v1/notifications/ by ``hearth.api``):
what the bell's page lists, asked of the visibility policy again as it is read."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.http import HttpRequest, HttpResponse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ninja import Query, Router
from pydantic import Field

from hearth.accounts.models import User
from hearth.core.api_schema import ApiError, ObjectId, Output, responses
from hearth.forum.viewer import get_viewer
from hearth.notifications import selectors, services

router = Router()


class NotificationThreadOut(Output):
    id: int
    title: str


class NotificationOut(Output):
    id: int
    kind: str
    headline: str = Field(description="What happened, as the page words it.")
    reason: str = Field(description="A moderator's reason, where one was given.")
    actor_name: str = Field(description="Who did it (an anonymous post's pseudonym).")
    thread: NotificationThreadOut | None
    post_id: int | None
    url: str = Field(description="The page it leads to on the website.")
    created_at: datetime
    updated_at: datetime
    is_unread: bool


class NotificationListOut(Output):
    unread_count: int = Field(description="The bell's count (0 during a break).")
    notifications: list[NotificationOut]
    next_cursor: str | None = Field(description="Pass as ?before= for older ones.")


class MarkedOut(Output):
    marked: int


def _member(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # authentication lets only members through here
    return user


def _is_cursor(cursor: str) -> bool:
    """Only what the page writes: an aware time and an id the database can hold."""
    moment, _sep, identifier = cursor.partition("~")
    try:
        parsed = parse_datetime(moment)
    except ValueError:
        return False
    return (
        parsed is not None
        and parsed.tzinfo is not None
        and identifier.isascii()
        and identifier.isdigit()
        and len(identifier) <= 18
    )


@router.get("", response=responses({200: NotificationListOut}), url_name="notifications")
def list_notifications(
    request: HttpRequest,
    before: Annotated[str | None, Query(max_length=80, description="A page's next_cursor.")] = None,
) -> NotificationListOut:
    """The member's notifications, newest first (keyset pages of up to 50)."""
    viewer = get_viewer(request)
    if before and not _is_cursor(before):
        raise ApiError(
            422,
            "validation_failed",
            _("That page link is not valid."),
            fields={"before": [_("Use a next_cursor this API gave.")]},
        )
    page = selectors.notifications_page(viewer, before or "")
    items = []
    for group in page.groups:
        for item in group.items:
            notification = item.notification
            thread = group.thread
            items.append(
                NotificationOut(
                    id=notification.pk,
                    kind=notification.kind,
                    headline=item.headline,
                    reason=item.reason,
                    actor_name=notification.actor.display_name
                    if notification.actor is not None
                    else notification.actor_name,
                    thread=NotificationThreadOut(id=thread.pk, title=thread.title)
                    if thread is not None
                    else None,
                    post_id=notification.post_id,
                    url=notification.target_url,
                    created_at=notification.created_at,
                    updated_at=notification.updated_at,
                    is_unread=notification.is_unread,
                )
            )
    return NotificationListOut(
        unread_count=_member(request).unread_notifications,
        notifications=items,
        next_cursor=page.next_cursor or None,
    )


@router.post(
    "/{id:notification_id}/read",
    response=responses({204: None}),
    url_name="notification_read",
)
def mark_notification_read(request: HttpRequest, notification_id: ObjectId) -> HttpResponse:
    """Mark one of the member's notifications read (404 for anyone else's)."""
    services.open_notification(member=_member(request), notification_id=notification_id)
    return HttpResponse(status=204)


@router.post("/read", response=responses({200: MarkedOut}), url_name="notifications_read")
def mark_all_read(request: HttpRequest) -> MarkedOut:
    """Mark every notification of the member read."""
    return MarkedOut(marked=services.mark_read(member=_member(request)))
