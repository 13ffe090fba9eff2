"""``hearth reindex``: rebuild the search index from the posts, with a progress bar."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hearth.search.indexing import index_posts, reindex_everything, stale_post_ids

BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Rebuild the search index from every post (or, with --stale, only the posts whose "
        "entry is missing or out of date). Safe while Hearth runs: searches keep working."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--stale", action="store_true", help="Only re-index missing or out-of-date entries."
        )

    _tenths_shown = -1

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        if options["stale"]:
            from hearth.forum.models import Post  # noqa: PLC0415

            last = Post.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            written = index_posts(stale_post_ids(0, last))
        else:
            written = reindex_everything(progress=self._show_progress)
            if self.stderr.isatty():
                self.stderr.write("")
        seconds = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Indexed {written:,} post(s) in {seconds:.1f} s."))

    def _show_progress(self, done: int, total: int) -> None:
        share = done / total if total else 1.0
        filled = round(BAR_WIDTH * share)
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        line = f"[{bar}] {share:4.0%} {done:,}/{total:,} posts"
        # A live bar on a terminal; one line per tenth in a log.
        if self.stderr.isatty():
            self.stderr.write(f"\r{line}", ending="")
            self.stderr.flush()
        elif (tenth := int(share * 10)) > self._tenths_shown:
            self._tenths_shown = tenth
            self.stderr.write(line)
