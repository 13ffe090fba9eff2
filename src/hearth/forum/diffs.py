"""What changed between two revisions of a text (a post, a message), as words added and removed."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Protocol

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


class Revision(Protocol):
    """A saved version of a text (a post's, a private message's)."""

    @property
    def body(self) -> str: ...


_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True)
class RevisionChange[R: Revision]:
    revision: R
    # The revision's text with <ins>/<del> against the one before; the first version's
    # plain text (escaped): it is what was written, not words added to anything.
    diff_html: SafeString
    # For a post that starts a thread: its title changed from the version before, as
    # <ins>/<del> words; None when it did not (or the text has no title).
    title_diff_html: SafeString | None = None
    previous: R | None = None  # the version it changed; None for the first

    @property
    def is_first(self) -> bool:
        return self.previous is None

    @property
    def changed_text(self) -> bool:
        return self.previous is None or self.previous.body != self.revision.body


def _inline_diff(before: str, after: str) -> SafeString:
    """Mark words removed with <del> and added with <ins>; everything escaped."""
    old, new = _TOKENS.findall(before), _TOKENS.findall(after)
    parts: list[str] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if operation == "equal":
            parts.append(escape("".join(new[new_start:new_end])))
            continue
        if old_end > old_start:
            parts.append(f"<del>{escape(''.join(old[old_start:old_end]))}</del>")
        if new_end > new_start:
            parts.append(f"<ins>{escape(''.join(new[new_start:new_end]))}</ins>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text above is escaped


def revision_diffs[R: Revision](revisions: list[R]) -> list[RevisionChange[R]]:
    """Pair each revision with its changes against the previous one, newest first. The
    first is shown as written; a title (the ``title`` of a thread's first post's revisions,
    where it was recorded) is compared only when both versions have one."""
    changes = []
    previous: R | None = None
    for revision in revisions:
        if previous is None:
            changes.append(RevisionChange(revision, escape(revision.body)))
        else:
            changes.append(
                RevisionChange(
                    revision,
                    _inline_diff(previous.body, revision.body),
                    _title_change(previous, revision),
                    previous,
                )
            )
        previous = revision
    return list(reversed(changes))


def _title_change(before: Revision, after: Revision) -> SafeString | None:
    old, new = getattr(before, "title", ""), getattr(after, "title", "")
    if not old or not new or old == new:
        return None
    return _inline_diff(old, new)
