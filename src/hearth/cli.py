"""The ``hearth`` command: every manage.py command, plus Hearth's own.

Hearth's own commands (``init``, ``serve``, ``demo``, ...) are ordinary
management commands, so ``hearth help`` lists them beside Django's.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a management command named on the command line."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hearth.settings.base")
    from django.core.management import execute_from_command_line  # noqa: PLC0415

    arguments = sys.argv[1:] if argv is None else argv
    execute_from_command_line(["hearth", *arguments])
