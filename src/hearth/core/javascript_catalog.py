"""The scripts' translations: Django's JavaScript catalogue, cached by browsers for a year.

Hearth's scripts call ``gettext``, ``ngettext`` and ``interpolate`` (docs/translating.md);
this catalogue defines them, with the language's djangojs messages and its date and
number formats. Its address names the language and a version, a digest of the
catalogue itself, worked out once per process and language: a page in another
language, or a new catalogue, names another address, so browsers may keep each one
for good and never ask again. Pages load it before their scripts (core/templates/
base.html), at no query's cost.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import caches
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation.trans_real import DjangoTranslation
from django.views.decorators.http import require_safe
from django.views.i18n import JavaScriptCatalog

CONTENT_TYPE = 'text/javascript; charset="utf-8"'
# A year: the address changes whenever the content does.
CACHED_FOR_GOOD = "public, max-age=31536000, immutable"
# An address from another process's catalogue (during a deploy): answered, not kept.
NOT_KEPT = "no-cache"

_scripts: dict[str, tuple[str, bytes]] = {}


class _HearthCatalog(JavaScriptCatalog):
    # Hearth's own catalogue only (LOCALE_PATHS), not every installed app's: the admin's
    # calendar strings and the like would weigh on every page for nothing. hearth.core
    # has no locale folder of its own; naming it keeps Django from harvesting the rest.
    packages = ["hearth.core"]


def _render(language: str) -> bytes:
    catalog = _HearthCatalog()
    with translation.override(language):
        catalog.translation = DjangoTranslation(
            language, domain=catalog.domain, localedirs=catalog.get_paths(catalog.packages)
        )
        response = catalog.render_to_response(catalog.get_context_data())
    return bytes(response.content)


def catalogue_script(language: str) -> tuple[str, bytes]:
    """This language's catalogue script and its version (once per process)."""
    if language not in _scripts:
        content = _render(language)
        _scripts[language] = (hashlib.sha256(content).hexdigest()[:16], content)
    return _scripts[language]


def offered_language(language: str | None) -> str:
    """The language itself when it is offered, else the site's (a member whose choice
    was withdrawn still gets working scripts)."""
    offered = {code for code, _ in settings.LANGUAGES}
    return language if language in offered else settings.LANGUAGE_CODE


def catalogue_url(language: str | None) -> str:
    language = offered_language(language)
    version, _ = catalogue_script(language)
    return reverse("javascript_catalog", kwargs={"language": language, "version": version})


@receiver(setting_changed)
def _forget_on_new_languages(*, setting: str, **kwargs: Any) -> None:
    # Tests offer other catalogues (the pseudo-locale); shared fragments name the old.
    if setting in {"LANGUAGES", "LOCALE_PATHS", "LANGUAGE_CODE"}:
        _scripts.clear()
        caches["fragments"].clear()


@login_not_required
@require_safe
def javascript_catalog(request: HttpRequest, language: str, version: str) -> HttpResponse:
    """The catalogue script of a language offered; 404 for any other."""
    if offered_language(language) != language:
        raise Http404
    current, content = catalogue_script(language)
    response = HttpResponse(content, content_type=CONTENT_TYPE)
    response["Cache-Control"] = CACHED_FOR_GOOD if version == current else NOT_KEPT
    return response
