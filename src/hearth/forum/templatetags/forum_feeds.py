"""The ``<link rel="alternate">`` that lets a browser or feed reader find a category's feed."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from hearth.forum.feeds import category_feed_url
from hearth.forum.models import Category

register = template.Library()


@register.simple_tag
def category_feed_link(category: Category) -> SafeString | str:
    """The category's feed link, or nothing when only members may read it (no feed)."""
    url = category_feed_url(category)
    if url is None:
        return ""
    return format_html(
        '<link rel="alternate" type="application/atom+xml" title="{}" href="{}">',
        _("New threads in %(category)s (Atom feed)") % {"category": category.name},
        url,
    )
