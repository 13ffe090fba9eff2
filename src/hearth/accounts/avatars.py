"""Avatar uploads: checked, re-encoded and stripped of metadata before storage."""

from __future__ import annotations

import io
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

AVATAR_SIZE_PIXELS = 256
ACCEPTED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
# Refuse images whose pixel count suggests a decompression bomb long before
# Pillow's own (much larger) default limit.
MAX_SOURCE_PIXELS = 40_000_000


def process_avatar(upload: UploadedFile[bytes]) -> ContentFile[bytes]:
    """Return a square WebP of the upload with every piece of metadata dropped.

    Re-encoding from pixels is what removes EXIF (including GPS position),
    XMP and ICC data: nothing from the original file is copied across.
    Raises ValidationError with a message a member can act on.
    """
    limit = settings.HEARTH_AVATAR_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("That image is too large. Please choose one under %(limit)s.")
            % {"limit": filesizeformat(limit)},
            code="avatar_too_large",
        )
    image = _open_image(upload)
    image = ImageOps.exif_transpose(image)  # keep the photo upright once EXIF is gone
    image = image.convert("RGBA" if image.mode in {"RGBA", "LA", "P"} else "RGB")
    image = ImageOps.fit(image, (AVATAR_SIZE_PIXELS, AVATAR_SIZE_PIXELS))
    output = io.BytesIO()
    image.save(output, format="WEBP", quality=85, method=4)
    return ContentFile(output.getvalue(), name="avatar.webp")


def _open_image(upload: UploadedFile[bytes]) -> Image.Image:
    not_an_image = ValidationError(
        _("That file is not an image we can use. Please upload a JPEG, PNG, GIF or WebP picture."),
        code="avatar_not_an_image",
    )
    data = upload.read()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in ACCEPTED_FORMATS:
                raise not_an_image
            if probe.width * probe.height > MAX_SOURCE_PIXELS:
                raise ValidationError(
                    _("That image has too many pixels. Please choose a smaller picture."),
                    code="avatar_too_many_pixels",
                )
            probe.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as error:
        raise not_an_image from error
    return image
