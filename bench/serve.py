"""``python -m bench.serve``: ``hearth serve``, with granian serving ``bench.wsgi``.

The bare ceiling (``bench.wsgi``) must be measured on the very server the pages
are: the same granian, workers, threads, memory limit, allocator setting and
start-up checks. ``hearth serve`` names its WSGI application itself and has no
option for another, and the benchmark does not add one to the product; so this
runs that command with one change, made where it builds granian's command line:
the application ``hearth.wsgi:application`` becomes ``bench.wsgi:application``.
If ``hearth serve`` ever builds it differently, this stops with a message rather
than quietly serving something else.
"""

import os
import sys
from typing import Any

PRODUCTION_APPLICATION = "hearth.wsgi:application"
BENCH_APPLICATION = "bench.wsgi:application"


def main(argv: list[str]) -> None:
    """Run ``hearth serve`` with ``argv``, serving ``bench.wsgi:application``."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django  # noqa: PLC0415 - only once the settings module is chosen

    django.setup()
    from hearth import cli  # noqa: PLC0415
    from hearth.core.granian import granian_command as production_command  # noqa: PLC0415
    from hearth.core.management.commands import serve  # noqa: PLC0415 - needs the apps

    def bench_command(**options: Any) -> list[str]:
        if options.get("application") != PRODUCTION_APPLICATION:
            message = (
                f"bench.serve: hearth serve asked granian for {options.get('application')!r}, "
                f"not {PRODUCTION_APPLICATION!r}; update bench/serve.py"
            )
            raise SystemExit(message)
        return production_command(**{**options, "application": BENCH_APPLICATION})

    # The name the command calls; it imports it from hearth.core.granian without exporting it.
    serve.granian_command = bench_command  # type: ignore[attr-defined]
    cli.main(["serve", *argv])


if __name__ == "__main__":
    main(sys.argv[1:])
