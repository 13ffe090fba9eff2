"""The first version of the community guidelines (data/first_guidelines.md), as one function.

The data migration calls it with the historical model; tests call it with the real one to
publish the shipped text again after a transactional test flushed it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hearth.core.text import render_markdown

# In data/: the package ships that folder (pyproject.toml, package-data).
FIRST_GUIDELINES = Path(__file__).with_name("data") / "first_guidelines.md"
FIRST_WHAT_CHANGED = "The first version of our community guidelines."


def first_guidelines_text() -> str:
    return FIRST_GUIDELINES.read_text(encoding="utf-8")


def seed_first_guidelines(*, versions: Any) -> None:
    """Publish version 1 unless a version exists (left alone)."""
    if versions.objects.exists():
        return
    body = first_guidelines_text()
    rendered = render_markdown(body, id_prefix="guidelines-")
    versions.objects.create(
        number=1,
        body=body,
        body_html=rendered.html,
        render_version=rendered.version,
        what_changed=FIRST_WHAT_CHANGED,
    )
