"""``hearth rerender``: re-render stored post HTML after the text pipeline changes."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hearth.forum.services import rerender_posts


class Command(BaseCommand):
    help = (
        "Re-render posts stored with an older render version (or all with --all), "
        "in batches, so pages show the current Markdown output."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="Re-render every post.")
        parser.add_argument("--batch-size", type=int, default=200)

    def handle(self, *args: Any, **options: Any) -> None:
        count = rerender_posts(everything=options["all"], batch_size=options["batch_size"])
        self.stdout.write(self.style.SUCCESS(f"Re-rendered {count} post(s)."))
