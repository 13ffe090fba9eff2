"""``{{ entry|audit_changes }}``: an audit entry's before and after as readable lines."""

from __future__ import annotations

from django import template

from hearth.moderation.audit_text import ChangeLine, describe_entry
from hearth.moderation.models import AuditEntry

register = template.Library()


@register.filter
def audit_changes(entry: AuditEntry) -> list[ChangeLine]:
    return describe_entry(entry)
