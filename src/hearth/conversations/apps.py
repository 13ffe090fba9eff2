from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "hearth.conversations"
    label = "conversations"
    verbose_name = "Conversations"

    def load_demo_data(self) -> list[str]:
        from hearth.conversations.demo import create_demo_conversations  # noqa: PLC0415

        return create_demo_conversations()
