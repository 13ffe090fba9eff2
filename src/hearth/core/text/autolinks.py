"""Bare URLs and email addresses become links, as GitHub's autolink extension does.

Written here rather than with linkify-it-py: markdown-it-py's inline linkify
rule is quadratic on "x://x://..." (20 s for 64 KB), its core rule copies the
token list once per link, and linkify-it's fuzzy matching cost ~0.5 s for
64 KB of "a.com ". One linear regex over text tokens, plus GFM's trimming
rules, does the same job in a few milliseconds.

What links: ``www.`` + domain, ``http://`` or ``https://`` + domain, and
``user@example.org`` (also written ``mailto:user@example.org``), each
after a space, the start of a line or ``( * _ ~``.
"""

from __future__ import annotations

import re

from markdown_it.common.normalize_url import normalizeLink, validateLink
from markdown_it.token import Token

from hearth.core.text.tokens import TextTransform, text_token

_AUTOLINK_PATTERN = re.compile(
    r"""
    (?<![^\s*_~(])                                  # GFM: where an autolink may start
    (?:
        (?P<url>
            (?P<scheme>https?://|www\.)
            (?P<domain>[\w-]++(?:\.[\w-]++)*+)
            [^\s<]*+                                # path, trimmed below
        )
    |
        (?P<email>
            (?:mailto:)?
            (?<![A-Za-z0-9._+-])[A-Za-z0-9._+-]++   # the whole local part
            @[A-Za-z0-9_-]++(?:\.[A-Za-z0-9_-]++)++
        )
    )
    """,
    re.VERBOSE,
)
_TRAILING_PUNCTUATION = "?!.,:*_~'\""
_ENTITY_LIKE_END = re.compile(r"&[A-Za-z0-9]+;\Z")


def _trim(url: str) -> str:
    """Drop what GFM leaves out of a URL's end: punctuation, unmatched ")", entities."""
    while url:
        last = url[-1]
        if last in _TRAILING_PUNCTUATION:
            url = url[:-1]
        elif last == ";":
            entity = _ENTITY_LIKE_END.search(url)
            url = url[: entity.start()] if entity else url[:-1]
        elif last == ")" and url.count(")") > url.count("("):
            url = url[:-1]
        else:
            return url
    return url


def _domain_is_valid(domain: str) -> bool:
    # GFM: no underscore in the last two labels of the domain.
    return not any("_" in label for label in domain.split(".")[-2:])


def _link_tokens(href: str, text: str) -> list[Token] | None:
    href = normalizeLink(href)
    if not validateLink(href):
        return None
    link_open = Token("link_open", "a", 1)
    link_open.attrs = {"href": href}
    link_open.markup = "linkify"
    link_open.info = "auto"
    link_close = Token("link_close", "a", -1)
    link_close.markup = "linkify"
    link_close.info = "auto"
    return [link_open, text_token(text, level=0), link_close]


def _replace_url(match: re.Match[str]) -> list[Token] | None:
    typed = match.group("url")
    scheme = match.group("scheme")
    url = _trim(typed)
    if len(url) <= len(scheme) or not _domain_is_valid(match.group("domain")):
        return None
    href = f"http://{url}" if scheme == "www." else url
    tokens = _link_tokens(href, url)
    if tokens is not None and len(url) < len(typed):
        tokens.append(text_token(typed[len(url) :], level=0))
    return tokens


def _replace_email(match: re.Match[str]) -> list[Token] | None:
    typed = match.group("email")
    if typed[-1] in "-_":
        return None  # GFM: not an address at all
    address = typed.removeprefix("mailto:")
    return _link_tokens(f"mailto:{address}", typed)


def _replace(match: re.Match[str]) -> list[Token] | None:
    return _replace_url(match) if match.group("url") else _replace_email(match)


AUTOLINK_TRANSFORM = TextTransform(_AUTOLINK_PATTERN, _replace, triggers=":.@", inside_links=False)
