"""The fragments a live update fetches (``hearth.live``): a stream event says only that
something happened in a thread; the page then asks these routes for the posts, rendered
for this viewer exactly as the thread page renders them (folds for mutes and content
notes, their reactions, what they may see of a hidden post)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.views.decorators.http import require_safe

from hearth.forum import selectors, services
from hearth.forum.rendering import render_posts
from hearth.forum.viewer import get_viewer


@require_safe
def posts_after(request: HttpRequest, thread_id: int, position: int) -> HttpResponse:
    """The thread's posts after ``position`` (at most a page), as articles. The viewer's
    read marker moves past them, as on the thread page."""
    viewer = get_viewer(request)
    thread = selectors.get_thread_for_viewer_or_404(viewer, thread_id, with_viewer_state=True)
    # Past the end there is nothing (and no number too large for the database).
    views = selectors.get_posts_after(viewer, thread, min(position, thread.last_position))
    html = render_posts(views, csrf_token=get_token(request), is_moderator=viewer.is_moderator)
    if viewer.member is not None and views:
        services.mark_thread_read(
            member=viewer.member,
            thread=thread,
            up_to_position=max(view.post.position for view in views),
            known_position=getattr(thread, "viewer_read_position", None),
        )
    return HttpResponse(html)


@require_safe
def post_article(request: HttpRequest, post_id: int) -> HttpResponse:
    """One post as the viewer's thread page shows it now: after an edit, or a moderator
    hiding it (then only what this viewer may see of it)."""
    viewer = get_viewer(request)
    post = selectors.get_post_for_viewer_or_404(viewer, post_id)
    view = selectors.get_post_view(viewer, post)
    html = render_posts([view], csrf_token=get_token(request), is_moderator=viewer.is_moderator)
    return HttpResponse(html)
