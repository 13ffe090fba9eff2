from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def crisis_check_is_on() -> bool:
    """Whether messages are checked for crisis signals (the composer says so when they are)."""
    return bool(settings.HEARTH_CRISIS_CHECK_CONVERSATIONS)
