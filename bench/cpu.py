"""Where the CPU went during a run: Hearth's web processes, PostgreSQL, Redis, wrk.

docs/scaling.md names the first bottleneck from this, measured rather than guessed:
``CpuWindow`` takes every process's user and system time (``/proc/<pid>/stat``) when
it opens and when it closes, and sums the difference by program. A process that
started meanwhile (a second ``hearth serve``, a PostgreSQL backend) counts from zero;
one that ended meanwhile is lost (their share is small: connections are kept).
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

# By the kernel's name for the process (``comm``); Hearth's servers by command line.
PROGRAMS = {"postgres": "PostgreSQL", "redis-server": "Redis", "wrk": "wrk (the load)"}
HEARTH = "Hearth web processes"
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class _Process:
    parent: int
    program: str
    cpu_seconds: float


def _read(pid: int) -> _Process | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = stat[stat.index("(") + 1 : stat.rindex(")")]
    fields = stat[stat.rindex(")") + 2 :].split()  # fields[0] is the state (field 3)
    return _Process(
        parent=int(fields[1]), program=name, cpu_seconds=(int(fields[11]) + int(fields[12])) / TICKS
    )


def _command_line(pid: int) -> str:
    try:
        return (
            Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        )
    except OSError:
        return ""


def _is_hearth_server(pid: int, processes: dict[int, _Process]) -> bool:
    """``hearth serve`` (granian) and its workers, two generations up at most."""
    for _generation in range(3):
        line = _command_line(pid)
        if "granian" in line or ("hearth" in line and " serve" in line):
            return True
        process = processes.get(pid)
        if process is None:
            return False
        pid = process.parent
    return False


def cpu_by_process() -> dict[int, tuple[str, float]]:
    """Each process of a program counted: its pid, the program, its CPU seconds so far."""
    processes = {
        int(entry.name): found
        for entry in Path("/proc").iterdir()
        if entry.name.isdigit() and (found := _read(int(entry.name))) is not None
    }
    counted = {}
    for pid, process in processes.items():
        if process.program in PROGRAMS:
            counted[pid] = (PROGRAMS[process.program], process.cpu_seconds)
        elif _is_hearth_server(pid, processes):
            counted[pid] = (HEARTH, process.cpu_seconds)
    return counted


class CpuWindow:
    """CPU seconds by program between ``__init__`` and ``close()``."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.before = cpu_by_process()
        self.seconds: dict[str, float] = {}
        self.wall_seconds = 0.0

    def close(self) -> dict[str, float]:
        totals: defaultdict[str, float] = defaultdict(float)
        for pid, (program, seconds) in cpu_by_process().items():
            earlier = self.before.get(pid)
            # A pid reused by another program since counts from zero.
            totals[program] += seconds - (earlier[1] if earlier and earlier[0] == program else 0)
        self.wall_seconds = time.perf_counter() - self.started
        self.seconds = {program: seconds for program, seconds in totals.items() if seconds > 0}
        return self.seconds

    def line(self) -> str:
        """``CPU during ...: Hearth web processes 81% (...), PostgreSQL 9% ...``."""
        total = sum(self.seconds.values())
        if not total:
            return "no CPU time measured"
        shares = sorted(self.seconds.items(), key=lambda item: -item[1])
        return (
            ", ".join(
                f"{program} {seconds / total:.0%} ({seconds:.0f} s)" for program, seconds in shares
            )
            + f"; {total / self.wall_seconds:.1f} of {os.cpu_count()} CPUs busy on average"
        )
