"""Reads for care features: labels, preferences, crisis contacts, rules, the queue."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_countries import countries

from hearth.accounts.models import User
from hearth.core.providers import CrisisContacts, CrisisLine
from hearth.core.raw_rows import fetch_rows
from hearth.safety import crisis_matching
from hearth.safety.models import (
    ContentNoteLabel,
    ContentNotePreference,
    CrisisResource,
    CrisisRule,
    EmergencyNumber,
    QueueItem,
    QueueStatus,
)
from hearth.safety.seeded_text import in_readers_language

CRISIS_LINES_IN_PANEL = 3


def active_labels() -> list[ContentNoteLabel]:
    return list(ContentNoteLabel.objects.filter(is_active=True))


def labels_by_slug(slugs: Iterable[str]) -> dict[str, ContentNoteLabel]:
    return {label.slug: label for label in ContentNoteLabel.objects.filter(slug__in=list(slugs))}


def note_preferences(member: User | None) -> dict[int, str]:
    """The member's choice per label id; labels without a row are "collapse" (one query)."""
    if member is None:
        return {}
    return dict(
        ContentNotePreference.objects.filter(member=member).values_list("label_id", "choice")
    )


def crisis_contacts_for_member(member: User) -> CrisisContacts | None:
    """The emergency number and at most three crisis lines for the member's country."""
    code = member.country.code if member.country else ""
    if not code:
        return None
    emergency = EmergencyNumber.objects.filter(country=code).first()
    resources = list(
        CrisisResource.objects.filter(country=code, is_active=True).order_by("priority", "name")[
            :CRISIS_LINES_IN_PANEL
        ]
    )
    if emergency is None and not resources:
        return None
    return CrisisContacts(
        country_code=code,
        country_name=str(countries.name(code)),
        emergency_number=emergency.number if emergency else "",
        lines=tuple(
            CrisisLine(
                name=resource.name,
                phone=resource.phone,
                text=in_readers_language(resource.text),
                chat_url=resource.chat_url,
                website_url=resource.website_url,
                hours=in_readers_language(resource.hours),
                verified_on=resource.verified_at,
                source_url=resource.source_url,
            )
            for resource in resources
        ),
    )


def active_crisis_rules(language: str) -> list[crisis_matching.CrisisRule]:
    """The active rules for a language, as the matcher takes them (one query)."""
    return [
        crisis_matching.CrisisRule(
            rule_id=rule.pk,
            language=rule.language,
            pattern=rule.pattern,
            is_regex=rule.is_regex,
            is_method=rule.is_method,
            description=rule.description,
            name=rule.name,
        )
        for rule in CrisisRule.objects.filter(language=language, is_active=True)
    ]


def open_queue_items() -> QuerySet[QueueItem]:
    return QueueItem.objects.filter(status=QueueStatus.OPEN)


@dataclass(frozen=True)
class RuleSummary:
    """A crisis rule as the moderation queue names it: its name first, the pattern only
    for a moderator who opens the rule's details."""

    rule_id: int
    name: str
    pattern: str
    is_regex: bool
    is_method: bool


def _rule_name(rule_id: int, name: str, description: str, pattern: str, is_regex: bool) -> str:
    """The rule's name; for a rule saved without one, its description, or its phrase (a
    phrase reads as words; a regular expression does not)."""
    if name:
        return name
    if description:
        return description
    if not is_regex:
        return pattern
    return _("Rule %(number)d (a regular expression)") % {"number": rule_id}


def rule_summaries(rule_ids: Iterable[int]) -> dict[int, RuleSummary]:
    """The named rules for these ids (one query, none when there are no ids)."""
    wanted = list(rule_ids)
    if not wanted:
        return {}
    rows = CrisisRule.objects.filter(pk__in=wanted).values_list(
        "pk", "name", "description", "pattern", "is_regex", "is_method"
    )
    return {
        rule_id: RuleSummary(
            rule_id=rule_id,
            name=_rule_name(rule_id, name, description, pattern, is_regex),
            pattern=pattern,
            is_regex=is_regex,
            is_method=is_method,
        )
        for rule_id, name, description, pattern, is_regex, is_method in rows
    }


@dataclass(frozen=True)
class LabelChoices:
    """Every label's name, which are offered to authors, and a member's choices."""

    names: dict[int, str]
    offered: tuple[tuple[int, str], ...]  # active labels, in order, for the composer
    choices: dict[int, str]  # the member's non-default choices


# Every label with one member's choice for it. SQL, because it runs on every
# thread page and the ORM's annotated subquery costs more to compile than to run.
_LABEL_CHOICES_SQL = f"""
SELECT label.id, label.name, label.is_active, preference.choice
FROM {ContentNoteLabel._meta.db_table} AS label
LEFT JOIN {ContentNotePreference._meta.db_table} AS preference
  ON preference.label_id = label.id AND preference.member_id = %(member)s
ORDER BY label.position, label.name
"""  # noqa: S608 - table names come from our own models; the value is a parameter


def labels_with_choices(member: User | None) -> LabelChoices:
    """All labels with the member's choice for each (one query)."""
    rows, _using = fetch_rows(
        ContentNoteLabel, _LABEL_CHOICES_SQL, {"member": member.pk if member else None}
    )
    return LabelChoices(
        names={label_id: in_readers_language(name) for label_id, name, _active, _choice in rows},
        offered=tuple(
            (label_id, in_readers_language(name))
            for label_id, name, active, _choice in rows
            if active
        ),
        choices={label_id: choice for label_id, _name, _active, choice in rows if choice},
    )
