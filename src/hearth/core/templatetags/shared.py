"""``{% shared %}``: render a part of a page once, share it, fill in per-request slots.

The site's header, footer and composer look the same for everyone who reads
in one language (the header: for one member), except for a few values such
as the CSRF token and the CSP nonce. Rendering them through the template
engine cost about a millisecond per page, so::

    {% shared "site-footer" LANGUAGE_CODE moderation_hours %}
      ... <script nonce="{% slot csp_nonce %}"> ...
    {% endshared %}

renders its content once per distinct set of values after the name (and per
language and time zone, which every key includes by itself), keeps
the HTML in the process's fragment cache, and on every use fills each
``{% slot expression %}`` with that expression's value now, escaped as
``{{ expression }}`` would be.

The rule that keeps this correct: everything inside that can differ between
two requests is either named after the block's name or is a slot. Slots are
evaluated in the block's own context, so they don't belong inside loops.
With ``HEARTH_CHECK_SHARED_FRAGMENTS`` on (the test settings), every use
renders the block again and fails loudly if the shared copy differs, so a
missing value shows up in any test that renders the page twice for
different people.
"""

from __future__ import annotations

import re

from django import template
from django.conf import settings
from django.core.cache import caches
from django.template import Context
from django.template.base import (
    FilterExpression,
    Node,
    NodeList,
    Parser,
    Token,
    render_value_in_context,
)
from django.template.loader_tags import BlockNode
from django.utils import timezone, translation

register = template.Library()

# NUL never reaches a page otherwise: forms refuse it and Markdown replaces it.
_SLOT = "\x00slot{}\x00"
_SLOT_PATTERN = re.compile("\x00slot([0-9]+)\x00")
_RENDERING_FLAG = "hearth_shared_rendering"
TIMEOUT_SECONDS = 3600


class SharedFragmentMismatchError(AssertionError):
    """A shared block rendered differently for the same key: it needs another key or a slot."""


class SlotNode(Node):
    def __init__(self, expression: FilterExpression) -> None:
        self.expression = expression
        self.index = -1  # set by the enclosing SharedNode

    def render(self, context: Context) -> str:
        if not context.render_context.get(_RENDERING_FLAG):
            raise template.TemplateSyntaxError("{% slot %} belongs inside {% shared %}")
        return _SLOT.format(self.index)

    def value(self, context: Context) -> str:
        return str(render_value_in_context(self.expression.resolve(context), context))


class SharedNode(Node):
    # Template walks (an {% extends %} looks for blocks on every render) stop here:
    # nothing they look for may be inside.
    child_nodelists = ()

    def __init__(self, name: str, vary_on: list[FilterExpression], nodelist: NodeList) -> None:
        self.name = name
        self.vary_on = vary_on
        self.nodelist = nodelist
        if nodelist.get_nodes_by_type(SharedNode):
            raise template.TemplateSyntaxError("{% shared %} blocks don't nest")
        if nodelist.get_nodes_by_type(BlockNode):
            # A child template's {% block %} would be out of the key, and out of reach.
            raise template.TemplateSyntaxError("{% block %} doesn't belong inside {% shared %}")
        self.slots = [
            node for node in nodelist.get_nodes_by_type(SlotNode) if isinstance(node, SlotNode)
        ]
        for index, slot in enumerate(self.slots):
            slot.index = index

    def _render_fresh(self, context: Context) -> str:
        with context.render_context.push(**{_RENDERING_FLAG: True}):
            return str(self.nodelist.render(context))

    def render(self, context: Context) -> str:
        parts = [
            self.name,
            translation.get_language() or "",
            timezone.get_current_timezone_name(),
            *(str(value.resolve(context)) for value in self.vary_on),
        ]
        key = "shared:" + "\x1f".join(parts)
        store = caches["fragments"]
        html: str | None = store.get(key)
        if html is None:
            html = self._render_fresh(context)
            store.set(key, html, timeout=TIMEOUT_SECONDS)
        elif getattr(settings, "HEARTH_CHECK_SHARED_FRAGMENTS", False):
            fresh = self._render_fresh(context)
            if fresh != html:
                raise SharedFragmentMismatchError(
                    f"{{% shared {self.name!r} %}} differs for the same key {parts!r}; "
                    "name the value that changed after the block's name, or make it a slot"
                )
        # Each slot is worked out only if it appears (a branch may have left it out).
        values: dict[int, str] = {}

        def fill(match: re.Match[str]) -> str:
            index = int(match[1])
            if index not in values:
                values[index] = self.slots[index].value(context)
            return values[index]

        return _SLOT_PATTERN.sub(fill, html)


@register.tag("shared")
def do_shared(parser: Parser, token: Token) -> SharedNode:
    """``{% shared "name" value... %}...{% endshared %}``"""
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][0] not in "\"'" or bits[1][-1] != bits[1][0]:
        raise template.TemplateSyntaxError("{% shared %} needs a quoted name first")
    nodelist = parser.parse(("endshared",))
    parser.delete_first_token()
    vary_on = [parser.compile_filter(bit) for bit in bits[2:]]
    return SharedNode(bits[1][1:-1], vary_on, nodelist)


@register.tag("slot")
def do_slot(parser: Parser, token: Token) -> SlotNode:
    """``{% slot expression %}``: a per-request value inside ``{% shared %}``."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% slot %} takes one expression")
    return SlotNode(parser.compile_filter(bits[1]))
