"""The search form: the box's words, the filters, the order and the page, checked."""

from __future__ import annotations

import math
import re
from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hearth.accounts.models import User
from hearth.core.text.search_terms import QueryError, SearchTerms, parse_search_terms
from hearth.forum.models import Category, Thread
from hearth.search.backends import Cursor
from hearth.search.selectors import SearchQuery

RELEVANCE, NEWEST = "relevance", "newest"
# A page's end: "<score>_<post id>" in relevance order, "<post id>" by date.
_CURSOR = re.compile(r"(?:(?P<score>-?\d+(?:\.\d+)?(?:e-?\d+)?)_)?(?P<post_id>\d{1,18})")
NOBODY = (0,)  # author ids that match no one: an unknown name finds nothing, silently


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search for"), required=False, strip=True)
    category = forms.ChoiceField(label=_("Category"), required=False)
    author = forms.CharField(
        label=_("Written by"),
        required=False,
        max_length=150,
        help_text=_("A member's name. Anonymous posts are never found by their author."),
    )
    date_from = forms.DateField(
        label=pgettext_lazy("the first day searched", "From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        label=pgettext_lazy("the last day searched", "Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    mine = forms.BooleanField(label=_("Only my posts"), required=False)
    following = forms.BooleanField(label=_("Only threads I follow"), required=False)
    sort = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[(RELEVANCE, _("Best match first")), (NEWEST, _("Newest first"))],
    )
    # Ids the database can hold (like the id URL converter): a longer number is refused.
    thread = forms.IntegerField(
        required=False, min_value=1, max_value=10**18 - 1, widget=forms.HiddenInput
    )
    after = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, categories: list[Category], **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.categories = {category.slug: category for category in categories}
        category_field = self.fields["category"]
        assert isinstance(category_field, forms.ChoiceField)
        category_field.choices = [("", _("All categories"))] + [
            (category.slug, category.name) for category in categories
        ]

    def clean_q(self) -> SearchTerms:
        try:
            return parse_search_terms(self.cleaned_data["q"])
        except QueryError as error:
            raise forms.ValidationError(str(error), code="query") from error

    def clean_after(self) -> Cursor | None:
        value = self.cleaned_data["after"]
        if not value:
            return None
        match = _CURSOR.fullmatch(value)
        score = float(match["score"]) if match and match["score"] else 0.0
        if match is None or not math.isfinite(score):
            raise forms.ValidationError(
                _("This link to more results is broken; please search again."), code="cursor"
            )
        return Cursor(post_id=int(match["post_id"]), score=score)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("Please choose an end date after the start date."))
        return cleaned

    def search_query(self, *, thread: Thread | None) -> SearchQuery:
        """The checked form as a query (call after ``is_valid``)."""
        data = self.cleaned_data
        terms: SearchTerms = data["q"]
        author = data["author"].strip() or terms.author
        start, end = data["date_from"], data["date_to"]
        return SearchQuery(
            terms=terms,
            category=self.categories.get(data["category"] or ""),
            thread=thread,
            author_ids=_members_called(author) if author else (),
            mine=data["mine"],
            following=data["following"],
            created_from=_start_of(start) if start else None,
            created_before=_start_of(end + timedelta(days=1)) if end else None,
            by_relevance=data["sort"] != NEWEST and terms.has_text,
            after=data["after"],
        )


def _members_called(name: str) -> tuple[int, ...]:
    """Members whose username or display name is ``name`` (any case). An unknown name
    finds nothing, exactly like a member without posts here, so a search never tells
    anyone whether someone is a member."""
    ids = User.objects.filter(
        Q(username__iexact=name.removeprefix("@")) | Q(display_name__iexact=name), is_active=True
    ).values_list("pk", flat=True)
    return tuple(ids) or NOBODY


def _start_of(day: Any) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
