"""What a quote-reply quotes: the post without the quotes inside it, or the words a member
selected in it (``views.quote``; the attribution line is ``core.text.quote_markdown``'s)."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

# Block structure only: whether a line is inside a blockquote (not inside a code block,
# where "> " is just text) is the same in Hearth's Markdown as in CommonMark.
_BLOCKS = MarkdownIt("commonmark", {"html": False})
# The attribution a quote-reply puts on the line before its quote: "**Name** [wrote](<…/p/7/>):"
# (in any language: only its link to a post and the colon are matched).
_ATTRIBUTION = re.compile(r"\]\(<[^<>\n]*/p/\d+/?(?:#[^<>\n]*)?>\):\s*$")
_WORDS = re.compile(r"\w+")
_BLANK_LINES = re.compile(r"\n{3,}")


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def without_quotes(source: str) -> str:
    """The post's Markdown without its top-level blockquotes and their attribution lines,
    so quoting a reply does not nest the posts it quoted in turn. A post that is nothing
    but quotes is returned whole (an empty quote would say nothing)."""
    lines = _lines(source)
    dropped: set[int] = set()
    for token in _BLOCKS.parse("\n".join(lines)):
        if token.type != "blockquote_open" or token.level != 0 or token.map is None:
            continue
        start, end = token.map
        dropped.update(range(start, end))
        if start > 0 and _ATTRIBUTION.search(lines[start - 1]):
            dropped.add(start - 1)
    if not dropped:
        return source
    kept = "\n".join(line for number, line in enumerate(lines) if number not in dropped)
    kept = _BLANK_LINES.sub("\n\n", kept).strip("\n")
    return kept if kept.strip() else source


def clean_selection(selection: str) -> str:
    """Selected text as a quote's lines: line breaks made "\\n", spaces at the ends of
    lines and more than one blank line in a row left out."""
    lines = [line.rstrip() for line in _lines(selection)]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip("\n")


def _words(text: str) -> str:
    return " ".join(_WORDS.findall(text.casefold()))


def is_selected_from(selection: str, text: str) -> bool:
    """Whether ``selection`` is a run of ``text`` (the post's plain text), compared word by
    word -- punctuation, list markers, emoji and spacing aside -- so a quote never puts
    words in an author's mouth that they did not write."""
    wanted = _words(selection)
    return bool(wanted) and wanted in _words(text)
