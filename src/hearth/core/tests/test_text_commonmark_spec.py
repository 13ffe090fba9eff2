"""The Markdown stage conforms to CommonMark 0.31.2, with raw HTML shown as text.

Every spec example runs through render_commonmark: the parser configuration
the pipeline uses (preset, raw HTML off, nesting cap and budgets), without
Hearth's extensions and before sanitising.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from hearth.core.text.markdown import render_commonmark

# No database: the same on SQLite and PostgreSQL, so the PostgreSQL pass skips it.
pytestmark = pytest.mark.database_neutral

_SPEC_FILE = Path(__file__).parent / "data" / "commonmark-spec-0.31.2.json"
_EXAMPLES: list[dict[str, Any]] = json.loads(_SPEC_FILE.read_text(encoding="utf-8"))

# Raw HTML as the spec defines it (section "Raw HTML"): open and closing
# tags, comments, processing instructions, declarations, CDATA. Written out
# here, not taken from the parser under test.
_ATTRIBUTE = (
    r"""(?:\s+[A-Za-z_:][A-Za-z0-9_.:-]*"""
    r"""(?:\s*=\s*(?:[^\s"'=<>`]+|'[^']*'|"[^"]*"))?)"""
)
_RAW_HTML = re.compile(
    rf"<[A-Za-z][A-Za-z0-9-]*{_ATTRIBUTE}*\s*/?>"
    r"|</[A-Za-z][A-Za-z0-9-]*\s*>"
    r"|<!--|<\?|<![A-Za-z]|<!\[CDATA\["
)
# An HTML block can start with a tag the inline grammar does not accept
# ("<div id="foo"" with no ">").
_HTML_BLOCK_START = re.compile(r"^ {0,3}(?:> ?)*<[A-Za-z/!?]", re.MULTILINE)
_RAW_HTML_SECTIONS = frozenset({"Raw HTML", "HTML blocks"})

# What CommonMark itself emits: any other tag or attribute came from input.
_COMMONMARK_ATTRIBUTES: dict[str, frozenset[str]] = {
    **{tag: frozenset() for tag in ("p", "em", "strong", "pre", "blockquote", "ul", "li", "hr")},
    **{tag: frozenset() for tag in ("br", "h1", "h2", "h3", "h4", "h5", "h6")},
    "a": frozenset({"href", "title"}),
    "img": frozenset({"src", "alt", "title"}),
    "code": frozenset({"class"}),
    "ol": frozenset({"start"}),
}


def _contains_raw_html(example: dict[str, Any]) -> bool:
    markdown = example["markdown"]
    return (
        example["section"] in _RAW_HTML_SECTIONS
        or _RAW_HTML.search(markdown) is not None
        or _HTML_BLOCK_START.search(markdown) is not None
    )


def _example_id(example: dict[str, Any]) -> str:
    section = re.sub(r"\W+", "-", example["section"]).strip("-").lower()
    return f"example-{example['example']}-{section}"


_PLAIN_EXAMPLES = [e for e in _EXAMPLES if not _contains_raw_html(e)]
_RAW_HTML_EXAMPLES = [e for e in _EXAMPLES if _contains_raw_html(e)]


def _without_newline_in_empty_elements(html: str) -> str:
    # The one normalisation: markdown-it-py writes an empty blockquote as
    # "<blockquote></blockquote>", the spec as "<blockquote>\n</blockquote>".
    return re.sub(r"<(\w+)>\n</\1>", r"<\1></\1>", html)


class _MarkupCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[str]]] = []
        self.other_markup: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, [name for name, _ in attrs]))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_comment(self, data: str) -> None:
        self.other_markup.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.other_markup.append(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.other_markup.append(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.other_markup.append(f"<![{data}]>")


def test_the_spec_file_holds_every_example_of_commonmark_0_31_2() -> None:
    assert len(_EXAMPLES) == 652
    assert len(_PLAIN_EXAMPLES) + len(_RAW_HTML_EXAMPLES) == 652
    assert len(_PLAIN_EXAMPLES) > 500  # the raw-HTML carve-out stays the exception


@pytest.mark.parametrize("example", _PLAIN_EXAMPLES, ids=_example_id)
def test_an_example_without_raw_html_renders_exactly_as_the_spec_says(
    example: dict[str, Any],
) -> None:
    html = render_commonmark(example["markdown"])

    assert _without_newline_in_empty_elements(html) == _without_newline_in_empty_elements(
        example["html"]
    )


@pytest.mark.parametrize("example", _RAW_HTML_EXAMPLES, ids=_example_id)
def test_an_example_with_raw_html_comes_out_escaped(example: dict[str, Any]) -> None:
    html = render_commonmark(example["markdown"])

    for raw in _RAW_HTML.findall(example["markdown"]):
        assert raw not in html
    collector = _MarkupCollector()
    collector.feed(html)
    collector.close()
    assert collector.other_markup == []
    for tag, attributes in collector.tags:
        assert tag in _COMMONMARK_ATTRIBUTES, html
        assert set(attributes) <= _COMMONMARK_ATTRIBUTES[tag], html


def test_raw_html_is_shown_as_typed_text() -> None:
    html = render_commonmark('<b onclick="x()">hi</b>\n\n<div>\n*block*\n</div>\n')

    assert html == (
        "<p>&lt;b onclick=&quot;x()&quot;&gt;hi&lt;/b&gt;</p>\n"
        "<p>&lt;div&gt;\n<em>block</em>\n&lt;/div&gt;</p>\n"
    )
