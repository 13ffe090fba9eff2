"""Form rendering shared by every app."""

from django.forms.renderers import TemplatesSetting


class HearthFormRenderer(TemplatesSetting):
    """Render each field in a wrapper, with labels free of trailing colons.

    Django already ties help text and errors to inputs (aria-describedby,
    aria-invalid); this only adds the wrapper that spacing and error
    styling hang on.
    """

    field_template_name = "core/forms/field.html"
