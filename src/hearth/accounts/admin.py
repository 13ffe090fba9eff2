"""Members in the Django admin: roles are assigned here (categories' moderators in the forum)."""

from typing import Any

from django.apps import apps
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from hearth.accounts.avatars import process_avatar
from hearth.accounts.models import User
from hearth.member_data.deletion import delete_account
from hearth.member_data.models import PostsChoice


class MemberChangeForm(UserChangeForm):  # type: ignore[type-arg]
    def clean_avatar(self) -> Any:
        """An uploaded avatar goes through the same re-encoding as on the profile page
        (metadata such as GPS position dropped, size checked)."""
        avatar = self.cleaned_data.get("avatar")
        if isinstance(avatar, UploadedFile):
            return process_avatar(avatar)
        return avatar


@admin.register(User)
class MemberAdmin(UserAdmin):  # type: ignore[type-arg]
    form = MemberChangeForm
    list_display = ("username", "display_name", "email", "role", "is_active", "date_joined")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("username", "display_name", "email")
    ordering = ("username",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Profile"),
            {
                "fields": (
                    "display_name",
                    "email",
                    "bio",
                    "avatar",
                    "time_zone",
                    "language",
                    "country",
                )
            },
        ),
        (_("Role"), {"fields": ("role", "receives_check_ins")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "display_name", "email", "password1", "password2"),
            },
        ),
    )

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        """Delete through the same path as a member leaving, keeping their posts under
        "Former member" (a member who wants them removed deletes their own account)."""
        delete_account(obj.pk, posts=PostsChoice.KEEP)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for member_id in queryset.values_list("pk", flat=True):
            delete_account(member_id, posts=PostsChoice.KEEP)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        """Leave private toolkit items and private traces (pseudonyms, read markers,
        drafts, mutes, reactions, reading choices) out of the confirmation page, even as
        a count.

        Deleting the member still deletes them (CASCADE); the administrator never
        learns from this page whether the member kept a private toolkit, which
        anonymous pseudonyms were theirs or what they read -- a reveal that would
        otherwise leave no audit entry.
        """
        deleted, counts, permissions_needed, protected = super().get_deleted_objects(objs, request)
        private = [
            model
            for model in apps.get_models()
            if getattr(model, "is_private_to_owner", False)
            or getattr(model, "is_private_trace", False)
        ]
        hidden_names = {str(model._meta.verbose_name_plural) for model in private}
        hidden_prefixes = tuple(f"{capfirst(model._meta.verbose_name)}: " for model in private)
        counts = {name: count for name, count in counts.items() if str(name) not in hidden_names}
        return _without(deleted, hidden_prefixes), counts, permissions_needed, protected


def _without(items: list[Any], prefixes: tuple[str, ...]) -> list[Any]:
    kept: list[Any] = []
    for item in items:
        if isinstance(item, list):
            kept.append(_without(item, prefixes))
        elif not str(item).startswith(prefixes):
            kept.append(item)
    return kept
