"""Typed emoticons and :shortcodes: become emoji a screen reader can name.

An emoji character alone is read inconsistently (or not at all) by screen
readers, so each becomes ``<span class="emoji" role="img" aria-label="...">``
with the emoji's CLDR name from the ``emoji`` package ("frowning face").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import emoji
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from hearth.core.text.tokens import ENDS_WHOLE_WORD, STARTS_WHOLE_WORD, TextTransform

EMOJI_TYPE = "hearth_emoji"

# What members type, and the emoji each stands for. Left out on purpose:
# "D:" and "8)"/"B)" (they end sentences and list items: "Plan B)"), ":3" and
# ":s" (ratios, abbreviations), and anything starting with a letter other
# than the unambiguous XD/xD/O:)/T_T.
EMOTICONS: dict[str, str] = {
    ":)": "🙂",
    ":-)": "🙂",
    "=)": "🙂",
    ":(": "☹️",
    ":-(": "☹️",
    "=(": "☹️",
    ";)": "😉",
    ";-)": "😉",
    ":D": "😃",
    ":-D": "😃",
    "XD": "😆",
    "xD": "😆",
    ":P": "😛",
    ":-P": "😛",
    ":p": "😛",
    ":-p": "😛",
    ":'(": "😢",
    ":')": "🥲",
    ":o": "😮",
    ":-o": "😮",
    ":O": "😮",
    ":-O": "😮",
    ":/": "😕",
    ":-/": "😕",
    ":|": "😐",
    ":-|": "😐",
    ":*": "😘",
    ":-*": "😘",
    ">:(": "😠",
    "O:)": "😇",
    "O:-)": "😇",
    "^_^": "😊",
    "-_-": "😑",
    "T_T": "😭",
    "<3": "❤️",
    "</3": "💔",
}

# Whole tokens only: "http://x", "a:b", "10:30", "std::vector" and "word:)"
# never match. Longest first so ":-)" is not read as ":-" plus ")".
_EMOTICON_PATTERN = re.compile(
    STARTS_WHOLE_WORD
    + "(?:"
    + "|".join(re.escape(typed) for typed in sorted(EMOTICONS, key=len, reverse=True))
    + ")"
    + ENDS_WHOLE_WORD
)

# emojize(..., language="alias") finds names with this pattern; reusing it
# keeps ":a:smile:" and friends behaving exactly like emojize. A test pins
# the equivalence, so an emoji upgrade that changes it is noticed.
_SHORTCODE_PATTERN = re.compile(f":[{emoji.core._EMOJI_NAME_PATTERN}]+:")


def _build_shortcodes() -> dict[str, str]:
    # emojize looks a name up by scanning all 5,000 emoji (~1 ms a name); a
    # dict built once keeps 10,000 crafted ":x1:" names from costing seconds.
    # Same order of precedence: aliases first, then English names, first wins.
    fully_qualified = emoji.STATUS["fully_qualified"]
    by_alias: dict[str, str] = {}
    by_english_name: dict[str, str] = {}
    for character, data in emoji.EMOJI_DATA.items():
        if data["status"] > fully_qualified:
            continue
        for alias in data.get("alias", []):
            by_alias.setdefault(alias, character)
        by_english_name.setdefault(data["en"], character)
    return {**by_english_name, **by_alias}


_SHORTCODES = _build_shortcodes()


def emoji_name(character: str) -> str:
    """Return the English CLDR name of an emoji ("frowning face")."""
    data = emoji.EMOJI_DATA.get(character) or emoji.EMOJI_DATA.get(character.rstrip("\ufe0f"))
    if data is None:
        return ""
    english: str = data["en"]
    return english.strip(":").replace("_", " ")


def shortcode_emoji(shortcode: str) -> str | None:
    """Return the emoji for ":name:" as emojize(language="alias") would, or None."""
    name = unicodedata.normalize("NFKC", shortcode[1:-1])
    return _SHORTCODES.get(f":{name}:")


def emoji_token(character: str, typed: str) -> Token:
    """Return a token rendering character with its accessible name."""
    token = Token(EMOJI_TYPE, "span", 0)
    token.content = character
    token.markup = typed
    token.meta = {"name": emoji_name(character)}
    return token


def _replace_shortcode(match: re.Match[str]) -> list[Token] | None:
    character = shortcode_emoji(match.group())
    return None if character is None else [emoji_token(character, match.group())]


def _replace_emoticon(match: re.Match[str]) -> list[Token] | None:
    return [emoji_token(EMOTICONS[match.group()], match.group())]


# Shortcodes first: ":P:" is a name to look up, not a tongue and a colon.
EMOJI_TRANSFORMS = (
    TextTransform(_SHORTCODE_PATTERN, _replace_shortcode, triggers=":"),
    TextTransform(
        _EMOTICON_PATTERN,
        _replace_emoticon,
        triggers="".join(sorted({typed[0] for typed in EMOTICONS})),
    ),
)


def render_emoji(
    self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """Render an emoji token as an image-role span named for screen readers."""
    token = tokens[idx]
    return (
        f'<span class="emoji" role="img" aria-label="{escapeHtml(str(token.meta["name"]))}">'
        f"{escapeHtml(token.content)}</span>"
    )


def emoji_plugin(md: MarkdownIt) -> None:
    """Render emoji tokens (EMOJI_TRANSFORMS makes them)."""
    md.add_render_rule(EMOJI_TYPE, render_emoji)
