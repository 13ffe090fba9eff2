"""Administrators manage categories and who moderates them here."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from hearth.forum.models import Category, CategoryModerator


class CategoryModeratorInline(admin.TabularInline[CategoryModerator, Category]):
    model = CategoryModerator
    extra = 1
    autocomplete_fields = ["member"]
    verbose_name = _("moderator of this category")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ("name", "position", "visibility", "allow_anonymous", "thread_count")
    list_editable = ("position",)
    prepopulated_fields = {"slug": ("name",)}
    fields = ("name", "slug", "description", "position", "visibility", "allow_anonymous")
    inlines = [CategoryModeratorInline]
