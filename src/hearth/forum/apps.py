from django.apps import AppConfig


class ForumConfig(AppConfig):
    name = "hearth.forum"
    label = "forum"
    verbose_name = "Forum"

    def ready(self) -> None:
        from hearth.core.providers import register_post_excerpt_provider  # noqa: PLC0415
        from hearth.forum.excerpts import post_excerpt_for  # noqa: PLC0415

        register_post_excerpt_provider(post_excerpt_for)

    def load_demo_data(self) -> list[str]:
        """Create the demo categories and conversations."""
        from hearth.forum.demo import create_demo_forum  # noqa: PLC0415

        return create_demo_forum()
