"""What Markdown renders to: headings, links, images, footnotes, tables, limits."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping

import pytest

from hearth.core.text import (
    MAX_SOURCE_BYTES,
    RENDER_VERSION,
    RenderedText,
    SourceTooLong,
    render_markdown,
)
from hearth.core.text.guards import BLOCKS_PER_TEXT, DELIMITER_RUN_LIMIT, MAX_NESTING

# No database: the same on SQLite and PostgreSQL, so the PostgreSQL pass skips it.
pytestmark = pytest.mark.database_neutral

REL = 'rel="nofollow ugc noopener noreferrer"'


def _render(source: str, *, id_prefix: str = "post-1-") -> str:
    return render_markdown(source, id_prefix=id_prefix).html


@pytest.mark.parametrize(
    ("source", "tags"),
    [
        ("# Title", ["h3"]),
        ("## Section", ["h3"]),  # a post's top level is <h3>, however it was written
        ("###### Deepest", ["h3"]),
        ("Title\n=====\n\nSection\n-------", ["h3", "h4"]),
        ("# Title\n\n## Section\n\n### Part\n\n#### Deeper", ["h3", "h4", "h5", "h6"]),
        ("# A\n\n## B\n\n### C\n\n#### D\n\n##### E", ["h3", "h4", "h5", "h6", "h6"]),
        ("## Section\n\n#### Skipped a level\n\n## Next section", ["h3", "h4", "h3"]),
        ("# Title\n\n### Part\n\n## Section\n\n### Part", ["h3", "h4", "h4", "h5"]),
        ("### Part first\n\n# Then the title", ["h3", "h3"]),
        ("> ## Quoted\n\n## Own", ["h3", "h3"]),
    ],
)
def test_headings_nest_below_the_page_outline_without_gaps(source: str, tags: list[str]) -> None:
    html = _render(source)

    assert re.findall(r"<(h[1-6])>", html) == tags
    assert re.findall(r"</(h[1-6])>", html) == tags


def test_a_link_gets_rel_nofollow_ugc_noopener_noreferrer() -> None:
    html = _render('[a guide](https://example.org/guide "The guide") and <https://example.org>')

    assert html == (
        f'<p><a href="https://example.org/guide" title="The guide" {REL}>a guide</a> and '
        f'<a href="https://example.org" {REL}>https://example.org</a></p>\n'
    )


@pytest.mark.parametrize(
    ("source", "href"),
    [
        ("www.example.org", "http://www.example.org"),
        ("see https://example.org/a?b=c.", "https://example.org/a?b=c"),
        ("(https://example.org/a_(b))", "https://example.org/a_(b)"),
        ("write to someone@example.org.", "mailto:someone@example.org"),
        ("mailto:someone@example.org", "mailto:someone@example.org"),
        ("http://localhost:8000/p/1/", "http://localhost:8000/p/1/"),
    ],
)
def test_a_bare_url_or_email_address_becomes_a_link(source: str, href: str) -> None:
    html = _render(source)

    assert f'href="{href}" {REL}' in html


@pytest.mark.parametrize(
    "source",
    ["ftp://example.org", "//example.org", "example.org", "http://", "www.", "a.b-c_d@a.b-"],
)
def test_text_that_is_not_a_web_or_mail_address_is_not_linked(source: str) -> None:
    assert "<a" not in _render(source)


def test_an_image_becomes_a_plain_link_to_its_url_with_its_alt_text() -> None:
    html = _render('![a quiet lake](https://example.org/lake.jpg "At dawn")')

    assert html == (
        f'<p><a href="https://example.org/lake.jpg" title="At dawn" {REL}>'
        "image: a quiet lake</a></p>\n"
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("![](/media/x.png)", f'<p><a href="/media/x.png" {REL}>image</a></p>\n'),
        ("![*soft* light](/x.png)", f'<p><a href="/x.png" {REL}>image: soft light</a></p>\n'),
        ("![a](data:image/png;base64,AAAA)", "<p>image: a</p>\n"),
        ("[![a](https://i.example/a.png)](/p/1/)", f'<p><a href="/p/1/" {REL}>image: a</a></p>\n'),
        (
            "![a][ref]\n\n[ref]: https://example.org/a.png",
            f'<p><a href="https://example.org/a.png" {REL}>image: a</a></p>\n',
        ),
    ],
)
def test_no_image_is_ever_embedded(source: str, expected: str) -> None:
    html = _render(source)

    assert "<img" not in html
    assert html == expected


def test_footnote_ids_start_with_the_id_prefix_and_their_links_match() -> None:
    source = "One[^a] and two[^b], one again[^a].\n\n[^a]: First.\n[^b]: Second.\n"

    html = _render(source, id_prefix="post-7-")

    ids = re.findall(r'id="([^"]+)"', html)
    targets = re.findall(r'href="#([^"]+)"', html)
    assert ids == [
        "post-7-fnref-1",
        "post-7-fnref-2",
        "post-7-fnref-1-1",
        "post-7-fn-1",
        "post-7-fn-2",
    ]
    assert set(targets) == set(ids)  # every link lands, every id is linked to
    assert (
        f'<sup class="footnote-ref"><a href="#post-7-fn-1" id="post-7-fnref-1" {REL}>[1]</a></sup>'
    ) in html
    assert (
        f'<li id="post-7-fn-1"><p>First. <a href="#post-7-fnref-1" class="footnote-backref" '
        f'aria-label="Back to reference 1" {REL}>↩︎</a>'
    ) in html


def test_two_posts_on_one_page_never_share_an_id() -> None:
    source = "A note[^1].\n\n[^1]: The note.\n"

    first = _render(source, id_prefix="post-1-")
    second = _render(source, id_prefix="post-2-")

    first_ids = set(re.findall(r'id="([^"]+)"', first))
    second_ids = set(re.findall(r'id="([^"]+)"', second))
    assert first_ids
    assert not first_ids & second_ids


@pytest.mark.parametrize("id_prefix", ["", "1post", "post 1", 'p"', "p:1", "x" * 65])
def test_an_id_prefix_that_cannot_start_an_id_is_refused(id_prefix: str) -> None:
    with pytest.raises(ValueError, match="id_prefix"):
        render_markdown("text", id_prefix=id_prefix)


def test_a_table_renders_with_alignment_classes_not_styles() -> None:
    html = _render("| Day | Mood |\n|:----|-----:|\n| Mon | ok :) |\n")

    assert "style" not in html
    assert '<th class="align-left">Day</th>' in html
    assert '<td class="align-right">ok <span class="emoji"' in html


def test_a_task_list_item_has_no_checkbox() -> None:
    html = _render("- [ ] call my therapist\n- [x] breathe\n")

    assert "<input" not in html
    assert html == "<ul>\n<li>[ ] call my therapist</li>\n<li>[x] breathe</li>\n</ul>\n"


def test_strikethrough_renders_as_s() -> None:
    assert _render("~~not anymore~~") == "<p><s>not anymore</s></p>\n"


def test_raw_html_is_shown_as_text() -> None:
    html = _render('<b onclick="x()">bold?</b>\n\n<div>block</div>')

    assert "<b" not in html
    assert "<div" not in html
    assert "&lt;b onclick=" in html


def test_a_rendered_text_carries_the_render_version() -> None:
    rendered = render_markdown("hello", id_prefix="p-")

    assert rendered.version == RENDER_VERSION
    assert rendered == RenderedText(
        html="<p>hello</p>\n", mentioned_usernames=frozenset(), version=RENDER_VERSION
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        rendered.html = "<p>changed</p>"  # type: ignore[misc]  # proving it is frozen


def test_a_source_of_exactly_the_limit_renders() -> None:
    source = "a" * MAX_SOURCE_BYTES

    rendered = render_markdown(source, id_prefix="p-")

    assert rendered.html == f"<p>{source}</p>\n"


def test_a_source_over_the_limit_in_utf8_bytes_is_refused_before_parsing() -> None:
    asked: list[frozenset[str]] = []

    def resolver(candidates: frozenset[str]) -> Mapping[str, str]:
        asked.append(candidates)
        return {}

    # Under the limit in characters, over it in bytes ("€" is 3 bytes).
    source = "@sam " + "€" * (MAX_SOURCE_BYTES // 3)

    with pytest.raises(SourceTooLong) as raised:
        render_markdown(source, id_prefix="p-", resolve_mentions=resolver)

    assert asked == []  # parsing never started: mentions were never collected
    assert len(source) < MAX_SOURCE_BYTES
    assert raised.value.size_bytes == len(source.encode())
    assert str(raised.value) == (
        "This text is too long to post: it is 65 KB and the limit is 64 KB. "
        "Try splitting it into two posts."
    )
    assert isinstance(raised.value, ValueError)


def test_lone_surrogates_are_replaced_not_fatal() -> None:
    html = _render("broken \ud800 pair")

    assert html == "<p>broken \ufffd pair</p>\n"


def test_quotes_nested_past_the_limit_keep_all_their_text() -> None:
    source = "".join("> " * depth + f"level {depth}\n" for depth in range(1, 41))

    html = _render(source)

    assert all(f"level {depth}" in html for depth in range(1, 41))
    assert html.count("<blockquote>") < MAX_NESTING


def test_lists_nested_past_the_limit_keep_all_their_text() -> None:
    source = "".join("  " * depth + f"- item {depth}\n" for depth in range(40))

    html = _render(source)

    assert all(f"item {depth}" in html for depth in range(40))


def test_blocks_past_the_block_budget_are_kept_as_text() -> None:
    source = "\n\n".join(f"p{number}" for number in range(BLOCKS_PER_TEXT + 50))

    html = _render(source)

    assert html.count("<p>") <= BLOCKS_PER_TEXT + 1
    assert f"p{BLOCKS_PER_TEXT + 49}" in html


def test_inline_markup_past_the_inline_budget_is_kept_as_text() -> None:
    source = "<" * 40_000 + " the end"

    html = _render(source)

    assert html == "<p>" + "&lt;" * 40_000 + " the end</p>\n"


def test_a_run_of_emphasis_markers_longer_than_the_limit_is_text() -> None:
    run = "*" * (DELIMITER_RUN_LIMIT + 1)

    html = _render(f"{run}shout{run} and **fine**")

    assert html == f"<p>{run}shout{run} and <strong>fine</strong></p>\n"


def test_a_long_article_stays_within_every_budget() -> None:
    paragraphs = [
        f"Para {n}: *calm* **steady** [link {n}](https://example.org/{n}) :) @m{n % 50} "
        f"`code` ~~old~~ www.example.org/{n}" + (f" note[^{n}]" if n < 100 else "")
        for n in range(400)
    ]
    notes = [f"[^{n}]: Source {n}." for n in range(100)]
    table = ["| a | b |", "|---|---|", *(f"| {n} | {n} |" for n in range(200))]
    items = [f"- item {n}" for n in range(300)]
    source = "\n\n".join([*paragraphs, "\n".join(table), "\n".join(items), *notes])
    assert len(source.encode()) < MAX_SOURCE_BYTES

    html = render_markdown(
        source, id_prefix="post-1-", resolve_mentions=lambda names: dict.fromkeys(names, "/m/")
    ).html

    assert html.count('<a href="https://example.org/') == 400
    assert html.count('<a href="http://www.example.org/') == 400
    assert html.count('class="mention"') == 400
    assert html.count('class="emoji"') == 400
    assert html.count("<em>") == 400
    assert html.count("<s>") == 400
    assert html.count('class="footnote-ref"') == 100
    assert html.count("<tr>") == 201
    assert html.count("<li>") == 300
    assert html.count('<li id="post-1-fn-') == 100
