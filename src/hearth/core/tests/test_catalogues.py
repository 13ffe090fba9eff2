"""Every language members may choose has a complete catalogue (docs/translating.md).

The source is extracted afresh once per session (``catalogue_extraction``): a message
added to a template, a view or a script and not yet translated fails here, named, for
each offered language. The committed .mo files must be their .po compiled now, since
running Hearth reads only the .mo. Without GNU gettext these fail (never skip).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

from hearth.core import catalogues
from hearth.core.catalogues import (
    DOMAINS,
    LOCALE_DIR,
    GettextMissingError,
    Message,
    compile_po,
    describe_gaps,
    format_po,
    load_mo,
    read_po,
)

pytestmark = pytest.mark.database_neutral

TRANSLATED = [code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def _catalogue(language: str, domain: str, suffix: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.{suffix}"


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_of_the_source_is_translated(
    language: str, domain: str, catalogue_extraction: dict[str, Path]
) -> None:
    po = _catalogue(language, domain, "po")
    assert po.exists(), f"{po} is missing: run `make messages` and translate it"
    expected = read_po(catalogue_extraction[domain].read_text(encoding="utf-8"))

    gaps = describe_gaps(expected, read_po(po.read_text(encoding="utf-8")))

    assert not gaps, (
        f"{po} is not complete: {len(gaps)} message(s) to translate (`make messages` "
        f"brings new ones in), or take {language!r} out of LANGUAGES until it is:\n"
        + "\n".join(gaps)
    )


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("language", TRANSLATED)
def test_the_committed_mo_is_its_po_compiled_now(
    language: str, domain: str, tmp_path: Path
) -> None:
    po, mo = _catalogue(language, domain, "po"), _catalogue(language, domain, "mo")
    assert mo.exists(), f"{mo} is missing: run `make messages`, which compiles it"

    compile_po(po, tmp_path / "now.mo")  # msgfmt --check-format: placeholders too

    assert load_mo(mo) == load_mo(tmp_path / "now.mo"), (
        f"{mo} is not {po} compiled: run `make messages` and commit both"
    )


def test_the_extraction_reads_templates_python_and_scripts(
    catalogue_extraction: dict[str, Path],
) -> None:
    django = {m.msgid for m in read_po(catalogue_extraction["django"].read_text())}
    scripts = {m.msgid for m in read_po(catalogue_extraction["djangojs"].read_text())}

    assert "Skip to main content" in django  # core/templates/base.html
    assert "German" in django  # settings/base.py
    assert "Link copied to your clipboard." in scripts  # forum/static/forum/forum.js
    assert "%(count)s new reply" in scripts  # live/static/live/live.js, ngettext
    assert not any(path.name.endswith(".html.py") for path in LOCALE_DIR.parent.rglob("*.py"))


# --- The check itself, on crafted catalogues ----------------------------------------------

SOURCE = [
    Message(msgid="", msgstrs=("Content-Type: text/plain; charset=UTF-8\n",)),
    Message(msgid="Search"),
    Message(msgid="May", context="month name"),
    Message(msgid="May", context="verb"),
    Message(msgid="%(count)s reply", msgid_plural="%(count)s replies", msgstrs=("", "")),
    Message(msgid="Hello %(name)s"),
]
COMPLETE = [
    Message(msgid="", msgstrs=("Content-Type: text/plain; charset=UTF-8\n",)),
    Message(msgid="Search", msgstrs=("Suchen",)),
    Message(msgid="May", context="month name", msgstrs=("Mai",)),
    Message(msgid="May", context="verb", msgstrs=("Darf",)),
    Message(
        msgid="%(count)s reply",
        msgid_plural="%(count)s replies",
        msgstrs=("Eine Antwort", "%(count)s Antworten"),
    ),
    Message(msgid="Hello %(name)s", msgstrs=("Hallo %(name)s",)),
]


def _with(index: int, replacement: Message | None) -> list[Message]:
    changed = list(COMPLETE)
    if replacement is None:
        del changed[index]
    else:
        changed[index] = replacement
    return changed


def test_a_complete_catalogue_has_no_gaps() -> None:
    assert describe_gaps(SOURCE, COMPLETE) == []


@pytest.mark.parametrize(
    ("catalogue", "gap"),
    [
        (_with(1, None), "missing: 'Search'"),
        (_with(1, Message(msgid="Search", msgstrs=("",))), "untranslated: 'Search'"),
        (
            _with(1, Message(msgid="Search", msgstrs=("Suchen",), flags=frozenset({"fuzzy"}))),
            "fuzzy: 'Search'",
        ),
        (_with(3, None), "missing: 'May' (context 'verb')"),
        (
            _with(
                4,
                Message(
                    msgid="%(count)s reply",
                    msgid_plural="%(count)s replies",
                    msgstrs=("Eine Antwort", ""),
                ),
            ),
            "untranslated: '%(count)s reply'",
        ),
        (
            _with(4, Message(msgid="%(count)s reply", msgstrs=("Antworten",))),
            "missing its plural forms: '%(count)s reply'",
        ),
        (
            _with(5, Message(msgid="Hello %(name)s", msgstrs=("Hallo %(nom)s",))),
            "names ['nom'] the source does not give: 'Hello %(name)s'",
        ),
    ],
)
def test_a_gap_is_named(catalogue: list[Message], gap: str) -> None:
    assert describe_gaps(SOURCE, catalogue) == [gap]


def test_a_crafted_po_file_missing_a_translation_fails_the_check(tmp_path: Path) -> None:
    po = tmp_path / "django.po"
    po.write_text(format_po(_with(2, Message(msgid="May", context="month name"))))

    gaps = describe_gaps(SOURCE, read_po(po.read_text()))

    assert gaps == ["untranslated: 'May' (context 'month name')"]


def test_the_po_format_reads_back_what_it_writes_and_skips_obsolete_entries() -> None:
    text = format_po([*COMPLETE, Message(msgid='Say "hi"\n\tthen\\go', msgstrs=("Sag",))])
    text += '\n#~ msgid "Gone"\n#~ msgstr "Weg"\n'

    assert read_po(text) == [*COMPLETE, Message(msgid='Say "hi"\n\tthen\\go', msgstrs=("Sag",))]


def test_compiling_keeps_translations_and_refuses_a_broken_placeholder(tmp_path: Path) -> None:
    po = tmp_path / "django.po"
    po.write_text(format_po(COMPLETE))
    compile_po(po, tmp_path / "django.mo")
    assert load_mo(tmp_path / "django.mo")["month name\x04May"] == "Mai"

    broken = Message(
        msgid="Hello %(name)s", msgstrs=("Hallo %(name)",), flags=frozenset({"python-format"})
    )
    po.write_text(format_po(_with(5, broken)))
    with pytest.raises(ValueError, match="msgfmt refused"):
        compile_po(po, tmp_path / "django.mo")


def test_without_gettext_the_tools_say_to_install_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert not any((Path(part) / "xgettext").exists() for part in os.environ["PATH"].split(":"))

    with pytest.raises(GettextMissingError, match="install it"):
        catalogues.extract_messages(tmp_path)
