"""Which models hold a member's data: export and deletion must each say what they do
with every one of them (their tests fail when a new model is left out)."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models


def models_referencing_members() -> dict[str, list[str]]:
    """Every installed model with a relation to the member model: label -> field names."""
    member_model = get_user_model()
    found: dict[str, list[str]] = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if (
                isinstance(field, models.Field)
                and field.is_relation
                and field.related_model is member_model
            ):
                found.setdefault(model._meta.label, []).append(field.name)
    return found
