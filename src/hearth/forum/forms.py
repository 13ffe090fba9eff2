"""Forms for writing in the forum. Every composer keeps its text on any error."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hearth.core.text import MAX_SOURCE_BYTES
from hearth.forum.models import EDIT_REASON_MAX_LENGTH, TITLE_MAX_LENGTH, HopingFor, ReactionKind
from hearth.forum.services import ContentNote, too_long_message
from hearth.safety.models import ContentNoteLabel
from hearth.safety.seeded_text import in_readers_language

BODY_HELP = _(
    "Markdown works: **bold**, *italic*, > quotes, lists and links. "
    "Emoticons like :) become emoji; @name mentions a member."
)


def new_request_key() -> str:
    return uuid.uuid4().hex


class BodyField(forms.CharField):
    """A post body: required, at most MAX_SOURCE_BYTES of UTF-8, kept exactly as typed."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("label", _("Your message"))
        kwargs.setdefault("help_text", BODY_HELP)
        super().__init__(
            strip=False,
            widget=forms.Textarea(attrs={"rows": 10, "class": "composer__body"}),
            error_messages={"required": _("Please write something before posting.")},
            **kwargs,  # type: ignore[arg-type]
        )

    def validate(self, value: str) -> None:
        super().validate(value)
        if not value.strip():
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(value.encode()) > MAX_SOURCE_BYTES:
            raise forms.ValidationError(too_long_message(), code="too_long")


class RequestKeyField(forms.CharField):
    def __init__(self) -> None:
        super().__init__(widget=forms.HiddenInput, max_length=64, required=False)


def anonymity_refused_message() -> str:
    return str(
        _(
            "This category doesn't take anonymous posts now, so nothing was posted under your "
            "name. Your text is still here: untick “Post anonymously” to post it as yourself."
        )
    )


class ContentNoteFields(forms.Form):
    """The composer's content note and (where the category allows it) anonymity."""

    # Composers that publish (reply, new thread) take the anonymous choice;
    # editing keeps the post's own.
    takes_anonymous = True

    content_notes = forms.TypedMultipleChoiceField(
        label=_("Content note (optional)"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "If your post touches on one of these, tick it: readers can then choose "
            "when to read it."
        ),
    )
    content_note_text = forms.CharField(
        label=_("Other content note (optional)"),
        max_length=120,
        required=False,
        help_text=_('A few words, e.g. "hospital stay".'),
    )
    anonymous = forms.BooleanField(
        label=_("Post anonymously in this thread"),
        required=False,
        help_text=_(
            'Members will see a pseudonym such as "Anonymous Wren" instead of your name, the same '
            "one for all your anonymous posts in this thread. Moderators can find out who wrote it "
            "if they need to keep the community safe; each time they do, it is recorded."
        ),
    )

    def __init__(
        self,
        *args: Any,
        allow_anonymous: bool = False,
        offered_labels: Sequence[tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.offers_anonymous = allow_anonymous and self.takes_anonymous
        # Intent to be anonymous is never dropped: a ticked box sent where the
        # category no longer takes anonymous posts (unticked by an administrator,
        # or the thread moved since the form was loaded) is refused out loud.
        sent_anonymous = self.is_bound and bool(self.data.get("anonymous"))
        if not self.offers_anonymous and not (self.takes_anonymous and sent_anonymous):
            del self.fields["anonymous"]
        if offered_labels is None:  # pages that load labels anyway pass them in
            offered_labels = [
                (label_id, in_readers_language(name))
                for label_id, name in ContentNoteLabel.objects.filter(is_active=True).values_list(
                    "pk", "name"
                )
            ]
        self.fields["content_notes"].choices = offered_labels  # type: ignore[attr-defined]
        # Names what the unfilled note fields look like, for caching their HTML.
        self.label_key = f"{'anonymous' in self.fields}:{hash(tuple(offered_labels))}"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("anonymous") and not self.offers_anonymous:
            self.add_error("anonymous", anonymity_refused_message())
        return cleaned

    def content_note(self) -> ContentNote:
        chosen = self.cleaned_data.get("content_notes") or []
        labels = tuple(ContentNoteLabel.objects.filter(pk__in=chosen)) if chosen else ()
        return ContentNote(labels=labels, text=self.cleaned_data.get("content_note_text", ""))

    def is_anonymous(self) -> bool:
        return bool(self.cleaned_data.get("anonymous"))


class HopingForField(forms.MultipleChoiceField):
    """What a thread's author hopes for from replies: any of four, or none (a fieldset of
    checkboxes, which works without JavaScript)."""

    def __init__(self) -> None:
        super().__init__(
            label=_("What I'm hoping for (optional)"),
            choices=HopingFor.choices,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text=_("Tick any that fit: people replying see it above where they write."),
        )


class HopingForForm(forms.Form):
    """The wishes alone: carried through a preview made without JavaScript."""

    hoping_for = HopingForField()


GOES_LIVE_CHOICES = [
    (0, _("At once")),
    (1, _("In 1 minute")),
    (5, _("In 5 minutes")),
    (10, _("In 10 minutes")),
]


class PublishingFields(ContentNoteFields):
    """A composer that publishes: its content note and anonymity, and when it goes live
    ("Time to reconsider": the member's own setting unless they choose otherwise here)."""

    goes_live_in = forms.TypedChoiceField(
        label=_("Goes live"),
        coerce=int,
        choices=GOES_LIVE_CHOICES,
        required=False,
        empty_value=None,
        help_text=_("Until then only you can see it, and you can still edit or take it back."),
    )

    def __init__(self, *args: Any, delay_minutes: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goes_live_in"].initial = delay_minutes
        self.label_key = f"{self.label_key}:{delay_minutes}"

    def delay_minutes(self, default: int) -> int:
        """The minutes chosen here, or ``default`` (the member's setting) when none was."""
        chosen = self.cleaned_data.get("goes_live_in")
        return default if chosen is None else int(chosen)


class ReplyForm(PublishingFields):
    body = BodyField()
    request_key = RequestKeyField()
    field_order = [
        "body", "content_notes", "content_note_text", "anonymous", "goes_live_in", "request_key"
    ]  # fmt: skip


class NewThreadForm(PublishingFields):
    field_order = [
        "title", "body", "content_notes", "content_note_text", "anonymous", "goes_live_in",
        "hoping_for",
    ]  # fmt: skip
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX_LENGTH,
        error_messages={
            "required": _("Please give your thread a title."),
            "max_length": _("Please keep the title under %(limit_value)d characters."),
        },
    )
    body = BodyField()
    request_key = RequestKeyField()
    hoping_for = HopingForField()


class EditPendingPostForm(ContentNoteFields):
    """Editing a post that has not gone live: its text (and title), and its content note."""

    takes_anonymous = False
    field_order = ["title", "body", "content_notes", "content_note_text"]
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH)
    body = BodyField()

    def __init__(self, *args: Any, starts_thread: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not starts_thread:
            del self.fields["title"]


class EditPostForm(ContentNoteFields):
    takes_anonymous = False
    field_order = ["title", "body", "content_notes", "content_note_text", "hoping_for", "reason"]
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX_LENGTH,
        # Left out of a form (one sent before titles could change), it stays as it is;
        # sent empty, it is refused (clean_title).
        required=False,
        error_messages={
            "max_length": _("Please keep the title under %(limit_value)d characters."),
        },
        help_text=_("The thread's title: changing it is kept in the post's history."),
    )
    body = BodyField()
    hoping_for = HopingForField()
    reason = forms.CharField(
        label=_("Reason for editing (optional)"),
        max_length=EDIT_REASON_MAX_LENGTH,
        required=False,
        help_text=_("Shown in the post's history."),
    )
    base_revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(
        self,
        *args: Any,
        offers_hoping_for: bool = False,
        offers_title: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # Only the thread's author, editing its original post, says what they hope for
        # and may change its title.
        if not offers_hoping_for:
            del self.fields["hoping_for"]
        if not offers_title:
            del self.fields["title"]

    def clean_title(self) -> str:
        title = str(self.cleaned_data.get("title") or "")
        if "title" in self.data and not title.strip():
            raise forms.ValidationError(_("Please give your thread a title."), code="required")
        return title

    def chosen_title(self) -> str | None:
        """The thread's title to save, or None to keep it as it is."""
        if "title" not in self.fields or "title" not in self.data:
            return None
        return str(self.cleaned_data["title"])

    def chosen_hoping_for(self) -> list[str] | None:
        """The wishes to save, or None to keep the thread's as they are."""
        if "hoping_for" not in self.fields:
            return None
        return list(self.cleaned_data.get("hoping_for") or [])


class PreviewForm(forms.Form):
    body = BodyField()


class QuoteSelectionForm(forms.Form):
    """The words a member selected in a post to quote (sent by forum.js)."""

    selection = forms.CharField(strip=False, max_length=MAX_SOURCE_BYTES)


class DraftForm(forms.Form):
    body = forms.CharField(strip=False, required=False)
    title = forms.CharField(required=False, max_length=TITLE_MAX_LENGTH * 2)
    # An edit's draft: the revision the edit started from.
    base_revision = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)


class ReactionForm(forms.Form):
    kind = forms.ChoiceField(choices=ReactionKind.choices)


class MentionLookupForm(forms.Form):
    """What the composer typed after "@": the start of a username or display name.

    Longer than any username, or with a NUL character, is not a name (400).
    """

    q = forms.CharField(required=False, max_length=150)

    def clean_q(self) -> str:
        return str(self.cleaned_data["q"]).removeprefix("@")


class ReplyOrderForm(forms.Form):
    newest_first = forms.TypedChoiceField(
        choices=[("0", "oldest"), ("1", "newest")], coerce=lambda value: value == "1"
    )
