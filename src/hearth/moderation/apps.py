from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "hearth.moderation"
    label = "moderation"
    verbose_name = _("Moderation")

    def load_demo_data(self) -> list[str]:
        from hearth.moderation.demo import create_demo_moderation  # noqa: PLC0415

        return create_demo_moderation()
