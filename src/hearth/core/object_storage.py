"""Uploads in S3-compatible object storage (``HEARTH_MEDIA_BUCKET``), through django-storages.

The objects are private. A file's address is still the site's ``/media/<name>``
(core/views.py ``media`` checks that a member asks), which redirects to a URL
signed for a few minutes on the bucket's own origin; the URL carries the type
and disposition ``served_as`` gives the file as response overrides, so the
bucket serves it exactly as the site would. The pages' Content-Security-Policy
names that origin for images (settings ``MEDIA_ORIGIN``).

Imported only when a bucket is configured: boto3 costs start-up time and memory.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

from django.conf import settings
from storages.backends.s3 import S3Storage

from hearth.core.media_storage import SIGNED_URL_SECONDS, served_as


class PrivateObjectStorage(S3Storage):  # type: ignore[misc]  # django-storages is untyped
    """S3-compatible storage whose objects are only reached through the site."""

    def __init__(self, **options: Any) -> None:
        options = {
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": SIGNED_URL_SECONDS,
            # Names are random (uuid4): no need to ask the bucket whether one is taken.
            "file_overwrite": True,
            "signature_version": "s3v4",
            **options,
        }
        super().__init__(**options)

    def url(
        self,
        name: str,
        parameters: dict[str, str] | None = None,
        expire: int | None = None,
        http_method: str | None = None,
    ) -> str:
        """The file's address on the site (the route that checks who is asking)."""
        return f"{settings.MEDIA_URL}{quote(name)}"

    def signed_url(self, name: str) -> str:
        """A URL on the bucket's origin, valid for a few minutes, with the type and
        disposition the file must be served with."""
        content_type, disposition = served_as(name)
        parameters = {
            "ResponseContentType": content_type,
            "ResponseContentDisposition": disposition,
        }
        return str(super().url(name, parameters=parameters, expire=SIGNED_URL_SECONDS))


def object_storage_options(bucket: str, *, region: str, endpoint_url: str) -> dict[str, Any]:
    """The storage's options from Hearth's settings. An endpoint (MinIO, Garage,
    Ceph, R2...) is addressed by path; Amazon S3 by virtual host. Credentials
    come from the usual AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY."""
    options: dict[str, Any] = {"bucket_name": bucket, "region_name": region or None}
    if endpoint_url:
        options |= {"endpoint_url": endpoint_url, "addressing_style": "path"}
    else:
        options |= {"addressing_style": "virtual"}
    return options


def object_storage_origin(options: dict[str, Any]) -> str:
    """The origin signed URLs point at, for the Content-Security-Policy."""
    probe = PrivateObjectStorage(
        **options,
        access_key="probe",
        secret_key="probe",  # noqa: S106 - signs nothing sent
    ).signed_url("probe.png")
    parts = urlsplit(probe)
    return f"{parts.scheme}://{parts.netloc}"
