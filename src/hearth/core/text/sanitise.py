"""The last gate: an nh3 allow-list over the rendered HTML.

Markdown is parsed with raw HTML off, so nothing here should ever need
removing; this is defence in depth against a parser or plugin bug. Every
tag, attribute and attribute value must be one the pipeline emits.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import nh3

from hearth.core.text.footnotes import EMITTED_ID_RE

ALLOWED_TAGS = frozenset(
    {
        "a",
        "blockquote",
        "br",
        "code",
        "em",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "li",
        "ol",
        "p",
        "pre",
        "s",
        "section",
        "span",
        "strong",
        "sup",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
    }
)

# Removed with everything inside them (the rest lose only their tags).
_DROP_WITH_CONTENT = frozenset(
    {
        "script",
        "style",
        "iframe",
        "svg",
        "math",
        "object",
        "embed",
        "form",
        "textarea",
        "select",
        "template",
        "noscript",
        "title",
        "xmp",
        "noembed",
        "noframes",
        "plaintext",
    }
)

ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener noreferrer"

# The classes each element may carry: exactly those the pipeline writes.
ALLOWED_CLASSES: dict[str, frozenset[str]] = {
    "a": frozenset({"mention", "footnote-backref"}),
    "span": frozenset({"emoji", "hug", "visually-hidden"}),
    "sup": frozenset({"footnote-ref"}),
    "section": frozenset({"footnotes"}),
    "th": frozenset({"align-left", "align-center", "align-right"}),
    "td": frozenset({"align-left", "align-center", "align-right"}),
}
# Fenced code's info word ("```python") is kept for a future highlighter.
_CODE_LANGUAGE_CLASS = re.compile(r"language-[A-Za-z0-9_+#.-]{1,40}")
_DIGITS = re.compile(r"[0-9]{1,9}")

ValueCheck = Callable[[str], bool]


def _any_text(value: str) -> bool:
    return bool(value.strip())


def _one_of(*allowed: str) -> ValueCheck:
    return frozenset(allowed).__contains__


def _id(value: str) -> bool:
    return EMITTED_ID_RE.fullmatch(value) is not None


# (element, attribute) -> is this value one the pipeline emits? Anything
# missing here is removed. href is checked by nh3 (url_schemes) as well.
_ATTRIBUTE_CHECKS: dict[tuple[str, str], ValueCheck] = {
    ("a", "href"): _any_text,
    ("a", "title"): _any_text,
    ("a", "id"): _id,
    ("a", "aria-label"): _any_text,
    ("li", "id"): _id,
    ("ol", "start"): lambda value: _DIGITS.fullmatch(value) is not None,
    ("code", "class"): lambda value: _CODE_LANGUAGE_CLASS.fullmatch(value) is not None,
    ("span", "role"): _one_of("img"),
    ("span", "aria-hidden"): _one_of("true"),
    ("span", "aria-label"): _any_text,
    **{(tag, "class"): classes.__contains__ for tag, classes in ALLOWED_CLASSES.items()},
}

ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    tag: frozenset(name for element, name in _ATTRIBUTE_CHECKS if element == tag)
    for tag, _ in _ATTRIBUTE_CHECKS
}


# nh3 adds rel itself (and refuses "rel" in the attribute allow-list), but
# still passes it through the filter.
_FILTER_CHECKS = {**_ATTRIBUTE_CHECKS, ("a", "rel"): _one_of(LINK_REL)}


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    check = _FILTER_CHECKS.get((tag, attribute))
    return value if check is not None and check(value) else None


_CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags=_DROP_WITH_CONTENT,
    attributes=ALLOWED_ATTRIBUTES,
    attribute_filter=_filter_attribute,
    link_rel=LINK_REL,
    url_schemes=ALLOWED_URL_SCHEMES,
    strip_comments=True,
)


def sanitise_html(html: str) -> str:
    """Return html with everything outside the allow-list removed."""
    return _CLEANER.clean(html)
