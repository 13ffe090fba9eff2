"""The search page: the form, and one page of results the searcher may read.

Members only (Django's LoginRequiredMiddleware, as every page not marked
otherwise): an open search box would let anyone probe a community whose
membership is itself private, and is a cheap way to load the database.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from hearth.core.ratelimit import RateLimit, allow
from hearth.forum.models import Category
from hearth.forum.selectors import get_thread_for_viewer_or_404
from hearth.forum.viewer import get_viewer
from hearth.forum.visibility import category_filter
from hearth.search.forms import SearchForm
from hearth.search.selectors import SearchResults, search_posts


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    viewer = get_viewer(request)
    categories = list(Category.objects.filter(category_filter(viewer)).order_by("position", "name"))
    form = SearchForm(request.GET or None, categories=categories)
    results: SearchResults | None = None
    status, refusal = 200, ""
    thread = None
    if form.is_bound and form.is_valid():
        if thread_id := form.cleaned_data["thread"]:
            thread = get_thread_for_viewer_or_404(viewer, thread_id)
        query = form.search_query(thread=thread)
        if query.is_empty:
            pass  # an empty box: the form alone
        elif not allow("search", viewer.member_id, _search_rate()):
            status = 429
            refusal = _("You have searched a lot in a short time. Please wait a minute.")
        else:
            results = search_posts(viewer, query)
    elif form.is_bound:
        status = 400
    context = {"form": form, "results": results, "thread": thread, "refusal": refusal}
    return render(request, "search/results.html", context, status=status)


def _search_rate() -> RateLimit:
    return RateLimit.parse(settings.HEARTH_SEARCH_RATE_LIMIT)
