"""Progress of a long backup or restore, on stderr (stdout stays for the result)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Steps as lines; counts redrawn in place on a terminal, every 10% otherwise."""

    def __init__(self, stream: TextIO | None = None, *, quiet: bool = False) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.quiet = quiet
        self.is_terminal = self.stream.isatty()
        self._started = time.monotonic()
        self._last_tenth = -1

    def step(self, message: str) -> None:
        if not self.quiet:
            elapsed = time.monotonic() - self._started
            self.stream.write(f"[{elapsed:6.1f}s] {message}\n")
            self.stream.flush()
        self._last_tenth = -1

    def count(self, label: str, done: int, total: int) -> None:
        if self.quiet or total <= 0:
            return
        tenth = done * 10 // total
        if self.is_terminal:
            end = "\n" if done == total else ""
            self.stream.write(f"\r  {label}: {done}/{total}{end}")
        elif tenth != self._last_tenth:
            self.stream.write(f"  {label}: {done}/{total}\n")
        self._last_tenth = tenth
        self.stream.flush()

    def warn(self, message: str) -> None:
        """A warning is never quiet: it is why the operator must act."""
        self.stream.write(f"WARNING: {message}\n")
        self.stream.flush()
