"""The feelings vocabulary, body sensations and between-session moments.

Written for Hearth in plain words. Two levels: a handful of core feelings,
each with more specific words, so a member can be as exact as they like in
a few seconds. Codes (``"sad.lonely"``) are what is stored; labels are what
is shown, translated.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise

MAX_FEELINGS_PER_ENTRY = 3
INTENSITY_MIN = 0
INTENSITY_MAX = 10


@dataclass(frozen=True)
class Feeling:
    code: str
    label: StrPromise


@dataclass(frozen=True)
class CoreFeeling:
    code: str
    label: StrPromise
    words: tuple[Feeling, ...]


def _core(code: str, label: StrPromise, *words: tuple[str, StrPromise]) -> CoreFeeling:
    return CoreFeeling(
        code=code,
        label=label,
        words=tuple(Feeling(code=f"{code}.{word}", label=text) for word, text in words),
    )


FEELINGS: tuple[CoreFeeling, ...] = (
    _core(
        "sad", _("Sad"),
        ("low", _("low")),
        ("lonely", _("lonely")),
        ("grieving", _("grieving")),
        ("disappointed", _("disappointed")),
        ("missing", _("missing someone")),
        ("hopeless", _("hopeless")),
        ("heavy", _("heavy-hearted")),
    ),
    _core(
        "scared", _("Scared or anxious"),
        ("worried", _("worried")),
        ("on_edge", _("on edge")),
        ("panicky", _("panicky")),
        ("overwhelmed", _("overwhelmed")),
        ("dreading", _("dreading something")),
        ("unsafe", _("unsafe")),
        ("insecure", _("unsure of myself")),
    ),
    _core(
        "angry", _("Angry"),
        ("irritated", _("irritated")),
        ("frustrated", _("frustrated")),
        ("resentful", _("resentful")),
        ("furious", _("furious")),
        ("jealous", _("jealous")),
        ("betrayed", _("betrayed")),
    ),
    _core(
        "hurt", _("Hurt"),
        ("rejected", _("rejected")),
        ("abandoned", _("left behind")),
        ("let_down", _("let down")),
        ("misunderstood", _("misunderstood")),
        ("left_out", _("left out")),
        ("unseen", _("unseen")),
    ),
    _core(
        "ashamed", _("Ashamed"),
        ("embarrassed", _("embarrassed")),
        ("guilty", _("guilty")),
        ("exposed", _("exposed")),
        ("not_enough", _("not good enough")),
        ("small", _("small")),
        ("regretful", _("regretful")),
    ),
    _core(
        "numb", _("Numb or far away"),
        ("empty", _("empty")),
        ("flat", _("flat")),
        ("disconnected", _("disconnected")),
        ("foggy", _("foggy")),
        ("exhausted", _("exhausted")),
        ("unreal", _("unreal")),
    ),
    _core(
        "confused", _("Mixed up"),
        ("torn", _("torn")),
        ("unsure", _("unsure")),
        ("stuck", _("stuck")),
        ("restless", _("restless")),
        ("both", _("two things at once")),
    ),
    _core(
        "calm", _("Calm"),
        ("settled", _("settled")),
        ("relieved", _("relieved")),
        ("safe", _("safe")),
        ("content", _("content")),
        ("steady", _("steady")),
    ),
    _core(
        "glad", _("Glad"),
        ("hopeful", _("hopeful")),
        ("grateful", _("grateful")),
        ("proud", _("proud")),
        ("close", _("close to someone")),
        ("playful", _("playful")),
        ("excited", _("excited")),
    ),
)  # fmt: skip

FEELING_LABELS: dict[str, StrPromise] = {
    **{core.code: core.label for core in FEELINGS},
    **{word.code: word.label for core in FEELINGS for word in core.words},
}
CORE_OF: dict[str, CoreFeeling] = {
    **{core.code: core for core in FEELINGS},
    **{word.code: core for core in FEELINGS for word in core.words},
}


def feeling_choices() -> list[tuple[str, object]]:
    """Choices for a ``<select>``: one ``<optgroup>`` per core feeling, the core word first."""
    choices: list[tuple[str, object]] = [("", _("Choose a feeling"))]
    for core in FEELINGS:
        group: list[tuple[str, object]] = [
            (core.code, _("%(feeling)s, in general") % {"feeling": core.label})
        ]
        group += [(word.code, word.label) for word in core.words]
        choices.append((str(core.label), group))
    return choices


def feeling_label(code: str) -> str:
    """Return the words to show for a stored feeling code ("Sad: lonely")."""
    core = CORE_OF.get(code)
    if core is None:
        return code
    if code == core.code:
        return str(core.label)
    return f"{core.label}: {FEELING_LABELS[code]}"


BODY_SENSATIONS: tuple[tuple[str, StrPromise], ...] = (
    ("tight_chest", _("tight chest")),
    ("racing_heart", _("racing heart")),
    ("stomach", _("knot in my stomach")),
    ("throat", _("lump in my throat")),
    ("tense", _("tense shoulders or jaw")),
    ("heavy", _("heavy body")),
    ("shaky", _("shaky")),
    ("hot", _("hot or flushed")),
    ("tearful", _("tearful")),
    ("restless", _("restless, can't sit still")),
    ("far_away", _("numb or far away")),
    ("loose", _("loose and easy")),
)
BODY_SENSATION_LABELS: dict[str, StrPromise] = dict(BODY_SENSATIONS)


class Trigger(models.TextChoices):
    """What set a feeling off: moments that come up between sessions."""

    SESSION_ENDED = "session_ended", _("A session just ended")
    THERAPIST_AWAY = "therapist_away", _("My therapist is away")
    WEEKEND = "weekend", _("The weekend, or a long gap between sessions")
    WAITING_FOR_REPLY = "waiting_for_reply", _("Waiting for a reply")
    ANNIVERSARY = "anniversary", _("An anniversary or a hard date")
    SOMETHING_ELSE = "something_else", _("Something else")


@dataclass(frozen=True)
class FeelingRating:
    """One feeling from the vocabulary and how strong it is (0-10), as the member rated it."""

    feeling: str
    intensity: int

    def as_json(self) -> dict[str, str | int]:
        return {"feeling": self.feeling, "intensity": self.intensity}
