"""Typed emoticons, :shortcodes: and hugs read well to screen readers and stay literal in code."""

from __future__ import annotations

import re

import emoji
import pytest

from hearth.core.text import html_to_text, render_markdown

# No database: the same on SQLite and PostgreSQL, so the PostgreSQL pass skips it.
pytestmark = pytest.mark.database_neutral


def _render(source: str) -> str:
    return render_markdown(source, id_prefix="post-1-").html


def _fullwidth(ascii_letters: str) -> str:
    """Return ascii_letters in their fullwidth forms (U+FF41...), which NFKC folds back."""
    return "".join(chr(ord(letter) + 0xFEE0) for letter in ascii_letters)


def _emoji(character: str, name: str) -> str:
    return f'<span class="emoji" role="img" aria-label="{name}">{character}</span>'


@pytest.mark.parametrize(
    ("typed", "character", "name"),
    [
        (":)", "🙂", "slightly smiling face"),
        (":-)", "🙂", "slightly smiling face"),
        (":(", "☹️", "frowning face"),
        (":-(", "☹️", "frowning face"),
        (";)", "😉", "winking face"),
        (";-)", "😉", "winking face"),
        (":D", "😃", "grinning face with big eyes"),
        (":-D", "😃", "grinning face with big eyes"),
        (":P", "😛", "face with tongue"),
        (":-P", "😛", "face with tongue"),
        (":p", "😛", "face with tongue"),
        (":'(", "😢", "crying face"),
        (":o", "😮", "face with open mouth"),
        (":O", "😮", "face with open mouth"),
        (":-o", "😮", "face with open mouth"),
        ("<3", "❤️", "red heart"),
        ("</3", "💔", "broken heart"),
        (":/", "😕", "confused face"),
        (":|", "😐", "neutral face"),
        ("XD", "😆", "grinning squinting face"),
        (">:(", "😠", "angry face"),
    ],
)
def test_a_typed_emoticon_becomes_an_emoji_with_an_accessible_name(
    typed: str, character: str, name: str
) -> None:
    html = _render(f"Today {typed} really")

    assert html == f"<p>Today {_emoji(character, name)} really</p>\n"


@pytest.mark.parametrize(
    "source",
    [
        "at the start :)",
        ":) at the start",
        "(in brackets :)",
        "(:) hmm",
        "quoted ':)'",
        "end of sentence :).",
        "*emphasised :)*",
    ],
)
def test_an_emoticon_is_matched_at_word_boundaries_and_punctuation(source: str) -> None:
    html = _render(source)

    assert 'aria-label="slightly smiling face"' in html


@pytest.mark.parametrize(
    "source",
    [
        "see http://example.org/a:/b",
        "a:b and a:/b",
        "meet at 10:30 or 10:00",
        "use std::vector or C:/temp",
        "glued word:) and :)word",
        "ratio 3:2 and 1:1",
        "XDR is a format",
    ],
)
def test_an_emoticon_inside_words_times_and_urls_is_left_alone(source: str) -> None:
    html = _render(source)

    assert 'class="emoji"' not in html


def test_emoticons_in_code_spans_and_code_blocks_stay_literal() -> None:
    html = _render("`:)` and\n\n    :( in a block\n\n```\n<3 :D\n```\n")

    assert 'class="emoji"' not in html
    assert "<code>:)</code>" in html
    assert "<pre><code>:( in a block\n</code></pre>" in html
    assert "&lt;3 :D" in html


def test_a_backslash_keeps_an_emoticon_as_typed() -> None:
    html = _render(r"not a smiley: \:)")

    assert html == "<p>not a smiley: :)</p>\n"


def test_text_inside_a_link_url_never_changes() -> None:
    html = _render('[smile :)](https://example.org/:D/;-P "title :)") and https://example.org/x:(')

    assert 'href="https://example.org/:D/;-P" title="title :)"' in html
    assert 'href="https://example.org/x:("' in html
    assert ">https://example.org/x:(</a>" in html
    assert html.count('class="emoji"') == 1  # only the link's words


@pytest.mark.parametrize(
    ("shortcode", "character", "name"),
    [
        (":smile:", "😄", "grinning face with smiling eyes"),
        (":thumbsup:", "👍", "thumbs up"),
        (":+1:", "👍", "thumbs up"),
        (":heart:", "❤️", "red heart"),
        (":frowning_face:", "☹️", "frowning face"),
        (":hugs:", "🤗", "smiling face with open hands"),
    ],
)
def test_a_shortcode_becomes_an_emoji_with_an_accessible_name(
    shortcode: str, character: str, name: str
) -> None:
    html = _render(f"great{shortcode}")

    assert html == f"<p>great{_emoji(character, name)}</p>\n"


@pytest.mark.parametrize(
    "source",
    [
        "Python is fun :thumbsup: :smile:",
        ":a:smile: and :b:",
        "10:30:45 :notanemoji: ::",
        ":man_technologist_medium-dark_skin_tone: :Cocos_(Keeling)_Islands:",
        f"{_fullwidth('wide')} :{_fullwidth('smile')}:",
    ],
)
def test_shortcodes_turn_into_the_same_emoji_as_emojize_with_aliases(source: str) -> None:
    html = _render(source)

    shown = re.sub(r'<span class="emoji" role="img" aria-label="[^"]*">([^<]*)</span>', r"\1", html)
    assert shown == f"<p>{emoji.emojize(source, language='alias')}</p>\n"


def test_an_unknown_shortcode_stays_as_typed() -> None:
    assert _render(":not_an_emoji_at_all:") == "<p>:not_an_emoji_at_all:</p>\n"


def test_a_hug_for_someone_is_visible_as_typed_and_read_as_hugs_for_them() -> None:
    html = _render("(((Sam))) I hear you")

    assert html == (
        '<p><span class="hug"><span aria-hidden="true">(((Sam)))</span>'
        '<span class="visually-hidden">hugs for Sam</span></span> I hear you</p>\n'
    )


@pytest.mark.parametrize("typed", ["((( )))", "((()))", "(((hugs)))", "((hugs))", "((( hug )))"])
def test_a_hug_without_a_name_is_read_as_hugs(typed: str) -> None:
    html = _render(f"sending {typed}")

    assert f'<span aria-hidden="true">{typed}</span>' in html
    assert '<span class="visually-hidden">hugs</span>' in html


def test_a_hug_keeps_its_name_out_of_the_emoji_and_mention_rules() -> None:
    html = render_markdown(
        "(((@sam :D)))", id_prefix="p-", resolve_mentions=lambda _names: {"sam": "/m/sam/"}
    ).html

    assert 'class="mention"' not in html
    assert 'class="emoji"' not in html
    assert "hugs for @sam :D" in html


@pytest.mark.parametrize("source", ["f(((x)))", "`(((Sam)))`", "((not a hug))", "(((two\nlines)))"])
def test_parentheses_that_are_not_a_hug_stay_plain(source: str) -> None:
    assert 'class="hug"' not in _render(source)


def test_a_hug_name_cannot_inject_markup() -> None:
    html = _render('(((<b onclick="x">Sam</b> & "co")))')

    assert "<b" not in html
    assert 'hugs for &lt;b onclick="x"&gt;Sam&lt;/b&gt; &amp; "co"' in html


def test_plain_text_keeps_emoji_as_characters_and_hugs_as_typed() -> None:
    text = html_to_text(_render("(((Sam))) :( <3"))

    assert text == "(((Sam))) ☹️ ❤️"
