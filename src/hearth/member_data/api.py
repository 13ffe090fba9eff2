"""A member's data export through the JSON API (mounted at /api/v1/me/exports/ by
``hearth.api``): ask for an archive, follow it being prepared, download it -- the member
alone, as on Settings → Download your data."""

from __future__ import annotations

from datetime import datetime

from django.http import FileResponse, HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from hearth.accounts.models import User
from hearth.core.api_schema import ApiError, ObjectId, Output, responses
from hearth.member_data.export_tasks import (
    ExportRefused,
    exports_page,
    request_data_export,
)
from hearth.member_data.export_views import archive_response
from hearth.member_data.models import DataExport, ExportState

router = Router()


class ExportOut(Output):
    id: int
    state: str = Field(description="queued (being prepared), ready or failed")
    include_toolkit: bool
    requested_at: datetime
    ready_at: datetime | None
    expires_at: datetime | None
    size_bytes: int
    download_url: str | None = Field(
        description="While ready: the archive (a zip), for this member only."
    )


class ExportListOut(Output):
    exports: list[ExportOut]
    can_request: bool
    why_cannot_request: str | None


class ExportRequestIn(Schema):
    include_toolkit: bool = Field(
        default=False,
        description="Include the private toolkit (journal, notes, coping plan, cards).",
    )


def _member(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # authentication lets only members through here
    return user


def _export_out(export: DataExport) -> ExportOut:
    ready = export.state == ExportState.READY
    return ExportOut(
        id=export.pk,
        state=export.state,
        include_toolkit=export.include_toolkit,
        requested_at=export.requested_at,
        ready_at=export.ready_at,
        expires_at=export.expires_at,
        size_bytes=export.size_bytes,
        download_url=reverse("api:export_download", args=[export.pk]) if ready else None,
    )


@router.get("", response=responses({200: ExportListOut}), url_name="exports")
def list_exports(request: HttpRequest) -> ExportListOut:
    """The member's archives (newest first) and whether they may ask for another."""
    page = exports_page(_member(request), timezone.now())
    return ExportListOut(
        exports=[_export_out(export) for export in page.exports],
        can_request=page.refusal is None,
        why_cannot_request=page.refusal,
    )


@router.post("", response=responses({202: ExportOut}), url_name="request_export")
def request_export(request: HttpRequest, payload: ExportRequestIn) -> Status[ExportOut]:
    """Ask for an archive of everything the member wrote and chose; it is prepared in the
    background (poll the list). One at a time, and a few a day: 429 otherwise."""
    try:
        export = request_data_export(
            member=_member(request), include_toolkit=payload.include_toolkit
        )
    except ExportRefused as refused:
        raise ApiError(429, "rate_limited", str(refused)) from refused
    return Status(202, _export_out(export))


@router.get(
    "/{id:export_id}/download",
    # The 200 (a zip) is described below: no JSON schema describes a file.
    response=responses({}),
    url_name="export_download",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The archive",
                "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def download_export(request: HttpRequest, export_id: ObjectId) -> FileResponse:
    """The archive, while it is ready; anyone else's, or one not ready, is 404."""
    return archive_response(_member(request), export_id)
