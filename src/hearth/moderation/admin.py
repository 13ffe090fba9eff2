"""The audit log is visible to administrators and can never be changed here."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from hearth.moderation.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    list_display = ("created_at", "actor_name", "action", "target_label", "reason")
    list_filter = ("action",)
    search_fields = ("actor_name", "target_label", "reason")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False
