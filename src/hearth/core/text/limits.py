"""The size limit on Markdown source, checked before any parsing."""

from __future__ import annotations

from django.utils.translation import gettext as _

# Crafted input costs markdown-it-py roughly linear but large time per byte
# (STACK-NOTES: 64 KB of pathological input took seconds before the guards in
# guards.py), so the limit is what keeps one render bounded. It is counted in
# UTF-8 bytes because that is what the database and the wire carry.
MAX_SOURCE_BYTES: int = 64 * 1024


class SourceTooLong(ValueError):  # noqa: N818 - the name is the text API's contract
    """The source is over MAX_SOURCE_BYTES; the message can be shown to the member as is."""

    def __init__(self, *, size_bytes: int, limit_bytes: int) -> None:
        self.size_bytes = size_bytes
        self.limit_bytes = limit_bytes
        # Whole kilobytes, rounded up, so "65 KB" never reads as "within 64 KB".
        size_kb = -(-size_bytes // 1024)
        limit_kb = limit_bytes // 1024
        super().__init__(
            _(
                "This text is too long to post: it is %(size)s KB and the limit is "
                "%(limit)s KB. Try splitting it into two posts."
            )
            % {"size": size_kb, "limit": limit_kb}
        )


def utf8_length(source: str) -> int:
    """Return the UTF-8 byte length of source (a lone surrogate counts as 3 bytes)."""
    # surrogatepass: a lone surrogate must be measured, not crash the check.
    return len(source.encode("utf-8", "surrogatepass"))


def check_source_size(source: str, *, limit_bytes: int = MAX_SOURCE_BYTES) -> None:
    """Raise SourceTooLong if source is over limit_bytes UTF-8 bytes."""
    # A character is at most 4 bytes, so short sources skip the encode.
    if len(source) * 4 <= limit_bytes:
        return
    size = utf8_length(source)
    if size > limit_bytes:
        raise SourceTooLong(size_bytes=size, limit_bytes=limit_bytes)
