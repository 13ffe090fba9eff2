"""``/live/`` on the WSGI server: what there is to catch up on, then the end.

The stream proper runs on the ASGI server (``live.asgi``; ``hearth serve`` starts it,
production routes ``/live/`` to it). Should a request reach the page server instead
-- a proxy without the route, a test client -- a stream there would hold a page
thread for minutes; this answers with the same events a stream opens with, and a
longer ``retry`` before the browser asks again.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from hearth.accounts.models import User
from hearth.live.delivery import catch_up, open_listener
from hearth.live.protocol import WITHOUT_STREAMING_RECONNECT_MS, StreamRequest


@login_not_required  # a visitor is answered 204 (EventSource stops), not sent to sign in
@require_safe
def stream(request: HttpRequest) -> HttpResponse:
    if not isinstance(request.user, User):
        return HttpResponse(status=204)
    asked = StreamRequest.parse(
        request.GET,
        last_event_id=request.headers.get("Last-Event-ID") or request.GET.get("last_event_id"),
    )
    listener = open_listener(
        request.user, thread_id=asked.thread_id, conversation_id=asked.conversation_id
    )
    if listener is None:
        return HttpResponse(status=404)
    opening, _latest = catch_up(listener, last_event_id=asked.last_event_id, after=asked.after)
    body = [f"retry: {WITHOUT_STREAMING_RECONNECT_MS}\n\n".encode()]
    body += [event.encode() for event in opening]
    response = HttpResponse(b"".join(body), content_type="text/event-stream")
    response["Cache-Control"] = "no-store"
    return response
