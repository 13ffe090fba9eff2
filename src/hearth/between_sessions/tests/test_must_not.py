"""What the toolkit must never do (CARE.md): pinned so a later change cannot slip it in.

No scores, streaks, badges, risk labels or diagnoses; no nagging reminders;
nothing sent to anyone (but the member's own opt-in, check-ins from peers, which
say only "asked you to check in"); nothing imported from or into other apps beyond
core and accounts (other apps may import the check-ins from peers, which hold no
text); no worksheet copied (every built-in card says it is in
our own words and names its source - see test_cards).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core import mail
from django.db.models import Field
from django.test import Client
from django.urls import URLPattern, reverse

from hearth.accounts.models import User
from hearth.between_sessions import urls as toolkit_urls
from hearth.between_sessions.models import TOOLKIT_MODELS, PeerCheckIn, PeerCheckInDay
from hearth.between_sessions.tests.conftest import FilledToolkit

pytestmark = pytest.mark.django_db

APP_DIR = Path(__file__).resolve().parent.parent
HEARTH_DIR = APP_DIR.parent
FORBIDDEN_WORDS = [
    r"\bscores?\b", r"\bstreaks?\b", r"\bbadges?\b", r"\brisk", r"\bachievements?\b",
    r"\brewards?\b", r"\bpoints\b", r"\blevel \d", r"\boverdue\b", r"\breminders?\b",
    r"don't forget", r"you haven't",
    r"you have not", r"\bmissed\b", r"\bdiagnos", r"\bsevere\b", r"\bdisorder\b(?! first)",
    r"\bsymptoms?\b", r"\bin a row\b", r"\bkeep it up\b", r"\bwell done\b", r"\bgreat job\b",
]  # fmt: skip


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.DOTALL)
    return re.sub(r"<[^>]+>", " ", html)


def _app_sources() -> list[Path]:
    return [path for path in APP_DIR.rglob("*.py") if "tests" not in path.parts]


def _parameterless_toolkit_pages() -> list[str]:
    return [
        reverse(f"between_sessions:{pattern.name}")
        for pattern in toolkit_urls.urlpatterns
        if isinstance(pattern, URLPattern) and not pattern.pattern.converters
    ]


def test_no_page_scores_labels_rewards_or_nags(
    filled_toolkit: FilledToolkit, client_for: Callable[[User], Client]
) -> None:
    client = client_for(filled_toolkit.owner)
    pages = _parameterless_toolkit_pages() + [
        reverse("between_sessions:entry", args=[filled_toolkit.entry.pk]),
        reverse("between_sessions:member_card", args=[filled_toolkit.card.pk]),
    ] + [reverse("between_sessions:built_in_card", args=[slug]) for slug in (
        "breathing", "grounding", "senses", "cooling-down",
        "finding-now", "while-away")]  # fmt: skip
    for url in pages:
        text = _visible_text(client.get(url).content.decode()).lower()
        for pattern in FORBIDDEN_WORDS:
            found = re.search(pattern, text)
            # The one allowed "disorder" is the medical caution ("an eating disorder").
            if found and found.group(0) == "disorder" and "eating disorder" in text:
                continue
            assert not found, f"{url}: {found.group(0) if found else ''}"


def test_no_model_stores_a_score_streak_badge_or_risk() -> None:
    for model in TOOLKIT_MODELS:
        for field in model._meta.get_fields():
            assert not re.search(r"score|streak|badge|risk|level|rank|points", field.name), (
                f"{model.__name__}.{field.name}"
            )


def test_the_toolkit_sends_nothing_to_anyone(
    filled_toolkit: FilledToolkit, client_for: Callable[[User], Client]
) -> None:
    client = client_for(filled_toolkit.owner)
    client.post(reverse("between_sessions:check_in"), {"feeling_1": "sad", "intensity_1": "9"})
    client.post(
        reverse("between_sessions:entry_bring", args=[filled_toolkit.entry.pk]), {"bring": "1"}
    )
    client.post(reverse("between_sessions:plan_reviewed"))

    assert mail.outbox == []


def test_the_app_has_no_tasks_signals_or_mail_and_never_logs() -> None:
    assert not (APP_DIR / "tasks.py").exists()
    for path in _app_sources():
        source = path.read_text()
        tree = ast.parse(source)
        imported = {
            node.module if isinstance(node, ast.ImportFrom) else alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        }
        for forbidden in ("django.core.mail", "django.tasks", "django.db.models.signals",
                          "logging", "django.dispatch"):  # fmt: skip
            assert not any(
                name and (name == forbidden or name.startswith(forbidden + "."))
                for name in imported
            ), f"{path.name} imports {forbidden}"
        calls = {
            node.func.id
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        }
        assert "print" not in calls, path.name


def test_the_toolkit_depends_only_on_core_and_accounts() -> None:
    allowed = ("hearth.core", "hearth.accounts", "hearth.between_sessions")
    for path in APP_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.startswith("hearth")
            ):
                assert node.module.startswith(allowed), f"{path.name} imports {node.module}"
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("hearth"):
                        assert alias.name.startswith(allowed), f"{path.name} imports {alias.name}"


def test_nothing_else_imports_the_toolkit() -> None:
    """Other apps may import only the check-ins from peers, whose rows hold no text."""
    for path in HEARTH_DIR.rglob("*.py"):
        if APP_DIR in path.parents:
            continue
        source = path.read_text()
        assert "hearth.between_sessions" not in source.replace(
            '"hearth.between_sessions",',
            "",  # INSTALLED_APPS
        ).replace('include("hearth.between_sessions.urls")', "").replace(
            "hearth.between_sessions.peer_check_ins", ""
        ), path


def test_the_check_ins_from_peers_read_nothing_of_the_toolkit_but_its_breaks() -> None:
    """What other apps may import (everything but the asker's page) reaches the toolkit
    only through its models module, and the rows it keeps hold no text."""
    peer_dir = APP_DIR / "peer_check_ins"
    allowed = ("hearth.between_sessions.models", "hearth.between_sessions.peer_check_ins")
    for path in peer_dir.glob("*.py"):
        if path.name == "views.py":
            continue  # the asker's page: a toolkit page, fetching the break owner-scoped
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.startswith("hearth.between_sessions")
            ):
                assert node.module.startswith(allowed), f"{path.name}: {node.module}"
    for model in (PeerCheckIn, PeerCheckInDay):
        kept = {
            field.name: type(field).__name__
            for field in model._meta.get_fields()
            if isinstance(field, Field) and not field.is_relation
        }
        assert all(kind in {"BigAutoField", "AutoField", "CharField", "DateField",
                            "DateTimeField"} for kind in kept.values()), kept  # fmt: skip
        assert [name for name, kind in kept.items() if kind == "CharField"] in ([], ["state"])
