from collections.abc import Sequence

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from hearth.accounts.models import User

register = template.Library()


@register.simple_tag
def crisis_check_is_on() -> bool:
    """Whether messages are checked for crisis signals (the composer says so when they are)."""
    return bool(settings.HEARTH_CRISIS_CHECK_CONVERSATIONS)


@register.simple_tag
def people_links(people: Sequence[User]) -> SafeString:
    """Each member's name linked to their profile, as the language lists them:
    "Ash, Fern and Willow" (one message for the last join, so a translator orders it)."""
    links = [
        format_html(
            '<a href="{}">{}</a>',
            reverse("accounts:profile", args=[person.username]),
            person.display_name,
        )
        for person in people
    ]
    if len(links) <= 1:
        return SafeString("".join(links))
    # Translators: between the names of a list but the last two ("Ash, Fern and Willow").
    separator = pgettext("list separator", ", ")
    rest = format_html_join(separator, "{}", ((link,) for link in links[:-1]))
    # Translators: the end of a list of names: "Ash, Fern and Willow" ({rest} is "Ash, Fern").
    return format_html(_("{rest} and {last}"), rest=rest, last=links[-1])
