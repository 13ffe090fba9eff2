"""A small example toolkit for the demo member "willow", clearly marked as example content.

Made through the normal services, then flagged ``is_example`` so the member
can remove the examples in one step (or with "delete everything").
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from hearth.accounts.models import User
from hearth.between_sessions import services
from hearth.between_sessions.models import TOOLKIT_MODELS, SessionNote
from hearth.between_sessions.selectors import toolkit_row_count
from hearth.between_sessions.vocabulary import FeelingRating, Trigger

DEMO_MEMBER = "willow"
EXAMPLE = "(Example) "


def _example(text: str) -> str:
    """Mark every line as example content, so nobody mistakes it for their own words."""
    return "\n".join(EXAMPLE + line for line in text.splitlines())


@transaction.atomic
def create_demo_toolkit() -> list[str]:
    """Create willow's example toolkit unless willow already has toolkit content."""
    owner = User.objects.filter(username=DEMO_MEMBER).first()
    if owner is None:
        return []
    if toolkit_row_count(owner) == 0:
        _create_examples(owner)
    return [f"  toolkit:   {DEMO_MEMBER} has a small example toolkit under /notes/ (removable)"]


def _create_examples(owner: User) -> None:
    today = timezone.localdate()
    services.record_check_in(
        owner=owner,
        content=services.EntryContent(
            feelings=(FeelingRating("scared.on_edge", 6), FeelingRating("sad.missing", 4)),
            body_sensations=("tight_chest",),
            note=EXAMPLE + "Quiet evening. Restless after the session.",
        ),
    )
    services.write_journal_entry(
        owner=owner,
        content=services.EntryContent(
            feelings=(FeelingRating("hurt.abandoned", 7),),
            trigger=Trigger.SESSION_ENDED,
            trigger_detail=EXAMPLE + "We stopped right in the middle of something.",
            text=EXAMPLE
            + "It felt like the hour ended just as I was getting to the real thing. I walked "
            "home fast and felt silly for minding so much.",
            what_helped=EXAMPLE + "A slow walk and the breathing card.",
            helpful_cards=("builtin:breathing",),
            bring_to_session=True,
        ),
    )
    services.record_check_in(
        owner=owner,
        content=services.EntryContent(
            feelings=(FeelingRating("calm.settled", 5),),
            note=EXAMPLE + "Better after a walk by the river.",
        ),
    )
    services.add_session_note(
        owner=owner,
        section=SessionNote.Section.TALK_ABOUT,
        text=EXAMPLE + "Why endings of sessions hit me so hard.",
    )
    services.add_session_note(
        owner=owner,
        section=SessionNote.Section.QUESTIONS,
        text=EXAMPLE + "Can we plan together for the summer break?",
    )
    services.set_next_session_date(owner=owner, session_on=today + datetime.timedelta(days=12))
    card = services.create_member_card(
        owner=owner,
        kind="coping",
        front=EXAMPLE + '"They\'ve forgotten about me."',
        back_words=EXAMPLE + "A break is not the end. They said when they'd be back.",
        back_action=EXAMPLE + "Read my notes for next session and add one line.",
    )
    services.create_member_card(
        owner=owner,
        kind="words",
        front=EXAMPLE + '"You don\'t have to earn rest."',
        back_words=EXAMPLE + "Something my therapist said last spring.",
        back_action="",
    )
    services.save_coping_plan(
        owner=owner,
        steps={
            "warning_signs": _example("Not answering messages\nSleeping badly"),
            "on_my_own": _example("Slow breathing\nA hot shower\nA walk by the river"),
            "distractions": _example("The library\nA film with a friend"),
            "people_to_ask": EXAMPLE + "My sister - text first, then call",
            "therapist_arrangement": EXAMPLE + "Leave a message; replies within two days",
            "other_services": EXAMPLE + "My doctor's surgery",
            "safer_surroundings": EXAMPLE + "Go somewhere with other people around",
            "what_matters": _example("My sister\nThe garden in spring"),
        },
        last_reviewed_on=today - datetime.timedelta(days=40),
    )
    services.pin_card_to_plan(owner=owner, ref="builtin:grounding", pinned=True)
    services.pin_card_to_plan(owner=owner, ref=card.ref, pinned=True)
    services.add_therapist_break(
        owner=owner,
        details=services.BreakDetails(
            kind="holiday",
            label=EXAMPLE + "Winter break",
            starts_on=today - datetime.timedelta(days=2),
            back_on=today + datetime.timedelta(days=12),
            what_ill_do=_example("Keep Tuesday evenings for a walk\nWrite in my notes"),
            who_ill_reach=_example("My sister\nThe forum's weekend thread"),
            helpful_cards=("builtin:while-away", card.ref),
        ),
    )
    for model in TOOLKIT_MODELS:
        model._default_manager.filter(owner=owner).update(is_example=True)
