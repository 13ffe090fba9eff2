"""Which language's rules (stemming, stop words) search uses for a post.

PostgreSQL stems words with a text search configuration per language, so
"endings" finds "ending"; the site has one (``HEARTH_SEARCH_LANGUAGE``) and an
operator may give a category its own (a German-speaking category on an English
site). SQLite's FTS5 index has one tokenizer for everything (Porter stemming
over Unicode words, accents folded) and ignores the choice.

Only names from ``LANGUAGES`` ever reach SQL: they are written into queries as
``regconfig`` literals, so the list is closed.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

# PostgreSQL's built-in text search configurations (``\dF``), by name.
LANGUAGES = {
    "simple": _("No language rules (exact words)"),
    "danish": _("Danish"),
    "dutch": _("Dutch"),
    "english": _("English"),
    "finnish": _("Finnish"),
    "french": _("French"),
    "german": _("German"),
    "hungarian": _("Hungarian"),
    "italian": _("Italian"),
    "norwegian": _("Norwegian"),
    "portuguese": _("Portuguese"),
    "romanian": _("Romanian"),
    "russian": _("Russian"),
    "spanish": _("Spanish"),
    "swedish": _("Swedish"),
    "turkish": _("Turkish"),
}


def site_language() -> str:
    language: str = settings.HEARTH_SEARCH_LANGUAGE
    return language


def languages_in_use() -> tuple[str, ...]:
    """The site's language and every category's own, each once (what a query covers)."""
    from hearth.search.models import CategoryLanguage  # noqa: PLC0415 - models need apps ready

    chosen = set(CategoryLanguage.objects.values_list("language", flat=True))
    return tuple(sorted(chosen | {site_language()}))


def language_of_categories(category_ids: set[int]) -> dict[int, str]:
    from hearth.search.models import CategoryLanguage  # noqa: PLC0415 - models need apps ready

    chosen = dict(
        CategoryLanguage.objects.filter(category_id__in=category_ids).values_list(
            "category_id", "language"
        )
    )
    return {category_id: chosen.get(category_id, site_language()) for category_id in category_ids}
