"""A pseudo-locale for tests: every message of the source, recognisable and right to left.

In "qps" each translation is its English text with the letters accented and wrapped in
"⟦" "⟧" ("⟦Séárçh thé förüm⟧"), and the language is written right to left. A page shown
in it makes three faults plain: English left on the page (no brackets: it never went
through gettext), text cut or joined from pieces (brackets in the middle of a word), and
a layout that assumes left to right. Placeholders (``%(name)s``, ``%s``, ``%d``, ``%%``),
HTML tags, entities, URLs and date formats are left as they are, so every page still
renders. docs/translating.md describes it; ``hearth.core.tests.pseudo_locale_fixtures`` gives
tests the fixtures.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.conf.locale import LANG_INFO

from hearth.core import catalogues
from hearth.core.catalogues import Message

PSEUDO_LANGUAGE = "qps"
PSEUDO_NAME = "Pseudo"
OPENING = "⟦"
CLOSING = "⟧"
_ACCENTED = str.maketrans(
    "aceinosuyzACEINOSUYZ",
    "áçéíñöšüýžÁÇÉÍÑÖŠÜÝŽ",
)
# Left exactly as written: Python placeholders (named, positional, %%), brace
# placeholders, HTML tags, entities and URLs.
_KEPT = re.compile(
    r"""
      %\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]
    | %[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]
    | \{[A-Za-z0-9_.]*\}
    | <[^<>]+>
    | &(?:[A-Za-z][A-Za-z0-9]*|\#[0-9]+|\#x[0-9A-Fa-f]+);
    | (?:https?://|mailto:)[^\s<>"']+
    """,
    re.VERBOSE,
)
# A Django date format: format characters, spaces and punctuation, at least one of the
# latter (so a word such as "now" is not one).
_DATE_FORMAT = re.compile(r"^(?=.*[\s,.:/-])[aAbBcdDeEfFgGhHiIjlLmMnNoOPrsStTuUwWyYzZ\s,.:/\\-]+$")
_PSEUDO_LANGUAGE_INFO = {
    "bidi": True,
    "code": PSEUDO_LANGUAGE,
    "name": PSEUDO_NAME,
    "name_local": "Ƥšéüðö",
}
_HEADER = (
    "Project-Id-Version: Hearth pseudo-locale\n"
    f"Language: {PSEUDO_LANGUAGE}\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=UTF-8\n"
    "Content-Transfer-Encoding: 8bit\n"
    "Plural-Forms: nplurals=2; plural=(n != 1);\n"
)


def is_date_format(context: str | None, text: str) -> bool:
    """Whether a message is a date format for ``date_format``, not words: its context
    says "date format" (the convention, docs/translating.md), or names a date or time
    and the text is made of format characters."""
    if context is None:
        return False
    if "date format" in context:
        return True
    return ("date" in context or "time" in context) and bool(_DATE_FORMAT.match(text))


def pseudo_translate(text: str) -> str:
    """The pseudo-locale's translation of one message's text."""
    pieces: list[str] = []
    position = 0
    for kept in _KEPT.finditer(text):
        pieces.append(text[position : kept.start()].translate(_ACCENTED))
        pieces.append(kept.group())
        position = kept.end()
    pieces.append(text[position:].translate(_ACCENTED))
    return OPENING + "".join(pieces) + CLOSING


def _pseudo_message(message: Message) -> Message:
    if not message.msgid:
        return Message(msgid="", msgstrs=(_HEADER,), comments=message.comments)
    keep = is_date_format(message.context, message.msgid)
    sources = [message.msgid]
    if message.msgid_plural is not None:
        sources.append(message.msgid_plural)  # both forms: nplurals=2
    return Message(
        msgid=message.msgid,
        msgstrs=tuple(source if keep else pseudo_translate(source) for source in sources),
        context=message.context,
        msgid_plural=message.msgid_plural,
        flags=message.flags - {"fuzzy"},
        comments=message.comments,
    )


def build_pseudo_locale(directory: Path, *, extracted: dict[str, Path] | None = None) -> None:
    """Write ``directory/qps/LC_MESSAGES/{django,djangojs}.{po,mo}`` from a fresh
    extraction of the source (or from ``extracted``, one .pot per domain, when the
    caller has one). Raises ``catalogues.GettextMissingError`` without gettext."""
    if extracted is None:
        extracted = catalogues.extract_messages(directory / ".extraction")
    messages_dir = directory / PSEUDO_LANGUAGE / "LC_MESSAGES"
    messages_dir.mkdir(parents=True, exist_ok=True)
    for domain in catalogues.DOMAINS:
        template = catalogues.read_po(extracted[domain].read_text(encoding="utf-8"))
        po = messages_dir / f"{domain}.po"
        po.write_text(
            catalogues.format_po(_pseudo_message(message) for message in template),
            encoding="utf-8",
        )
        catalogues.compile_po(po, messages_dir / f"{domain}.mo")


def pseudo_locale_settings(directory: Path) -> dict[str, object]:
    """``override_settings`` keyword arguments offering "qps", right to left, from the
    catalogues ``build_pseudo_locale(directory)`` wrote."""
    # Django's table of languages (get_language_info: names, direction) has no "qps".
    LANG_INFO.setdefault(PSEUDO_LANGUAGE, _PSEUDO_LANGUAGE_INFO)
    return {
        "LOCALE_PATHS": [directory, *settings.LOCALE_PATHS],
        "LANGUAGES": [*settings.LANGUAGES, (PSEUDO_LANGUAGE, PSEUDO_NAME)],
        "LANGUAGES_BIDI": [*settings.LANGUAGES_BIDI, PSEUDO_LANGUAGE],
    }
