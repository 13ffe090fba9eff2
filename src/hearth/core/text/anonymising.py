"""Taking a departed member's name out of what others wrote: their @mentions and the
attribution lines of quotes of their posts.

Only these two forms are certain to mean the member; a display name typed as plain
prose ("Fern, I hear you") cannot be told apart from the word, and stays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hearth.core.text.quoting import escape_markdown
from hearth.core.text.tokens import STARTS_WHOLE_WORD

# What stands where a departed member's name stood. Stored, like every author name,
# so in the site's language of record: English.
FORMER_MEMBER = "Former member"


@dataclass(frozen=True)
class DepartedName:
    """How a departed member was named in others' texts."""

    username: str
    display_name: str

    def mention_pattern(self) -> re.Pattern[str]:
        # Like the renderer's mention rule: after a space or opening punctuation,
        # the name whole (a longer username that starts with it is someone else).
        return re.compile(
            STARTS_WHOLE_WORD + "@" + re.escape(self.username) + r"(?![\w@+-]|\.[\w])",
            re.IGNORECASE,
        )

    def quote_attribution(self) -> str:
        """The start of the line the quote button writes above a quote of their post."""
        return f"**{escape_markdown(self.display_name)}** "

    def search_terms(self) -> tuple[str, ...]:
        """Substrings a text must contain to need anonymising (for a database filter)."""
        return (f"@{self.username}", self.quote_attribution())

    def anonymise(self, text: str) -> str:
        """``text`` with the member's mentions and quote attributions replaced."""
        text = self.mention_pattern().sub(FORMER_MEMBER, text)
        quoted_as = self.quote_attribution()
        if quoted_as in text:
            text = text.replace(quoted_as, f"**{escape_markdown(FORMER_MEMBER)}** ")
        return text
