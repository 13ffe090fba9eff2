"""Crafted input cannot make a render slow.

A bound, not a benchmark: each input is as large as a member may post and
must render within a second (the slowest took ~0.3 s when written; without
the guards in hearth/core/text/guards.py several took 1-20 s).
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import pytest

from hearth.core.text import MAX_SOURCE_BYTES, html_to_text, render_markdown

# No database: the same on SQLite and PostgreSQL, so the PostgreSQL pass skips it.
pytestmark = pytest.mark.database_neutral

BOUND_SECONDS = 1.0
# Other processes on a shared machine only ever add time: the fastest of a
# few attempts measures the render, not its neighbours. A slow render is
# slow every time.
ATTEMPTS = 3


def _fill(unit: str) -> str:
    """Repeat unit up to exactly MAX_SOURCE_BYTES UTF-8 bytes (whole characters)."""
    text = unit * (MAX_SOURCE_BYTES // len(unit.encode()) + 1)
    while len(text.encode()) > MAX_SOURCE_BYTES:
        text = text[: -max(1, (len(text.encode()) - MAX_SOURCE_BYTES) // 4)]
    return text


def _nested(opening: str, closing: str, middle: str = "x") -> str:
    depth = (MAX_SOURCE_BYTES - len(middle)) // (len(opening) + len(closing))
    return opening * depth + middle + closing * depth


PATHOLOGICAL = {
    "nested emphasis": _nested("*a **b ", " b** a*"),
    "nested underscores": _nested("_", "_"),
    "unclosed emphasis": _fill("*a "),
    "emphasis runs": _fill("*_**__"),
    "thousands of opening brackets": _fill("["),
    "thousands of closing brackets": _fill("]"),
    "nested brackets": _nested("[", "]"),
    "unclosed links": _fill("[a]("),
    "unclosed pointy links": _fill("[a](<b"),
    "unclosed link titles": _fill('[a](b "'),
    "images": _fill("!["),
    "nested links and emphasis": _fill("*["),
    "runs of markup characters": _fill("*_[(<"),
    "parentheses": _fill("("),
    "angle brackets": _fill("<"),
    "autolink openers": _fill("<http://a"),
    "raw html tags": _fill("<div>"),
    "backtick runs": "".join("`" * length + "a" for length in range(1, 360)),
    "unclosed backticks": _fill("`a"),
    "entities": _fill("&#x"),
    "escapes": _fill("\\*"),
    "strikethrough": _fill("~~a"),
    "deep blockquotes": _fill(">"),
    "deep blockquote lines": _fill("> " * 50 + "a\n"),
    "deep lists": "".join("  " * depth + "- a\n" for depth in range(240)),
    "deep ordered lists": _fill("1. "),
    "list markers": _fill("- "),
    "many paragraphs": _fill("a\n\n"),
    "many headings": _fill("# a\n"),
    "many setext headings": _fill("a\n=\n"),
    "many rules": _fill("---\n"),
    "many fences": _fill("```\n"),
    "many link definitions": "".join(f"[{n}]: /u{n}\n" for n in range(5000))[:MAX_SOURCE_BYTES],
    "many reference links": _fill("[a][b] ")[:-20] + "\n\n[b]: /x",
    "wide table": _fill("|a")[: MAX_SOURCE_BYTES // 2]
    + "\n"
    + _fill("|-")[: MAX_SOURCE_BYTES // 2 - 1],
    "long table": "a|b\n-|-\n" + _fill("a|b\n")[:-8],
    "table padding cells": "|" + "a|" * 3000 + "\n|" + "-|" * 3000 + "\n" + "x\n" * 20000,
    "many small tables": _fill("a|b\n-|-\n\n"),
    "footnote references": _fill("[^1]")[:-20] + "\n\n[^1]: x",
    "footnote definitions": "".join(f"[^{n}]: x\n" for n in range(6000))[:MAX_SOURCE_BYTES],
    "colons": _fill("a:"),
    "scheme separators": _fill("x://"),
    "urls": _fill("http://"),
    "bare domains": _fill("a.com "),
    "www": _fill("www."),
    "email addresses": _fill("a@b.co "),
    "at signs": _fill("@"),
    "mentions": _fill("@sam "),
    "different mentions": "".join(f"@member{n} " for n in range(10000))[:MAX_SOURCE_BYTES],
    "emoticons": _fill(":) "),
    "glued emoticons": _fill(":):"),
    "shortcodes": _fill(":smile:"),
    "unknown shortcodes": "".join(f":x{n}:" for n in range(20000))[:MAX_SOURCE_BYTES],
    "hugs": _fill("(((a))) "),
    "hug openers": _fill("((("),
    "long hug names": _fill("(((" + "a" * 79 + ")) "),
    "hearts": _fill("<3 "),
    "NUL characters": _fill("\x00"),
    "newlines": _fill("\n"),
    "four-byte characters": _fill("😀"),
}


def _everyone_exists(candidates: frozenset[str]) -> Mapping[str, str]:
    return {name: f"/members/{name}/" for name in candidates}


@pytest.fixture(scope="module", autouse=True)
def _warm_up() -> None:
    # The first render loads translation catalogs; time only the work.
    render_markdown("warm *up* :) @sam", id_prefix="w-", resolve_mentions=_everyone_exists)


@pytest.mark.parametrize("source", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_a_crafted_input_of_the_largest_size_renders_within_a_second(source: str) -> None:
    assert len(source.encode()) <= MAX_SOURCE_BYTES

    timings = []
    for _attempt in range(ATTEMPTS):
        # CPU time of this process: the bound is about the work rendering does,
        # not about how busy the rest of the machine (parallel tests, a
        # benchmark) happens to be.
        started = time.process_time()
        rendered = render_markdown(source, id_prefix="post-1-", resolve_mentions=_everyone_exists)
        timings.append(time.process_time() - started)
        if timings[-1] < BOUND_SECONDS:
            break

    assert min(timings) < BOUND_SECONDS, ", ".join(f"{seconds:.2f} s" for seconds in timings)
    assert rendered.html or not source.strip("\x00\n")


@pytest.mark.parametrize(
    "source",
    [PATHOLOGICAL[name] for name in ("deep blockquote lines", "angle brackets", "many paragraphs")],
    ids=["deep blockquote lines", "angle brackets", "many paragraphs"],
)
def test_a_crafted_input_loses_none_of_its_text(source: str) -> None:
    rendered = render_markdown(source, id_prefix="post-1-")

    kept = html_to_text(rendered.html)
    assert "".join(kept.split()).replace(">", "") == "".join(source.split()).replace(">", "")
