"""Members' uploaded files (avatars), on local disk or in S3-compatible object storage.

Either way a file's address is on the site, ``/media/<name>``, and the view
behind it (core/views.py ``media``) serves it to signed-in members only, since
being a member is private. It never sends a file as whatever the file claims
to be: known image types go out inline as that type, anything else as an
``application/octet-stream`` attachment, always with ``nosniff``.

With object storage (``HEARTH_MEDIA_BUCKET``, core/object_storage.py) the view
answers with a redirect to a URL signed for a few minutes instead.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

# Names Hearth gives uploads (accounts.models.avatar_upload_path): no dot
# segments, no backslashes, nothing a path could be tricked with.
SAFE_NAME = re.compile(r"[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*(\.[A-Za-z0-9]{1,8})?")

INLINE_TYPES = {
    ".gif": "image/gif",
    ".jpeg": "image/jpeg",
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}
SIGNED_URL_SECONDS = 300
# Browsers may reuse the redirect for less time than its signature lasts.
REDIRECT_CACHE_SECONDS = 240


def is_safe_name(name: str) -> bool:
    return SAFE_NAME.fullmatch(name) is not None


def served_as(name: str) -> tuple[str, str]:
    """The Content-Type and Content-Disposition a stored file is served with."""
    file_name = PurePosixPath(name).name
    content_type = INLINE_TYPES.get(PurePosixPath(name).suffix.lower())
    if content_type is None:
        return "application/octet-stream", f'attachment; filename="{file_name}"'
    return content_type, f'inline; filename="{file_name}"'
