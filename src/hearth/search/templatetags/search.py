"""Template helpers for the search page."""

from __future__ import annotations

from django import template
from django.http import HttpRequest

from hearth.search.backends import Cursor

register = template.Library()


@register.simple_tag
def search_next_page_query(request: HttpRequest, cursor: Cursor) -> str:
    """The current search's query string, moved on to the page after ``cursor``."""
    query = request.GET.copy()
    query["after"] = cursor.encode()
    return query.urlencode()
