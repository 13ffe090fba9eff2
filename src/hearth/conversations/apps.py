from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "hearth.conversations"
    label = "conversations"
    verbose_name = _("Conversations")

    def ready(self) -> None:
        from hearth.conversations.permissions import why_cannot_start_with  # noqa: PLC0415
        from hearth.conversations.selectors import (  # noqa: PLC0415
            one_to_one_conversation_between,
        )
        from hearth.core.providers import Messaging, register_messaging_provider  # noqa: PLC0415

        # The toolkit's check-ins from peers ask through core (it imports no other app).
        register_messaging_provider(
            Messaging(
                may_start=lambda sender, recipient: (
                    why_cannot_start_with(sender, recipient) is None
                ),
                conversation_between=one_to_one_conversation_between,
            )
        )

    def load_demo_data(self) -> list[str]:
        from hearth.conversations.demo import create_demo_conversations  # noqa: PLC0415

        return create_demo_conversations()
