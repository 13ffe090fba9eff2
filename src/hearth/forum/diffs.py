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
    diff_html: SafeString  # the revision's text with <ins>/<del> against the one before


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
    """Pair each revision with its changes against the previous one, newest first."""
    changes = []
    previous = ""
    for revision in revisions:
        changes.append(RevisionChange(revision, _inline_diff(previous, revision.body)))
        previous = revision.body
    return list(reversed(changes))
