"""Demo moderation: a report waiting in the queue, so the moderator login has something to see."""

from __future__ import annotations

from hearth.accounts.models import Role, User
from hearth.forum.models import Post
from hearth.safety.models import QueueItem, ReportReason
from hearth.safety.services import file_report


def create_demo_moderation() -> list[str]:
    """Make the demo moderator a moderator, and file one demo report (once)."""
    User.objects.filter(username="mod_alder").update(role=Role.MODERATOR)
    if QueueItem.objects.exists():
        return []
    post = Post.objects.filter(thread__title="Small good things this week", position=2).first()
    reporter = User.objects.filter(username="sage").first()
    if post is None or reporter is None:
        return []
    file_report(
        reporter=reporter,
        reason=ReportReason.OTHER,
        details="(Demo report) Not sure this belongs in Off topic. Could a moderator take a look?",
        post_id=post.pk,
        thread_id=post.thread_id,
        category_id=post.thread.category_id,
        reported_member=post.author,
    )
    return ["Demo moderation: one report is waiting in the queue for mod_alder."]
