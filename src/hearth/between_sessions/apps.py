from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BetweenSessionsConfig(AppConfig):
    name = "hearth.between_sessions"
    label = "between_sessions"
    verbose_name = _("Notes")  # neutral on purpose; nothing of this app is registered in the admin

    def ready(self) -> None:
        from hearth.between_sessions import checks  # noqa: F401, PLC0415 - registers the checks
        from hearth.between_sessions.models import TOOLKIT_MODELS  # noqa: PLC0415
        from hearth.between_sessions.peer_check_ins.services import (  # noqa: PLC0415
            send_due_peer_check_ins,
        )
        from hearth.between_sessions.selectors import toolkit_export_for  # noqa: PLC0415
        from hearth.core.housekeeping import register_housekeeping  # noqa: PLC0415
        from hearth.core.providers import register_toolkit_export_provider  # noqa: PLC0415

        register_toolkit_export_provider(
            toolkit_export_for, covers={model._meta.label: ("owner",) for model in TOOLKIT_MODELS}
        )
        # Check-ins from peers: each chosen day, the members who said yes are told once.
        register_housekeeping("check-ins from members sent", send_due_peer_check_ins)

    def load_demo_data(self) -> list[str]:
        """Give the demo member "willow" a small example toolkit (idempotent)."""
        from hearth.between_sessions.demo import create_demo_toolkit  # noqa: PLC0415

        return create_demo_toolkit()
