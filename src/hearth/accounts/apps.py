from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "hearth.accounts"
    label = "accounts"
    verbose_name = _("Members")

    def ready(self) -> None:
        from hearth.accounts.sessions import forget_expired_sessions  # noqa: PLC0415
        from hearth.core.housekeeping import register_housekeeping  # noqa: PLC0415

        register_housekeeping("expired sessions forgotten", forget_expired_sessions)

    def load_demo_data(self) -> list[str]:
        """Create the demo members; return lines describing the logins."""
        from hearth.accounts.demo import create_demo_members  # noqa: PLC0415

        return create_demo_members()
