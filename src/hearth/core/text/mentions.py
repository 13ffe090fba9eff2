"""@mentions: link ``@username`` to the member's profile, only if the member exists.

Rendering must not query the database per mention, so every candidate is
collected first (in the same walk as the other text rules) and the caller's
resolver is asked once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType

from hearth.core.text.tokens import STARTS_WHOLE_WORD, TextTransform, rewrite_text, text_token

MentionResolver = Callable[[frozenset[str]], Mapping[str, str]]

_RESOLVER_KEY = "hearth_resolve_mentions"
_MENTIONED_KEY = "hearth_mentioned"

# Django usernames: letters, digits and @.+-_, at most 150 characters. Only
# after a space or opening punctuation, so "someone@example.org" (and an
# escaped "\@name") is never a mention.
_MENTION_PATTERN = re.compile(STARTS_WHOLE_WORD + r"@(?P<name>[\w.@+-]{1,150})")
# "Thanks @sam." ends a sentence: the "." is the sentence's, unless only
# "sam." is a member.
_TRAILING_PUNCTUATION = ".@+-"

# Each mention can notify a member and costs a query parameter: a text that
# names more distinct people than this is not a conversation.
MAX_MENTIONS_PER_TEXT = 100


def _candidates(typed: str) -> tuple[str, ...]:
    """Return the usernames typed may mean, the likeliest first."""
    stripped = typed.rstrip(_TRAILING_PUNCTUATION)
    if stripped and stripped != typed:
        return (stripped, typed)
    return (typed,)


def prepare_env(env: EnvType, resolver: MentionResolver | None) -> None:
    """Put the resolver into a render's env; mentioned_usernames() reads the result."""
    env[_RESOLVER_KEY] = resolver
    env[_MENTIONED_KEY] = set()


def mentioned_usernames(env: EnvType) -> frozenset[str]:
    """Return the usernames the render linked, as the resolver returned them."""
    return frozenset(env.get(_MENTIONED_KEY, ()))


class MentionCollector:
    """Collects candidate usernames while the text rules walk the tokens."""

    def __init__(self) -> None:
        self.typed_names: set[str] = set()
        self.candidates: set[str] = set()
        self.transform = TextTransform(
            _MENTION_PATTERN, self._collect, triggers="@", inside_links=False
        )

    def _collect(self, match: re.Match[str]) -> None:
        typed = match.group("name")
        if typed in self.typed_names or len(self.typed_names) < MAX_MENTIONS_PER_TEXT:
            self.typed_names.add(typed)
            self.candidates.update(_candidates(typed))


def collector_for(state: StateCore) -> MentionCollector | None:
    """Return a collector if this render resolves mentions, else None."""
    return MentionCollector() if state.env.get(_RESOLVER_KEY) is not None else None


def link_mentions(state: StateCore, collector: MentionCollector) -> None:
    """Ask the resolver once about the collected names; link those it knows."""
    if not collector.candidates:
        return  # no query for a text that mentions no one
    resolver: MentionResolver = state.env[_RESOLVER_KEY]
    profiles = resolver(frozenset(collector.candidates))
    mentioned: set[str] = state.env[_MENTIONED_KEY]

    def link(match: re.Match[str]) -> list[Token] | None:
        typed = match.group("name")
        if typed not in collector.typed_names:
            return None  # over MAX_MENTIONS_PER_TEXT: never asked about
        for username in _candidates(typed):
            url = profiles.get(username)
            if isinstance(url, str) and url:
                mentioned.add(username)
                return _mention_tokens(username, url, rest=typed[len(username) :])
        return None

    rewrite_text(state, [TextTransform(_MENTION_PATTERN, link, triggers="@", inside_links=False)])


def _mention_tokens(username: str, url: str, *, rest: str) -> list[Token]:
    link_open = Token("link_open", "a", 1)
    link_open.attrs = {"class": "mention", "href": url}
    link_open.markup = "hearth_mention"
    link_close = Token("link_close", "a", -1)
    link_close.markup = "hearth_mention"
    tokens = [link_open, text_token(f"@{username}", level=0), link_close]
    if rest:
        tokens.append(text_token(rest, level=0))
    return tokens
