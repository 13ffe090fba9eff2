"""The toolkit's built-in cards, written for Hearth in our own words.

Each card credits where its idea comes from. None of them copies a
worksheet or handout: the skills are widely taught and the wording is ours.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise


@dataclass(frozen=True)
class BuiltInCard:
    slug: str
    title: StrPromise
    summary: StrPromise
    steps: tuple[StrPromise, ...]
    credit: StrPromise
    caution: StrPromise | None = None
    has_breathing_guide: bool = False

    @property
    def ref(self) -> str:
        return f"builtin:{self.slug}"


MEDICAL_CAUTION = _(
    "Please check with a doctor first before using cold water or hard exercise if you have a "
    "heart condition or a slow heart rate, low blood pressure, an eating disorder, are "
    "pregnant, or have any other health condition that could be affected. Cold water on the "
    "face slows the heart down."
)

BUILT_IN_CARDS: tuple[BuiltInCard, ...] = (
    BuiltInCard(
        slug="breathing",
        title=_("Slow breathing"),
        summary=_(
            "Breathing out for longer than you breathe in lets your body know it can settle a "
            "little."
        ),
        steps=(
            _("Sit or stand however is comfortable. You don't need to close your eyes."),
            _("Breathe in gently through your nose while the circle grows, for about four counts."),
            _(
                "Breathe out slowly, as if through a straw, while the circle shrinks, for about "
                "six counts."
            ),
            _(
                "Carry on for a few minutes. If you feel light-headed, breathe normally for a "
                "while. There is no wrong way to do this."
            ),
        ),
        credit=_(
            "Slow breathing with a longer out-breath is taught in many therapies, including the "
            "paced-breathing skill of Dialectical Behaviour Therapy (DBT, Marsha M. Linehan). "
            "Written in our own words."
        ),
        has_breathing_guide=True,
    ),
    BuiltInCard(
        slug="grounding",
        title=_("5-4-3-2-1 grounding"),
        summary=_("Bring your attention back to the room you are in, one sense at a time."),
        steps=(
            _("Look around and name five things you can see. Say them out loud if you can."),
            _(
                "Notice four things you can feel: your feet on the floor, the chair, your "
                "clothes, the air on your skin."
            ),
            _("Listen for three things you can hear, near or far."),
            _("Find two things you can smell, or think of two smells you like."),
            _("Notice one thing you can taste, or take a sip of something."),
            _("Then tell yourself where you are and what today's date is."),
        ),
        credit=_(
            "A grounding exercise widely used in trauma-informed therapy and mindfulness "
            "teaching; who first described it is not known. Written in our own words."
        ),
    ),
    BuiltInCard(
        slug="senses",
        title=_("Soothing with the senses"),
        summary=_("Be kind to yourself through your senses, the way you might comfort a friend."),
        steps=(
            _("Sight: look at something you find calming - a photo, the sky, a plant."),
            _("Sound: music that soothes you, rain, birdsong, or a familiar voice."),
            _(
                "Smell: a favourite soap or tea, fresh air, something that reminds you of a safe "
                "place."
            ),
            _("Taste: something warm to drink, or one small thing you enjoy, slowly."),
            _("Touch: a soft blanket, a warm shower, a pet, your hand resting on your chest."),
            _("Pick one or two of these. You don't have to do them all."),
        ),
        credit=_(
            "Adapted in our own words from the self-soothing skill of Dialectical Behaviour "
            "Therapy (DBT), developed by Marsha M. Linehan."
        ),
    ),
    BuiltInCard(
        slug="cooling-down",
        title=_("When feelings are very intense"),
        summary=_(
            "When a feeling is so strong you can't think, changing what your body is doing can "
            "bring it down enough to use your other skills."
        ),
        steps=(
            _(
                "Cool your face: hold something cold, or splash cool water, on your face for a "
                "short while. It can slow your heart down."
            ),
            _(
                "Move hard for a short time: a brisk walk, running on the spot, dancing fast - a "
                "few minutes to use up the rush."
            ),
            _("Slow your breathing: breathe out for longer than you breathe in."),
            _(
                "Tense and let go: tighten one group of muscles as you breathe in, then let it "
                "go as you breathe out, moving slowly through your body."
            ),
            _("Then choose the next small thing: another card, someone from your plan, or rest."),
        ),
        credit=_(
            "Based on the distress-tolerance skills of Dialectical Behaviour Therapy (DBT), "
            "developed by Marsha M. Linehan. Written in our own words; DBT itself is best "
            "learned with a therapist or a skills group."
        ),
        caution=MEDICAL_CAUTION,
    ),
    BuiltInCard(
        slug="finding-now",
        title=_("During an emotional flashback"),
        summary=_(
            "Sometimes old feelings flood in as if they belong to now. These steps can help you "
            "find the present again."
        ),
        steps=(
            _(
                'Name it: "This might be a flashback. These feelings are old, even if they feel '
                'new."'
            ),
            _(
                'Remind yourself: "I am an adult now. I am safe enough today, and I have more '
                'choices than I had then."'
            ),
            _(
                "Come back to your body: feel your feet, slow your breathing, look around the "
                "room. The 5-4-3-2-1 card can help."
            ),
            _(
                "Speak to yourself kindly, the way you would to a frightened child or a close "
                "friend."
            ),
            _(
                "If your inner critic gets loud, notice it, and don't take its word as the truth "
                "today."
            ),
            _("Give it time. Flashbacks pass. Rest, and be gentle with yourself afterwards."),
            _("Later, if you want to, note what set it off and bring it to your next session."),
        ),
        credit=_(
            "Inspired by Pete Walker's writing on emotional flashbacks (Complex PTSD: From "
            "Surviving to Thriving, 2013). These steps are our own summary, not his list."
        ),
    ),
    BuiltInCard(
        slug="while-away",
        title=_("When my therapist is away"),
        summary=_(
            "Breaks in therapy can stir up strong feelings. That is common, and it makes sense."
        ),
        steps=(
            _(
                "Whatever you feel about the break is welcome: missing them, anger, relief, or "
                "nothing much at all. All of it is worth bringing back to therapy."
            ),
            _(
                "The relationship carries on while you are apart, even when it doesn't feel that "
                "way. Your therapist is coming back."
            ),
            _(
                "Keep some routine: the time of your usual session could be a time to walk, rest "
                "or write."
            ),
            _(
                "Write what you would have said in your notes for next session, so it has "
                "somewhere to go."
            ),
            _(
                "Look at your plan for the break: what you'll do, who you'll reach out to, the "
                "cards that help."
            ),
            _(
                "If you agreed an arrangement for the break with your therapist, such as someone "
                "to contact, it is in your plan under professionals and services."
            ),
        ),
        credit=_(
            "Drawn from common experience in long-term therapy and from what psychodynamic and "
            "attachment-informed therapists have written about breaks and separations. Written "
            "by Hearth in our own words."
        ),
    ),
)

BUILT_IN_CARDS_BY_SLUG: dict[str, BuiltInCard] = {card.slug: card for card in BUILT_IN_CARDS}
