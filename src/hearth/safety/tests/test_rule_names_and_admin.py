"""Crisis rules have names moderators read (not patterns), and the crisis directory's
admin filters by the countries it has entries for (issue 18)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from hearth.accounts.models import Role
from hearth.core.testing import MakeMember
from hearth.safety.default_crisis_rules import DEFAULT_RULES
from hearth.safety.models import CrisisResource, CrisisRule
from hearth.safety.seeding import name_default_rules
from hearth.safety.selectors import active_crisis_rules, rule_summaries


def test_every_default_rule_has_a_short_name_of_its_own() -> None:
    names = [rule.name for rule in DEFAULT_RULES]

    assert all(name and len(name) <= 80 for name in names)
    assert len(set(names)) == len(names)
    # A name is words, never the pattern or a fragment of a regular expression.
    assert not any(re.search(r"[\\|\[*]|\(\?", name) for name in names)


@pytest.mark.django_db
def test_the_seeded_rules_carry_their_names() -> None:
    stored = dict(CrisisRule.objects.values_list("pattern", "name"))

    assert all(stored[rule.pattern] == rule.name for rule in DEFAULT_RULES)
    assert {rule.name for rule in active_crisis_rules("en")} >= {"Wanting to die"}


@pytest.mark.django_db
def test_naming_the_defaults_leaves_a_name_an_administrator_chose() -> None:
    first, second = DEFAULT_RULES[0], DEFAULT_RULES[1]
    CrisisRule.objects.filter(pattern=first.pattern).update(name="")
    CrisisRule.objects.filter(pattern=second.pattern).update(name="Our own words")

    name_default_rules(rules=CrisisRule)

    assert CrisisRule.objects.get(pattern=first.pattern).name == first.name
    assert CrisisRule.objects.get(pattern=second.pattern).name == "Our own words"


@pytest.mark.django_db
def test_rule_summaries_name_each_rule_in_one_query(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    named = CrisisRule.objects.get(name="Wanting to die")
    unnamed = CrisisRule.objects.create(language="en", pattern=r"\bcanary\b", is_regex=True)

    with django_assert_num_queries(1):
        summaries = rule_summaries([named.pk, unnamed.pk])

    assert summaries[named.pk].name == "Wanting to die"
    assert summaries[named.pk].pattern == named.pattern
    assert summaries[unnamed.pk].name == f"Rule {unnamed.pk} (a regular expression)"
    with django_assert_num_queries(0):
        assert rule_summaries([]) == {}


@pytest.mark.django_db
def test_the_directory_country_filter_lists_only_countries_with_entries(
    make_member: MakeMember,
) -> None:
    administrator = make_member(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(administrator)
    seeded = set(CrisisResource.objects.values_list("country", flat=True))
    assert "GB" in seeded
    assert "ZW" not in seeded

    page = client.get(reverse("admin:safety_crisisresource_changelist")).content.decode()
    offered = set(re.findall(r"\?country=([A-Z]{2})", page))
    filtered = client.get(reverse("admin:safety_crisisresource_changelist") + "?country=GB")

    assert offered == {str(code) for code in seeded}
    assert "United Kingdom" in page
    assert "Zimbabwe" not in page
    assert filtered.status_code == 200
    shown = filtered.context["cl"].result_list
    assert shown
    assert {str(resource.country) for resource in shown} == {"GB"}
