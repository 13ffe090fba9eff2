"""Markdown images become plain links: a page must never fetch from another host.

An <img> pointing elsewhere would tell that host who reads the post, and
when (DESIGN: no third-party requests from any page). The member can still
follow the link on purpose.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.utils.translation import gettext as _
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from hearth.core.text.tokens import inline_tokens, text_token

# "" is a relative URL: an image on this site.
LINKABLE_SCHEMES = frozenset({"", "http", "https"})


def image_label(description: str) -> str:
    """Return the link text standing in for an image with this alt text."""
    description = " ".join(description.split())
    if not description:
        return _("image")
    return _("image: %(description)s") % {"description": description}


def _plain_text(tokens: list[Token]) -> str:
    """Return the alt text of an image's parsed description."""
    parts: list[str] = []
    for token in tokens:
        if token.type in {"text", "text_special", "code_inline"}:
            parts.append(token.content)
        elif token.type in {"softbreak", "hardbreak"}:
            parts.append(" ")
        elif token.children:
            parts.append(_plain_text(token.children))
    return "".join(parts)


def _image_as_link(image: Token, label: str, *, inside_link: bool) -> list[Token]:
    label_token = text_token(label, level=image.level)
    src = str(image.attrs.get("src", ""))
    # Inside a link, a link would be invalid HTML; an inline "data:" image
    # is no page to visit. Either way, keep the words.
    if inside_link or urlsplit(src).scheme.lower() not in LINKABLE_SCHEMES:
        return [label_token]
    link_open = Token("link_open", "a", 1)
    link_open.attrs = {"href": src}
    if title := image.attrs.get("title"):
        link_open.attrs["title"] = str(title)
    link_open.markup = "hearth_image"
    link_close = Token("link_close", "a", -1)
    link_close.markup = "hearth_image"
    return [link_open, label_token, link_close]


def images_as_links_rule(state: StateCore) -> None:
    """Core rule: replace each image token by a link to the image's URL."""
    for inline in inline_tokens(state):
        children: list[Token] = []
        link_depth = 0
        for token in inline.children or []:
            if token.type == "link_open":
                link_depth += 1
            elif token.type == "link_close":
                link_depth -= 1
            if token.type != "image":
                children.append(token)
                continue
            description = _plain_text(token.children or [])
            children.extend(
                _image_as_link(token, image_label(description), inside_link=link_depth > 0)
            )
        inline.children = children


def images_plugin(md: MarkdownIt) -> None:
    """Install the image rule before Hearth's text rules, so the label gets them too."""
    md.core.ruler.before("text_join", "hearth_images", images_as_links_rule)
