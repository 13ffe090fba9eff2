from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WelcomeConfig(AppConfig):
    """A gentle welcome: the community guidelines (versioned, accepted at sign-up and
    again when they change) and the welcome page a new member sees once."""

    name = "hearth.welcome"
    label = "welcome"
    verbose_name = _("Welcome and guidelines")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in  # noqa: PLC0415

        from hearth.welcome.gate import note_what_is_due_on_sign_in  # noqa: PLC0415

        user_logged_in.connect(note_what_is_due_on_sign_in, dispatch_uid="welcome-due")

    def load_demo_data(self) -> list[str]:
        """The demo members have accepted the current guidelines (idempotent)."""
        from hearth.welcome.demo import accept_guidelines_for_demo_members  # noqa: PLC0415

        return accept_guidelines_for_demo_members()
