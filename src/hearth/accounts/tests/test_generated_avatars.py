"""Generated faces: initials on a colour of the member's own, readable in both themes, and
for anonymous posts a face that tells nothing about the author."""

from __future__ import annotations

import inspect
import re

import pytest
from django.template.loader import render_to_string
from django.test import Client

from hearth.accounts.generated_avatars import (
    INITIALS_COLOUR,
    PALETTE,
    initials,
    member_avatar,
    palette_colour,
    pseudonym_avatar,
)
from hearth.core.testing import MakeMember

WCAG_AA_TEXT = 4.5


def _relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of an sRGB colour written #rrggbb."""

    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(colour[index : index + 2], 16) for index in (1, 3, 5))
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def _contrast(first: str, second: str) -> float:
    lighter, darker = sorted((_relative_luminance(first), _relative_luminance(second)))[::-1]
    return (lighter + 0.05) / (darker + 0.05)


def _fill_of_disc(svg: str) -> str:
    found = re.search(r'<circle cx="24" cy="24" r="24" fill="(#[0-9a-f]{6})"/>', svg)
    assert found, svg
    return found[1]


@pytest.mark.database_neutral
def test_the_formula_matches_known_wcag_contrasts() -> None:
    assert _contrast("#ffffff", "#000000") == pytest.approx(21)
    assert _contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.database_neutral
@pytest.mark.parametrize("colour", PALETTE)
def test_every_palette_colour_holds_its_initials_at_wcag_aa(colour: str) -> None:
    assert _contrast(colour, INITIALS_COLOUR) >= WCAG_AA_TEXT


@pytest.mark.database_neutral
def test_the_face_draws_its_own_colours_so_both_themes_read_the_same() -> None:
    # No currentColor, no theme variable: the disc and the initials keep their colours
    # (and so their contrast) whatever the page around them.
    svg = str(member_avatar(3, "Fern Gully", 40))

    assert "currentColor" not in svg
    assert "var(" not in svg
    assert f'fill="{INITIALS_COLOUR}"' in svg
    assert _fill_of_disc(svg) in PALETTE


@pytest.mark.database_neutral
def test_a_face_is_the_same_every_time_and_its_colour_follows_the_id_not_the_name() -> None:
    assert member_avatar(41, "Fern", 40) == member_avatar(41, "Fern", 40)
    assert _fill_of_disc(member_avatar(41, "Fern", 40)) == _fill_of_disc(
        member_avatar(41, "Renamed Completely", 40)
    )
    colours_of_namesakes = {_fill_of_disc(member_avatar(pk, "Sam", 40)) for pk in range(1, 40)}
    assert len(colours_of_namesakes) > 1


@pytest.mark.database_neutral
def test_the_colours_are_spread_over_the_palette() -> None:
    used = {palette_colour(f"member:{pk}") for pk in range(1, 400)}

    assert used == set(PALETTE)


@pytest.mark.database_neutral
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Fern", "F"),
        ("fern gully", "FG"),
        ("José María Ruiz", "JR"),
        ("  🌻 Sunny Day 🌻", "SD"),
        ("Anonymous Wren 2", "AW"),
        ("42", "4"),
        ("王小明", "王"),
        ("김민지 Kim", "김"),
        ("Иван Петров", "ИП"),
        ("נועה כהן", "נכ"),
        ("محمد علي", "م\u200cع"),  # kept from joining into one word
        ("प्रिया शर्मा", "पश"),  # no dangling virama
        ("Ólafur Arnalds", "ÓA"),
        ("🌻🌻", ""),
        ("", ""),
    ],
)
def test_initials(name: str, expected: str) -> None:
    assert initials(name) == expected


@pytest.mark.database_neutral
def test_a_name_without_letters_gets_a_figure_on_its_colour() -> None:
    svg = str(member_avatar(5, "🌻🌻", 40))

    assert "<text" not in svg
    assert "🌻" not in svg
    assert _fill_of_disc(svg) in PALETTE


@pytest.mark.database_neutral
def test_initials_are_escaped() -> None:
    assert "<b" not in str(member_avatar(5, "<b>old", 40))


@pytest.mark.database_neutral
def test_an_anonymous_face_is_made_from_public_facts_only() -> None:
    # The function cannot see an author: only the thread and the pseudonym.
    assert list(inspect.signature(pseudonym_avatar).parameters) == [
        "thread_id",
        "pseudonym",
        "size",
    ]
    face = str(pseudonym_avatar(12, "Anonymous Wren", 40))

    assert face == str(pseudonym_avatar(12, "Anonymous Wren", 40))
    assert ">AW</text>" in face
    assert "avatar--anonymous" in face


def test_the_avatar_template_shows_a_photo_a_generated_face_or_a_plain_figure(
    make_member: MakeMember,
) -> None:
    member = make_member(display_name="Fern Gully")

    generated = render_to_string("accounts/avatar.html", {"member": member, "size": 64})
    gone = render_to_string("accounts/avatar.html", {"member": None, "size": 64})
    member.avatar.name = "avatars/fern.png"
    photo = render_to_string("accounts/avatar.html", {"member": member, "size": 64})

    assert str(member_avatar(member.pk, "Fern Gully", 64)) in generated
    assert "avatar--gone" in gone
    assert "<text" not in gone
    assert photo.startswith('<img class="avatar" src="')
    assert "avatars/fern.png" in photo


def test_a_profile_without_a_photo_shows_the_generated_face(
    make_member: MakeMember, member_client: Client
) -> None:
    fern = make_member(username="fern", display_name="Fern Gully")

    page = member_client.get("/members/fern/").content.decode()

    assert str(member_avatar(fern.pk, "Fern Gully", 96)) in page
