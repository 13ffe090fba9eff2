from django.apps import AppConfig


class SearchConfig(AppConfig):
    """Full-text search over the posts a member may read (one interface, two backends)."""

    name = "hearth.search"
    label = "search"
    verbose_name = "Search"
