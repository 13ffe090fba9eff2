"""Administrators choose a category's search language; its posts are indexed again."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from hearth.search.models import CategoryLanguage
from hearth.search.tasks import index_category


@admin.register(CategoryLanguage)
class CategoryLanguageAdmin(admin.ModelAdmin[CategoryLanguage]):
    list_display = ("category", "language")

    def save_model(
        self, request: HttpRequest, obj: CategoryLanguage, form: Any, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        category_id = obj.category_id
        transaction.on_commit(lambda: index_category.enqueue(category_id=category_id))

    def delete_model(self, request: HttpRequest, obj: CategoryLanguage) -> None:
        category_id = obj.category_id
        super().delete_model(request, obj)
        transaction.on_commit(lambda: index_category.enqueue(category_id=category_id))
