"""``{% icon "reply" %}``: one of the vendored icons, inline, as decoration.

The icons are Lucide's (``hearth/static/hearth/icons/``, see the README there). Each
is read from its file once per process and written into the page as an ``<svg>``
that takes the text's colour (``currentColor``) and size (``1em``, also without
the stylesheet), hidden from assistive technology: the text beside it, visible or
visually hidden, names the control. Inline markup needs no request and no
``style`` attribute, so the strict CSP is untouched.

A name that is not in the set fails when the template is compiled (a literal
name) or rendered (a variable), naming the icons there are.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from django import template
from django.template.base import FilterExpression, Node, Parser, Token
from django.template.context import Context
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

ICON_FOLDER = Path(__file__).resolve().parent.parent / "static" / "hearth" / "icons"
_ROOT = re.compile(r"<svg\b(?P<attributes>[^>]*)>(?P<content>.*)</svg>", re.DOTALL)
_ATTRIBUTE = re.compile(r'([\w:-]+)="([^"]*)"')
# Ours instead of the file's: the class names the icon, the size follows the text.
_REPLACED_ATTRIBUTES = {"class", "width", "height", "xmlns"}


class UnknownIconError(template.TemplateSyntaxError):
    """A template asked for an icon that is not in the vendored set."""


def icon_names() -> frozenset[str]:
    """The names ``{% icon %}`` knows: the vendored files without ``.svg``."""
    return _icon_names()


@cache
def _icon_names() -> frozenset[str]:
    return frozenset(path.stem for path in ICON_FOLDER.glob("*.svg"))


def _check_name(name: str) -> None:
    if name not in _icon_names():
        known = ", ".join(sorted(_icon_names()))
        raise UnknownIconError(f"There is no icon named {name!r}. The icons are: {known}.")


@cache
def icon_svg(name: str) -> SafeString:
    """The icon's inline ``<svg>`` markup (read from its file on first use, then kept).

    Raises ``UnknownIconError`` for a name not in the set.
    """
    _check_name(name)
    source = (ICON_FOLDER / f"{name}.svg").read_text(encoding="utf-8")
    found = _ROOT.search(source)
    if found is None:
        raise UnknownIconError(f"The icon file {name}.svg holds no <svg> element.")
    attributes = " ".join(
        f'{attribute}="{value}"'
        for attribute, value in _ATTRIBUTE.findall(found["attributes"])
        if attribute not in _REPLACED_ATTRIBUTES
    )
    content = "".join(line.strip() for line in found["content"].splitlines())
    return mark_safe(  # noqa: S308 - our own vendored files, read from the package
        f'<svg class="icon icon--{name}" width="1em" height="1em" {attributes} '
        f'aria-hidden="true" focusable="false">{content}</svg>'
    )


class IconNode(Node):
    def __init__(self, name: FilterExpression) -> None:
        self.name = name

    def render(self, context: Context) -> str:
        return icon_svg(str(self.name.resolve(context)))


@register.tag
def icon(parser: Parser, token: Token) -> IconNode:
    """``{% icon "name" %}`` (or a variable holding the name)."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError('{% icon %} takes one name: {% icon "reply" %}')
    name = bits[1]
    if name[0] in "\"'" and name[-1] == name[0]:
        _check_name(name[1:-1])  # a literal: fail when the template is compiled
    return IconNode(parser.compile_filter(name))
