"""Forms for signing up and for a member's own profile."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.account.internal import flows
from allauth.account.internal.userkit import filter_users_by_username
from django import forms
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from hearth.accounts.adapter import USERNAME_TAKEN_FLAG
from hearth.accounts.avatars import process_avatar
from hearth.accounts.models import (
    BIO_MAX_LENGTH,
    DISPLAY_NAME_MAX_LENGTH,
    POST_DELAY_CHOICES,
    User,
    language_choices,
    time_zone_choices,
)
from hearth.accounts.muted_words import MOST_MUTED_WORDS, MUTED_WORD_MAX_LENGTH
from hearth.accounts.names import clean_display_name
from hearth.core.text.search_terms import fold
from hearth.welcome.forms import GuidelinesAtSignup

DISPLAY_NAME_HELP = _(
    "This is how other members will see you. Please use a pseudonym, not your real name."
)


class LoginForm(AllauthLoginForm):  # type: ignore[misc]  # allauth ships no type information
    """allauth's sign-in form, saying plainly that either a username or an email works."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("Username or email")


class SignupForm(GuidelinesAtSignup, AllauthSignupForm):  # type: ignore[misc]  # allauth ships no type information
    """allauth's sign-up form with a display name that encourages a pseudonym, and the
    community guidelines to read and accept (``hearth.welcome``)."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=DISPLAY_NAME_MAX_LENGTH,
        help_text=DISPLAY_NAME_HELP,
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    field_order = ["username", "display_name", "email", "password1", "password2"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].help_text = _(
            "Used to sign in and for @mentions. It is visible to members; avoid your real name."
        )
        self.username_taken = False

    def clean_username(self) -> str:
        """Check the username's form, not whether someone has it: saying "taken" to
        anyone who asks would tell them who is a member. A taken username is answered
        like a known address: by mail, to the address's owner (see ``try_save``)."""
        value: str = get_adapter().clean_username(self.cleaned_data["username"], shallow=True)
        self.username_taken = filter_users_by_username(value).exists()
        return value

    def try_save(self, request: HttpRequest) -> tuple[User | None, HttpResponse | None]:
        """Create the account -- or, for an address that has one or a username that is
        taken, send its owner a mail instead. Both answer the same page after the same
        work: the password is hashed either way, so the time taken tells nothing."""
        if not (self.account_already_exists or self.username_taken):
            return super().try_save(request)  # type: ignore[no-any-return]
        make_password(self.cleaned_data.get("password1"))
        if not self.account_already_exists:
            setattr(request, USERNAME_TAKEN_FLAG, self.cleaned_data["username"])
        response = flows.signup.prevent_enumeration(request, email=self.cleaned_data.get("email"))
        return None, response

    def clean_display_name(self) -> str:
        return clean_display_name(self.cleaned_data["display_name"])


class LanguageSelect(forms.Select):
    """Each option names its language in that language: marked so, for screen readers."""

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option: dict[str, Any] = super().create_option(*args, **kwargs)
        option["attrs"]["lang"] = option["value"]
        return option


class ProfileForm(forms.Form):
    """What a member can change about how others see them, and their own settings."""

    display_name = forms.CharField(
        label=_("Display name"), max_length=DISPLAY_NAME_MAX_LENGTH, help_text=DISPLAY_NAME_HELP
    )
    bio = forms.CharField(
        label=_("About me"),
        max_length=BIO_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional. A few words about yourself, visible to signed-in members."),
    )
    # A plain file field: process_avatar does the image checks and gives the messages.
    avatar = forms.FileField(
        label=_("Avatar"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}),
        help_text=_("Optional. JPEG, PNG, GIF or WebP; location and camera data are removed."),
    )
    remove_avatar = forms.BooleanField(label=_("Remove my avatar"), required=False)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)
    country = forms.ChoiceField(
        label=_("Country"),
        choices=lambda: list(countries),
        help_text=_("We use it only to show you crisis lines for where you live."),
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=language_choices, widget=LanguageSelect
    )
    post_delay_minutes = forms.TypedChoiceField(
        label=_("Time to reconsider"),
        coerce=int,
        choices=POST_DELAY_CHOICES,
        required=False,  # left out: kept as it is
        empty_value=None,
        help_text=_(
            "Your new posts can wait a few minutes before others can read them. Until then only "
            "you see them, and you can publish at once, edit, or take one back as a draft. You "
            "can choose otherwise for one post when you write it."
        ),
    )

    receives_check_ins = forms.BooleanField(
        label=_("Show me check-in requests in the moderation queue"),
        required=False,
        help_text=_("Check-ins can be heavy. You can leave them to other moderators."),
    )

    def __init__(self, *args: Any, is_moderator: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.is_moderator = is_moderator
        if not is_moderator:
            del self.fields["receives_check_ins"]

    def clean_display_name(self) -> str:
        return clean_display_name(
            self.cleaned_data["display_name"], speaks_for_the_site=self.is_moderator
        )

    def clean_avatar(self) -> ContentFile[bytes] | None:
        upload = self.cleaned_data.get("avatar")
        return process_avatar(upload) if upload else None


class MutedWordsForm(forms.Form):
    """A member's muted words: one word or phrase a line."""

    words = forms.CharField(
        label=_("Muted words and phrases"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Formatted here, in the request's language (a lazy string would be formatted once).
        self.fields["words"].help_text = gettext(
            "One a line, up to %(most)s. Posts and thread titles containing one are folded "
            "away for you, with a way to show them; capitals and accents don't matter, and "
            "only whole words match (“art” doesn't fold “party”). Only you can see this list."
        ) % {"most": MOST_MUTED_WORDS}

    def clean_words(self) -> list[str]:
        """The lines as a list: blank lines dropped, spaces tidied, repeats (capitals and
        accents aside) kept once."""
        words: dict[str, str] = {}
        for line in self.cleaned_data["words"].splitlines():
            word = " ".join(line.split())
            if not word:
                continue
            if len(word) > MUTED_WORD_MAX_LENGTH:
                raise forms.ValidationError(
                    gettext(
                        "“%(start)s…” is too long: a word or phrase may have at most "
                        "%(most)s characters."
                    )
                    % {"start": word[:20], "most": MUTED_WORD_MAX_LENGTH},
                    code="too_long",
                )
            folded = fold(word)
            if not folded:
                raise forms.ValidationError(
                    gettext("“%(word)s” has no letters or numbers to look for.") % {"word": word},
                    code="nothing_to_match",
                )
            words.setdefault(folded, word)
        if len(words) > MOST_MUTED_WORDS:
            raise forms.ValidationError(
                gettext("You can mute up to %(most)s words or phrases; this list has %(count)s.")
                % {"most": MOST_MUTED_WORDS, "count": len(words)},
                code="too_many",
            )
        return list(words.values())
