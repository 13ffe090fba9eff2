from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import pre_delete
from django.utils.translation import gettext_lazy as _


def _withdraw_reactions(sender: Any, instance: Any, **kwargs: Any) -> None:
    from hearth.forum.services import withdraw_reactions_of  # noqa: PLC0415 - apps ready

    withdraw_reactions_of(instance)


class ForumConfig(AppConfig):
    name = "hearth.forum"
    label = "forum"
    verbose_name = _("Forum")

    def ready(self) -> None:
        from hearth.core.housekeeping import register_housekeeping  # noqa: PLC0415
        from hearth.core.providers import register_post_excerpt_provider  # noqa: PLC0415
        from hearth.forum.excerpts import post_excerpt_for  # noqa: PLC0415
        from hearth.forum.pending import (  # noqa: PLC0415
            forget_published_pending_posts,
            publish_overdue_pending_posts,
        )
        from hearth.forum.public_page_tokens import renew_on_changes  # noqa: PLC0415

        register_post_excerpt_provider(post_excerpt_for)
        renew_on_changes()
        register_housekeeping("overdue pending posts published", publish_overdue_pending_posts)
        register_housekeeping("published pending posts forgotten", forget_published_pending_posts)
        pre_delete.connect(
            _withdraw_reactions, sender=settings.AUTH_USER_MODEL, dispatch_uid="forum-reactions"
        )

    def load_demo_data(self) -> list[str]:
        """Create the demo categories and conversations."""
        from hearth.forum.demo import create_demo_forum  # noqa: PLC0415

        return create_demo_forum()
