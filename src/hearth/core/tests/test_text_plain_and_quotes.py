"""Plain text from rendered posts, and the Markdown of a quote-reply."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from hearth.core.text import html_to_text, quote_markdown, render_markdown

# No database: the same on SQLite and PostgreSQL, so the PostgreSQL pass skips it.
pytestmark = pytest.mark.database_neutral


def _members(candidates: frozenset[str]) -> Mapping[str, str]:
    return {name: f"/members/{name}/" for name in candidates}


def _text_of(source: str) -> str:
    html = render_markdown(source, id_prefix="post-1-", resolve_mentions=_members).html
    return html_to_text(html)


def test_plain_text_keeps_paragraph_breaks_and_collapses_other_whitespace() -> None:
    text = _text_of("# A   title\n\nFirst line\nsame   paragraph.\n\n\n\nSecond  paragraph.")

    assert text == "A title\n\nFirst line same paragraph.\n\nSecond paragraph."


def test_plain_text_keeps_what_a_reader_sees() -> None:
    text = _text_of("Thanks @sam :) (((Alex))) &amp; **bold** `code <b>` [a link](https://x.org)")

    assert text == "Thanks @sam 🙂 (((Alex))) & bold code <b> a link"


def test_plain_text_keeps_list_markers_quotes_and_hard_breaks() -> None:
    source = "- one\n- two\n  - nested\n\n3. three\n4. four\n\n> quoted\n> still\\\n> broken\n\nend"

    text = _text_of(source)

    assert text == (
        "- one\n- two\n  - nested\n\n3. three\n4. four\n\n> quoted still\n> broken\n\nend"
    )


def test_plain_text_keeps_code_blocks_verbatim() -> None:
    text = _text_of("Before\n\n```\ndef f():\n    return  1\n```\n\nAfter")

    assert text == "Before\n\ndef f():\n    return  1\n\nAfter"


def test_plain_text_of_a_table_puts_each_row_on_a_line() -> None:
    text = _text_of("| Day | Mood |\n|-----|------|\n| Mon | ok |\n| Tue | low |")

    assert text == "Day | Mood\nMon | ok\nTue | low"


def test_plain_text_of_footnotes_drops_the_back_links() -> None:
    text = _text_of("A claim[^1].\n\n[^1]: A source.")

    assert text == "A claim[1].\n\n1. A source."


def test_plain_text_of_nothing_is_empty() -> None:
    assert html_to_text("") == ""
    assert _text_of("   \n\n  ") == ""


def test_a_quote_starts_with_a_linked_attribution_and_quotes_every_line() -> None:
    markdown = quote_markdown("First line\n\nSecond line", author_name="Sam", permalink="/p/42/")

    assert markdown == "**Sam** [wrote](</p/42/>):\n> First line\n> \n> Second line\n\n"


def test_a_quote_renders_as_attribution_link_and_blockquote() -> None:
    markdown = quote_markdown("I *felt* heard :)", author_name="Sam", permalink="/p/42/")

    html = render_markdown(markdown + "Me too.", id_prefix="post-2-").html

    assert html.startswith(
        '<p><strong>Sam</strong> <a href="/p/42/" rel="nofollow ugc noopener noreferrer">'
        "wrote</a>:</p>\n<blockquote>\n<p>I <em>felt</em> heard "
    )
    assert html.endswith("</blockquote>\n<p>Me too.</p>\n")  # the reply is not pulled in


def test_a_quote_of_a_quote_nests() -> None:
    first = quote_markdown("Original", author_name="Sam", permalink="/p/1/")

    second = quote_markdown(first + "Reply", author_name="Alex", permalink="/p/2/")

    assert second == (
        "**Alex** [wrote](</p/2/>):\n> **Sam** [wrote](</p/1/>):\n> > Original\n> \n> Reply\n\n"
    )
    html = render_markdown(second, id_prefix="post-3-").html
    assert html.count("<blockquote>") == 2
    assert "<blockquote>\n<p>Original</p>\n</blockquote>" in html


@pytest.mark.parametrize(
    "author_name",
    [
        "*Sam* [x](javascript:alert(1))",
        "@sam :) (((hugs)))",
        "Sam_the_**bold**",
        "<b>Sam</b> & co",
        "# Sam\n- list",
        "Sam\\",
        "1. Sam",
        "`Sam`",
    ],
)
def test_markdown_in_an_author_name_renders_as_the_name_itself(author_name: str) -> None:
    markdown = quote_markdown("hi", author_name=author_name, permalink="/p/1/")

    html = render_markdown(markdown, id_prefix="p-", resolve_mentions=_members).html

    shown_name = " ".join(author_name.split())
    assert html_to_text(html).startswith(f"{shown_name} wrote:\n\n> hi")
    assert html.count("<a ") == 1  # only the attribution link
    assert 'class="emoji"' not in html
    assert 'class="hug"' not in html


def test_line_endings_in_the_quoted_source_are_normalised() -> None:
    markdown = quote_markdown("one\r\ntwo\rthree\n\n", author_name="Sam", permalink="/p/1/")

    assert markdown.endswith("> one\n> two\n> three\n\n")


def test_a_permalink_cannot_break_out_of_the_link() -> None:
    markdown = quote_markdown("hi", author_name="Sam", permalink="/p/1/> [x](javascript:y)")

    html = render_markdown(markdown, id_prefix="p-").html

    assert html.count("<a ") == 1
    assert 'href="/p/1/%3E%20%5Bx%5D(javascript:y)"' in html
