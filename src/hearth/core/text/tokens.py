"""Rewrite matches inside text tokens: the walk behind autolinks, hugs, emoji, mentions.

Hearth's own transforms run as markdown-it core rules over the parsed token
stream, never over the source or the HTML, so code spans, code blocks and
link URLs (which are not text tokens) can never be touched, and escaped
characters (``\\:)``) stay separate ``text_special`` tokens that no pattern
sees. They run before markdown-it's ``text_join`` rule for exactly that.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType

# A text token is matched with one character of context on each side, taken
# from its neighbours, so patterns can demand "whole word" boundaries with
# plain look-arounds. These two stand-ins mean "a phrase starts or ends here"
# and "glued to something that is not text" (NUL never reaches text tokens:
# markdown-it's normalize rule replaces it).
PHRASE_EDGE = " "
GLUED = "\x00"

# Boundaries shared by the transforms that match whole words.
OPENING_PUNCTUATION = "([{\"'\u201c\u2018\u00ab"
CLOSING_PUNCTUATION = ".,;:!?)]}\"'\u201d\u2019\u00bb\u2026"
STARTS_WHOLE_WORD = rf"(?<![^\s{re.escape(OPENING_PUNCTUATION)}])"
ENDS_WHOLE_WORD = rf"(?![^\s{re.escape(CLOSING_PUNCTUATION)}])"

# Autolinks show their URL as their text: changing that text would misquote it.
AUTOLINK_MARKUPS = frozenset({"autolink", "linkify"})

Replace = Callable[[re.Match[str]], list[Token] | None]


@dataclass(frozen=True)
class TextTransform:
    """Replace matches of pattern by the tokens replace returns (None: leave the text).

    With inside_links False, text inside links is left alone (a link inside
    a link is invalid HTML). Text of autolinks is always left alone.
    """

    pattern: re.Pattern[str]
    replace: Replace
    # Characters every match contains one of: text without any is skipped
    # cheaply (crafted input can make tens of thousands of text tokens).
    triggers: str
    inside_links: bool = True


def text_token(content: str, *, level: int) -> Token:
    """Return a plain text token."""
    token = Token("text", "", 0)
    token.content = content
    token.level = level
    return token


def _context_before(previous: Token | None) -> str:
    if previous is None or previous.type in {"softbreak", "hardbreak"} or previous.nesting == 1:
        return PHRASE_EDGE
    if previous.type in {"text", "text_special"}:
        return previous.content[-1:] or PHRASE_EDGE
    return GLUED


def _context_after(following: Token | None) -> str:
    if following is None or following.type in {"softbreak", "hardbreak"} or following.nesting == -1:
        return PHRASE_EDGE
    if following.type in {"text", "text_special"}:
        return following.content[:1] or PHRASE_EDGE
    return GLUED


def inline_tokens(state: StateCore) -> Iterator[Token]:
    """Yield every inline token (paragraphs, headings, table cells, footnotes)."""
    for token in state.tokens:
        if token.type == "inline" and token.children:
            yield token


# Links, emoji, hugs and mentions made per text, all together: a real post
# makes dozens; 64 KB of ":) " would make 21,000 and cost a second to
# render. Past the budget, text stays as typed.
REPLACEMENTS_PER_TEXT = 2_500
_REPLACEMENTS_KEY = "hearth_replacements"


def rewrite_text(state: StateCore, transforms: Sequence[TextTransform]) -> None:
    """Apply transforms, in order, to every text token, in one walk over the tokens."""
    triggers = "".join(transform.triggers for transform in transforms)
    could_match = re.compile(f"[{re.escape(triggers)}]").search
    budget = _Budget(state.env)
    budgeted = [
        TextTransform(t.pattern, budget.spend_on(t.replace), t.triggers, t.inside_links)
        for t in transforms
    ]
    for inline in inline_tokens(state):
        inline.children = _rewrite_children(inline.children or [], budgeted, could_match)


class _Budget:
    def __init__(self, env: EnvType) -> None:
        self.env = env

    def spend_on(self, replace: Replace) -> Replace:
        def spending(match: re.Match[str]) -> list[Token] | None:
            spent = self.env.get(_REPLACEMENTS_KEY, 0)
            if spent >= REPLACEMENTS_PER_TEXT:
                return None
            replacement = replace(match)
            if replacement is not None:
                self.env[_REPLACEMENTS_KEY] = spent + 1
            return replacement

        return spending


def _rewrite_children(
    children: list[Token],
    transforms: Sequence[TextTransform],
    could_match: Callable[[str], object],
) -> list[Token]:
    rewritten: list[Token] = []
    open_links: list[bool] = []  # one entry per open link: is it an autolink?
    for index, token in enumerate(children):
        if token.type == "link_open":
            open_links.append(token.markup in AUTOLINK_MARKUPS)
        elif token.type == "link_close" and open_links:
            open_links.pop()
        if token.type != "text" or not could_match(token.content) or any(open_links):
            rewritten.append(token)
            continue
        applicable = transforms if not open_links else [t for t in transforms if t.inside_links]
        previous = rewritten[-1] if rewritten else None
        following = children[index + 1] if index + 1 < len(children) else None
        rewritten.extend(_rewrite_token(token, previous, following, applicable))
    return rewritten


def _rewrite_token(
    token: Token,
    previous: Token | None,
    following: Token | None,
    transforms: Sequence[TextTransform],
) -> list[Token]:
    # Each transform sees the text the previous ones left, with the tokens
    # they made as context (an emoji glued to ":)" is not a boundary). What
    # a transform made is final: later ones never rewrite a link's text.
    pieces = [token]
    made: set[int] = set()
    for transform in transforms:
        rewritten: list[Token] = []
        for index, piece in enumerate(pieces):
            if (
                piece.type != "text"
                or id(piece) in made
                or not any(c in piece.content for c in transform.triggers)
            ):
                rewritten.append(piece)
                continue
            before = _context_before(rewritten[-1] if rewritten else previous)
            after = _context_after(pieces[index + 1] if index + 1 < len(pieces) else following)
            rewritten.extend(_rewrite_one(piece, before, after, transform, made))
        pieces = rewritten
    return pieces


def _rewrite_one(
    token: Token, before: str, after: str, transform: TextTransform, made: set[int]
) -> list[Token]:
    text = before + token.content + after
    text_end = len(text) - 1
    pieces: list[Token] = []
    copied_up_to = 1
    for match in transform.pattern.finditer(text, 1):
        if match.end() > text_end:
            break  # a match may look at the context, never swallow it
        replacement = transform.replace(match)
        if replacement is None:
            continue
        if match.start() > copied_up_to:
            pieces.append(text_token(text[copied_up_to : match.start()], level=token.level))
        for new_token in replacement:
            new_token.level = token.level
            made.add(id(new_token))
        pieces.extend(replacement)
        copied_up_to = match.end()
    if not pieces:
        return [token]
    if copied_up_to < text_end:
        pieces.append(text_token(text[copied_up_to:text_end], level=token.level))
    return pieces
