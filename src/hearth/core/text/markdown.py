"""The Markdown stage: markdown-it-py configured once, at import time.

CommonMark with raw HTML off (a member's "<b>" is shown, not obeyed), plus
tables, strikethrough and footnotes, then Hearth's own rules over the token
stream: bare-URL autolinks, images as links, hugs, emoji, mentions, heading
demotion. Task-list checkboxes stay off: they have no accessible name.
"""

from __future__ import annotations

from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

from hearth.core.text import footnotes, mentions
from hearth.core.text.autolinks import AUTOLINK_TRANSFORM
from hearth.core.text.emoticons import EMOJI_TRANSFORMS, emoji_plugin
from hearth.core.text.guards import guards_plugin
from hearth.core.text.headings import headings_plugin
from hearth.core.text.hugs import HUG_TRANSFORM, hug_plugin
from hearth.core.text.images import images_plugin
from hearth.core.text.mentions import MentionResolver
from hearth.core.text.tables import tables_plugin
from hearth.core.text.tokens import rewrite_text


def _commonmark() -> MarkdownIt:
    # The "commonmark" preset: "default" and "js-default" differ in extras,
    # and html=False switches off both raw HTML rules.
    return MarkdownIt("commonmark", {"html": False, "typographer": False})


def hearth_text_rule(state: StateCore) -> None:
    """Core rule: bare URLs, hugs, emoji, then mentions, over the text tokens."""
    # In this order, in one walk: what one transform makes, the later ones
    # leave alone, so a URL's text gets no emoji and a hug's name is not a
    # mention. Mentions are collected from what is left, resolved with one
    # call, and linked in a second walk.
    collector = mentions.collector_for(state)
    transforms = [AUTOLINK_TRANSFORM, HUG_TRANSFORM, *EMOJI_TRANSFORMS]
    rewrite_text(state, [*transforms, collector.transform] if collector else transforms)
    if collector:
        mentions.link_mentions(state, collector)


def _hearth_markdown() -> MarkdownIt:
    md = _commonmark()
    md.enable("strikethrough")
    md.use(tables_plugin).use(footnotes.footnotes_plugin)
    # Images become links first, so their label is ordinary text. Both rules
    # run before text_join, while escaped characters are still separate
    # tokens: "\\:)" stays literal.
    md.use(images_plugin)
    md.core.ruler.before("text_join", "hearth_text", hearth_text_rule)
    md.use(hug_plugin).use(emoji_plugin).use(headings_plugin)
    return md.use(guards_plugin)


_COMMONMARK = _commonmark().use(guards_plugin)
_HEARTH = _hearth_markdown()


def render_commonmark(source: str) -> str:
    """Render source as pure CommonMark (raw HTML off), before Hearth's own rules.

    For conformance tests: the same base configuration and guards as the
    pipeline, with no extensions and no sanitising.
    """
    html: str = _COMMONMARK.render(source)
    return html


def render_hearth_markdown(
    source: str, *, id_prefix: str, resolve_mentions: MentionResolver | None
) -> tuple[str, frozenset[str]]:
    """Return the unsanitised HTML of source and the usernames it links to."""
    env: dict[str, Any] = {}
    footnotes.prepare_env(env, id_prefix)
    mentions.prepare_env(env, resolve_mentions)
    html: str = _HEARTH.render(source, env)
    return html, mentions.mentioned_usernames(env)
