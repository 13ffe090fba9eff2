"""Right to left (docs/design.md, "Right to left"): the stylesheets say "inline start" and
"inline end", never left and right, so a page in a right-to-left language mirrors as a
whole; and <html> carries the direction of the language it is shown in."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import reverse

import hearth
from hearth.accounts.models import User

SOURCE_ROOT = Path(hearth.__file__).parent
COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
# A side named outright: margin-left, padding-right, border-left(-color), left: / right:
# (the insets), text-align or float to a side.
PHYSICAL = re.compile(
    r"""(?<![\w-])(?:margin|padding|border)-(?:left|right)(?:-[a-z]+)?\s*:
      | (?<![\w-])(?:left|right)\s*:
      | (?<![\w-])(?:text-align|float|clear)\s*:\s*(?:left|right)\b""",
    re.VERBOSE,
)


def _stylesheets() -> list[Path]:
    return sorted(SOURCE_ROOT.rglob("static/**/*.css"))


def test_the_stylesheets_name_no_physical_side() -> None:
    found = [
        f"{sheet.relative_to(SOURCE_ROOT)}: {match.group().strip()}"
        for sheet in _stylesheets()
        for match in PHYSICAL.finditer(COMMENT.sub("", sheet.read_text(encoding="utf-8")))
    ]

    assert _stylesheets(), "no stylesheets found"
    assert found == [], "use logical properties (margin-inline-start, inset-inline, ...):\n" + (
        "\n".join(found)
    )


@pytest.mark.parametrize(
    "rule",
    ["margin-left: 1rem", "border-right-color: red", "left: 0", "text-align: right", "float:left"],
)
def test_the_check_finds_a_physical_side(rule: str) -> None:
    assert PHYSICAL.search(f".thing {{ {rule}; }}")


@pytest.mark.parametrize(
    "rule",
    [
        "margin-inline-start: 1rem",
        "inset-inline: 0",
        "text-align: start",
        "scroll-margin-top: 1rem",
    ],
)
def test_the_check_lets_logical_properties_through(rule: str) -> None:
    assert not PHYSICAL.search(f".thing {{ {rule}; }}")


@pytest.mark.django_db
@pytest.mark.parametrize(("bidi", "direction"), [(False, "ltr"), (True, "rtl")])
def test_the_page_carries_the_direction_of_its_language(
    member: User, bidi: bool, direction: str
) -> None:
    User.objects.filter(pk=member.pk).update(language="de")
    client = Client()
    client.force_login(member)

    with override_settings(LANGUAGES_BIDI=["de"] if bidi else []):
        page = client.get(reverse("home")).content.decode()

    assert f'<html lang="de" dir="{direction}">' in page


# An element whose content is a member's rendered text: "<tag ...>{{ x.body_html|safe }}",
# "{{ html|safe }}", "{{ message.html|safe }}", or a profile's bio.
MEMBER_TEXT = re.compile(
    r"<(?P<tag>[a-z]+)(?P<attributes>[^>]*)>\s*\{\{\s*[\w.]*(?:html\|safe|bio\|linebreaksbr)"
)


def _member_text_elements() -> list[tuple[str, str]]:
    return [
        (f"{template.relative_to(SOURCE_ROOT)}: <{found['tag']}{found['attributes']}>", found[0])
        for template in sorted(SOURCE_ROOT.glob("*/templates/**/*.html"))
        for found in MEMBER_TEXT.finditer(template.read_text(encoding="utf-8"))
    ]


def test_what_members_wrote_keeps_its_own_direction() -> None:
    # English on a right-to-left page (or Arabic on a left-to-right one) must read in its
    # own direction: each element holding a member's text lets the browser choose.
    elements = _member_text_elements()
    assert len(elements) >= 8  # the check finds them (posts, messages, previews, bios...)
    undirected = [where for where, _ in elements if 'dir="auto"' not in where]
    assert not undirected, "\n".join(undirected)
