from django.apps import AppConfig


class ForumConfig(AppConfig):
    name = "hearth.forum"
    label = "forum"
    verbose_name = "Forum"

    def load_demo_data(self) -> list[str]:
        """Create the demo categories and conversations."""
        from hearth.forum.demo import create_demo_forum  # noqa: PLC0415

        return create_demo_forum()
