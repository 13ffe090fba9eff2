from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    """Full-text search over the posts a member may read (one interface, two backends)."""

    name = "hearth.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from hearth.core.housekeeping import register_housekeeping  # noqa: PLC0415
        from hearth.search import checks  # noqa: F401, PLC0415 - registers the checks
        from hearth.search.indexing import refresh_stale_entries  # noqa: PLC0415
        from hearth.search.subscriptions import subscribe_to_events  # noqa: PLC0415

        subscribe_to_events()
        register_housekeeping("search entries refreshed", refresh_stale_entries)
