"""Where the CPU went (bench/cpu.py): each process's time by program, between two moments."""

import subprocess
import sys

import pytest
from bench import cpu

pytestmark = pytest.mark.database_neutral

# Its command line names granian, as a page server's does.
BUSY = (
    "import time\nstop = time.process_time() + 0.5  # granian\n"
    "while time.process_time() < stop: pass"
)


def test_a_web_process_busy_meanwhile_is_counted_as_hearths() -> None:
    window = cpu.CpuWindow()
    # Only processes alive at the end count: the busy one stays, asleep, until then.
    with subprocess.Popen([sys.executable, "-c", BUSY + "\ntime.sleep(5)"]) as busy:  # noqa: S603
        try:
            for _ in range(50):
                if cpu.cpu_by_process().get(busy.pid, ("", 0.0))[1] >= 0.4:
                    break
                subprocess.run(["sleep", "0.1"], check=True)  # noqa: S607 - coreutils
            seconds = window.close()
        finally:
            busy.kill()

    assert seconds.get(cpu.HEARTH, 0.0) >= 0.4
    assert cpu.HEARTH in window.line()
