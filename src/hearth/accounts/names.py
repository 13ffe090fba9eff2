"""What a display name may be: something with visible letters that no one can mistake
for a pseudonym, the moderators or the site itself."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from hearth.core.visible_text import has_visible_letters, visible_text

# Words that make a name read as an anonymous post's pseudonym ("Anonymous Wren"),
# as staff, or as the mark left by a deleted account.
_IMPERSONATING_WORDS = re.compile(
    r"\b(anonymous|anon|moderators?|mods?|admins?|administrators?|staff|"
    r"former\s+member|deleted\s+member|system)\b"
)


def clean_display_name(value: str, *, speaks_for_the_site: bool = False) -> str:
    """Return the display name to store, or raise ValidationError saying what to change.

    Moderators and administrators (``speaks_for_the_site``) may name their role.
    """
    name = visible_text(value)
    if not has_visible_letters(name):
        raise ValidationError(
            _("Please choose a display name with at least one letter or number."),
            code="invisible",
        )
    if speaks_for_the_site:
        return name
    folded = name.casefold()
    site = str(settings.HEARTH_SITE_NAME).casefold()
    if _IMPERSONATING_WORDS.search(folded) or (
        site and re.search(rf"\b{re.escape(site)}\b", folded)
    ):
        raise ValidationError(
            _(
                "Please choose another display name: this one could be mistaken for an "
                "anonymous post's pseudonym, the moderators or the site itself."
            ),
            code="impersonating",
        )
    return name
