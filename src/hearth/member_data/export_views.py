"""Downloading your data: the page (what the archive holds, asking for one, your archives)
and the download, for the member alone.

Visitors never get here (the sign-in middleware sends them away); for anyone else -- another
member, a moderator, an administrator -- someone's archive is the same 404 as a missing one.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages as flash
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from hearth.accounts.models import User
from hearth.member_data.export import SECTIONS
from hearth.member_data.export_tasks import (
    ExportRefused,
    download_name,
    exports_page,
    file_of,
    get_ready_export_or_404,
    request_data_export,
)

TOO_MANY_STATUS = 429


class ExportRequestForm(forms.Form):
    include_toolkit = forms.BooleanField(
        label=gettext_lazy("Include my private toolkit (Between sessions)"),
        required=False,
        help_text=gettext_lazy(
            "Your journal, notes for your next session, coping plan, cards and breaks. Leave "
            "this unticked if someone else might open the archive."
        ),
    )


def _member(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # LoginRequiredMiddleware guarantees it here
    return request.user


def _page(
    request: HttpRequest, form: ExportRequestForm, *, error: str = "", status: int = 200
) -> HttpResponse:
    page = exports_page(_member(request), timezone.now())
    context = {
        "form": form,
        "exports": page.exports,
        "refusal": page.refusal,
        "error": error,
        "sections": [section for section in SECTIONS if section.key != "toolkit"],
    }
    return render(request, "member_data/export.html", context, status=status)


@require_http_methods(["GET", "POST"])
def export(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request, ExportRequestForm())
    form = ExportRequestForm(request.POST)
    if not form.is_valid():  # a checkbox is always valid; kept for the form's contract
        return _page(request, form, status=400)
    try:
        request_data_export(
            member=_member(request), include_toolkit=form.cleaned_data["include_toolkit"]
        )
    except ExportRefused as refused:
        return _page(request, form, error=str(refused), status=TOO_MANY_STATUS)
    flash.success(
        request,
        _(
            "We're preparing your archive. It usually takes a minute or two: come back to this "
            "page to download it."
        ),
    )
    return redirect("member_data_export:export")


@require_safe
def download(request: HttpRequest, export_id: int) -> FileResponse:
    return archive_response(_member(request), export_id)


def archive_response(member: User, export_id: int) -> FileResponse:
    """The member's ready archive as a download (the page's and the API's); anyone
    else's, or one not ready or gone, is 404."""
    export = get_ready_export_or_404(member, export_id)
    try:
        stream = file_of(export).open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(
        stream, as_attachment=True, filename=download_name(export), content_type="application/zip"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
