from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    """Live updates: new replies, the bell and conversation messages without a reload."""

    name = "hearth.live"
    label = "live"
    verbose_name = _("Live updates")

    def ready(self) -> None:
        from hearth.core.housekeeping import register_housekeeping  # noqa: PLC0415
        from hearth.live.recording import forget_old_events, record_events  # noqa: PLC0415

        record_events()
        register_housekeeping("live events forgotten", forget_old_events)
