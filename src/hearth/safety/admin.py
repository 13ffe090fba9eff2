"""Administrators keep the labels, the crisis rules and the crisis directory here."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries import countries

from hearth.safety.models import (
    REVERIFY_AFTER,
    ContentNoteLabel,
    CrisisResource,
    CrisisRule,
    EmergencyNumber,
)


@admin.register(ContentNoteLabel)
class ContentNoteLabelAdmin(admin.ModelAdmin[ContentNoteLabel]):
    list_display = ("name", "slug", "position", "is_active")
    list_editable = ("position", "is_active")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(CrisisRule)
class CrisisRuleAdmin(admin.ModelAdmin[CrisisRule]):
    """Rules with their track record, so administrators can see how precise each one is."""

    list_display = (
        "name",
        "pattern",
        "language",
        "is_method",
        "is_active",
        "fired_count",
        "dismissed_count",
        "dismissed_share",
    )
    list_filter = ("language", "is_method", "is_active")
    search_fields = ("name", "pattern", "description")
    readonly_fields = ("fired_count", "dismissed_count", "created_at")

    @admin.display(description=_("dismissed as not needed"))
    def dismissed_share(self, rule: CrisisRule) -> str:
        if not rule.fired_count:
            return "-"
        return f"{100 * rule.dismissed_count // rule.fired_count}%"

    def save_model(self, request: HttpRequest, obj: CrisisRule, form: object, change: bool) -> None:
        from hearth.safety.crisis_matching import CrisisRule as Rule  # noqa: PLC0415
        from hearth.safety.crisis_matching import compile_rule  # noqa: PLC0415

        compile_rule(
            Rule(rule_id=0, language=obj.language, pattern=obj.pattern, is_regex=obj.is_regex)
        )
        super().save_model(request, obj, form, change)


class NeedsReverification(admin.SimpleListFilter):
    title = _("verification")
    parameter_name = "stale"

    def lookups(self, request: HttpRequest, model_admin: object) -> list[tuple[str, str]]:
        return [("yes", str(_("Not verified for 12 months")))]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[CrisisResource]
    ) -> QuerySet[CrisisResource]:
        if self.value() == "yes":
            return queryset.filter(verified_at__lt=timezone.localdate() - REVERIFY_AFTER)
        return queryset


class CountryWithEntries(admin.SimpleListFilter):
    """The countries the directory has entries for, not every country in the world."""

    title = _("country")
    parameter_name = "country"

    def lookups(self, request: HttpRequest, model_admin: object) -> list[tuple[str, str]]:
        codes = CrisisResource.objects.order_by().values_list("country", flat=True).distinct()
        named = [(str(code), str(countries.name(code))) for code in codes]
        return sorted(named, key=lambda choice: choice[1])

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[CrisisResource]
    ) -> QuerySet[CrisisResource]:
        if self.value():
            return queryset.filter(country=self.value())
        return queryset


@admin.register(CrisisResource)
class CrisisResourceAdmin(admin.ModelAdmin[CrisisResource]):
    list_display = ("name", "country", "phone", "verified_at", "is_stale", "is_active", "priority")
    list_filter = (NeedsReverification, "is_active", CountryWithEntries)
    search_fields = ("name", "phone")
    actions = ("mark_verified_today", "retire")

    @admin.display(boolean=True, description=_("needs re-verifying"))
    def is_stale(self, resource: CrisisResource) -> bool:
        return resource.needs_reverification

    @admin.action(description=_("I checked these against the provider's site today"))
    def mark_verified_today(self, request: HttpRequest, queryset: QuerySet[CrisisResource]) -> None:
        count = queryset.update(verified_at=timezone.localdate())
        self.message_user(
            request,
            ngettext(
                "%(count)d entry marked verified today.",
                "%(count)d entries marked verified today.",
                count,
            )
            % {"count": count},
        )

    @admin.action(description=_("Retire (stop showing them)"))
    def retire(self, request: HttpRequest, queryset: QuerySet[CrisisResource]) -> None:
        count = queryset.update(is_active=False)
        self.message_user(
            request,
            ngettext("%(count)d entry retired.", "%(count)d entries retired.", count)
            % {"count": count},
            messages.WARNING,
        )

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, object] | None = None):  # type: ignore[no-untyped-def]
        stale = CrisisResource.objects.filter(
            is_active=True, verified_at__lt=timezone.localdate() - REVERIFY_AFTER
        ).count()
        if stale:
            self.message_user(
                request,
                ngettext(
                    "%(count)d active entry has not been verified for 12 months. Please check it.",
                    "%(count)d active entries have not been verified for 12 months. "
                    "Please check them.",
                    stale,
                )
                % {"count": stale},
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)


@admin.register(EmergencyNumber)
class EmergencyNumberAdmin(admin.ModelAdmin[EmergencyNumber]):
    list_display = ("country", "number", "verified_at", "source_url")
