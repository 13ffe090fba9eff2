"""The granian command lines of ``hearth serve`` (pages, WSGI) and ``hearth live`` (the
live stream, ASGI): one place for how Hearth runs granian."""

from __future__ import annotations

import errno
import socket
import sys

from django.core.management.base import CommandError

RESPAWN_INTERVAL_SECONDS = "1"
RSS_SAMPLE_INTERVAL_SECONDS = "10"


def check_port_is_free(host: str, port: int) -> None:
    """Raise CommandError if something already listens on ``host:port``."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno in {errno.EADDRINUSE, errno.EACCES}:
                message = (
                    f"Port {port} on {host} is already in use: is Hearth already running? "
                    "Stop the other server or choose another port with --port (or PORT)."
                )
                raise CommandError(message) from error
            raise


def granian_command(
    *,
    interface: str,
    application: str,
    host: str,
    port: int,
    workers: int,
    threads: int | None = None,
    max_rss: int = 0,
    most_connections: int | None = None,
) -> list[str]:
    """granian serving ``application``; a worker that dies is started again at once while
    the others go on serving, and one whose memory stays above ``max_rss`` MiB is
    replaced."""
    command = [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        interface,
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-ws",
        "--respawn-failed-workers",
        "--respawn-interval",
        RESPAWN_INTERVAL_SECONDS,
    ]
    if threads is not None:
        command += ["--blocking-threads", str(threads)]
    if most_connections is not None:
        # granian holds at most backlog / workers requests at once per worker (1,024 by
        # default): an open stream is a request for as long as it lasts.
        command += ["--backpressure", str(most_connections)]
    if max_rss > 0:
        command += [
            "--workers-max-rss",
            str(max_rss),
            "--rss-sample-interval",
            RSS_SAMPLE_INTERVAL_SECONDS,
            "--rss-samples",
            "3",
        ]
    return [*command, application]
