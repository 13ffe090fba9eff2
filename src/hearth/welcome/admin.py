"""Administrators publish the community guidelines here: a new version each time, never an
edit of one members have already accepted."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from hearth.accounts.models import User
from hearth.welcome.forms import PublishGuidelinesForm
from hearth.welcome.models import GuidelinesAcceptance, GuidelinesVersion
from hearth.welcome.selectors import current_guidelines
from hearth.welcome.services import publish_guidelines


@admin.register(GuidelinesVersion)
class GuidelinesVersionAdmin(admin.ModelAdmin[GuidelinesVersion]):
    """ "Add" publishes a new version (starting from the text in force); a published version
    can be read but not changed or deleted."""

    form = PublishGuidelinesForm
    list_display = ("number", "published_at", "what_changed", "published_by", "accepted_by")

    def get_queryset(self, request: HttpRequest) -> QuerySet[GuidelinesVersion]:
        accepted = (
            GuidelinesAcceptance.objects.filter(version=OuterRef("pk"))
            .order_by()
            .values("version")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return (
            super()
            .get_queryset(request)
            .select_related("published_by")
            .annotate(accepted_count=Coalesce(Subquery(accepted), 0))
        )

    @admin.display(description=_("accepted by (members)"))
    def accepted_by(self, version: GuidelinesVersion) -> int:
        return int(getattr(version, "accepted_count", 0))

    def get_fields(self, request: HttpRequest, obj: GuidelinesVersion | None = None) -> Any:
        if obj is None:
            return ("body", "what_changed")
        return ("number", "published_at", "published_by", "what_changed", "body")

    def get_readonly_fields(
        self, request: HttpRequest, obj: GuidelinesVersion | None = None
    ) -> Any:
        if obj is None:
            return ()
        return ("number", "published_at", "published_by", "what_changed", "body")

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        current = current_guidelines()
        return {"body": current.body} if current else {}

    def has_change_permission(
        self, request: HttpRequest, obj: GuidelinesVersion | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: GuidelinesVersion | None = None
    ) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: GuidelinesVersion, form: Any, change: bool
    ) -> None:
        publisher = request.user if isinstance(request.user, User) else None
        published = publish_guidelines(
            body=form.cleaned_data["body"],
            what_changed=form.cleaned_data["what_changed"],
            published_by=publisher,
        )
        # The admin goes on to log the addition and link to the object it was given.
        obj.pk = published.pk
        obj.number = published.number
        obj._state.adding = False
