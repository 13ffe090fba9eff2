"""docs/deploying.md, read the way the production-recipe job runs it.

Every fenced block on that page starts with a comment naming it (a file path,
or what the commands are for). Each name is either run by the job
(``RUN_BLOCKS``) or listed in ``NOT_RUN_BLOCKS`` with the reason; inside shell
blocks every command is run unless its program is in ``NOT_RUN_COMMANDS``. The
job turns the page's paths, ports and host name into its own
(``Substitutions``) and changes nothing else.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

DEPLOYING = Path(__file__).resolve().parents[4] / "docs" / "deploying.md"

RUN_BLOCKS = {
    "as root: a user, the code and its virtual environment": "installs into a fresh venv",
    "/etc/hearth/env": "the environment of every process (per machine)",
    "/usr/local/bin/hearth-admin: run a hearth command as the hearth user, with its environment": (
        "every hearth-admin command"
    ),
    "as root: first start": "run",
    "/etc/redis/redis.conf: the lines to change": "redis-server's settings",
    "/etc/systemd/system/hearth-web.service": "ExecStart, twice (two machines)",
    "/etc/systemd/system/hearth-live.service": "ExecStart, twice (two machines)",
    "/etc/systemd/system/hearth-worker.service": "ExecStart, once",
    "/etc/nginx/sites-available/hearth": "nginx in front of both machines",
    "/etc/caddy/Caddyfile": "caddy validate",
    "health checks": "run",
    "as root: upgrading": "run",
    "/etc/systemd/system/hearth-backup.service": "ExecStart",
    "/srv/hearth/prune-backups: keep 7 daily and 4 weekly archives.": "run",
    "cron": "the command after the schedule",
}
# Blocks run a line at a time (the others are files: units, scripts, configurations).
COMMAND_BLOCKS = (
    "as root: a user, the code and its virtual environment",
    "as root: first start",
    "health checks",
    "as root: upgrading",
)
NOT_RUN_BLOCKS = {
    "postgresql.conf": (
        "memory settings: the job's PostgreSQL is scripts/with-postgres; the bench runs "
        "PostgreSQL with shared_buffers=1GB (bench/server.py)"
    ),
    "/etc/systemd/system/hearth-backup.timer": "systemd is not running in CI",
}
NOT_RUN_COMMANDS = {
    "apt-get": "installs Debian packages: .ci/run installs the same ones",
    "adduser": "creates a system user: the job runs as the CI user",
    "git": "fetches the code: the job installs the checkout under test",
    "systemctl": "systemd is not running in CI: the job starts each unit's ExecStart itself",
    "runuser": "PostgreSQL's role and database come from scripts/with-postgres",
}


@dataclass(frozen=True)
class Block:
    language: str
    name: str
    text: str

    def commands(self) -> list[str]:
        """The command lines of a shell block (comments and blank lines left out)."""
        return [
            line
            for line in self.text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")
        ]


def blocks(text: str | None = None) -> list[Block]:
    """Every fenced block of the page, named by its first comment line."""
    text = DEPLOYING.read_text() if text is None else text
    found = []
    for language, body in re.findall(r"^```(\w*)\n(.*?)^```", text, re.MULTILINE | re.DOTALL):
        if language == "cron":
            found.append(Block(language, "cron", body))
            continue
        comments = [
            line[2:].strip()
            for line in body.splitlines()
            if line.startswith("# ") and not line.startswith("#!")
        ]
        found.append(Block(language, comments[0] if comments else "", body))
    return found


def block(name: str) -> Block:
    (found,) = [each for each in blocks() if each.name == name]
    return found


def program_of(command: str) -> str:
    """The program a shell line runs, after any VAR=value assignments."""
    words = shlex.split(command)
    while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
        words.pop(0)
    return words[0] if words else ""


def unit_exec_start(name: str) -> str:
    (line,) = [each for each in block(name).text.splitlines() if each.startswith("ExecStart=")]
    return line.removeprefix("ExecStart=")


def environment_file(text: str) -> dict[str, str]:
    """KEY=value lines as systemd's EnvironmentFile and ``set -a; .`` both read them."""
    values = {}
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key] = value
    return values


class Substitutions:
    """The page's paths, ports and names, and what the job uses instead (in order)."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.pairs = pairs

    def apply(self, text: str) -> str:
        for old, new in self.pairs:
            text = text.replace(old, new)
        return text
