"""Hearth's message catalogues as the tools see them (docs/translating.md).

One catalogue per language for the whole project, ``src/hearth/locale/<language>/
LC_MESSAGES/{django,djangojs}.po``, compiled to ``.mo`` beside it (committed, so running
Hearth needs no gettext). This module holds what the tools share:

- ``update_catalogues``: what ``make messages`` runs -- Django's ``makemessages`` for
  both domains (existing translations kept by msgmerge), then ``compilemessages``;
- ``extract_messages``: a fresh extraction of the source into a scratch copy, never
  touching the tree (the completeness test and the pseudo-locale start from it);
- ``read_po`` / ``format_po``: the .po format, enough for the above;
- ``describe_gaps``: what a catalogue lacks for the messages the source asks for.

Running ``python -m hearth.core.catalogues`` is ``make messages``.
"""

from __future__ import annotations

import argparse
import ast
import gettext as gettext_module
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import hearth

PACKAGE_DIR = Path(hearth.__file__).resolve().parent
LOCALE_DIR = PACKAGE_DIR / "locale"
DOMAINS = ("django", "djangojs")
# Where translatable text is not: tests, data, benchmarks, and the catalogues themselves.
# Migrations repeat model fields' names as plain strings, never through gettext.
IGNORED = ("tests", "var", "bench", "locale", "migrations", "__pycache__")
SOURCE_SUFFIXES = frozenset({".py", ".html", ".txt", ".js"})
FORMAT_CHECK = ("msgfmt", "--check-format")
INSTALL_GETTEXT = (
    "GNU gettext is not installed (xgettext, msgfmt, msgmerge): install it, e.g. "
    "`apt-get install gettext` or `brew install gettext`. The catalogue checks need it."
)


class GettextMissingError(RuntimeError):
    """The GNU gettext tools are not on PATH."""


def require_gettext() -> None:
    """Raise ``GettextMissingError`` (saying how to install them) unless the tools exist."""
    missing = [tool for tool in ("xgettext", "msgfmt", "msgmerge") if not shutil.which(tool)]
    if missing:
        raise GettextMissingError(f"{INSTALL_GETTEXT} Missing: {', '.join(missing)}.")


# --- The .po format ---------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """One entry of a .po or .pot file (the header is the entry whose msgid is empty)."""

    msgid: str
    msgstrs: tuple[str, ...] = ("",)  # one, or one per plural form
    context: str | None = None
    msgid_plural: str | None = None
    flags: frozenset[str] = frozenset()
    # Comment lines as written ("#. Translators: ...", "#: forum/views.py"), kept for writing.
    comments: tuple[str, ...] = field(default=(), compare=False)

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.context, self.msgid)

    @property
    def is_fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    def describe(self) -> str:
        """The msgid (and context) as a translator would look it up."""
        text = repr(self.msgid)
        return f"{text} (context {self.context!r})" if self.context is not None else text


def _unquote(line: str) -> str:
    # A .po string is a C string literal; Python reads the escapes xgettext writes.
    value = ast.literal_eval(line.strip())
    if not isinstance(value, str):
        raise ValueError(f"not a quoted string: {line!r}")
    return value


def read_po(text: str) -> list[Message]:
    """The entries of a .po or .pot file, header first; obsolete (``#~``) entries left out."""
    messages: list[Message] = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        lines = [line for line in block.split("\n") if line.strip()]
        if not lines or all(line.startswith("#") for line in lines):  # comments only
            continue
        comments: list[str] = []
        flags: set[str] = set()
        fields: dict[str, str] = {}
        current: str | None = None
        for line in lines:
            if line.startswith("#~"):
                continue
            if line.startswith("#,"):
                flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
                comments.append(line)
            elif line.startswith("#"):
                comments.append(line)
            elif line.startswith('"'):
                if current is None:
                    raise ValueError(f"a string continues nothing: {line!r}")
                fields[current] += _unquote(line)
            else:
                keyword, _, rest = line.partition(" ")
                current = keyword
                fields[current] = _unquote(rest)
        if "msgid" not in fields:
            continue
        plural_forms = sorted(
            (int(name[len("msgstr[") : -1]), value)
            for name, value in fields.items()
            if name.startswith("msgstr[")
        )
        msgstrs = tuple(value for _, value in plural_forms) or (fields.get("msgstr", ""),)
        messages.append(
            Message(
                msgid=fields["msgid"],
                msgstrs=msgstrs,
                context=fields.get("msgctxt"),
                msgid_plural=fields.get("msgid_plural"),
                flags=frozenset(flags),
                comments=tuple(comments),
            )
        )
    return messages


def _quote(value: str) -> str:
    escaped = (
        value.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\n", "\\n")
    )
    return f'"{escaped}"'


def _field(keyword: str, value: str) -> list[str]:
    # A multi-line string is written one line a piece, as gettext's tools write it.
    if "\n" not in value.rstrip("\n"):
        return [f"{keyword} {_quote(value)}"]
    pieces = value.splitlines(keepends=True)
    return [f'{keyword} ""', *(_quote(piece) for piece in pieces)]


def format_po(messages: Iterable[Message]) -> str:
    """A .po file of these entries (comments and flags as they are)."""
    blocks: list[str] = []
    for message in messages:
        lines = [line for line in message.comments if not line.startswith("#,")]
        if message.flags:
            lines.append("#, " + ", ".join(sorted(message.flags)))
        if message.context is not None:
            lines += _field("msgctxt", message.context)
        lines += _field("msgid", message.msgid)
        if message.msgid_plural is not None:
            lines += _field("msgid_plural", message.msgid_plural)
            for index, text in enumerate(message.msgstrs):
                lines += _field(f"msgstr[{index}]", text)
        else:
            lines += _field("msgstr", message.msgstrs[0])
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


# --- Completeness ----------------------------------------------------------------------


def describe_gaps(expected: Iterable[Message], catalogue: Iterable[Message]) -> list[str]:
    """Each message the source asks for that the catalogue lacks, leaves (partly) empty,
    marks fuzzy, or translates with a placeholder the source does not give, as one line
    a translator can act on; empty when the catalogue is complete."""
    translated = {message.key: message for message in catalogue if message.msgid}
    gaps: list[str] = []
    for wanted in expected:
        if not wanted.msgid:
            continue  # the header
        found = translated.get(wanted.key)
        if found is None:
            gaps.append(f"missing: {wanted.describe()}")
        elif wanted.msgid_plural is not None and found.msgid_plural is None:
            gaps.append(f"missing its plural forms: {wanted.describe()}")
        elif found.is_fuzzy:
            gaps.append(f"fuzzy: {wanted.describe()}")
        elif not all(found.msgstrs):
            gaps.append(f"untranslated: {wanted.describe()}")
        elif unknown := _placeholders(*found.msgstrs) - _placeholders(
            wanted.msgid, wanted.msgid_plural or ""
        ):
            # The code fills in only the source's names: another one fails as it is shown
            # (msgfmt checks Python's messages, never the scripts').
            gaps.append(f"names {sorted(unknown)} the source does not give: {wanted.describe()}")
    return gaps


_NAMED_PLACEHOLDER = re.compile(r"%\(([^)]+)\)")


def _placeholders(*texts: str) -> set[str]:
    return {name for text in texts for name in _NAMED_PLACEHOLDER.findall(text)}


# --- Compiling and loading -------------------------------------------------------------


def compile_po(po: Path, mo: Path) -> None:
    """Compile a .po with msgfmt, as ``compilemessages`` does (placeholders checked)."""
    require_gettext()
    result = subprocess.run(  # noqa: S603 - fixed program, paths we chose
        [*FORMAT_CHECK, "-o", str(mo), str(po)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise ValueError(f"msgfmt refused {po}:\n{result.stderr}")


def load_mo(mo: Path) -> dict[object, str]:
    """The catalogue a compiled file holds, as Python's gettext reads it."""
    with mo.open("rb") as compiled:
        translations = gettext_module.GNUTranslations(compiled)
    catalogue: dict[object, str] = dict(translations._catalog)  # type: ignore[attr-defined]  # gettext keeps it private; it is the catalogue itself
    return catalogue


# --- Extraction ------------------------------------------------------------------------


def _copy_sources(source: Path, destination: Path) -> None:
    for directory, subdirectories, files in os.walk(source):
        subdirectories[:] = sorted(
            name for name in subdirectories if name not in IGNORED and not name.startswith(".")
        )
        relative = Path(directory).relative_to(source)
        for name in files:
            if Path(name).suffix in SOURCE_SUFFIXES:
                target = destination / relative / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(Path(directory) / name, target)


def makemessages_options() -> list[str]:
    """The options ``make messages`` and the fresh extraction share."""
    return [
        "--no-obsolete",
        # File names without line numbers: a line moving is no change to translate.
        "--add-location=file",
        *(f"--ignore={pattern}" for pattern in IGNORED),
    ]


def extract_messages(scratch: Path) -> dict[str, Path]:
    """Extract every message of the source afresh, into a copy under ``scratch`` (the
    tree is never written to); return each domain's .pot file."""
    require_gettext()
    copy = scratch / "hearth"
    _copy_sources(PACKAGE_DIR, copy)
    (copy / "locale").mkdir(parents=True, exist_ok=True)
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hearth.settings.base",
        "HEARTH_DATA_DIR": str(scratch / "data"),
    }
    # Both domains at once: two processes, each writing its own .pot.
    runs = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and command
            [
                # -P: the copy's folders (core, search, ...) must not shadow modules.
                sys.executable,
                "-P",
                "-m",
                "hearth",
                "makemessages",
                "--domain",
                domain,
                # A locale is required; the .pot is what is wanted, kept.
                "--locale",
                "qps",
                "--keep-pot",
                "--verbosity",
                "0",
                *makemessages_options(),
            ],
            cwd=copy,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for domain in DOMAINS
    ]
    for domain, run in zip(DOMAINS, runs, strict=True):
        output, errors = run.communicate()
        if run.returncode != 0:
            raise RuntimeError(f"makemessages ({domain}) failed:\n{output}{errors}")
    potfiles = {domain: copy / "locale" / f"{domain}.pot" for domain in DOMAINS}
    for potfile in potfiles.values():
        if not potfile.exists():  # a domain with no message at all: an empty template
            potfile.write_text(format_po([Message(msgid="", msgstrs=("",))]), encoding="utf-8")
    return potfiles


def catalogue_languages() -> list[str]:
    """The languages with a catalogue in the tree (offered or still being translated)."""
    if not LOCALE_DIR.is_dir():
        return []
    return sorted(path.name for path in LOCALE_DIR.iterdir() if (path / "LC_MESSAGES").is_dir())


def update_catalogues(*, add: Iterable[str] = ()) -> None:
    """``make messages``: extract both domains into every catalogue (and new ones for
    ``add``), keeping their translations, then compile them all."""
    require_gettext()
    import django  # noqa: PLC0415 - a command-line entry: Django starts here
    from django.core.management import call_command  # noqa: PLC0415

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hearth.settings.base")
    django.setup()  # settings read before moving: the data directory is the caller's
    languages = sorted({*catalogue_languages(), *add})
    if not languages:
        raise SystemExit("No catalogue to update: name a language, e.g. --add de")
    here = Path.cwd()
    os.chdir(PACKAGE_DIR)  # makemessages reads the directory it runs in
    try:
        for domain in DOMAINS:
            call_command("makemessages", *makemessages_options(), domain=domain, locale=languages)
        call_command("compilemessages", locale=languages, verbosity=1)
    finally:
        os.chdir(here)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m hearth.core.catalogues",
        description="Extract Hearth's messages into its catalogues and compile them.",
    )
    parser.add_argument(
        "--add",
        action="append",
        default=[],
        metavar="LANGUAGE",
        help="start a catalogue for this language (a code such as pt or pt_BR)",
    )
    arguments = parser.parse_args(argv)
    try:
        update_catalogues(add=arguments.add)
    except GettextMissingError as error:
        raise SystemExit(str(error)) from error


if __name__ == "__main__":
    main()
