"""``{% javascript_catalog_url %}``: the address of the scripts' translations for the
page's language (hearth.core.javascript_catalog)."""

from django import template
from django.utils import translation

from hearth.core.javascript_catalog import catalogue_url

register = template.Library()


@register.simple_tag
def javascript_catalog_url() -> str:
    return catalogue_url(translation.get_language())
