"""The hug convention: ``(((name)))`` stays as typed but is read as "hugs for name".

A screen reader would otherwise announce "left paren left paren left paren
name ...". The typed text is kept visible (and hidden from assistive
technology); a visually hidden phrase says what it means.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.utils.translation import gettext as _
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from hearth.core.text.tokens import ENDS_WHOLE_WORD, STARTS_WHOLE_WORD, TextTransform

HUG_TYPE = "hearth_hug"

# Three or more parentheses around an optional name ("((( )))" is a hug for
# everyone reading), and the shorter "((hugs))". A match starts only at the
# first parenthesis of a run and the runs are possessive, so 64 KB of "("
# is scanned once, not once per parenthesis; names are short and one line.
_HUG_PATTERN = re.compile(
    STARTS_WHOLE_WORD
    + r"(?<!\()(?:\({3,}+(?P<name>[^()\n]{0,80})\){3,}+|\(\([ \t]{0,3}hugs?[ \t]{0,3}\)\))"
    + ENDS_WHOLE_WORD,
    re.IGNORECASE,
)
_JUST_HUGS = frozenset({"", "hug", "hugs"})


def hug_label(name: str) -> str:
    """Return what a screen reader says for a hug for name ("" means a plain hug)."""
    name = " ".join(name.split())
    if name.casefold() in _JUST_HUGS:
        return _("hugs")
    return _("hugs for %(name)s") % {"name": name}


def _replace_hug(match: re.Match[str]) -> list[Token]:
    token = Token(HUG_TYPE, "span", 0)
    token.content = match.group()
    token.meta = {"name": match.group("name") or ""}
    return [token]


HUG_TRANSFORM = TextTransform(_HUG_PATTERN, _replace_hug, triggers="(")


def render_hug(
    self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """Render a hug: the typed text for the eye, a phrase for the ear."""
    token = tokens[idx]
    return (
        '<span class="hug">'
        f'<span aria-hidden="true">{escapeHtml(token.content)}</span>'
        f'<span class="visually-hidden">{escapeHtml(hug_label(str(token.meta["name"])))}</span>'
        "</span>"
    )


def hug_plugin(md: MarkdownIt) -> None:
    """Render hug tokens (HUG_TRANSFORM makes them)."""
    md.add_render_rule(HUG_TYPE, render_hug)
