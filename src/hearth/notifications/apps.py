from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "hearth.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from hearth.core.housekeeping import register_housekeeping  # noqa: PLC0415
        from hearth.notifications.emails import queue_due_digests  # noqa: PLC0415
        from hearth.notifications.services import end_finished_breaks  # noqa: PLC0415
        from hearth.notifications.subscriptions import subscribe_to_events  # noqa: PLC0415

        subscribe_to_events()
        register_housekeeping("digests enqueued", queue_due_digests)
        register_housekeeping("breaks ended", end_finished_breaks)
