"""Quote-replies: the Markdown a reply starts with when a member quotes a post."""

from __future__ import annotations

import re
from urllib.parse import quote

from django.utils.translation import gettext as _

# Every ASCII punctuation character can be backslash-escaped in CommonMark,
# so escaping all of them makes any name literal: no emphasis, links,
# mentions ("@"), emoticons (":)") or hugs ("(((").
_ASCII_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# URL characters kept as they are; anything else (spaces, "<", ">", "\\",
# line breaks) is percent-encoded, so a permalink cannot end the <...> link.
_URL_SAFE = "/:?#[]@!$&'()*+,;=%~"


def escape_markdown(text: str) -> str:
    """Return text as Markdown that renders as exactly text, on one line."""
    return _ASCII_PUNCTUATION.sub(r"\\\1", " ".join(text.split()))


def quote_markdown(source: str, *, author_name: str, permalink: str) -> str:
    """Return Markdown quoting source: a linked attribution line, then a blockquote.

    Every line of source is prefixed "> ", so a quote of a quote nests. The
    result ends with a blank line, so the reply typed after it is not pulled
    into the quote.
    """
    attribution = _("**%(author)s** [wrote](%(permalink)s):") % {
        "author": escape_markdown(author_name),
        "permalink": f"<{quote(permalink, safe=_URL_SAFE)}>",
    }
    lines = source.replace("\r\n", "\n").replace("\r", "\n").strip("\n").split("\n")
    quoted = "\n".join(f"> {line}" for line in lines)
    return f"{attribution}\n{quoted}\n\n"
