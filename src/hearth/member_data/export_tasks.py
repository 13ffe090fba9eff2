"""A data export's life: asked for (``request_data_export``), built by a task
(``build_data_export``), downloaded by its member alone, then purged by housekeeping
(``purge_exports``) once it expires.

Archives live in ``HEARTH_DATA_DIR/exports`` (0700), each under a random name (0600); the
name is only in the export's row, and nothing but the member's own download route reads
it.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hearth.accounts.models import User
from hearth.core.private_files import make_private_directory, write_private_file
from hearth.core.tasks import background_task
from hearth.core.templatetags.local_formats import long_datetime
from hearth.member_data.export import archive_folder, build_archive
from hearth.member_data.models import DataExport, ExportState
from hearth.member_data.models import exports_directory as exports_location

logger = logging.getLogger(__name__)

# One archive at a time, and a few a day: building one reads everything a member has.
MOST_EXPORTS_PER_DAY = 3
LIMIT_WINDOW = timedelta(days=1)
# An export still being prepared this long after it was asked for has failed (its task
# gave up): the member is told, and may ask again.
GIVEN_UP_AFTER = timedelta(hours=1)
# A file in the exports folder that no export names (its member deleted the account, or a
# build lost a race) is removed once it is this old, so a build in progress keeps its file.
STRAY_FILE_AGE = timedelta(hours=1)


def exports_directory() -> Path:
    """``HEARTH_DATA_DIR/exports`` (``models.exports_directory``), made if need be, 0700."""
    return make_private_directory(exports_location())


def file_of(export: DataExport) -> Path:
    return exports_directory() / Path(export.file_name).name


def download_name(export: DataExport) -> str:
    return f"{archive_folder(export.ready_at or export.requested_at)}.zip"


# --- Asking for one ------------------------------------------------------------------------


class ExportRefused(Exception):  # noqa: N818 - reads as what happened to the request
    """The member may not ask for another archive now; the message says why and when."""


@dataclass(frozen=True)
class ExportsPage:
    """The member's exports that still count (newest first) and whether they may ask for
    another (``refusal`` is None then)."""

    exports: list[DataExport]
    refusal: str | None


def why_cannot_request_export(recent: list[DataExport], now: datetime) -> str | None:
    """Why the member may not ask for another archive now (None: they may). ``recent`` is
    every export they asked for since ``now - LIMIT_WINDOW``; no queries."""
    if any(export.state == ExportState.QUEUED for export in recent):
        return _("Your archive is still being prepared. You can ask for another once it is ready.")
    counted = sorted(export.requested_at for export in recent if export.state != ExportState.FAILED)
    if len(counted) >= MOST_EXPORTS_PER_DAY:
        again = counted[-MOST_EXPORTS_PER_DAY] + LIMIT_WINDOW
        return ngettext(
            "You can ask for %(count)s archive a day. You can ask for another from %(when)s.",
            "You can ask for %(count)s archives a day. You can ask for another from %(when)s.",
            MOST_EXPORTS_PER_DAY,
        ) % {
            "count": MOST_EXPORTS_PER_DAY,
            "when": long_datetime(again),
        }
    return None


def exports_page(member: User, now: datetime) -> ExportsPage:
    """The member's exports not yet expired (and any failed one still listed), newest first,
    and whether they may ask for another. One query."""
    shown_from = now - max(timedelta(days=settings.HEARTH_EXPORT_DAYS), LIMIT_WINDOW)
    exports = list(
        DataExport.objects.filter(member=member)
        .filter(Q(requested_at__gte=shown_from) | Q(expires_at__gt=now))
        .order_by("-requested_at", "-pk")
    )
    recent = [export for export in exports if export.requested_at >= now - LIMIT_WINDOW]
    listed = [
        export
        for export in exports
        if export.state != ExportState.READY
        or (export.expires_at is not None and export.expires_at > now)
    ]
    return ExportsPage(exports=listed, refusal=why_cannot_request_export(recent, now))


@transaction.atomic
def request_data_export(*, member: User, include_toolkit: bool) -> DataExport:
    """Queue an archive of the member's data; the task is enqueued in the same commit.

    Raises ExportRefused while one is being prepared, or past ``MOST_EXPORTS_PER_DAY``.
    """
    # The member's row, locked: two requests at once are counted one after the other.
    list(User.objects.select_for_update().filter(pk=member.pk).values_list("pk"))
    now = timezone.now()
    recent = list(DataExport.objects.filter(member=member, requested_at__gte=now - LIMIT_WINDOW))
    if refusal := why_cannot_request_export(recent, now):
        raise ExportRefused(refusal)
    export = DataExport.objects.create(
        member=member, include_toolkit=include_toolkit, requested_at=now
    )
    build_data_export.enqueue(export_id=export.pk)
    return export


def get_ready_export_or_404(member: User, export_id: int) -> DataExport:
    """The member's own archive, ready and not expired; anything else -- someone else's,
    missing, expired, still being prepared -- is the same 404."""
    export = DataExport.objects.filter(
        pk=export_id,
        member=member,
        state=ExportState.READY,
        expires_at__gt=timezone.now(),
    ).first()
    if export is None or not export.file_name:
        raise Http404
    return export


# --- Building it ---------------------------------------------------------------------------


@background_task(max_attempts=3)
def build_data_export(*, export_id: int) -> None:
    """Build the archive and mark the export ready. Idempotent: an export that is no longer
    being prepared (built by another run, given up, or gone with its member) is left alone,
    and a run that loses the race removes its own file."""
    export = (
        DataExport.objects.select_related("member")
        .filter(pk=export_id, state=ExportState.QUEUED)
        .first()
    )
    if export is None:
        return
    now = timezone.now()
    archive = build_archive(export.member, include_toolkit=export.include_toolkit, now=now)
    name = f"{secrets.token_urlsafe(32)}.zip"
    path = exports_directory() / name
    write_private_file(path, archive)
    finished = DataExport.objects.filter(pk=export.pk, state=ExportState.QUEUED).update(
        state=ExportState.READY,
        ready_at=now,
        expires_at=now + timedelta(days=settings.HEARTH_EXPORT_DAYS),
        file_name=name,
        size_bytes=len(archive),
    )
    if not finished:
        path.unlink(missing_ok=True)


# --- Purging -------------------------------------------------------------------------------


def purge_exports() -> int:
    """Delete expired archives (file and row), mark exports whose task gave up as failed,
    forget old failures, and remove files no export names; return how many things it did.
    Housekeeping: idempotent, run every minute by the worker."""
    now = timezone.now()
    done = 0
    for export in DataExport.objects.filter(state=ExportState.READY, expires_at__lte=now):
        if export.file_name:
            file_of(export).unlink(missing_ok=True)
        export.delete()
        done += 1
    done += DataExport.objects.filter(
        state=ExportState.QUEUED, requested_at__lt=now - GIVEN_UP_AFTER
    ).update(state=ExportState.FAILED)
    forgotten, _by_model = DataExport.objects.filter(
        state=ExportState.FAILED,
        requested_at__lt=now - timedelta(days=settings.HEARTH_EXPORT_DAYS),
    ).delete()
    done += forgotten
    return done + _remove_stray_files(now)


def _remove_stray_files(now: datetime) -> int:
    directory = exports_directory()
    known = set(DataExport.objects.exclude(file_name="").values_list("file_name", flat=True))
    removed = 0
    for path in directory.iterdir():
        if path.name in known or not path.is_file():
            continue
        modified = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
        if now - modified > STRAY_FILE_AGE:
            path.unlink(missing_ok=True)
            removed += 1
    if removed:
        logger.info("Removed %s archive file(s) no export names", removed)
    return removed
