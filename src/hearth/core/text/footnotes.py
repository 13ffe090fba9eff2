"""Footnotes with ids unique on the page: every id starts with the post's prefix.

A thread page shows many posts; two posts' "fn1" would collide and each
post's "[1]" would jump to the first post's note. The plugin's own
renderers are replaced so every id and every "#..." link carries id_prefix.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.utils.translation import gettext as _
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.footnote import footnote_plugin

_ID_PREFIX_KEY = "hearth_id_prefix"

# A prefix must keep ids valid and plain: a letter first (so "#p1-fn-1" is a
# usable CSS selector and fragment), then letters, digits, "-" and "_".
ID_PREFIX_PATTERN = r"[A-Za-z][A-Za-z0-9_-]{0,63}"
_ID_PREFIX_RE = re.compile(ID_PREFIX_PATTERN)
# Every id the pipeline emits; the sanitiser drops any other.
EMITTED_ID_RE = re.compile(rf"{ID_PREFIX_PATTERN}fn(?:ref)?-\d+(?:-\d+)?")


def check_id_prefix(id_prefix: str) -> None:
    """Raise ValueError unless id_prefix can start an HTML id."""
    if not _ID_PREFIX_RE.fullmatch(id_prefix):
        msg = f"id_prefix must match {ID_PREFIX_PATTERN!r}, got {id_prefix!r}"
        raise ValueError(msg)


def prepare_env(env: EnvType, id_prefix: str) -> None:
    """Put the id prefix into a render's env."""
    env[_ID_PREFIX_KEY] = id_prefix


def _number(token: Token) -> int:
    return int(token.meta["id"]) + 1


def _note_id(env: EnvType, token: Token) -> str:
    return f"{env[_ID_PREFIX_KEY]}fn-{_number(token)}"


def _reference_id(env: EnvType, token: Token) -> str:
    # The second and later references to one note need ids of their own.
    sub_id = int(token.meta.get("subId", 0))
    suffix = f"-{sub_id}" if sub_id > 0 else ""
    return f"{env[_ID_PREFIX_KEY]}fnref-{_number(token)}{suffix}"


def render_reference(
    self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """Render "[^label]" as a numbered link to its note."""
    token = tokens[idx]
    return (
        f'<sup class="footnote-ref"><a href="#{_note_id(env, token)}" '
        f'id="{_reference_id(env, token)}">[{_number(token)}]</a></sup>'
    )


def render_block_open(
    self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """Open the notes at the end of the post."""
    # No accessible name on the section: a named one is a landmark, and many
    # posts on one page would repeat the same landmark name.
    return '<hr>\n<section class="footnotes">\n<ol>\n'


def render_block_close(
    self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """Close the notes."""
    return "</ol>\n</section>\n"


def render_note_open(
    self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """Open one note: the target of its references."""
    return f'<li id="{_note_id(env, tokens[idx])}">'


def render_note_close(
    self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """Close one note."""
    return "</li>\n"


def render_back_link(
    self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """Render the link from a note back to where it was referenced."""
    token = tokens[idx]
    label = _("Back to reference %(number)s") % {"number": _number(token)}
    # U+FE0E asks for the text arrow, not an emoji picture (as upstream does).
    return (
        f' <a href="#{_reference_id(env, token)}" class="footnote-backref" '
        f'aria-label="{escapeHtml(label)}">\u21a9\ufe0e</a>'
    )


def footnotes_plugin(md: MarkdownIt) -> None:
    """Enable "[^label]" footnotes (not inline "^[...]" ones) with prefixed ids."""
    footnote_plugin(md, inline=False)
    md.add_render_rule("footnote_ref", render_reference)
    md.add_render_rule("footnote_block_open", render_block_open)
    md.add_render_rule("footnote_block_close", render_block_close)
    md.add_render_rule("footnote_open", render_note_open)
    md.add_render_rule("footnote_close", render_note_close)
    md.add_render_rule("footnote_anchor", render_back_link)
