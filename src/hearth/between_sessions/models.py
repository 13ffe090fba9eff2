"""The private toolkit: journal, notes for the next session, coping plan, cards, breaks.

Every row belongs to exactly one member (``owner``) and is reached only
through the owner-scoped selectors in ``selectors.py``. Free text (and the
feelings themselves) is encrypted at rest by the fields in ``fields.py``.
Reverse relations from the member are hidden (``related_name="+"``) so no
other app can walk from a member into their toolkit; deleting the member
still deletes every row (CASCADE).

Verbose names and ``__str__`` are deliberately neutral: the Django admin's
"delete member" page lists related rows, and it must show no text from them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise

from hearth.core.encrypted_fields import EncryptedJSONField, EncryptedTextField

NEUTRAL_NAME = _("private toolkit item")
NEUTRAL_NAME_PLURAL = _("private toolkit items")


class PrivateItem(models.Model):
    # Read by the accounts admin: deleting a member never lists these, not even as a count.
    is_private_to_owner = True

    """Fields every toolkit row has."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    # Demo content: shown as "example", removable in one step, cleared when the member edits it.
    is_example = models.BooleanField(default=False)

    class Meta:
        abstract = True
        verbose_name = NEUTRAL_NAME
        verbose_name_plural = NEUTRAL_NAME_PLURAL

    def __str__(self) -> str:
        return str(NEUTRAL_NAME)


class JournalEntry(PrivateItem):
    """A quick check-in (feelings, body, a line) or a fuller journal entry."""

    class Kind(models.TextChoices):
        CHECK_IN = "check_in", _("Check-in")
        ENTRY = "entry", _("Entry")

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.CHECK_IN)
    # [{"feeling": "sad.lonely", "intensity": 6}, ...], one to three of them.
    feelings = EncryptedJSONField(default=list)
    body_sensations = EncryptedJSONField(default=list)
    note = EncryptedTextField(blank=True)
    trigger = EncryptedTextField(blank=True)  # a vocabulary.Trigger value, or ""
    trigger_detail = EncryptedTextField(blank=True)
    text = EncryptedTextField(blank=True)
    what_helped = EncryptedTextField(blank=True)
    helpful_cards = EncryptedJSONField(default=list)  # card references, see cards.py
    bring_to_session = models.BooleanField(default=False)
    discussed_at = models.DateTimeField(null=True, blank=True)

    class Meta(PrivateItem.Meta):
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["owner", "created_at"], name="bs_entry_owner_created")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["check_in", "entry"]), name="bs_entry_kind_valid"
            ),
        ]


class SessionNote(PrivateItem):
    """One item in the notes for the next session."""

    class Section(models.TextChoices):
        TALK_ABOUT = "talk_about", _("What I want to talk about")
        NOT_SAID = "not_said", _("What I didn't say last time")
        ABOUT_THERAPY = "about_therapy", _("Feelings about my therapist or therapy")
        QUESTIONS = "questions", _("Questions")
        TRIED = "tried", _("What I tried and how it went")
        FROM_FORUM = "from_forum", _("From the forum")

    class ExcerptSource(models.TextChoices):
        NONE = "", _("Not an excerpt")
        OWN_POST = "own_post", _("A post of mine")
        RECEIVED_REPLY = "received_reply", _("A reply I received")

    section = models.CharField(max_length=16, choices=Section.choices)
    title = EncryptedTextField(blank=True)  # the thread title, for forum excerpts only
    text = EncryptedTextField()
    excerpt_source = models.CharField(
        max_length=16, choices=ExcerptSource.choices, blank=True, default=""
    )
    discussed_at = models.DateTimeField(null=True, blank=True)

    class Meta(PrivateItem.Meta):
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["owner", "discussed_at"], name="bs_note_owner_discussed")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    section__in=[
                        "talk_about", "not_said", "about_therapy", "questions", "tried",
                        "from_forum",
                    ]
                ),
                name="bs_note_section_valid",
            ),
        ]  # fmt: skip


class NextSession(PrivateItem):
    """The date of the member's next session, if they want to note it."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", editable=False
    )
    session_on = models.DateField(null=True, blank=True)

    class Meta(PrivateItem.Meta):
        pass


class CopingPlan(PrivateItem):
    """The member's coping plan, each step a short list in their own words (one item a line)."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", editable=False
    )
    warning_signs = EncryptedTextField(blank=True)
    on_my_own = EncryptedTextField(blank=True)
    distractions = EncryptedTextField(blank=True)
    people_to_ask = EncryptedTextField(blank=True)
    therapist_arrangement = EncryptedTextField(blank=True)
    other_services = EncryptedTextField(blank=True)
    safer_surroundings = EncryptedTextField(blank=True)
    what_matters = EncryptedTextField(blank=True)
    pinned_cards = EncryptedJSONField(default=list)  # card references, see cards.py
    last_reviewed_on = models.DateField(null=True, blank=True)

    class Meta(PrivateItem.Meta):
        pass


@dataclass(frozen=True)
class PlanStep:
    key: str
    fields: tuple[str, ...]
    title: StrPromise
    help_text: StrPromise


# The order is the point of the plan: start at the top, move down as needed.
COPING_PLAN_STEPS: tuple[PlanStep, ...] = (
    PlanStep(
        "warning_signs",
        ("warning_signs",),
        _("My warning signs"),
        _("Thoughts, feelings, images or things I do that tell me a hard time may be coming."),
    ),
    PlanStep(
        "on_my_own",
        ("on_my_own",),
        _("Things I can do on my own"),
        _("Things that help me get through, without needing anyone else."),
    ),
    PlanStep(
        "distractions",
        ("distractions",),
        _("People and places that take my mind off things"),
        _("Somewhere I can go, or someone I can be with, without having to talk about how I feel."),
    ),
    PlanStep(
        "people_to_ask",
        ("people_to_ask",),
        _("People I can ask for help"),
        _("Who they are and how to reach them."),
    ),
    PlanStep(
        "professionals",
        ("therapist_arrangement", "other_services"),
        _("Professionals and services"),
        _(
            "What I have agreed with my therapist for between sessions, and other services I can "
            "contact."
        ),
    ),
    PlanStep(
        "safer_surroundings",
        ("safer_surroundings",),
        _("Making my surroundings safer"),
        _(
            "What could I do to make where I am safer while the worst of the feelings pass? "
            "This can be good to think through with your therapist or someone you trust."
        ),
    ),
)
WHAT_MATTERS_TITLE = _("What matters to me")
WHAT_MATTERS_HELP = _("People, things, hopes and reasons that keep me going.")


class MemberCard(PrivateItem):
    """A card the member made: a situation and what helps, or words to remember."""

    class Kind(models.TextChoices):
        COPING = "coping", _("Coping card")
        WORDS = "words", _("Words to remember")

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.COPING)
    front = EncryptedTextField()  # the situation or hot thought; or the words to remember
    back_words = EncryptedTextField(blank=True)  # what I'll tell myself; or where they came from
    back_action = EncryptedTextField(blank=True)  # one thing I'll do

    class Meta(PrivateItem.Meta):
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["coping", "words"]), name="bs_card_kind_valid"
            ),
        ]

    @property
    def ref(self) -> str:
        return f"card:{self.pk}"


class TherapistBreak(PrivateItem):
    """A known break in therapy, and the member's plan for it."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("My therapist's holiday or time off")
        BETWEEN_THERAPISTS = "between_therapists", _("A gap between therapists")
        OTHER = "other", _("Another break")

    kind = models.CharField(max_length=24, choices=Kind.choices, default=Kind.HOLIDAY)
    starts_on = models.DateField()
    back_on = models.DateField(null=True, blank=True)  # the first day therapy resumes
    label = EncryptedTextField(blank=True)
    what_ill_do = EncryptedTextField(blank=True)
    who_ill_reach = EncryptedTextField(blank=True)
    helpful_cards = EncryptedJSONField(default=list)

    class Meta(PrivateItem.Meta):
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(back_on__isnull=True)
                | models.Q(back_on__gt=models.F("starts_on")),
                name="bs_break_back_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["holiday", "between_therapists", "other"]),
                name="bs_break_kind_valid",
            ),
        ]


TOOLKIT_MODELS: tuple[type[PrivateItem], ...] = (
    JournalEntry,
    SessionNote,
    NextSession,
    CopingPlan,
    MemberCard,
    TherapistBreak,
)


class PeerCheckIn(models.Model):
    """A member's request that another member check in with them during a therapist break.

    Not a toolkit item: a relationship between two members that both of their pages
    read (``peer_check_ins``). It holds who asked whom, the answer and, in
    ``PeerCheckInDay``, the days -- never anything written in the toolkit. The link
    to the break is only for the asker's own pages (and ends the request when the
    break is deleted); nothing shown to the helper follows it.
    """

    # Never listed to an administrator (see accounts.admin), like the toolkit itself.
    is_private_trace = True

    class State(models.TextChoices):
        ASKED = "asked", _("Asked")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")  # the asker ended it
        STOPPED = "stopped", _("Stopped")  # the helper stepped back, or a block ended it

    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", editable=False
    )
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", editable=False
    )
    therapist_break = models.ForeignKey(
        TherapistBreak, on_delete=models.CASCADE, related_name="+", editable=False
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.ASKED)
    asked_at = models.DateTimeField(default=timezone.now, editable=False)
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = NEUTRAL_NAME
        verbose_name_plural = NEUTRAL_NAME_PLURAL
        ordering = ["asked_at", "pk"]
        indexes = [models.Index(fields=["helper", "state"], name="bs_peer_helper_state")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    state__in=["asked", "accepted", "declined", "withdrawn", "stopped"]
                ),
                name="bs_peer_state_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(asker=models.F("helper")), name="bs_peer_not_oneself"
            ),
            # A member is asked at most once for one break, whatever they answered.
            models.UniqueConstraint(
                fields=["therapist_break", "helper"], name="bs_peer_once_per_break"
            ),
        ]

    def __str__(self) -> str:
        return str(NEUTRAL_NAME)

    @property
    def is_open(self) -> bool:
        """Asked and not answered, or accepted: it has not ended."""
        return self.state in {self.State.ASKED, self.State.ACCEPTED}


class PeerCheckInDay(models.Model):
    """A day the asker chose for a check-in; the helper is told once, on that day."""

    is_private_trace = True

    check_in = models.ForeignKey(PeerCheckIn, on_delete=models.CASCADE, related_name="days")
    day = models.DateField()
    # Set once, when the helper was told (or the day was let go: see peer_check_ins).
    sent_at = models.DateTimeField(null=True, blank=True)
    skipped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = NEUTRAL_NAME
        verbose_name_plural = NEUTRAL_NAME_PLURAL
        ordering = ["day"]
        indexes = [
            models.Index(
                fields=["day"],
                condition=models.Q(sent_at__isnull=True, skipped_at__isnull=True),
                name="bs_peer_day_waiting",
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["check_in", "day"], name="bs_peer_day_once"),
        ]

    def __str__(self) -> str:
        return str(NEUTRAL_NAME)

    @property
    def is_waiting(self) -> bool:
        return self.sent_at is None and self.skipped_at is None
