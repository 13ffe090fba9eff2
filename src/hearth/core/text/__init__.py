"""Hearth's text pipeline: member-written Markdown in, safe and accessible HTML out.

Render once, when a text is saved, and store ``html`` with ``version``;
re-render stored texts whose version is older than RENDER_VERSION.

Stages: size check -> markdown-it-py (CommonMark, raw HTML off, extensions,
Hearth's token rules: markdown.py) -> nh3 allow-list (sanitise.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hearth.core.text.footnotes import check_id_prefix
from hearth.core.text.limits import MAX_SOURCE_BYTES, SourceTooLong, check_source_size
from hearth.core.text.markdown import render_hearth_markdown
from hearth.core.text.mentions import MentionResolver
from hearth.core.text.plain_text import html_to_text
from hearth.core.text.quoting import quote_markdown
from hearth.core.text.sanitise import sanitise_html

__all__ = [
    "MAX_SOURCE_BYTES",
    "RENDER_VERSION",
    "MentionResolver",
    "RenderedText",
    "SourceTooLong",
    "html_to_text",
    "quote_markdown",
    "render_markdown",
]

# Bump whenever the HTML rendered from the same source would change.
RENDER_VERSION: int = 2  # 2: a post's headings nest from <h3> without gaps

# Lone surrogates cannot be encoded (nor stored, nor sanitised by nh3).
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class RenderedText:
    """The stored form of a rendered text."""

    html: str
    mentioned_usernames: frozenset[str]  # as the resolver returned them
    version: int  # RENDER_VERSION when rendered


def render_markdown(
    source: str, *, id_prefix: str, resolve_mentions: MentionResolver | None = None
) -> RenderedText:
    """Render a member's Markdown to sanitised HTML.

    id_prefix starts every id in the output (unique per text on a page, e.g.
    "post-42-"); it must be a letter followed by letters, digits, "-" or "_",
    else ValueError. resolve_mentions is called at most once, and only if the
    text contains an @mention. Raises SourceTooLong, before any parsing, if
    source is over MAX_SOURCE_BYTES UTF-8 bytes.
    """
    check_source_size(source)
    check_id_prefix(id_prefix)
    source = _LONE_SURROGATE.sub("\ufffd", source)
    html, mentioned = render_hearth_markdown(
        source, id_prefix=id_prefix, resolve_mentions=resolve_mentions
    )
    return RenderedText(
        html=sanitise_html(html), mentioned_usernames=mentioned, version=RENDER_VERSION
    )
