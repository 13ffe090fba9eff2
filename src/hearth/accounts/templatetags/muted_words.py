"""``has_muted_word``: whether a text shown in a list has one of the reader's muted words.

For pages rendered for one reader only; cached fragments shared between readers
decide it outside the template and carry the answer in their key instead
(``hearth.forum.rendering.render_thread_rows``).
"""

from __future__ import annotations

import html

from django import template
from django.utils.html import strip_tags
from django.utils.safestring import SafeData

from hearth.accounts.models import User
from hearth.accounts.muted_words import muted_words_of

register = template.Library()


@register.filter
def has_muted_word(text: object, reader: object) -> bool:
    """``{% if thread.title|has_muted_word:user %}``; HTML (an excerpt with its marks) is
    read as the text it shows."""
    words = muted_words_of(reader) if isinstance(reader, User) else None
    if words is None or not text:
        return False
    plain = html.unescape(strip_tags(str(text))) if isinstance(text, SafeData) else str(text)
    return words.found_in(plain)
