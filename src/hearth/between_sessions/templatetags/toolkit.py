"""Small template filters for showing stored toolkit values in words."""

from __future__ import annotations

from django import template

from hearth.between_sessions.vocabulary import BODY_SENSATION_LABELS, Trigger, feeling_label

register = template.Library()


@register.filter
def lines(text: str) -> list[str]:
    """Split a one-item-a-line text into its non-empty lines."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@register.filter
def hanging_indent(text: str, width: int = 2) -> str:
    """Indent every line after the first by ``width`` spaces (blank lines stay empty).

    For plain text: the template indents an item's first line, and its later lines and
    paragraphs must line up under it, or they read as items of their own.
    """
    first, *rest = (text or "").splitlines() or [""]
    return "\n".join([first, *((" " * width + line) if line.strip() else "" for line in rest)])


@register.filter
def feeling_words(code: str) -> str:
    return feeling_label(str(code))


@register.filter
def body_words(code: str) -> str:
    return str(BODY_SENSATION_LABELS.get(code, code))


@register.filter
def trigger_words(code: str) -> str:
    return str(Trigger(code).label) if code in Trigger.values else ""
