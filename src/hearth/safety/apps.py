from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    name = "hearth.safety"
    label = "safety"
    verbose_name = _("Care and safety")

    def ready(self) -> None:
        from hearth.core.providers import register_crisis_contacts_provider  # noqa: PLC0415
        from hearth.safety.selectors import crisis_contacts_for_member  # noqa: PLC0415

        register_crisis_contacts_provider(crisis_contacts_for_member)
